import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimEvent } from '../events.js';
import { check } from './state-machine-safety.js';

const apply = (member: string, index: number, term: number, dataHash: number, chainHash: number): SimEvent =>
  ({ kind: 'apply', member, index, term, dataHash, chainHash, memberTerm: term, commit: index });
const snap = (member: string, index: number, term: number, chainHash: number): SimEvent =>
  ({ kind: 'apply-snapshot', member, index, term, chainHash });

test('state machine safety rejects two members applying different terms at one index (§5.4.3)', () => {
  const v = check([apply('a', 5, 2, 1, 10), apply('b', 5, 3, 1, 10)]);
  assert.ok(v);
  assert.equal(v.checker, 'state-machine-safety');
  assert.match(v.message, /a applied an entry of term 2 at index 5, b one of term 3/);
});

test('state machine safety rejects different data, and different histories behind one index', () => {
  assert.match(check([apply('a', 5, 2, 1, 10), apply('b', 5, 2, 9, 10)])?.message ?? '', /different data/);
  assert.match(check([apply('a', 5, 2, 1, 10), apply('b', 5, 2, 1, 11)])?.message ?? '', /different histories/);
  assert.match(check([apply('a', 5, 2, 1, 10), snap('b', 5, 2, 12)])?.message ?? '', /different histories/);
});

test('state machine safety accepts identical applies and a matching snapshot install', () => {
  assert.equal(check([
    apply('a', 4, 1, 7, 40), apply('a', 5, 2, 8, 50),
    snap('b', 5, 2, 50), apply('b', 6, 2, 9, 60), apply('a', 6, 2, 9, 60), apply('c', 4, 1, 7, 40),
  ]), undefined);
});
