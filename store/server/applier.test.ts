// The applier: deterministic results, and the replicated duplicate window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Applier, DEDUP_WINDOW_REQUESTS } from './applier.js';
import { runSteps } from '../mvcc/index.js';
import { packState, type ReplicatedRequest } from './request.js';


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

test('a snapshot encoded in steps while requests keep applying is the state at capture, members and ids too', () => {
  const a = new Applier();
  for (let i = 0; i < 50; i++) a.applyOnce(`r${i}`, put(`k${i % 7}`));
  a.members.upsert({ id: 7n, name: 'm7', peerUrls: ['http://127.0.0.1:1'], clientUrls: [], isLearner: false });
  const atCapture = a.snapshot();
  const steps = a.snapshotSteps();
  for (let i = 50; i < 80; i++) a.applyOnce(`r${i}`, put(`k${i % 9}`));
  a.members.upsert({ id: 8n, name: 'm8', peerUrls: ['http://127.0.0.1:2'], clientUrls: [], isLearner: true });
  a.applyOnce('compact', { op: 'compact', req: { revision: BigInt(a.store.currentRevision), physical: true } });
  let r = steps.next();
  while (r.done !== true) r = steps.next();
  const bytes = r.value;
  assert.deepEqual(bytes, atCapture);
  const b = new Applier();
  b.restore(bytes);
  assert.equal(b.store.currentRevision, 51);
  assert.deepEqual(b.members.all().map((m) => m.name), ['m7']);
  assert.equal(b.recentIds().length, 50);
});

test('a snapshot written by earlier versions (mvcc first in the map) still restores', () => {
  const a = new Applier();
  for (let i = 0; i < 5; i++) a.applyOnce(`r${i}`, put(`k${i}`));
  const old = packState({ mvcc: a.store.snapshot(), members: a.members.toState(), alarms: [], recentIds: a.recentIds(),
    clusterToken: 't' });
  const b = new Applier();
  b.restore(old);
  assert.equal(b.store.hash(), a.store.hash());
  assert.deepEqual(b.recentIds(), a.recentIds());
  assert.equal(b.clusterToken, 't');
});

test('a delta replayed onto the snapshot before it restores the same state as a full snapshot, small fields too', () => {
  const a = new Applier();
  for (let i = 0; i < 40; i++) a.applyOnce(`r${i}`, put(`k${i % 5}`));
  const base = a.snapshot();
  const sinceRev = a.store.currentRevision;
  // Everything a delta must carry besides the store's revisions: members, alarms, request ids, the token.
  a.members.upsert({ id: 9n, name: 'm9', peerUrls: ['http://127.0.0.1:9'], clientUrls: [], isLearner: true });
  a.apply({ op: 'alarm', req: { action: 1, memberId: 9n, alarm: 1 } });
  a.clusterToken = 'after-base';
  for (let i = 40; i < 70; i++) a.applyOnce(`r${i}`, put(`k${i % 8}`));
  const delta = runSteps(a.deltaSteps(sinceRev));
  const b = new Applier();
  b.restoreChain(base, [delta]);
  assert.deepEqual(Buffer.from(b.snapshot()), Buffer.from(a.snapshot()));
  assert.deepEqual(b.recentIds(), a.recentIds());
  assert.equal(b.members.toState().length, a.members.toState().length);
  assert.equal(b.alarms.size, 1);
  assert.equal(b.clusterToken, 'after-base');
});

test('snapshot steps report the store image\'s bytes (what a member weighs its chain by), and restore returns them', () => {
  const a = new Applier();
  for (let i = 0; i < 30; i++) a.applyOnce(`r${i}`, put(`k${i % 4}`));
  const sizes = { imageBytes: -1 };
  const full = runSteps(a.snapshotSteps(sizes));
  assert.equal(sizes.imageBytes, a.store.snapshot().byteLength);
  assert.ok(full.byteLength > sizes.imageBytes + 30 * 3, 'the small fields (30 request ids) are not counted');
  const sinceRev = a.store.currentRevision;
  for (let i = 30; i < 40; i++) a.applyOnce(`r${i}`, put(`k${i % 4}`));
  const deltaSizes = { imageBytes: -1 };
  const delta = runSteps(a.deltaSteps(sinceRev, deltaSizes));
  assert.ok(deltaSizes.imageBytes > 0 && deltaSizes.imageBytes < delta.byteLength);
  const b = new Applier();
  assert.equal(b.restore(full), sizes.imageBytes);
  assert.deepEqual(new Applier().restoreChain(full, [delta]),
    { baseImageBytes: sizes.imageBytes, deltaImageBytes: deltaSizes.imageBytes });
});
