import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logOf, type SimEvent } from '../events.js';
import { check } from './leader-completeness.js';

const apply = (member: string, index: number, term: number, memberTerm: number): SimEvent =>
  ({ kind: 'apply', member, index, term, dataHash: 0, chainHash: 0, memberTerm, commit: index });
const leader = (member: string, term: number, terms: (number | undefined)[], firstIndex = 1): SimEvent =>
  ({ kind: 'leader', member, term, log: logOf(terms, firstIndex) });

test('leader completeness rejects a later leader missing a committed entry (§5.4, Figure 8)', () => {
  // Entry 2 of term 2 was applied by a (then in term 2); c leads term 3 with entry 2 of term 3.
  const v = check([apply('a', 1, 1, 2), apply('a', 2, 2, 2), leader('c', 3, [undefined, 1, 3])]);
  assert.ok(v);
  assert.equal(v.checker, 'leader-completeness');
  assert.match(v.message, /leader c of term 3 lacks committed entry 2 \(term 2/);
});

test('leader completeness rejects a later leader whose log is too short', () => {
  const v = check([apply('a', 1, 1, 1), apply('a', 2, 1, 1), leader('b', 2, [undefined, 1])]);
  assert.match(v?.message ?? '', /lacks committed entry 2 .* does not have it/);
});

test('leader completeness accepts complete leaders, compacted prefixes, and same-or-older-term leaders', () => {
  assert.equal(check([
    apply('a', 1, 1, 1), apply('a', 2, 1, 1),
    leader('b', 2, [undefined, 1, 1, 2]),
    leader('c', 3, [undefined, undefined, 1, 2], 2), // entry 1 compacted into c's snapshot
    apply('b', 3, 2, 4),
    // A leader of term 4 may have been elected before entry 3 committed in term <= 4: not checked.
    leader('d', 4, [undefined, 1, 1]),
  ]), undefined);
});
