// The put entry layout: every put decodes to what msgpack would have given, and entries
// written before it (msgpack puts) still decode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import type * as api from '../api/backend.js';
import { fcSeed } from '../wal/test-support.js';
import { PUT_MARKER } from './put-codec.js';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './request.js';

const putArb = fc.record({
  key: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  value: fc.uint8Array({ maxLength: 300 }),
  lease: fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), // int64, and uint64 past it (msgpack's range)
  prevKv: fc.boolean(),
  ignoreValue: fc.boolean(),
  ignoreLease: fc.boolean(),
});

/** Compare as plain values: msgpack gives Buffers, the put layout Uint8Array views. */
function plain(e: Envelope): unknown {
  if (e.request.op !== 'put') return e;
  const r = e.request.req;
  return { id: e.id, ...r, key: [...r.key], value: [...r.value] };
}

describe('put entry layout', () => {
  it('round-trips any put to what msgpack gives; leases outside int64 and long ids fall back to msgpack', () => {
    const seed = fcSeed();
    console.log(`fast-check seed ${seed}; reproduce: FLOTILLA_FC_SEED=${seed} node --test dist/store/server/put-codec.test.js`);
    const packr = new Packr({ useRecords: false, moreTypes: false });
    fc.assert(fc.property(putArb, fc.string({ maxLength: 300 }), (req: api.PutRequest, id) => {
      const env: Envelope = { id, request: { op: 'put', req } };
      const data = encodeEnvelope(env);
      const int64 = req.lease >= -(1n << 63n) && req.lease < 1n << 63n;
      assert.equal(data[0] === PUT_MARKER, int64 && Buffer.byteLength(id) <= 255);
      assert.deepEqual(plain(decodeEnvelope(data)), plain(packr.unpack(packr.pack(env)) as Envelope));
    }), { seed, numRuns: 500 });
  });

  it('decodes a put written as msgpack (entries from before the layout)', () => {
    const packr = new Packr({ useRecords: false, moreTypes: false });
    const env: Envelope = { id: 'a.b.1', request: { op: 'put', req: {
      key: Buffer.from('k'), value: Buffer.from('v'), lease: 7n, prevKv: true, ignoreValue: false, ignoreLease: false,
    } } };
    assert.deepEqual(plain(decodeEnvelope(packr.pack(env))), plain(env));
  });

  it('refuses a truncated put entry instead of applying garbage', () => {
    const data = encodeEnvelope({ id: 'a.b.2', request: { op: 'put', req: {
      key: Buffer.from('key'), value: Buffer.from('value'), lease: 0n, prevKv: false, ignoreValue: false,
      ignoreLease: false,
    } } });
    assert.throws(() => decodeEnvelope(data.subarray(0, 18)), /malformed put entry/);
    assert.throws(() => decodeEnvelope(data.subarray(0, 10)), /malformed put entry/);
  });
});
