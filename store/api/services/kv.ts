// The KV service (etcd v3rpc key.go): check the request as etcd's API layer does, refuse a
// write over the size bound, call the backend, fill the header.

import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  decodeDeleteRange, decodePut, decodeRange, decodeTxn, encodeDeleteBody, encodePutBody, encodeRangeBody,
  encodeTxnBody, long, type WireDeleteRangeRequest, type WireLong, type WirePutRequest, type WireRangeRequest,
  type WireTxnRequest,
} from '../codec.js';
import { etcdError } from '../errors.js';
import { MAX_TXN_OPS } from '../limits.js';
import { checkDelete, checkPut, checkRange, checkTxnRequest, isReadOnlyTxn, type CheckResult } from '../validate.js';
import { checkRequestSize, header, unary, type ServiceContext } from './common.js';

function refuseIf(err: CheckResult): void {
  if (err !== null) throw etcdError(err);
}

export function kvService(ctx: ServiceContext): UntypedServiceImplementation {
  const b = ctx.backend;
  return {
    Range: unary<WireRangeRequest>(ctx, 'Range', async (w) => {
      const req = decodeRange(w);
      refuseIf(checkRange(req));
      const resp = await b.range(req);
      return { header: header(ctx, resp.revision), ...encodeRangeBody(resp) };
    }),
    Put: unary<WirePutRequest>(ctx, 'Put', async (w) => {
      const req = decodePut(w);
      refuseIf(checkPut(req));
      checkRequestSize(w);
      const resp = await b.put(req);
      return { header: header(ctx, resp.revision), ...encodePutBody(resp) };
    }),
    DeleteRange: unary<WireDeleteRangeRequest>(ctx, 'DeleteRange', async (w) => {
      const req = decodeDeleteRange(w);
      refuseIf(checkDelete(req));
      checkRequestSize(w);
      const resp = await b.deleteRange(req);
      return { header: header(ctx, resp.revision), ...encodeDeleteBody(resp) };
    }),
    Txn: unary<WireTxnRequest>(ctx, 'Txn', async (w) => {
      const req = decodeTxn(w);
      refuseIf(checkTxnRequest(req, MAX_TXN_OPS));
      if (!isReadOnlyTxn(req)) checkRequestSize(w);
      const resp = await b.txn(req);
      return { header: header(ctx, resp.revision), ...encodeTxnBody(resp) };
    }),
    Compact: unary<{ revision?: WireLong; physical?: boolean }>(ctx, 'Compact', async (w) => {
      checkRequestSize(w);
      const resp = await b.compact({ revision: long(w.revision), physical: w.physical === true });
      return { header: header(ctx, resp.revision) };
    }),
  };
}
