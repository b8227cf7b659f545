import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesToKey, keyToBytes } from './bytes.js';
import { KEY_STRING_CHUNK_BYTES } from './limits.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`bytes fast-check seed=${seed} (rerun with FC_SEED=${seed})`);

/** The definition: one code unit per byte, of the byte's value. */
function reference(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

test('bytesToKey: one code unit per byte for every byte value (0x80–0x9f too, which windows-1252 remaps)', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const key = bytesToKey(all);
  assert.equal(key.length, 256);
  for (let i = 0; i < 256; i++) assert.equal(key.charCodeAt(i), i);
  assert.deepEqual(keyToBytes(key), all);
  assert.equal(bytesToKey(new Uint8Array(0)), '');
});

test('bytesToKey: views at an offset and keys longer than a chunk', () => {
  const big = Uint8Array.from({ length: KEY_STRING_CHUNK_BYTES * 2 + 17 }, (_, i) => (i * 131) & 255);
  assert.equal(bytesToKey(big), reference(big));
  const view = big.subarray(5, KEY_STRING_CHUNK_BYTES + 9);
  assert.equal(bytesToKey(view), reference(view));
  assert.equal(bytesToKey(Buffer.from(view)), reference(view));
});

test('bytesToKey: equals the definition, round-trips, and orders as bytes do', () => {
  const arr = fc.uint8Array({ maxLength: 300 });
  fc.assert(fc.property(arr, arr, fc.nat({ max: 8 }), (a, b, off) => {
    const padded = new Uint8Array(a.length + off);
    padded.set(a, off);
    const view = padded.subarray(off);
    assert.equal(bytesToKey(view), reference(a));
    assert.deepEqual(keyToBytes(bytesToKey(a)), a);
    const byBytes = Buffer.compare(Buffer.from(a), Buffer.from(b));
    const ka = bytesToKey(a);
    const kb = bytesToKey(b);
    assert.equal(ka < kb ? -1 : ka > kb ? 1 : 0, byBytes);
  }), { seed, numRuns: 500 });
});
