// Request validation that needs no state, and compare evaluation. These mirror etcd's
// v3rpc/key.go (checkRangeRequest, checkPutRequest, checkTxnRequest, checkIntervals) and
// etcdserver/txn (compareKV), including their corner cases, so a request etcd accepts is
// accepted here and one it refuses is refused with the same error.

import {
  CompareResult, CompareTarget, SortOrder, SortTarget,
  type Compare, type DeleteRangeRequest, type KeyValue, type PutRequest, type RangeRequest,
  type RequestOp, type TxnRequest,
} from './types.js';
import { bytesToKey, compareBytes, EMPTY_BYTES } from './bytes.js';
import { allFinite, assertFinite, assertInt64, Errors, type MvccError } from './errors.js';

export type OpKind =
  | { kind: 'range'; req: RangeRequest }
  | { kind: 'put'; req: PutRequest }
  | { kind: 'delete'; req: DeleteRangeRequest }
  | { kind: 'txn'; req: TxnRequest }
  | { kind: 'empty' };

export function opKind(op: RequestOp): OpKind {
  const o = op as Partial<{
    requestRange: RangeRequest; requestPut: PutRequest; requestDeleteRange: DeleteRangeRequest; requestTxn: TxnRequest;
  }>;
  if (o.requestRange !== undefined) return { kind: 'range', req: o.requestRange };
  if (o.requestPut !== undefined) return { kind: 'put', req: o.requestPut };
  if (o.requestDeleteRange !== undefined) return { kind: 'delete', req: o.requestDeleteRange };
  if (o.requestTxn !== undefined) return { kind: 'txn', req: o.requestTxn };
  return { kind: 'empty' };
}

const SORT_ORDERS = new Set<number>([SortOrder.NONE, SortOrder.ASCEND, SortOrder.DESCEND]);
const SORT_TARGETS = new Set<number>([SortTarget.KEY, SortTarget.VERSION, SortTarget.CREATE, SortTarget.MOD,
  SortTarget.VALUE]);

export function checkRangeRequest(r: RangeRequest): MvccError | null {
  if (!allFinite(r.limit, r.revision, r.minModRevision, r.maxModRevision, r.minCreateRevision, r.maxCreateRevision)) {
    assertFinite({ limit: r.limit, revision: r.revision, minModRevision: r.minModRevision,
      maxModRevision: r.maxModRevision, minCreateRevision: r.minCreateRevision,
      maxCreateRevision: r.maxCreateRevision });
  }
  if (r.key.length === 0) return Errors.emptyKey;
  if (!SORT_ORDERS.has(r.sortOrder ?? SortOrder.NONE) || !SORT_TARGETS.has(r.sortTarget ?? SortTarget.KEY)) {
    return Errors.invalidSortOption;
  }
  return null;
}

export function checkPutRequest(r: PutRequest): MvccError | null {
  assertInt64('lease', r.lease);
  if (r.key.length === 0) return Errors.emptyKey;
  if (r.ignoreValue === true && r.value !== undefined && r.value.length !== 0) return Errors.valueProvided;
  if (r.ignoreLease === true && r.lease !== undefined && r.lease !== 0n) return Errors.leaseProvided;
  return null;
}

export function checkDeleteRequest(r: DeleteRangeRequest): MvccError | null {
  return r.key.length === 0 ? Errors.emptyKey : null;
}

/**
 * etcd checkTxnRequest: the longest of compare/success/failure must fit in the budget, and
 * a nested txn gets what its parent left (maxTxnOps minus the parent's longest list).
 */
export function checkTxnRequest(r: TxnRequest, maxTxnOps: number): MvccError | null {
  const compare = r.compare ?? [];
  const success = r.success ?? [];
  const failure = r.failure ?? [];
  const opc = Math.max(compare.length, success.length, failure.length);
  if (opc > maxTxnOps) return Errors.tooManyOps;
  for (const c of compare) {
    if (!allFinite(c.version, c.createRevision, c.modRevision)) {
      assertFinite({ version: c.version, createRevision: c.createRevision, modRevision: c.modRevision });
    }
    assertInt64('compare lease', c.lease);
    if (c.key.length === 0) return Errors.emptyKey;
  }
  for (const op of [...success, ...failure]) {
    const err = checkRequestOp(op, maxTxnOps - opc);
    if (err !== null) return err;
  }
  return null;
}

function checkRequestOp(op: RequestOp, maxTxnOps: number): MvccError | null {
  const o = opKind(op);
  switch (o.kind) {
    case 'range': return checkRangeRequest(o.req);
    case 'put': return checkPutRequest(o.req);
    case 'delete': return checkDeleteRequest(o.req);
    case 'txn': return checkTxnRequest(o.req, maxTxnOps);
    case 'empty': return Errors.keyNotFound; // etcd: "empty op / nil entry"
  }
}

/**
 * A delete's key interval as etcd's checkIntervals builds it: [key, rangeEnd) compared as
 * plain strings, or the point {key}. Note that rangeEnd "\0" ("every key ≥ key") is NOT
 * widened here, exactly as in etcd, so such a delete never conflicts with a put; the store
 * supports a key changing twice in one revision because of this.
 */
interface DelInterval {
  start: string;
  end: string | undefined;
}

function hits(dels: DelInterval[], key: string): boolean {
  for (const d of dels) {
    if (d.end === undefined ? key === d.start : d.start <= key && key < d.end) return true;
  }
  return false;
}

interface Intervals {
  puts: Set<string>;
  dels: DelInterval[];
}

/**
 * etcd checkIntervals: no key may be put twice on one path, nor put where a delete on the
 * same path reaches. Puts in the then and else branches of one nested txn may repeat (only
 * one branch runs). Cost is bounded by the txn op budget.
 */
export function checkIntervals(ops: RequestOp[]): Intervals | MvccError {
  const dels: DelInterval[] = [];
  for (const op of ops) {
    const o = opKind(op);
    if (o.kind !== 'delete') continue;
    const end = o.req.rangeEnd;
    const isPoint = end === undefined || end.length === 0;
    dels.push({ start: bytesToKey(o.req.key), end: isPoint ? undefined : bytesToKey(end) });
  }
  const puts = new Set<string>();
  for (const op of ops) {
    const o = opKind(op);
    if (o.kind !== 'txn') continue;
    const thenSide = checkIntervals(o.req.success ?? []);
    if (!('puts' in thenSide)) return thenSide;
    const elseSide = checkIntervals(o.req.failure ?? []);
    if (!('puts' in elseSide)) return elseSide;
    for (const k of thenSide.puts) {
      if (puts.has(k) || hits(dels, k)) return Errors.duplicateKey;
      puts.add(k);
    }
    for (const k of elseSide.puts) {
      if (puts.has(k) && !thenSide.puts.has(k)) return Errors.duplicateKey;
      if (hits(dels, k)) return Errors.duplicateKey;
      puts.add(k);
    }
    dels.push(...thenSide.dels, ...elseSide.dels);
  }
  for (const op of ops) {
    const o = opKind(op);
    if (o.kind !== 'put') continue;
    const k = bytesToKey(o.req.key);
    if (puts.has(k) || hits(dels, k)) return Errors.duplicateKey;
    puts.add(k);
  }
  return { puts, dels };
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** etcd compareKV. A missing key compares as the zero KeyValue. */
export function compareKv(c: Compare, kv: KeyValue | undefined): boolean {
  let result = 0;
  switch (c.target) {
    case CompareTarget.VALUE:
      result = compareBytes(kv?.value ?? EMPTY_BYTES, c.value ?? EMPTY_BYTES);
      break;
    case CompareTarget.CREATE:
      result = sign((kv?.createRevision ?? 0) - (c.createRevision ?? 0));
      break;
    case CompareTarget.MOD:
      result = sign((kv?.modRevision ?? 0) - (c.modRevision ?? 0));
      break;
    case CompareTarget.VERSION:
      result = sign((kv?.version ?? 0) - (c.version ?? 0));
      break;
    case CompareTarget.LEASE: {
      const a = kv?.lease ?? 0n;
      const b = c.lease ?? 0n;
      result = a < b ? -1 : a > b ? 1 : 0;
      break;
    }
  }
  switch (c.result) {
    case CompareResult.EQUAL: return result === 0;
    case CompareResult.NOT_EQUAL: return result !== 0;
    case CompareResult.GREATER: return result > 0;
    case CompareResult.LESS: return result < 0;
    default: return true; // etcd compareKV falls through to true for an unknown result
  }
}

/**
 * etcd applyCompare over the key-values a compare's key/range selects: every one must
 * match; an empty selection compares the zero KeyValue, except VALUE which then fails
 * ("no way to represent a missing value").
 */
export function applyCompare(c: Compare, kvs: KeyValue[]): boolean {
  if (kvs.length === 0) return c.target === CompareTarget.VALUE ? false : compareKv(c, undefined);
  for (const kv of kvs) if (!compareKv(c, kv)) return false;
  return true;
}
