import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAvailability, longestGap } from './availability.js';
import { get, put } from './testing.js';

test('longestGap measures the widest stretch without completions, edges included', () => {
  assert.deepEqual(longestGap([10, 20, 90], 0, 100), { gapMs: 70, start: 20 });
  assert.deepEqual(longestGap([], 0, 100), { gapMs: 100, start: 0 });
});

test('writes every 100 ms through a fault pass', () => {
  const ops = Array.from({ length: 50 }, (_, i) => put(1, i * 100, i * 100 + 5, 'a', `v${i}`, i + 1));
  const r = checkAvailability(ops, [{ id: 1, label: 'kill m1', start: 1000, heal: 2000 }], 5000, 1000);
  assert.equal(r.verdict, 'pass', r.violations.join('; '));
  assert.equal(r.faults[0]!.longestWriteGapMs, 100);
  assert.equal(r.faults[0]!.healToFirstWriteMs, 5);
});

test('an outage longer than the bound is rejected and located', () => {
  const ops = [put(1, 0, 10, 'a', 'x', 1), put(1, 4000, 4010, 'a', 'y', 2), get(2, 4020, 4030, 'a', 'y', 2)];
  const r = checkAvailability(ops, [{ id: 1, label: 'kill leader', start: 100, heal: 1000 }], 5000, 2000);
  assert.equal(r.verdict, 'fail');
  assert.equal(r.faults[0]!.longestWriteGapMs, 3910);
  assert.equal(r.faults[0]!.writeGapStart, 100);
});

test('no successful write after the last heal is rejected', () => {
  const ops = [put(1, 0, 10, 'a', 'x', 1), put(1, 2500, null, 'a', 'y')];
  const r = checkAvailability(ops, [{ id: 1, label: 'partition', start: 100, heal: 2000 }], 3000, 60_000);
  assert.equal(r.verdict, 'fail');
  assert.match(r.violations.join('\n'), /no write invoked after the last heal/);
});
