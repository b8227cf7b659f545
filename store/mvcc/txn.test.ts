// Txn: compares, branches, nesting, validation errors and atomicity (etcd v3rpc/key.go
// checkTxnRequest/checkIntervals, etcdserver/txn Txn).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MvccStore } from './store.js';
import { Errors, type MvccError } from './errors.js';
import {
  CompareResult, CompareTarget, type Compare, type RequestOp, type TxnRequest,
} from './types.js';
import { b, expectError, kvt, str, unwrap } from './test-helpers.js';

const ALL = new Uint8Array([0]);
const put = (k: string, v = 'x'): RequestOp => ({ requestPut: { key: b(k), value: b(v) } });
const del = (k: string, end?: Uint8Array | string): RequestOp =>
  ({ requestDeleteRange: { key: b(k), rangeEnd: typeof end === 'string' ? b(end) : end } });
const get = (k: string, end?: Uint8Array): RequestOp => ({ requestRange: { key: b(k), rangeEnd: end } });
const txn = (t: TxnRequest): RequestOp => ({ requestTxn: t });

/** a: v=1 version 2 create 2 mod 3 lease 5; b: v=2 version 1 create 4; c absent. Revision 4. */
function seeded(): MvccStore {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 5n, ttlSeconds: 100 }));
  unwrap(s.put({ key: b('a'), value: b('0') }));
  unwrap(s.put({ key: b('a'), value: b('1'), lease: 5n }));
  unwrap(s.put({ key: b('b'), value: b('2') }));
  return s;
}

const cmp = (key: string, target: CompareTarget, result: CompareResult, operand: Partial<Compare>,
  rangeEnd?: Uint8Array): Compare => ({ key: b(key), target, result, rangeEnd, ...operand });

const { EQUAL, GREATER, LESS, NOT_EQUAL } = CompareResult;
const { VERSION, CREATE, MOD, VALUE, LEASE } = CompareTarget;

const compareCases: [string, Compare, boolean][] = [
  ['value equal', cmp('a', VALUE, EQUAL, { value: b('1') }), true],
  ['value not equal', cmp('a', VALUE, NOT_EQUAL, { value: b('1') }), false],
  ['value greater (bytes)', cmp('a', VALUE, GREATER, { value: b('0') }), true],
  ['value less (prefix is less)', cmp('a', VALUE, LESS, { value: b('10') }), true],
  ['value on a missing key always fails', cmp('c', VALUE, NOT_EQUAL, { value: b('1') }), false],
  ['version equal', cmp('a', VERSION, EQUAL, { version: 2 }), true],
  ['version of a missing key is 0', cmp('c', VERSION, EQUAL, { version: 0 }), true],
  ['create greater', cmp('b', CREATE, GREATER, { createRevision: 3 }), true],
  ['create of missing key = 0 (create-if-absent idiom)', cmp('c', CREATE, EQUAL, { createRevision: 0 }), true],
  ['mod less', cmp('a', MOD, LESS, { modRevision: 3 }), false],
  ['mod equal', cmp('a', MOD, EQUAL, { modRevision: 3 }), true],
  ['lease equal', cmp('a', LEASE, EQUAL, { lease: 5n }), true],
  ['lease not equal', cmp('b', LEASE, NOT_EQUAL, { lease: 0n }), false],
  ['missing operand compares with 0', cmp('a', MOD, GREATER, {}), true],
  ['range: every key must match', cmp('a', VERSION, GREATER, { version: 0 }, ALL), true],
  ['range: one key failing fails', cmp('a', VERSION, EQUAL, { version: 2 }, ALL), false],
  ['empty range compares the zero kv', cmp('x', VERSION, EQUAL, { version: 0 }, b('z')), true],
  ['empty range value compare fails', cmp('x', VALUE, EQUAL, { value: b('') }, b('z')), false],
];

for (const [name, c, want] of compareCases) {
  test(`txn compare: ${name} → ${want ? 'success' : 'failure'} branch`, () => {
    const s = seeded();
    const r = unwrap(s.txn({ compare: [c], success: [get('a')], failure: [get('b')] }));
    assert.equal(r.succeeded, want);
    const rr = (r.responses[0] as { responseRange: { kvs: { key: Uint8Array }[] } }).responseRange;
    assert.equal(str(rr.kvs[0]!.key), want ? 'a' : 'b');
  });
}

test('txn: all compares must hold; the branch is one revision with sub-revision order', () => {
  const s = seeded();
  const r = unwrap(s.txn({
    compare: [cmp('a', VALUE, EQUAL, { value: b('1') }), cmp('b', VERSION, EQUAL, { version: 1 })],
    success: [put('x', '1'), put('y', '2'), get('x'), del('a')],
  }));
  assert.equal(r.succeeded, true);
  assert.equal(r.revision, 5);
  assert.equal(s.currentRevision, 5);
  const [px, py, gx, da] = r.responses as [
    { responsePut: { revision: number } }, { responsePut: { revision: number } },
    { responseRange: { kvs: Parameters<typeof kvt>[0][]; revision: number } },
    { responseDeleteRange: { deleted: number; revision: number } }];
  assert.equal(px.responsePut.revision, 5);
  assert.equal(py.responsePut.revision, 5);
  assert.deepEqual(gx.responseRange.kvs.map(kvt), [['x', '1', 5, 5, 1, 0n]], 'a read sees the txn\'s own writes');
  assert.equal(gx.responseRange.revision, 5);
  assert.deepEqual([da.responseDeleteRange.deleted, da.responseDeleteRange.revision], [1, 5]);
  const failed = unwrap(s.txn({ compare: [cmp('a', VALUE, EQUAL, { value: b('1') })], success: [put('z')] }));
  assert.deepEqual(failed, { revision: 5, succeeded: false, responses: [] }, 'no failure ops: no change');
});

test('txn: read-only txn does not bump the revision', () => {
  const s = seeded();
  const r = unwrap(s.txn({ success: [get('a'), del('nope')] }));
  assert.equal(r.revision, 4);
  assert.equal(s.currentRevision, 4);
  const d = (r.responses[1] as { responseDeleteRange: { revision: number; deleted: number } }).responseDeleteRange;
  assert.deepEqual([d.revision, d.deleted], [4, 0]);
});

test('txn: nested compares are decided on the state before the txn (etcd compareToPath)', () => {
  const s = seeded();
  const r = unwrap(s.txn({
    success: [
      put('c', 'new'),
      txn({ compare: [cmp('c', VERSION, EQUAL, { version: 0 })], success: [put('d', 'then')], failure: [put('d', 'else')] }),
    ],
  }));
  const nested = (r.responses[1] as { responseTxn: { succeeded: boolean; revision: number } }).responseTxn;
  assert.equal(nested.succeeded, true, 'c did not exist before the txn');
  assert.equal(nested.revision, 0, 'etcd leaves nested txn headers empty');
  assert.equal(str(unwrap(s.range({ key: b('d') })).kvs[0]!.value), 'then');
});

test('txn: a range in a txn at an explicit revision', () => {
  const s = seeded();
  const r = unwrap(s.txn({ success: [put('a', 'new'), { requestRange: { key: b('a'), revision: 2 } }] }));
  const rr = (r.responses[1] as { responseRange: { kvs: Parameters<typeof kvt>[0][]; revision: number } });
  assert.deepEqual(rr.responseRange.kvs.map(kvt), [['a', '0', 2, 2, 1, 0n]]);
  assert.equal(rr.responseRange.revision, 5);
});

interface ErrorCase {
  name: string;
  req: TxnRequest;
  error: MvccError;
}

const many = (n: number): RequestOp[] => Array.from({ length: n }, (_, i) => get(`k${i}`));

const errorCases: ErrorCase[] = [
  { name: '129 success ops', req: { success: many(129) }, error: Errors.tooManyOps },
  { name: '129 compares', req: { compare: Array.from({ length: 129 }, () => cmp('a', VERSION, EQUAL, {})) },
    error: Errors.tooManyOps },
  { name: 'nested txn shares the budget', req: { success: [...many(100), txn({ success: many(29) })] },
    error: Errors.tooManyOps },
  { name: 'compare with empty key', req: { compare: [cmp('', VERSION, EQUAL, {})] }, error: Errors.emptyKey },
  { name: 'put with empty key', req: { success: [put('')] }, error: Errors.emptyKey },
  { name: 'empty op', req: { success: [{} as RequestOp] }, error: Errors.keyNotFound },
  { name: 'same key put twice', req: { success: [put('a'), put('a')] }, error: Errors.duplicateKey },
  { name: 'put inside a deleted range', req: { success: [del('a', 'c'), put('b')] }, error: Errors.duplicateKey },
  { name: 'put then delete of the same key', req: { success: [put('a'), del('a')] }, error: Errors.duplicateKey },
  { name: 'nested put vs parent put', req: { success: [put('a'), txn({ success: [put('a')] })] },
    error: Errors.duplicateKey },
  { name: 'nested put vs parent delete', req: { success: [del('a'), txn({ failure: [put('a')] })] },
    error: Errors.duplicateKey },
  { name: 'else-branch put vs sibling then-put', req: { success: [txn({ success: [put('a')] }),
    txn({ failure: [put('a')] })] }, error: Errors.duplicateKey },
  { name: 'parent put vs nested delete', req: { success: [txn({ success: [del('a')] }), put('a')] },
    error: Errors.duplicateKey },
  { name: 'failure branch checked too', req: { failure: [put('q'), put('q')] }, error: Errors.duplicateKey },
  { name: 'future revision read', req: { success: [{ requestRange: { key: b('a'), revision: 5 } }] },
    error: Errors.futureRev },
  { name: 'negative revision read counts as compacted (etcd checkRange)',
    req: { success: [{ requestRange: { key: b('a'), revision: -2 } }] }, error: Errors.compacted },
  { name: 'put with unknown lease', req: { success: [{ requestPut: { key: b('k'), lease: 77n } }] },
    error: Errors.leaseNotFound },
  { name: 'ignore_value put on missing key', req: { success: [{ requestPut: { key: b('c'), ignoreValue: true } }] },
    error: Errors.keyNotFound },
  { name: 'ignore_value with value', req: { success: [{ requestPut: { key: b('a'), value: b('v'),
    ignoreValue: true } }] }, error: Errors.valueProvided },
  { name: 'a delete ("\\0" quirk) removes the key an ignore_value put needs', req: {
    success: [del('a', ALL), { requestPut: { key: b('b'), ignoreValue: true } }] }, error: Errors.keyNotFound },
];

for (const c of errorCases) {
  test(`txn error: ${c.name} → "${c.error.message}", nothing applied`, () => {
    const s = seeded();
    const before = s.hash();
    expectError(s.txn(c.req), c.error);
    assert.equal(s.currentRevision, 4);
    assert.equal(s.hash(), before);
  });
}

const acceptedCases: [string, TxnRequest][] = [
  ['128 ops', { success: many(128) }],
  ['then and else of one nested txn may put the same key', { success: [txn({ success: [put('a')], failure: [put('a')] })] }],
  ['success and failure may put the same key', { success: [put('a')], failure: [put('a')] }],
  ['overlapping deletes', { success: [del('a', 'c'), del('b')] }],
  ['delete with range_end "\\0" does not conflict with a put (as in etcd)', { success: [del('a', ALL), put('b')] }],
  ['nested budget: 64 ops + a txn of 63', { success: [...many(64), txn({ success: many(63) })] }],
];

for (const [name, req] of acceptedCases) {
  test(`txn accepted: ${name}`, () => {
    unwrap(seeded().txn(req));
  });
}

test('txn: a key changed twice in one revision (delete-from-key quirk) keeps both changes in order', () => {
  const s = seeded();
  const r = unwrap(s.txn({ success: [del('a', ALL), put('b', 'again'), get('a', ALL)] }));
  assert.equal(r.revision, 5);
  const rr = (r.responses[2] as { responseRange: { kvs: Parameters<typeof kvt>[0][] } }).responseRange;
  assert.deepEqual(rr.kvs.map(kvt), [['b', 'again', 5, 5, 1, 0n]]);
  const ws = s.newWatchStream();
  ws.watch({ key: b('b'), startRevision: 5, prevKv: true });
  s.syncWatchers();
  const events = ws.poll().flatMap((resp) => resp.events);
  assert.deepEqual(events.map((e) => [e.type, str(e.kv.key), e.kv.modRevision, e.prevKv && str(e.prevKv.value)]),
    [[1, 'b', 5, '2'], [0, 'b', 5, '2']], 'both changes, prev_kv read at revision 4 as etcd does');
  assert.deepEqual(unwrap(s.range({ key: b('b'), revision: 4 })).kvs.map(kvt), [['b', '2', 4, 4, 1, 0n]]);
});

test('txn: lease attach and detach inside a txn', () => {
  const s = seeded();
  unwrap(s.txn({ success: [{ requestPut: { key: b('b'), value: b('l'), lease: 5n } }, del('a')] }));
  assert.deepEqual(s.leaseTimeToLive(5n, true).keys.map(str), ['b']);
});
