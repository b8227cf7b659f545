// The txn entry layout: every txn decodes to what msgpack would have given, txns the layout
// cannot hold fall back to msgpack, and damaged entries are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import * as api from '../api/backend.js';
import { fcSeed } from '../wal/test-support.js';
import { PUT_MARKER } from './put-codec.js';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './request.js';
import { TXN_LAYOUT_V1 } from './txn-codec.js';

const bytes = fc.uint8Array({ maxLength: 40 });
// Mostly int64, sometimes past it (msgpack carries uint64): those txns must fall back.
const big = fc.oneof({ weight: 9, arbitrary: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n << 63n, max: (1n << 64n) - 1n }) });
const smallEnum = fc.oneof({ weight: 19, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 1000 }) });

const compareArb = fc.record({
  result: smallEnum, target: smallEnum, key: bytes, rangeEnd: bytes, version: big, createRevision: big,
  modRevision: big, value: bytes, lease: big,
}) as fc.Arbitrary<api.Compare>;
const rangeArb = fc.record({
  key: bytes, rangeEnd: bytes, limit: big, revision: big, sortOrder: smallEnum, sortTarget: smallEnum,
  serializable: fc.boolean(), keysOnly: fc.boolean(), countOnly: fc.boolean(), minModRevision: big,
  maxModRevision: big, minCreateRevision: big, maxCreateRevision: big,
}) as fc.Arbitrary<api.RangeRequest>;
const putArb = fc.record({
  key: bytes, value: fc.uint8Array({ maxLength: 300 }), lease: big, prevKv: fc.boolean(), ignoreValue: fc.boolean(),
  ignoreLease: fc.boolean(),
});
const deleteArb = fc.record({ key: bytes, rangeEnd: bytes, prevKv: fc.boolean() });

const { txnArb } = fc.letrec<{ txnArb: api.TxnRequest; opArb: api.RequestOp }>((tie) => ({
  opArb: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: putArb.map((put) => ({ put })) },
    { weight: 6, arbitrary: rangeArb.map((range) => ({ range })) },
    { weight: 3, arbitrary: deleteArb.map((deleteRange) => ({ deleteRange })) },
    { weight: 1, arbitrary: fc.constant({ empty: true as const }) },
    { weight: 1, arbitrary: tie('txnArb').map((txn) => ({ txn: txn as api.TxnRequest })) }),
  txnArb: fc.record({
    compare: fc.array(compareArb, { maxLength: 4 }),
    success: fc.array(tie('opArb') as fc.Arbitrary<api.RequestOp>, { maxLength: 4 }),
    failure: fc.array(tie('opArb') as fc.Arbitrary<api.RequestOp>, { maxLength: 4 }),
  }),
}));

/** Compare as plain values: msgpack gives Buffers, the layout Uint8Array views. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Whether the binary layout can hold this txn (else it must be msgpack). */
function fits(t: api.TxnRequest): boolean {
  const i64 = (b: bigint): boolean => b < 1n << 63n;
  const en = (n: number): boolean => n <= 255;
  const opFits = (op: api.RequestOp): boolean => {
    if ('put' in op) return i64(op.put.lease);
    if ('deleteRange' in op) return true;
    if ('range' in op) {
      const r = op.range;
      return en(r.sortOrder) && en(r.sortTarget) && [r.limit, r.revision, r.minModRevision, r.maxModRevision,
        r.minCreateRevision, r.maxCreateRevision].every(i64);
    }
    return false;
  };
  return t.compare.every((c) => en(c.result) && en(c.target)
    && [c.version, c.createRevision, c.modRevision, c.lease].every(i64))
    && t.success.every(opFits) && t.failure.every(opFits);
}

const createTxn = (id: string): Envelope => {
  const key = Buffer.from('/registry/pods/default/p1');
  return { id, request: { op: 'txn', req: {
    compare: [{ result: api.CompareResult.EQUAL, target: api.CompareTarget.CREATE, key, rangeEnd: new Uint8Array(),
      version: 0n, createRevision: 0n, modRevision: 0n, value: new Uint8Array(), lease: 0n }],
    success: [{ put: { key, value: Buffer.from('{"kind":"Pod"}'), lease: 0n, prevKv: false, ignoreValue: false,
      ignoreLease: false } }],
    failure: [{ range: { key, rangeEnd: new Uint8Array(), limit: 0n, revision: 0n, sortOrder: api.SortOrder.NONE,
      sortTarget: api.SortTarget.KEY, serializable: false, keysOnly: false, countOnly: false, minModRevision: 0n,
      maxModRevision: 0n, minCreateRevision: 0n, maxCreateRevision: 0n } }],
  } } };
};

describe('txn entry layout', () => {
  it('round-trips any txn to what msgpack gives; txns it cannot hold fall back to msgpack', () => {
    const seed = fcSeed();
    console.log(`fast-check seed ${seed}; reproduce: FLOTILLA_FC_SEED=${seed} node --test dist/store/server/txn-codec.test.js`);
    const packr = new Packr({ useRecords: false, moreTypes: false });
    fc.assert(fc.property(txnArb, fc.string({ maxLength: 300 }), (req, id) => {
      const env: Envelope = { id, request: { op: 'txn', req } };
      const data = encodeEnvelope(env);
      const binary = data[0] === PUT_MARKER && data[1] === TXN_LAYOUT_V1;
      assert.equal(binary, fits(req) && Buffer.byteLength(id) <= 255);
      assert.deepEqual(plain(decodeEnvelope(data)), plain(packr.unpack(packr.pack(env))));
    }), { seed, numRuns: 500 });
  });

  it("uses the layout for the apiserver's create shape and decodes msgpack txns from before it", () => {
    const env = createTxn('a.b.1');
    const data = encodeEnvelope(env);
    assert.deepEqual([data[0], data[1]], [PUT_MARKER, TXN_LAYOUT_V1]);
    assert.deepEqual(plain(decodeEnvelope(data)), plain(env));
    const packr = new Packr({ useRecords: false, moreTypes: false });
    assert.deepEqual(plain(decodeEnvelope(packr.pack(env))), plain(env));
  });

  it('refuses a truncated or extended txn entry instead of applying garbage', () => {
    const data = encodeEnvelope(createTxn('a.b.2'));
    for (const cut of [2, 5, 9, 40, data.length - 1]) {
      assert.throws(() => decodeEnvelope(data.subarray(0, cut)), /malformed txn entry/, `cut at ${cut}`);
    }
    const longer = new Uint8Array(data.length + 1);
    longer.set(data);
    assert.throws(() => decodeEnvelope(longer), /malformed txn entry/);
    const badKind = Uint8Array.from(data);
    badKind[3 + 5 + 2 + 2 + 32 + 4 + 25 + 4 + 4 + 2] = 9; // the success op's kind byte
    assert.throws(() => decodeEnvelope(badKind), /malformed txn entry/);
  });
});
