// The checks etcd's v3rpc layer makes before a request reaches the server (key.go:
// checkRangeRequest, checkPutRequest, checkDeleteRequest, checkTxnRequest, checkIntervals),
// with their order and corner cases, so a request etcd refuses here is refused here with
// the same error, before a backend (or Raft) sees it.

import { SortOrder, SortTarget, type DeleteRangeRequest, type PutRequest, type RangeRequest, type RequestOp,
  type TxnRequest } from './backend.js';
import type { EtcdErrorName } from './errors.js';

export type CheckResult = EtcdErrorName | null;

const SORT_ORDERS = new Set<number>([SortOrder.NONE, SortOrder.ASCEND, SortOrder.DESCEND]);
const SORT_TARGETS = new Set<number>([SortTarget.KEY, SortTarget.VERSION, SortTarget.CREATE, SortTarget.MOD,
  SortTarget.VALUE]);

export function checkRange(r: RangeRequest): CheckResult {
  if (r.key.length === 0) return 'emptyKey';
  if (!SORT_ORDERS.has(r.sortOrder) || !SORT_TARGETS.has(r.sortTarget)) return 'invalidSortOption';
  return null;
}

export function checkPut(r: PutRequest): CheckResult {
  if (r.key.length === 0) return 'emptyKey';
  if (r.ignoreValue && r.value.length !== 0) return 'valueProvided';
  if (r.ignoreLease && r.lease !== 0n) return 'leaseProvided';
  return null;
}

export function checkDelete(r: DeleteRangeRequest): CheckResult {
  return r.key.length === 0 ? 'emptyKey' : null;
}

/** etcd checkTxnRequest: the longest list must fit the budget; a nested txn gets what is left. */
export function checkTxn(r: TxnRequest, maxTxnOps: number): CheckResult {
  const opc = Math.max(r.compare.length, r.success.length, r.failure.length);
  if (opc > maxTxnOps) return 'tooManyOps';
  for (const c of r.compare) if (c.key.length === 0) return 'emptyKey';
  for (const op of r.success) {
    const err = checkOp(op, maxTxnOps - opc);
    if (err !== null) return err;
  }
  for (const op of r.failure) {
    const err = checkOp(op, maxTxnOps - opc);
    if (err !== null) return err;
  }
  return null;
}

function checkOp(op: RequestOp, maxTxnOps: number): CheckResult {
  if ('range' in op) return checkRange(op.range);
  if ('put' in op) return checkPut(op.put);
  if ('deleteRange' in op) return checkDelete(op.deleteRange);
  if ('txn' in op) return checkTxn(op.txn, maxTxnOps);
  return 'keyNotFound'; // etcd: an op with no request set
}

/** Bytes as a string with one code unit per byte: string order is byte order. */
function keyString(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/**
 * A delete's interval as etcd's checkIntervals builds it: [key, rangeEnd) as plain strings,
 * or the point {key}. A "\0" range end is not widened, exactly as in etcd, so such a delete
 * never conflicts with a put.
 */
interface Interval {
  start: string;
  end: string | undefined;
}

function hits(dels: Interval[], key: string): boolean {
  for (const d of dels) {
    if (d.end === undefined ? key === d.start : d.start <= key && key < d.end) return true;
  }
  return false;
}

interface Intervals {
  puts: Set<string>;
  dels: Interval[];
}

/**
 * etcd checkIntervals: no key may be put twice on one path, nor put where a delete on the
 * same path reaches; puts in the two branches of one nested txn may repeat (only one runs).
 * Runs after checkTxn, so its cost is bounded by the op budget.
 */
export function checkIntervals(ops: RequestOp[]): Intervals | EtcdErrorName {
  const dels: Interval[] = [];
  for (const op of ops) {
    if (!('deleteRange' in op)) continue;
    const d = op.deleteRange;
    dels.push({ start: keyString(d.key), end: d.rangeEnd.length === 0 ? undefined : keyString(d.rangeEnd) });
  }
  const puts = new Set<string>();
  for (const op of ops) {
    if (!('txn' in op)) continue;
    const thenSide = checkIntervals(op.txn.success);
    if (typeof thenSide === 'string') return thenSide;
    const elseSide = checkIntervals(op.txn.failure);
    if (typeof elseSide === 'string') return elseSide;
    for (const k of thenSide.puts) {
      if (puts.has(k) || hits(dels, k)) return 'duplicateKey';
      puts.add(k);
    }
    for (const k of elseSide.puts) {
      if (puts.has(k) && !thenSide.puts.has(k)) return 'duplicateKey';
      if (hits(dels, k)) return 'duplicateKey';
      puts.add(k);
    }
    dels.push(...thenSide.dels, ...elseSide.dels);
  }
  for (const op of ops) {
    if (!('put' in op)) continue;
    const k = keyString(op.put.key);
    if (puts.has(k) || hits(dels, k)) return 'duplicateKey';
    puts.add(k);
  }
  return { puts, dels };
}

/** The whole v3rpc Txn check: op budget and request checks, then put/delete overlaps. */
export function checkTxnRequest(r: TxnRequest, maxTxnOps: number): CheckResult {
  const err = checkTxn(r, maxTxnOps);
  if (err !== null) return err;
  for (const ops of [r.success, r.failure]) {
    const iv = checkIntervals(ops);
    if (typeof iv === 'string') return iv;
  }
  return null;
}

/** A txn that only reads (etcd isTxnReadonly): served without a proposal, so no size check. */
export function isReadOnlyTxn(r: TxnRequest): boolean {
  const readOnly = (ops: RequestOp[]): boolean =>
    ops.every((op) => 'range' in op || 'empty' in op || ('txn' in op && isReadOnlyTxn(op.txn)));
  return readOnly(r.success) && readOnly(r.failure);
}
