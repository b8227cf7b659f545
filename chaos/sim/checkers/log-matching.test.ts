import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EntryDigest, SimEvent } from '../events.js';
import { check } from './log-matching.js';

const e = (index: number, term: number, dataHash = index * 1000 + term): EntryDigest => ({ index, term, dataHash });
const persist = (member: string, prevTerm: number, entries: EntryDigest[]): SimEvent =>
  ({ kind: 'persist', member, prevTerm, entries, replaced: 0, leaderTerm: 0 });

test('log matching rejects the same (index, term) after different prefixes (§5.3)', () => {
  // a: 1@1 2@1 3@2 ; b: 1@1 2@2(!) 3@2 — entry 3 of term 2 sits on different prefixes.
  const v = check([
    persist('a', 0, [e(1, 1), e(2, 1), e(3, 2)]),
    persist('b', 0, [e(1, 1), e(2, 2, 77), e(3, 2)]),
  ]);
  assert.ok(v);
  assert.equal(v.checker, 'log-matching');
  assert.match(v.message, /entry \(3, term 2\) follows term 1 on a but term 2 on b/);
});

test('log matching rejects the same (index, term) holding different data', () => {
  const v = check([persist('a', 0, [e(1, 1, 5)]), persist('b', 0, [e(1, 1, 6)])]);
  assert.ok(v);
  assert.match(v.message, /different data/);
});

test('log matching rejects a durable log whose terms go backwards or that has a gap', () => {
  assert.match(check([persist('a', 3, [e(5, 2)])])?.message ?? '', /goes back in term/);
  assert.match(check([persist('a', 0, [e(1, 1), e(3, 1)])])?.message ?? '', /gap/);
});

test('log matching accepts diverging uncommitted suffixes and a truncate-and-replace (§5.3)', () => {
  assert.equal(check([
    persist('a', 0, [e(1, 1), e(2, 1), e(3, 2)]),
    persist('b', 0, [e(1, 1), e(2, 1), e(3, 3)]), // different term at 3: allowed
    persist('a', 1, [e(3, 3), e(4, 3)]), // a truncates its 3@2 and follows b
    persist('c', 3, [e(4, 3)]), // c after a snapshot at (3, 3)
  ]), undefined);
});
