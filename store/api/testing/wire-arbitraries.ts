// fast-check arbitraries for the API's wire values, shared by the tests that compare our
// hand-written protobuf encoders (kv-encode.ts, watch-encode.ts) with protobufjs: int64 and
// uint64 edges (0, ±1, 2^53 ± 1, the extremes), short and long byte strings, KeyValues and
// response headers.
import fc from 'fast-check';
import type { KeyValue } from '../backend.js';
import type { HeaderFields } from '../codec.js';

export const int64 = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 127n, 128n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: 0n, max: 1n << 20n }),
);
export const uint64 = fc.oneof(fc.constantFrom(0n, 1n, 2n ** 64n - 1n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
/** Short ones, and ones past 127 bytes (a two-byte length varint). */
export const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 100, maxLength: 400 }));
export const kvArb: fc.Arbitrary<KeyValue> = fc.record({
  key: bytes, createRevision: int64, modRevision: int64, version: int64, value: bytes, lease: int64,
});
export const headerArb: fc.Arbitrary<HeaderFields> = fc.record({
  clusterId: uint64, memberId: uint64, revision: int64, raftTerm: uint64,
});
