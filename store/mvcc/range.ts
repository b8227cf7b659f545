// The request-level half of Range (etcd etcdserver/txn executeRange): revision filters,
// sorting, limit/more and keys_only, applied to what the key index returned. Kept apart
// from the index so the exact etcd order of steps is easy to check.

import { SortOrder, SortTarget, type KeyValue, type RangeRequest, type RangeResponse } from './types.js';
import { compareBytes, EMPTY_BYTES } from './bytes.js';
import type { RangeResult } from './kv-state.js';

/**
 * How many key-values to fetch from the index: all when a sort or a revision filter must
 * see everything first, else limit + 1 so `more` can be told (etcd does the same).
 */
export function fetchLimit(r: RangeRequest): number {
  const limit = r.limit ?? 0;
  if ((r.sortOrder ?? SortOrder.NONE) !== SortOrder.NONE || (r.minModRevision ?? 0) !== 0 ||
    (r.maxModRevision ?? 0) !== 0 || (r.minCreateRevision ?? 0) !== 0 || (r.maxCreateRevision ?? 0) !== 0) {
    return 0;
  }
  return limit > 0 ? limit + 1 : 0;
}

function comparator(target: SortTarget): (a: KeyValue, b: KeyValue) => number {
  switch (target) {
    case SortTarget.KEY: return (a, b) => compareBytes(a.key, b.key);
    case SortTarget.VERSION: return (a, b) => a.version - b.version;
    case SortTarget.CREATE: return (a, b) => a.createRevision - b.createRevision;
    case SortTarget.MOD: return (a, b) => a.modRevision - b.modRevision;
    case SortTarget.VALUE: return (a, b) => compareBytes(a.value, b.value);
  }
}

/**
 * Finish a range the way etcd does. Sorting is stable over the key-ordered input, and
 * DESCEND is the reverse of ASCEND, so ties come out in a fixed order on every member
 * (Go's sort.Sort is not stable; etcd leaves tie order unspecified).
 */
export function finishRange(r: RangeRequest, rr: RangeResult, revision: number): RangeResponse {
  let kvs = rr.kvs;
  const maxMod = r.maxModRevision ?? 0;
  const minMod = r.minModRevision ?? 0;
  const maxCreate = r.maxCreateRevision ?? 0;
  const minCreate = r.minCreateRevision ?? 0;
  if (maxMod !== 0) kvs = kvs.filter((kv) => kv.modRevision <= maxMod);
  if (minMod !== 0) kvs = kvs.filter((kv) => kv.modRevision >= minMod);
  if (maxCreate !== 0) kvs = kvs.filter((kv) => kv.createRevision <= maxCreate);
  if (minCreate !== 0) kvs = kvs.filter((kv) => kv.createRevision >= minCreate);

  const target = r.sortTarget ?? SortTarget.KEY;
  let order = r.sortOrder ?? SortOrder.NONE;
  // The index returns key order already: etcd sorts by a non-key target ascending even when
  // no order is asked for, and skips the no-op KEY/ASCEND sort.
  if (target !== SortTarget.KEY && order === SortOrder.NONE) order = SortOrder.ASCEND;
  else if (target === SortTarget.KEY && order === SortOrder.ASCEND) order = SortOrder.NONE;
  if (order !== SortOrder.NONE) {
    kvs = kvs === rr.kvs ? kvs.slice() : kvs;
    kvs.sort(comparator(target));
    if (order === SortOrder.DESCEND) kvs.reverse();
  }

  const limit = r.limit ?? 0;
  let more = false;
  if (limit > 0 && kvs.length > limit) {
    kvs = kvs.slice(0, limit);
    more = true;
  }
  if (r.keysOnly === true) kvs = kvs.map((kv) => Object.freeze({ ...kv, value: EMPTY_BYTES }));
  return { revision, kvs, more, count: rr.count };
}
