// The KV service (etcd v3rpc key.go): check the request as etcd's API layer does, refuse a
// write over the size bound, call the backend, fill the header. Responses go out as bytes
// (kv-encode.ts); the methods' serializers pass them through.

import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  decodeDeleteRange, decodePut, decodeRange, decodeTxn, long, type WireDeleteRangeRequest, type WireLong,
  type WirePutRequest, type WireRangeRequest, type WireTxnRequest,
} from '../codec.js';
import { etcdError } from '../errors.js';
import { encodeDeleteRangeResponse, encodePutResponse, encodeRangeResponse, encodeTxnResponse } from '../kv-encode.js';
import { MAX_TXN_OPS } from '../limits.js';
import { checkDelete, checkPut, checkRange, checkTxnRequest, isReadOnlyTxn, type CheckResult } from '../validate.js';
import { checkRequestSize, header, headerFields, unary, type ServiceContext } from './common.js';

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
      return encodeRangeResponse(headerFields(ctx, resp.revision), resp);
    }),
    Put: unary<WirePutRequest>(ctx, 'Put', async (w) => {
      const req = decodePut(w);
      refuseIf(checkPut(req));
      checkRequestSize(w);
      const resp = await b.put(req);
      return encodePutResponse(headerFields(ctx, resp.revision), resp);
    }),
    DeleteRange: unary<WireDeleteRangeRequest>(ctx, 'DeleteRange', async (w) => {
      const req = decodeDeleteRange(w);
      refuseIf(checkDelete(req));
      checkRequestSize(w);
      const resp = await b.deleteRange(req);
      return encodeDeleteRangeResponse(headerFields(ctx, resp.revision), resp);
    }),
    Txn: unary<WireTxnRequest>(ctx, 'Txn', async (w) => {
      const req = decodeTxn(w);
      refuseIf(checkTxnRequest(req, MAX_TXN_OPS));
      if (!isReadOnlyTxn(req)) checkRequestSize(w);
      const resp = await b.txn(req);
      return encodeTxnResponse(headerFields(ctx, resp.revision), resp);
    }),
    Compact: unary<{ revision?: WireLong; physical?: boolean }>(ctx, 'Compact', async (w) => {
      checkRequestSize(w);
      const resp = await b.compact({ revision: long(w.revision), physical: w.physical === true });
      return { header: header(ctx, resp.revision) };
    }),
  };
}
