import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logOf, type SimEvent } from '../events.js';
import { check } from './election-safety.js';

const log = logOf([]);
const leader = (member: string, term: number): SimEvent => ({ kind: 'leader', member, term, log });

test('election safety rejects two leaders in one term (§5.2)', () => {
  const v = check([leader('a', 1), leader('b', 2), leader('c', 2)]);
  assert.ok(v);
  assert.equal(v.checker, 'election-safety');
  assert.match(v.message, /two leaders in term 2: b and c/);
});

test('election safety rejects a second leader of an old term, long after (ever, not at a time)', () => {
  const v = check([leader('a', 3), leader('b', 4), leader('c', 5), leader('b', 3)]);
  assert.ok(v);
  assert.match(v.message, /term 3: a and b/);
});

test('election safety accepts one leader per term, re-observed, and leaders changing with terms', () => {
  assert.equal(check([leader('a', 1), leader('a', 1), leader('b', 2), leader('a', 3), leader('b', 2)]), undefined);
});
