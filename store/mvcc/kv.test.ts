// Table-driven tests of Range, Put, DeleteRange and Compact against etcd's documented
// behaviour (api/etcdserverpb/rpc.proto, server/etcdserver/txn, server/storage/mvcc).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MvccStore } from './store.js';
import { Errors, MvccInvariantError, type MvccError } from './errors.js';
import { prefixRangeEnd } from './bytes.js';
import { CompareResult, CompareTarget, SortOrder, SortTarget, type RangeRequest } from './types.js';
import { b, expectError, kvt, str, unwrap, type KvTuple } from './test-helpers.js';

const ALL = new Uint8Array([0]);

/** Revisions: a@2 b@3 c@4 a@5 (v2) ab@6, delete b @7, d@8. Current revision 8. */
function seeded(): MvccStore {
  const s = new MvccStore();
  unwrap(s.put({ key: b('a'), value: b('a1') }));
  unwrap(s.put({ key: b('b'), value: b('b1') }));
  unwrap(s.put({ key: b('c'), value: b('c1') }));
  unwrap(s.put({ key: b('a'), value: b('a2') }));
  unwrap(s.put({ key: b('ab'), value: b('ab1') }));
  unwrap(s.deleteRange({ key: b('b') }));
  unwrap(s.put({ key: b('d'), value: b('d1') }));
  return s;
}

test('an empty store is at revision 1 and the first write is revision 2', () => {
  const s = new MvccStore();
  assert.equal(s.currentRevision, 1);
  assert.equal(s.compactRevision, -1);
  assert.deepEqual(unwrap(s.range({ key: b('a') })), { revision: 1, kvs: [], more: false, count: 0 });
  assert.equal(unwrap(s.put({ key: b('a') })).revision, 2);
  assert.equal(s.currentRevision, 2);
});

interface RangeCase {
  name: string;
  req: RangeRequest;
  keys?: string[];
  kvs?: KvTuple[];
  count?: number;
  more?: boolean;
  error?: MvccError;
}

const rangeCases: RangeCase[] = [
  { name: 'single key', req: { key: b('a') }, kvs: [['a', 'a2', 2, 5, 2, 0n]], count: 1 },
  { name: 'missing key', req: { key: b('zz') }, keys: [], count: 0 },
  { name: 'deleted key', req: { key: b('b') }, keys: [], count: 0 },
  { name: '[a, c)', req: { key: b('a'), rangeEnd: b('c') }, keys: ['a', 'ab'], count: 2 },
  { name: 'range_end \\0 = every key ≥ key', req: { key: b('ab'), rangeEnd: ALL }, keys: ['ab', 'c', 'd'] },
  { name: 'key \\0 + range_end \\0 = all keys', req: { key: ALL, rangeEnd: ALL }, keys: ['a', 'ab', 'c', 'd'] },
  { name: 'prefix a', req: { key: b('a'), rangeEnd: prefixRangeEnd(b('a')) }, keys: ['a', 'ab'] },
  { name: 'end before start is empty', req: { key: b('c'), rangeEnd: b('a') }, keys: [], count: 0 },
  { name: 'limit sets more, count is total', req: { key: b('a'), rangeEnd: ALL, limit: 2 }, keys: ['a', 'ab'],
    count: 4, more: true },
  { name: 'limit equal to size: no more', req: { key: b('a'), rangeEnd: ALL, limit: 4 }, keys: ['a', 'ab', 'c', 'd'],
    more: false },
  { name: 'negative limit = none', req: { key: b('a'), rangeEnd: ALL, limit: -1 }, keys: ['a', 'ab', 'c', 'd'] },
  { name: 'count_only', req: { key: b('a'), rangeEnd: ALL, countOnly: true }, keys: [], count: 4 },
  { name: 'at revision 4', req: { key: b('a'), rangeEnd: ALL, revision: 4 },
    kvs: [['a', 'a1', 2, 2, 1, 0n], ['b', 'b1', 3, 3, 1, 0n], ['c', 'c1', 4, 4, 1, 0n]] },
  { name: 'at revision 1 (empty)', req: { key: b('a'), rangeEnd: ALL, revision: 1 }, keys: [], count: 0 },
  { name: 'negative revision = current', req: { key: b('b'), revision: -3 }, keys: [] },
  { name: 'future revision', req: { key: b('a'), revision: 9 }, error: Errors.futureRev },
  { name: 'empty key', req: { key: b('') }, error: Errors.emptyKey },
  { name: 'bad sort order', req: { key: b('a'), sortOrder: 7 as SortOrder }, error: Errors.invalidSortOption },
  { name: 'sort by key descend', req: { key: b('a'), rangeEnd: ALL, sortOrder: SortOrder.DESCEND },
    keys: ['d', 'c', 'ab', 'a'] },
  { name: 'sort by mod ascend', req: { key: b('a'), rangeEnd: ALL, sortTarget: SortTarget.MOD, sortOrder: SortOrder.ASCEND },
    keys: ['c', 'a', 'ab', 'd'] },
  { name: 'non-key target with order NONE sorts ascending', req: { key: b('a'), rangeEnd: ALL,
    sortTarget: SortTarget.CREATE }, keys: ['a', 'c', 'ab', 'd'] },
  { name: 'sort by version descend, ties in key-descending order', req: { key: b('a'), rangeEnd: ALL,
    sortTarget: SortTarget.VERSION, sortOrder: SortOrder.DESCEND }, keys: ['a', 'd', 'c', 'ab'] },
  { name: 'sort by value descend + limit applies after sort', req: { key: b('a'), rangeEnd: ALL,
    sortTarget: SortTarget.VALUE, sortOrder: SortOrder.DESCEND, limit: 2 }, keys: ['d', 'c'], more: true, count: 4 },
  { name: 'min_mod_revision', req: { key: b('a'), rangeEnd: ALL, minModRevision: 5 }, keys: ['a', 'ab', 'd'],
    count: 4 },
  { name: 'max_mod_revision', req: { key: b('a'), rangeEnd: ALL, maxModRevision: 5 }, keys: ['a', 'c'] },
  { name: 'min/max create_revision', req: { key: b('a'), rangeEnd: ALL, minCreateRevision: 3,
    maxCreateRevision: 6 }, keys: ['ab', 'c'] },
  { name: 'filters then limit: more counts filtered set', req: { key: b('a'), rangeEnd: ALL, minModRevision: 5,
    limit: 2 }, keys: ['a', 'ab'], more: true, count: 4 },
  { name: 'sort target without order + limit: etcd sorts only the first limit+1 keys', req: { key: b('a'),
    rangeEnd: ALL, sortTarget: SortTarget.MOD, limit: 1 }, keys: ['a'], more: true, count: 4 },
  { name: 'same with an explicit order sorts everything', req: { key: b('a'), rangeEnd: ALL, sortTarget: SortTarget.MOD,
    sortOrder: SortOrder.ASCEND, limit: 1 }, keys: ['c'], more: true, count: 4 },
  { name: 'keys_only empties values', req: { key: b('a'), keysOnly: true }, kvs: [['a', '', 2, 5, 2, 0n]] },
];

for (const c of rangeCases) {
  test(`range: ${c.name}`, () => {
    const s = seeded();
    const r = s.range(c.req);
    if (c.error !== undefined) return expectError(r, c.error);
    const resp = unwrap(r);
    assert.equal(resp.revision, 8, 'header revision is the current revision even for an old read');
    if (c.keys !== undefined) assert.deepEqual(resp.kvs.map((kv) => str(kv.key)), c.keys);
    if (c.kvs !== undefined) assert.deepEqual(resp.kvs.map(kvt), c.kvs);
    if (c.count !== undefined) assert.equal(resp.count, c.count);
    assert.equal(resp.more, c.more ?? false);
  });
}

test('prefixRangeEnd follows clientv3 GetPrefixRangeEnd', () => {
  assert.deepEqual(prefixRangeEnd(b('abc')), b('abd'));
  assert.deepEqual(prefixRangeEnd(new Uint8Array([0x61, 0xff, 0xff])), new Uint8Array([0x62]));
  assert.deepEqual(prefixRangeEnd(new Uint8Array([0xff, 0xff])), new Uint8Array([0]));
});

test('keys compare as bytes, not as UTF-16 strings', () => {
  const s = new MvccStore();
  for (const k of [[0x7f], [0xc3, 0xa9], [0x00], [0xff], [0x7f, 0x00]]) unwrap(s.put({ key: new Uint8Array(k) }));
  const keys = unwrap(s.range({ key: ALL, rangeEnd: ALL })).kvs.map((kv) => [...kv.key]);
  assert.deepEqual(keys, [[0x00], [0x7f], [0x7f, 0x00], [0xc3, 0xa9], [0xff]]);
});

test('put: version, create and mod revisions, prev_kv', () => {
  const s = new MvccStore();
  const r1 = unwrap(s.put({ key: b('k'), value: b('v1'), prevKv: true }));
  assert.deepEqual(r1, { revision: 2 }, 'no prev_kv for a new key');
  const r2 = unwrap(s.put({ key: b('k'), value: b('v2'), prevKv: true }));
  assert.equal(r2.revision, 3);
  assert.deepEqual(kvt(r2.prevKv!), ['k', 'v1', 2, 2, 1, 0n]);
  unwrap(s.deleteRange({ key: b('k') }));
  unwrap(s.put({ key: b('k'), value: b('v3') }));
  assert.deepEqual(unwrap(s.range({ key: b('k') })).kvs.map(kvt), [['k', 'v3', 5, 5, 1, 0n]],
    'a delete resets version and create revision');
});

test('put: the store copies caller buffers', () => {
  const s = new MvccStore();
  const key = b('k');
  const value = b('v');
  unwrap(s.put({ key, value }));
  key[0] = 0x7a;
  value[0] = 0x7a;
  assert.deepEqual(unwrap(s.range({ key: b('k') })).kvs.map(kvt), [['k', 'v', 2, 2, 1, 0n]]);
  assert.throws(() => {
    (unwrap(s.range({ key: b('k') })).kvs[0] as { version: number }).version = 9;
  }, TypeError, 'returned key-values are frozen');
});

interface PutErrorCase {
  name: string;
  req: Parameters<MvccStore['put']>[0];
  error: MvccError;
}

const putErrors: PutErrorCase[] = [
  { name: 'empty key', req: { key: b('') }, error: Errors.emptyKey },
  { name: 'ignore_value with a value', req: { key: b('a'), value: b('x'), ignoreValue: true },
    error: Errors.valueProvided },
  { name: 'ignore_lease with a lease', req: { key: b('a'), lease: 5n, ignoreLease: true }, error: Errors.leaseProvided },
  { name: 'ignore_value on a missing key', req: { key: b('zz'), ignoreValue: true }, error: Errors.keyNotFound },
  { name: 'ignore_lease on a deleted key', req: { key: b('b'), ignoreLease: true }, error: Errors.keyNotFound },
  { name: 'unknown lease', req: { key: b('a'), lease: 99n }, error: Errors.leaseNotFound },
];

for (const c of putErrors) {
  test(`put error: ${c.name} → "${c.error.message}", nothing written`, () => {
    const s = seeded();
    const before = s.hash();
    expectError(s.put(c.req), c.error);
    assert.equal(s.currentRevision, 8);
    assert.equal(s.hash(), before);
  });
}

test('put: ignore_value keeps the value, ignore_lease keeps the lease', () => {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 7n, ttlSeconds: 60 }));
  unwrap(s.put({ key: b('k'), value: b('v'), lease: 7n }));
  unwrap(s.put({ key: b('k'), ignoreValue: true, lease: 7n }));
  assert.deepEqual(unwrap(s.range({ key: b('k') })).kvs.map(kvt), [['k', 'v', 2, 3, 2, 7n]]);
  unwrap(s.put({ key: b('k'), value: b('w'), ignoreLease: true }));
  assert.deepEqual(unwrap(s.range({ key: b('k') })).kvs.map(kvt), [['k', 'w', 2, 4, 3, 7n]]);
});

test('delete range: count, prev_kvs, revision only bumps when something is deleted', () => {
  const s = seeded();
  const none = unwrap(s.deleteRange({ key: b('zz') }));
  assert.deepEqual(none, { revision: 8, deleted: 0, prevKvs: [] });
  assert.equal(s.currentRevision, 8);
  const r = unwrap(s.deleteRange({ key: b('a'), rangeEnd: b('c'), prevKv: true }));
  assert.equal(r.revision, 9);
  assert.equal(r.deleted, 2);
  assert.deepEqual(r.prevKvs.map(kvt), [['a', 'a2', 2, 5, 2, 0n], ['ab', 'ab1', 6, 6, 1, 0n]]);
  const all = unwrap(s.deleteRange({ key: ALL, rangeEnd: ALL }));
  assert.deepEqual([all.revision, all.deleted, all.prevKvs.length], [10, 2, 0]);
  assert.equal(unwrap(s.range({ key: ALL, rangeEnd: ALL })).count, 0);
  expectError(s.deleteRange({ key: b('') }), Errors.emptyKey);
});

test('compact: reads below fail, reads at and above are unchanged', () => {
  const s = seeded();
  const views = [5, 6, 7, 8].map((rev) => unwrap(s.range({ key: ALL, rangeEnd: ALL, revision: rev })).kvs.map(kvt));
  assert.deepEqual(unwrap(s.compact({ revision: 5 })), { revision: 8 });
  assert.equal(s.compactRevision, 5);
  expectError(s.range({ key: b('a'), revision: 4 }), Errors.compacted);
  [5, 6, 7, 8].forEach((rev, i) =>
    assert.deepEqual(unwrap(s.range({ key: ALL, rangeEnd: ALL, revision: rev })).kvs.map(kvt), views[i]));
  expectError(s.compact({ revision: 5 }), Errors.compacted);
  expectError(s.compact({ revision: 3 }), Errors.compacted);
  expectError(s.compact({ revision: 9 }), Errors.futureRev);
  unwrap(s.compact({ revision: 8, physical: true }));
  assert.deepEqual(unwrap(s.range({ key: ALL, rangeEnd: ALL })).kvs.map(kvt), views[3]);
});

test('compact: releases history (size accounting) and forgets deleted keys', () => {
  const s = new MvccStore();
  const empty = s.sizeBytes;
  for (let i = 0; i < 100; i++) unwrap(s.put({ key: b('hot'), value: b(`value-${i}`) }));
  unwrap(s.put({ key: b('gone'), value: b('x') }));
  unwrap(s.deleteRange({ key: b('gone') }));
  const grown = s.sizeBytes;
  unwrap(s.compact({ revision: s.currentRevision }));
  assert.ok(s.sizeBytes < grown / 50, `size ${s.sizeBytes} after compaction, ${grown} before`);
  // What is left: the latest hot revision and the tombstone at exactly the compaction revision.
  const kvOverhead = s.limits.kvOverheadBytes;
  assert.equal(s.sizeBytes - empty, (3 + 8 + kvOverhead) + (4 + kvOverhead));
  unwrap(s.put({ key: b('x'), value: b('1') }));
  unwrap(s.compact({ revision: s.currentRevision }));
  assert.equal(s.sizeBytes - empty, (3 + 8 + kvOverhead) + (1 + 1 + kvOverhead), 'the old tombstone is gone now');
});

test('malformed numbers (NaN, infinity) are a broken layer above: they throw, nothing changes', () => {
  const s = seeded();
  const before = s.hash();
  assert.throws(() => s.range({ key: b('a'), revision: Number.NaN }), MvccInvariantError);
  assert.throws(() => s.compact({ revision: Number.POSITIVE_INFINITY }), MvccInvariantError);
  assert.throws(() => s.put({ key: b('a'), lease: 2n ** 64n }), MvccInvariantError);
  // The field is named, whichever of a range's six numbers or a compare's three it is.
  assert.throws(() => s.range({ key: b('a'), maxCreateRevision: Number.NEGATIVE_INFINITY }),
    /maxCreateRevision is -Infinity, not an int64/);
  assert.throws(() => s.txn({ compare: [], success: [{ requestRange: { key: b('a'), limit: Number.NaN } }] }),
    /limit is NaN/);
  assert.throws(() => s.txn({ compare: [{ key: b('a'), result: CompareResult.EQUAL, target: CompareTarget.MOD,
    modRevision: Number.POSITIVE_INFINITY }], success: [] }), /modRevision is Infinity/);
  assert.equal(s.hash(), before);
  // Huge but finite int64 values behave as in etcd.
  expectError(s.range({ key: b('a'), revision: 2 ** 62 }), Errors.futureRev);
  expectError(s.compact({ revision: 2 ** 62 }), Errors.futureRev);
});

test('compact: revision 0 and 1 on a fresh store follow etcd (compactMainRev starts at -1)', () => {
  const s = new MvccStore();
  unwrap(s.compact({ revision: 0 }));
  expectError(s.compact({ revision: 0 }), Errors.compacted);
  unwrap(s.compact({ revision: 1 }));
  expectError(s.compact({ revision: 2 }), Errors.futureRev);
  unwrap(s.put({ key: b('a') }));
  assert.equal(unwrap(s.range({ key: b('a'), revision: 1 })).count, 0);
});

test('hashKV: equal for equal histories, errors like etcd, ignores later revisions', () => {
  const s1 = seeded();
  const s2 = seeded();
  assert.deepEqual(unwrap(s1.hashKV(0)), unwrap(s2.hashKV(0)));
  const at6 = unwrap(s1.hashKV(6));
  assert.equal(at6.hashRevision, 6);
  assert.equal(at6.compactRevision, -1);
  unwrap(s2.put({ key: b('zz') }));
  assert.equal(unwrap(s2.hashKV(6)).hash, at6.hash);
  assert.notEqual(unwrap(s2.hashKV(0)).hash, unwrap(s1.hashKV(0)).hash);
  expectError(s1.hashKV(9), Errors.futureRev);
  unwrap(s1.compact({ revision: 5 }));
  expectError(s1.hashKV(4), Errors.compacted);
  assert.equal(unwrap(s1.hashKV(5)).compactRevision, 5);
});

test('quota: cost like etcd and fitsQuota is strict', () => {
  const s = new MvccStore();
  const put = { key: b('key'), value: b('value') };
  assert.equal(s.requestCost({ put }), 256 + 3 + 5);
  const txn = {
    success: [{ requestPut: put }, { requestTxn: { success: [{ requestPut: put }] } }],
    failure: [{ requestPut: put }],
  };
  assert.equal(s.requestCost({ txn }), 2 * (256 + 8));
  assert.equal(s.requestCost({ leaseGrant: { id: 1n, ttlSeconds: 5 } }), 64);
  const size = s.sizeBytes;
  assert.equal(s.fitsQuota({ put }, size + 264), false);
  assert.equal(s.fitsQuota({ put }, size + 265), true);
  unwrap(s.put(put));
  assert.equal(s.sizeBytes, size + 264);
  unwrap(s.leaseGrant({ id: 1n, ttlSeconds: 5 }));
  assert.equal(s.sizeBytes, size + 264 + 64);
});
