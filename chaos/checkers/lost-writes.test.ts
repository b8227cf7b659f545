import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLostWrites } from './lost-writes.js';
import { del, put } from './testing.js';
import type { FinalRead, ReferenceHistory } from './history.js';

const ref: ReferenceHistory = {
  events: [
    { type: 'PUT', key: 'a', value: 'x', modRev: 2 }, { type: 'PUT', key: 'a', value: 'y', modRev: 3 },
    { type: 'PUT', key: 'b', value: 'z', modRev: 4 }, { type: 'DELETE', key: 'b', value: null, modRev: 5 },
  ],
  finalRevision: 5,
};
const final: FinalRead = { at: 100, revision: 5, kvs: { a: { value: 'y', modRev: 3 } } };

test('every acknowledged write in the log and the final read at the log\'s end passes', () => {
  const r = checkLostWrites([put(1, 0, 1, 'a', 'x', 2), put(1, 2, 3, 'a', 'y', 3), put(2, 0, 5, 'b', 'z', 4),
    del(2, 6, 7, 'b', 1, 5), put(3, 0, null, 'c', 'never')], ref, final);
  assert.equal(r.verdict, 'pass', JSON.stringify(r.violations));
  assert.equal(r.acknowledgedWrites, 4);
});

test('an acknowledged put missing from the log is rejected', () => {
  const r = checkLostWrites([put(1, 0, 1, 'a', 'x', 2), put(1, 2, 3, 'a', 'lost', 6)], ref, final);
  assert.equal(r.verdict, 'fail');
  assert.match(r.violations[0]!.message, /put\(a, lost\) acknowledged at rev 6 is not in the store's history/);
});

test('a final read older than an acknowledged write is rejected', () => {
  const stale: FinalRead = { at: 100, revision: 5, kvs: { a: { value: 'x', modRev: 2 } } };
  const r = checkLostWrites([put(1, 0, 1, 'a', 'x', 2), put(1, 2, 3, 'a', 'y', 3)], ref, stale);
  assert.equal(r.verdict, 'fail');
  assert.ok(r.violations.some((v) => /older than the write acknowledged at rev 3/.test(v.message)));
});

test('a deleted key coming back in the final read is rejected', () => {
  const back: FinalRead = { at: 100, revision: 5, kvs: { ...final.kvs, b: { value: 'z', modRev: 4 } } };
  assert.equal(checkLostWrites([], ref, back).verdict, 'fail');
});
