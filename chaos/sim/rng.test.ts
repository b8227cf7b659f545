import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimRng } from './rng.js';

test('SimRng: the same seed gives the same stream, different seeds differ', () => {
  const a = new SimRng(42);
  const b = new SimRng(42);
  const c = new SimRng(43);
  const xs = Array.from({ length: 100 }, () => a.nextU32());
  assert.deepEqual(Array.from({ length: 100 }, () => b.nextU32()), xs);
  assert.notDeepEqual(Array.from({ length: 100 }, () => c.nextU32()), xs);
});

test('SimRng: int, range and weighted stay in bounds (property)', () => {
  const seed = Date.now() % 1_000_000;
  console.log(`fast-check seed ${seed}`);
  fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (s, n) => {
    const r = new SimRng(s);
    for (let i = 0; i < 50; i++) {
      const x = r.int(n);
      assert.ok(Number.isInteger(x) && x >= 0 && x < n);
      const y = r.range(-n, n);
      assert.ok(y >= -n && y <= n);
      assert.notEqual(r.weighted([0, 1, 0, 2]) % 2, 0);
    }
  }), { seed, numRuns: 200 });
});

test('SimRng: int(n) is roughly uniform', () => {
  const r = new SimRng(7);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 40_000; i++) (counts[r.int(4)] as number)++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 600, `bucket ${c}`);
});

test('SimRng: bad arguments throw (a broken caller, not an expected condition)', () => {
  const r = new SimRng(1);
  assert.throws(() => r.int(0));
  assert.throws(() => r.range(3, 2));
  assert.throws(() => r.pick([]));
  assert.throws(() => r.weighted([0, 0]));
  assert.throws(() => new SimRng(1.5));
});
