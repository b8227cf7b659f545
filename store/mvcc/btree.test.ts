import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BTreeMap } from './btree.js';
import { BTREE_NODE_CAPACITY_ENTRIES } from './limits.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`btree fast-check seed=${seed} (rerun with FC_SEED=${seed})`);

function scanAll(t: BTreeMap<number>, start = '', end = ''): [string, number][] {
  const out: [string, number][] = [];
  t.scan(start, end, (k, v) => {
    out.push([k, v]);
    return true;
  });
  return out;
}

test('btree: set/get/delete/scan agree with a sorted map model', () => {
  // Enough distinct keys that trees grow several levels (capacity 64) and then shrink.
  const keyArb = fc.oneof(
    fc.integer({ min: 0, max: 6000 }).map((i) => `k${String(i).padStart(4, '0')}`),
    fc.string({ unit: fc.constantFrom('a', 'k', '\u0000', '\u00ff'), maxLength: 3 }),
  );
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('set' as const), key: keyArb, val: fc.integer() }),
    fc.record({ op: fc.constant('del' as const), key: keyArb }),
    fc.record({ op: fc.constant('scan' as const), key: keyArb, end: keyArb }),
  );
  fc.assert(fc.property(fc.array(opArb, { minLength: 1000, maxLength: 6000 }), (ops) => {
    const t = new BTreeMap<number>();
    const model = new Map<string, number>();
    for (const o of ops) {
      if (o.op === 'set') {
        t.set(o.key, o.val);
        model.set(o.key, o.val);
        assert.equal(t.get(o.key), o.val);
      } else if (o.op === 'del') {
        assert.equal(t.delete(o.key), model.delete(o.key));
        assert.equal(t.get(o.key), undefined);
      } else {
        const want = [...model.entries()].filter(([k]) => k >= o.key && (o.end === '' || k < o.end))
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
        assert.deepEqual(scanAll(t, o.key, o.end), want);
      }
      assert.equal(t.size, model.size);
    }
    t.checkInvariants();
    for (const [k, v] of model) assert.equal(t.get(k), v);
  }), { seed, numRuns: 40 });
});

test('btree: many keys in random order split and merge nodes and stay balanced', () => {
  const n = BTREE_NODE_CAPACITY_ENTRIES ** 2 * 3; // at least three levels
  const keys = Array.from({ length: n }, (_, i) => `k${String(i * 7919 % n).padStart(6, '0')}`);
  const t = new BTreeMap<number>();
  keys.forEach((k, i) => t.set(k, i));
  t.checkInvariants();
  assert.equal(t.size, n);
  const sorted = [...keys].sort();
  assert.deepEqual(scanAll(t).map(([k]) => k), sorted);
  // Early stop and bounded scans.
  let visited = 0;
  t.scan(sorted[100] as string, '', () => ++visited < 10);
  assert.equal(visited, 10);
  assert.deepEqual(scanAll(t, sorted[5] as string, sorted[9] as string).map(([k]) => k), sorted.slice(5, 9));
  // Delete every other key, then the rest.
  for (let i = 0; i < n; i += 2) assert.equal(t.delete(keys[i] as string), true);
  t.checkInvariants();
  assert.equal(t.size, n / 2);
  for (let i = 1; i < n; i += 2) assert.equal(t.delete(keys[i] as string), true);
  t.checkInvariants();
  assert.equal(t.size, 0);
  assert.deepEqual(scanAll(t), []);
});
