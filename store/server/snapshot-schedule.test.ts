import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextSnapshotIndex } from './snapshot-schedule.js';

test('snapshot schedule: each member at its own phase, every count entries, never two members at one index', () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  console.log(`snapshot-schedule property seed=${seed} (FC_SEED=${seed} replays)`);
  fc.assert(fc.property(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 7 }), fc.nat(1_000_000),
    (count, n, start) => {
      const members = Array.from({ length: n }, (_, i) => `m${String(i).padStart(2, '0')}`).reverse();
      const taken = new Map<number, string>();
      for (const self of members) {
        let last = start;
        for (let k = 0; k < 4; k++) {
          const next = nextSnapshotIndex({ lastIndex: last, count, members, self });
          assert.ok(next >= last + Math.ceil(count / 2) && next < last + Math.ceil(count / 2) + count, `${last} -> ${next}`);
          if (k > 0) assert.equal(next - last, count, 'steady: one snapshot per count entries');
          if (count >= n) {
            assert.equal(taken.get(next), undefined, `${self} and ${taken.get(next)} both at ${next}`);
            taken.set(next, self);
          }
          last = next;
        }
      }
      // The members' phases in the cycle are at least count / n entries apart.
      const phases = members.map((self) => nextSnapshotIndex({ lastIndex: start, count, members, self }) % count)
        .sort((a, b) => a - b);
      for (let i = 1; i < n; i++) assert.ok(phases[i]! - phases[i - 1]! >= Math.floor(count / n), `phases ${phases}`);
    }), { seed, numRuns: 300 });
});
