// The applier: deterministic results, and the replicated duplicate window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Applier, DEDUP_WINDOW_REQUESTS } from './applier.js';
import type { ReplicatedRequest } from './request.js';

const put = (key: string): ReplicatedRequest => ({
  op: 'put', req: { key: Buffer.from(key), value: Buffer.from('v'), lease: 0n, prevKv: false, ignoreValue: false,
    ignoreLease: false },
});

test('a request id applies once; the window forgets the oldest ids first, and survives a snapshot', () => {
  const a = new Applier();
  assert.ok(a.applyOnce('r1', put('k'))?.ok);
  assert.equal(a.applyOnce('r1', put('k')), undefined, 'a re-proposed request is dropped');
  for (let i = 2; i <= DEDUP_WINDOW_REQUESTS + 1; i++) a.applyOnce(`r${i}`, put('k'));
  assert.equal(a.recentIds().length, DEDUP_WINDOW_REQUESTS);
  assert.equal(a.recentIds()[0], 'r2', 'r1 was evicted first');
  const b = new Applier();
  b.restore(a.snapshot());
  assert.deepEqual(b.recentIds(), a.recentIds());
  assert.equal(b.applyOnce(`r${DEDUP_WINDOW_REQUESTS + 1}`, put('k')), undefined);
  assert.ok(b.applyOnce('r1', put('k'))?.ok, 'an evicted id applies again');
  assert.equal(b.store.currentRevision, a.store.currentRevision + 1);
});

test('refusals are deterministic values, not exceptions', () => {
  const a = new Applier();
  const r = a.apply({ op: 'leaseRevoke', req: { id: 42n } });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error.message : '', /requested lease not found/);
});
