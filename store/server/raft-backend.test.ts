import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RequestOp, TxnRequest } from '../api/backend.js';
import * as cv from '../api/local-convert.js';
import { MvccStore } from '../mvcc/index.js';
import { quotaTxn } from './raft-backend.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`raft-backend fast-check seed=${seed} (rerun with FC_SEED=${seed})`);

const bytes = fc.uint8Array({ maxLength: 20 });
const put = fc.record({
  key: bytes, value: bytes, lease: fc.bigInt({ min: 0n, max: 5n }), prevKv: fc.boolean(), ignoreValue: fc.boolean(),
  ignoreLease: fc.boolean(),
});
const range = fc.record({
  key: bytes, rangeEnd: bytes, limit: fc.constant(0n), revision: fc.constant(0n), sortOrder: fc.constant(0),
  sortTarget: fc.constant(0), serializable: fc.boolean(), keysOnly: fc.boolean(), countOnly: fc.boolean(),
  minModRevision: fc.constant(0n), maxModRevision: fc.constant(0n), minCreateRevision: fc.constant(0n),
  maxCreateRevision: fc.constant(0n),
});
const compare = fc.record({
  result: fc.constant(0), target: fc.constant(2), key: bytes, rangeEnd: bytes, version: fc.constant(0n),
  createRevision: fc.constant(0n), modRevision: fc.bigInt({ min: 0n, max: 9n }), value: bytes, lease: fc.constant(0n),
});
const { txn } = fc.letrec<{ txn: TxnRequest; op: RequestOp }>((tie) => ({
  txn: fc.record({
    compare: fc.array(compare, { maxLength: 2 }), success: fc.array(tie('op'), { maxLength: 3 }),
    failure: fc.array(tie('op'), { maxLength: 3 }),
  }),
  op: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.record({ range }), fc.record({ put }), fc.record({ deleteRange: fc.record({ key: bytes, rangeEnd: bytes,
      prevKv: fc.boolean() }) }), fc.record({ txn: tie('txn') })),
}) as never);

test('quotaTxn: the quota sees the same cost as for the whole txn converted to the engine form', () => {
  const store = new MvccStore({});
  fc.assert(fc.property(txn, (t) => {
    assert.equal(store.requestCost({ txn: quotaTxn(t) }), store.requestCost({ txn: cv.txnReq(t) }));
  }), { seed, numRuns: 500 });
  const onlyPut: TxnRequest = { compare: [], success: [], failure: [{ txn: { compare: [], success: [],
    failure: [{ put: { key: Uint8Array.of(1), value: new Uint8Array(10), lease: 0n, prevKv: false, ignoreValue: false,
      ignoreLease: false } }] } }] };
  assert.ok(store.requestCost({ txn: quotaTxn(onlyPut) }) > 10, 'a nested put is counted');
});
