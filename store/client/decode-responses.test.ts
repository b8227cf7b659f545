// The direct decoders against proto-loader's deserializers (store/api/proto.ts options): random
// answers encoded by protobufjs must decode to deeply equal objects either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadEtcdPackage } from '../api/proto.js';
import { decodeRangeResponse, decodeTxnResponse, decodeWatchResponse, ProtoDecodeError } from './decode-responses.js';
import type { AnyMethod } from './unary.js';

const pkg = loadEtcdPackage();
const method = (s: string, m: string): AnyMethod => (pkg[`etcdserverpb.${s}`] as Record<string, AnyMethod>)[m]!;
const RANGE = method('KV', 'Range');
const TXN = method('KV', 'Txn');
const WATCH = method('Watch', 'Watch');

const int64 = fc.oneof(fc.constant('0'), fc.nat().map(String), fc.maxSafeInteger().map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String));
const uint64 = fc.oneof(fc.constant('0'), fc.nat().map(String), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String));
const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
const header = fc.option(fc.record({ cluster_id: uint64, member_id: uint64, revision: int64, raft_term: uint64 }),
  { nil: undefined });
const kv = fc.record({ key: bytes, create_revision: int64, mod_revision: int64, version: int64, value: bytes,
  lease: int64 }, { requiredKeys: [] });
const range = fc.record({ header, kvs: fc.array(kv, { maxLength: 3 }), more: fc.boolean(), count: int64 },
  { requiredKeys: [] });
const put = fc.record({ header, prev_kv: fc.option(kv, { nil: undefined }) }, { requiredKeys: [] });
const del = fc.record({ header, deleted: int64, prev_kvs: fc.array(kv, { maxLength: 2 }) }, { requiredKeys: [] });
const { txn } = fc.letrec((tie) => ({
  txn: fc.record({ header, succeeded: fc.boolean(), responses: fc.array(tie('op'), { maxLength: 3 }) },
    { requiredKeys: [] }),
  op: fc.oneof({ depthSize: 'small' }, fc.record({ response_range: range }), fc.record({ response_put: put }),
    fc.record({ response_delete_range: del }), fc.record({ response_txn: tie('txn') }), fc.constant({})),
}));
const event = fc.record({ type: fc.constantFrom(0, 1), kv: fc.option(kv, { nil: undefined }),
  prev_kv: fc.option(kv, { nil: undefined }) }, { requiredKeys: [] });
const watch = fc.record({ header, watch_id: int64, created: fc.boolean(), canceled: fc.boolean(),
  compact_revision: int64, cancel_reason: fc.string(), fragment: fc.boolean(),
  events: fc.array(event, { maxLength: 3 }) }, { requiredKeys: [] });

function same(m: AnyMethod, mine: (b: Buffer) => unknown, obj: object): void {
  const wire = m.responseSerialize(obj);
  assert.deepStrictEqual(mine(wire), m.responseDeserialize(wire));
}

test('RangeResponse, TxnResponse (nested txns too) and WatchResponse decode as proto-loader does', () => {
  fc.assert(fc.property(range, (o) => same(RANGE, decodeRangeResponse, o)), { numRuns: 300 });
  fc.assert(fc.property(txn, (o) => same(TXN, decodeTxnResponse, o as object)), { numRuns: 300 });
  fc.assert(fc.property(watch, (o) => same(WATCH, decodeWatchResponse, o)), { numRuns: 300 });
});

test('unknown fields are skipped, as protobufjs skips them', () => {
  const known = RANGE.responseSerialize({ count: '3', more: true });
  // field 9 varint 150, field 10 length-delimited "xy", field 12 fixed32, field 13 fixed64
  const extra = Buffer.from([0x48, 0x96, 0x01, 0x52, 0x02, 0x78, 0x79, 0x65, 1, 2, 3, 4, 0x69, 1, 2, 3, 4, 5, 6, 7, 8]);
  const wire = Buffer.concat([extra, known]);
  assert.deepStrictEqual(decodeRangeResponse(wire), RANGE.responseDeserialize(wire));
});

test('a truncated answer is an error, not a partial object', () => {
  const wire = WATCH.responseSerialize({ events: [{ kv: { key: Buffer.from('abc'), value: Buffer.alloc(50) } }] });
  for (const cut of [1, 5, wire.length - 1]) {
    assert.throws(() => decodeWatchResponse(wire.subarray(0, cut)), ProtoDecodeError);
  }
});
