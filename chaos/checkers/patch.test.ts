import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchHistory } from './patch.js';
import { put } from './testing.js';

test('unknown writes found in the log get their revision; the others never happened', () => {
  const ops = [put(1, 0, null, 'a', 'seen'), put(1, 0, null, 'a', 'unseen'), put(2, 0, 5, 'a', 'ok', 3)];
  const r = patchHistory(ops, { events: [{ type: 'PUT', key: 'a', value: 'seen', modRev: 2 },
    { type: 'PUT', key: 'a', value: 'ok', modRev: 3 }], finalRevision: 3 });
  assert.deepEqual(r.summary, { resolvedHappened: 1, resolvedNever: 1 });
  assert.equal(r.ops.length, 2);
  assert.deepEqual(r.ops[0]!.output, { kind: 'put', revision: 2 });
  assert.equal(r.ops[0]!.ret, null);
});
