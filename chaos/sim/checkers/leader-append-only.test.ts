import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimEvent } from '../events.js';
import { check } from './leader-append-only.js';

const persist = (member: string, first: number, n: number, replaced: number, leaderTerm: number): SimEvent => ({
  kind: 'persist', member, prevTerm: 1, replaced, leaderTerm,
  entries: Array.from({ length: n }, (_, k) => ({ index: first + k, term: 2, dataHash: 0 })),
});

test('leader append-only rejects a leader whose durable log loses entries (§5.3)', () => {
  const v = check([persist('a', 5, 2, 0, 2), persist('a', 6, 1, 1, 2)]);
  assert.ok(v);
  assert.equal(v.checker, 'leader-append-only');
  assert.match(v.message, /a, leader of term 2, replaced 1 entries of its log from index 6/);
});

test('leader append-only accepts leaders appending and followers truncating a conflicting suffix', () => {
  assert.equal(check([persist('a', 5, 2, 0, 2), persist('a', 7, 3, 0, 2), persist('b', 5, 1, 4, 0)]), undefined);
});
