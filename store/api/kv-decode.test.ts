import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MethodDefinition } from '@grpc/grpc-js';
import { decodeDeleteRangeRequest, decodePutRequest, decodeRangeRequest, decodeTxnRequest } from './kv-decode.js';
import { loadEtcdPackage } from './proto.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`kv-decode fast-check seed=${seed} (rerun with FC_SEED=${seed})`);

type Decoder = typeof decodePutRequest;
const kv = loadEtcdPackage()['etcdserverpb.KV'] as unknown as Record<string, MethodDefinition<object, object>>;
const noFallback = (): object => {
  throw new Error('fell back to protobufjs');
};

const int64 = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 127n, 128n, 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
).map(String);
const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 120, maxLength: 300 }))
  .map((b) => Buffer.from(b));
const enumValue = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4), fc.integer({ min: 0, max: 1000 }));
const optional = { requiredKeys: [] as never[] };
const putArb = fc.record({
  key: bytes, value: bytes, lease: int64, prev_kv: fc.boolean(), ignore_value: fc.boolean(), ignore_lease: fc.boolean(),
}, optional);
const rangeArb = fc.record({
  key: bytes, range_end: bytes, limit: int64, revision: int64, sort_order: enumValue, sort_target: enumValue,
  serializable: fc.boolean(), keys_only: fc.boolean(), count_only: fc.boolean(), min_mod_revision: int64,
  max_mod_revision: int64, min_create_revision: int64, max_create_revision: int64,
}, optional);
const deleteArb = fc.record({ key: bytes, range_end: bytes, prev_kv: fc.boolean() }, optional);
const compareArb = fc.tuple(
  fc.record({ result: enumValue, target: enumValue, key: bytes, range_end: bytes }, optional),
  fc.oneof(fc.constant({}), fc.record({ version: int64 }), fc.record({ create_revision: int64 }),
    fc.record({ mod_revision: int64 }), fc.record({ value: bytes }), fc.record({ lease: int64 })),
).map(([c, u]) => ({ ...c, ...u }));
const { txn: txnArb } = fc.letrec<{ txn: object; op: object }>((tie) => ({
  txn: fc.record({
    compare: fc.array(compareArb, { maxLength: 3 }), success: fc.array(tie('op'), { maxLength: 3 }),
    failure: fc.array(tie('op'), { maxLength: 2 }),
  }, optional),
  op: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant({}), fc.record({ request_range: rangeArb }), fc.record({ request_put: putArb }),
    fc.record({ request_delete_range: deleteArb }), fc.record({ request_txn: tie('txn') })),
}));

const cases: [string, Decoder, fc.Arbitrary<object>][] = [
  ['Put', decodePutRequest, putArb], ['Range', decodeRangeRequest, rangeArb],
  ['DeleteRange', decodeDeleteRangeRequest, deleteArb], ['Txn', decodeTxnRequest, txnArb],
];

test('KV requests decode by hand to what proto-loader gives, without falling back', () => {
  for (const [method, decode, arb] of cases) {
    const m = kv[method]!;
    fc.assert(fc.property(arb, (msg) => {
      const buf = m.requestSerialize(msg);
      assert.deepEqual(decode(buf, noFallback), m.requestDeserialize(buf), method);
    }), { seed, numRuns: 300 });
  }
});

test('KV requests: odd or malformed bytes give what protobufjs gives (result or error)', () => {
  for (const [method, decode, arb] of cases) {
    const m = kv[method]!;
    const odd = fc.oneof(
      fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
      // A valid message with bytes appended (unknown fields, repeats, garbage) or cut short.
      fc.tuple(arb, fc.uint8Array({ minLength: 1, maxLength: 12 })).map(([p, tail]) =>
        Buffer.concat([m.requestSerialize(p), tail])),
      fc.tuple(arb, fc.nat()).map(([p, n]) => {
        const b = m.requestSerialize(p);
        return b.subarray(0, b.length === 0 ? 0 : n % b.length);
      }),
    );
    fc.assert(fc.property(odd, (buf) => {
      let want: object | Error;
      try {
        want = m.requestDeserialize(buf);
      } catch (e) {
        want = e as Error;
      }
      const generic = (b: Buffer): object => m.requestDeserialize(b);
      if (want instanceof Error) assert.throws(() => decode(buf, generic), { message: want.message });
      else assert.deepEqual(decode(buf, generic), want, method);
    }), { seed, numRuns: 500 });
  }
});

test('KV requests: unknown fields, unexpected wire types and two oneof members go to the fallback', () => {
  const put = kv['Put']!;
  const plain = put.requestSerialize({ key: Buffer.from('k'), value: Buffer.from('v') });
  assert.deepEqual(decodePutRequest(plain, noFallback), put.requestDeserialize(plain));
  const unknownField = Buffer.concat([plain, Buffer.from([0x38, 0x01])]); // field 7, varint
  assert.throws(() => decodePutRequest(unknownField, noFallback), /fell back/);
  assert.deepEqual(decodePutRequest(unknownField, (b) => put.requestDeserialize(b)),
    put.requestDeserialize(unknownField));
  assert.throws(() => decodePutRequest(Buffer.from([0x1a, 0x00]), noFallback), /fell back/); // lease as bytes
  // Compare with both version (4) and mod_revision (6) set: not the plain case.
  const twoMembers = Buffer.from([0x0a, 0x04, 0x20, 0x01, 0x30, 0x02]);
  assert.throws(() => decodeTxnRequest(twoMembers, noFallback), /fell back/);
});
