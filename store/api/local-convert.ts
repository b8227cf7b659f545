// Translation between the API's backend types (bigint for every 64-bit field) and the MVCC
// engine's (JS numbers for revisions, which it keeps below 2^53; bigint lease IDs).
//
// A client may send any int64. Values the engine cannot hold exactly are clamped to the
// safe range; for revisions that keeps the meaning (a revision beyond 2^53 is in the future
// either way, a limit beyond it is "no limit in practice").

import * as api from './backend.js';
import * as mvcc from '../mvcc/index.js';
import { EtcdApiError, errorByMessage } from './errors.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = -MAX;

/** bigint → number, clamped to the safe integer range. */
export function num(v: bigint): number {
  return Number(v > MAX ? MAX : v < MIN ? MIN : v);
}

export function big(v: number): bigint {
  return BigInt(v);
}

/** The engine's refusal as the API's error (same etcd message and status). */
export function apiError(e: mvcc.MvccError): EtcdApiError {
  return new EtcdApiError(errorByMessage(e.message) ?? { code: e.code, grpcCode: e.grpcStatus, message: e.message });
}

export function unwrap<T>(r: mvcc.Result<T>): T {
  if (!r.ok) throw apiError(r.error);
  return r.value;
}

// ---- Requests ------------------------------------------------------------------------

export function rangeReq(r: api.RangeRequest): mvcc.RangeRequest {
  return {
    key: r.key, rangeEnd: r.rangeEnd, limit: num(r.limit), revision: num(r.revision),
    sortOrder: r.sortOrder as number as mvcc.SortOrder, sortTarget: r.sortTarget as number as mvcc.SortTarget,
    serializable: r.serializable, keysOnly: r.keysOnly, countOnly: r.countOnly,
    minModRevision: num(r.minModRevision), maxModRevision: num(r.maxModRevision),
    minCreateRevision: num(r.minCreateRevision), maxCreateRevision: num(r.maxCreateRevision),
  };
}

export function putReq(r: api.PutRequest): mvcc.PutRequest {
  return {
    key: r.key, value: r.value, lease: r.lease, prevKv: r.prevKv, ignoreValue: r.ignoreValue,
    ignoreLease: r.ignoreLease,
  };
}

export function deleteReq(r: api.DeleteRangeRequest): mvcc.DeleteRangeRequest {
  return { key: r.key, rangeEnd: r.rangeEnd, prevKv: r.prevKv };
}

function compareReq(c: api.Compare): mvcc.Compare {
  return {
    result: c.result as number as mvcc.CompareResult, target: c.target as number as mvcc.CompareTarget,
    key: c.key, rangeEnd: c.rangeEnd, version: num(c.version), createRevision: num(c.createRevision),
    modRevision: num(c.modRevision), value: c.value, lease: c.lease,
  };
}

function opReq(op: api.RequestOp): mvcc.RequestOp {
  if ('range' in op) return { requestRange: rangeReq(op.range) };
  if ('put' in op) return { requestPut: putReq(op.put) };
  if ('deleteRange' in op) return { requestDeleteRange: deleteReq(op.deleteRange) };
  if ('txn' in op) return { requestTxn: txnReq(op.txn) };
  return {} as mvcc.RequestOp; // no member set: the engine refuses it as etcd does
}

export function txnReq(r: api.TxnRequest): mvcc.TxnRequest {
  return { compare: r.compare.map(compareReq), success: r.success.map(opReq), failure: r.failure.map(opReq) };
}

// ---- Responses -----------------------------------------------------------------------

export function kv(k: mvcc.KeyValue): api.KeyValue {
  return {
    key: k.key, createRevision: big(k.createRevision), modRevision: big(k.modRevision), version: big(k.version),
    value: k.value, lease: k.lease,
  };
}

export function rangeResp(r: mvcc.RangeResponse): api.RangeResponse {
  return { revision: big(r.revision), kvs: r.kvs.map(kv), more: r.more, count: big(r.count) };
}

export function putResp(r: mvcc.PutResponse): api.PutResponse {
  return r.prevKv === undefined ? { revision: big(r.revision) } : { revision: big(r.revision), prevKv: kv(r.prevKv) };
}

export function deleteResp(r: mvcc.DeleteRangeResponse): api.DeleteRangeResponse {
  return { revision: big(r.revision), deleted: big(r.deleted), prevKvs: r.prevKvs.map(kv) };
}

function opResp(op: mvcc.ResponseOp): api.ResponseOp {
  if ('responseRange' in op) return { range: rangeResp(op.responseRange) };
  if ('responsePut' in op) return { put: putResp(op.responsePut) };
  if ('responseDeleteRange' in op) return { deleteRange: deleteResp(op.responseDeleteRange) };
  return { txn: txnResp(op.responseTxn) };
}

export function txnResp(r: mvcc.TxnResponse): api.TxnResponse {
  return { revision: big(r.revision), succeeded: r.succeeded, responses: r.responses.map(opResp) };
}

export function event(e: mvcc.Event): api.Event {
  const out: api.Event = { type: e.type as number as api.EventType, kv: kv(e.kv) };
  if (e.prevKv !== undefined) out.prevKv = kv(e.prevKv);
  return out;
}

export function watchResp(r: mvcc.WatchResponse): api.WatchResponse {
  return {
    revision: big(r.revision), watchId: big(r.watchId), created: r.created, canceled: r.canceled,
    compactRevision: big(r.compactRevision), cancelReason: r.cancelReason, events: r.events.map(event),
  };
}
