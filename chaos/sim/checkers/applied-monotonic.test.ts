import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimEvent } from '../events.js';
import { check } from './applied-monotonic.js';

const apply = (member: string, index: number): SimEvent =>
  ({ kind: 'apply', member, index, term: 1, dataHash: 0, chainHash: 0, memberTerm: 1, commit: index });
const restart = (member: string, applied: number): SimEvent => ({ kind: 'restart', member, applied });
const snap = (member: string, index: number): SimEvent =>
  ({ kind: 'apply-snapshot', member, index, term: 1, chainHash: 0 });

test('applied-monotonic rejects an applied index going backwards across a crash', () => {
  const v = check([restart('a', 1), apply('a', 2), apply('a', 3), restart('a', 2)]);
  assert.ok(v);
  assert.equal(v.checker, 'applied-monotonic');
  assert.match(v.message, /restarted at applied index 2 but had applied 3/);
});

test('applied-monotonic rejects re-applying, skipping, and an old snapshot (§5.3, §7)', () => {
  assert.match(check([restart('a', 1), apply('a', 2), apply('a', 2)])?.message ?? '', /applied entry 2 right after 2/);
  assert.match(check([restart('a', 1), apply('a', 3)])?.message ?? '', /applied entry 3 right after 1/);
  assert.match(check([restart('a', 1), apply('a', 2), snap('a', 2)])?.message ?? '', /snapshot at 2 after applying/);
});

test('applied-monotonic accepts +1 applies, snapshots forward and restarts where it left off', () => {
  assert.equal(check([
    restart('a', 1), apply('a', 2), restart('b', 0), snap('b', 2), apply('b', 3), apply('a', 3), restart('a', 3),
    apply('a', 4), snap('a', 9), restart('a', 9), restart('b', 3),
  ]), undefined);
});
