import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventHeap } from './heap.js';

test('EventHeap pops by time, then by insertion order (property)', () => {
  const seed = Date.now() % 1_000_000;
  console.log(`fast-check seed ${seed}`);
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
    const h = new EventHeap<number>();
    times.forEach((t, i) => h.push(t, i));
    const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
    const got: number[] = [];
    for (let e = h.pop(); e; e = h.pop()) got.push(e.item);
    assert.deepEqual(got, expected);
  }), { seed, numRuns: 300 });
});
