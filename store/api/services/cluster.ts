// The Cluster service (etcd v3rpc member.go): membership lives in the backend; this layer
// only translates.

import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { encodeMember, long, type WireLong } from '../codec.js';
import { checkRequestSize, header, unary, type ServiceContext } from './common.js';

export function clusterService(ctx: ServiceContext): UntypedServiceImplementation {
  const b = ctx.backend;
  return {
    MemberAdd: unary<{ peerURLs?: string[]; isLearner?: boolean }>(ctx, 'MemberAdd', async (w) => {
      checkRequestSize(w);
      const r = await b.memberAdd(w.peerURLs ?? [], w.isLearner === true);
      return { header: header(ctx, r.revision), member: encodeMember(r.member), members: r.members.map(encodeMember) };
    }),
    MemberRemove: unary<{ ID?: WireLong }>(ctx, 'MemberRemove', async (w) => {
      const r = await b.memberRemove(long(w.ID));
      return { header: header(ctx, r.revision), members: r.members.map(encodeMember) };
    }),
    MemberUpdate: unary<{ ID?: WireLong; peerURLs?: string[] }>(ctx, 'MemberUpdate', async (w) => {
      checkRequestSize(w);
      const r = await b.memberUpdate(long(w.ID), w.peerURLs ?? []);
      return { header: header(ctx, r.revision), members: r.members.map(encodeMember) };
    }),
    MemberList: unary<{ linearizable?: boolean }>(ctx, 'MemberList', async (w) => {
      const r = await b.memberList(w.linearizable === true);
      return { header: header(ctx, r.revision), members: r.members.map(encodeMember) };
    }),
    MemberPromote: unary<{ ID?: WireLong }>(ctx, 'MemberPromote', async (w) => {
      const r = await b.memberPromote(long(w.ID));
      return { header: header(ctx, r.revision), members: r.members.map(encodeMember) };
    }),
  };
}
