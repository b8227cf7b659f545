// Watch: live and historic events, ordering, prev_kv, filters, compaction, slow watchers
// (victims), progress notifications and snapshot restore (etcd watchable_store.go and the
// watch server in v3rpc/watch.go).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MvccStore } from './store.js';
import type { WatchStream } from './watch.js';
import { Errors } from './errors.js';
import { EventType, WatchFilterType, type WatchResponse } from './types.js';
import { prefixRangeEnd } from './bytes.js';
import { b, str, unwrap } from './test-helpers.js';

const ALL = new Uint8Array([0]);

/** [type, key, value, modRevision, prevValue?] */
type Ev = [string, string, string, number, string?];

function evs(resps: WatchResponse[], id?: number): Ev[] {
  return resps.filter((r) => id === undefined || r.watchId === id).flatMap((r) => r.events.map((e): Ev => {
    const base: Ev = [e.type === EventType.PUT ? 'PUT' : 'DEL', str(e.kv.key), str(e.kv.value), e.kv.modRevision];
    if (e.prevKv !== undefined) base.push(str(e.prevKv.value));
    return base;
  }));
}

/** Drive the store's watch machinery like the server loop would until nothing moves. */
function drain(s: MvccStore, ws: WatchStream, maxSteps = 10_000): WatchResponse[] {
  const out: WatchResponse[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const got = ws.poll();
    out.push(...got);
    const victims = s.syncVictims();
    const unsynced = s.syncWatchers();
    if (got.length === 0 && victims === 0 && unsynced === 0 && ws.pendingResponses === 0 &&
      s.watchStats().victims === 0) return out;
  }
  assert.fail('watchers did not settle');
}

test('watch: live events per revision, with prev_kv, DELETE carries key and mod revision only', () => {
  const s = new MvccStore();
  const ws = s.newWatchStream();
  const id = unwrap(ws.watch({ key: b('k'), prevKv: true }));
  assert.equal(id, 0);
  const [created] = ws.poll();
  assert.deepEqual(created, { watchId: 0, revision: 1, created: true, canceled: false, compactRevision: 0,
    cancelReason: '', events: [] });
  unwrap(s.put({ key: b('k'), value: b('1') }));
  unwrap(s.put({ key: b('other'), value: b('x') }));
  unwrap(s.put({ key: b('k'), value: b('2') }));
  unwrap(s.deleteRange({ key: b('k') }));
  const resps = ws.poll();
  assert.deepEqual(resps.map((r) => r.revision), [2, 4, 5]);
  assert.deepEqual(evs(resps), [['PUT', 'k', '1', 2], ['PUT', 'k', '2', 4, '1'], ['DEL', 'k', '', 5, '2']]);
  const del = resps[2]!.events[0]!.kv;
  assert.deepEqual([del.createRevision, del.version, del.lease, del.value.length], [0, 0, 0n, 0]);
});

test('watch: prefix and from-key ranges; a txn is one response', () => {
  const s = new MvccStore();
  const ws = s.newWatchStream();
  const pfx = unwrap(ws.watch({ key: b('/a/'), rangeEnd: prefixRangeEnd(b('/a/')) }));
  const from = unwrap(ws.watch({ key: b('/b'), rangeEnd: ALL }));
  ws.poll();
  unwrap(s.txn({ success: [
    { requestPut: { key: b('/a/1'), value: b('x') } }, { requestPut: { key: b('/a/2'), value: b('y') } },
    { requestPut: { key: b('/b/1'), value: b('z') } }, { requestPut: { key: b('/a'), value: b('no') } },
  ] }));
  const resps = ws.poll();
  assert.equal(resps.length, 2);
  assert.deepEqual(evs(resps, pfx), [['PUT', '/a/1', 'x', 2], ['PUT', '/a/2', 'y', 2]]);
  assert.deepEqual(evs(resps, from), [['PUT', '/b/1', 'z', 2]]);
});

test('watch: filters drop events, and a fully filtered response is not sent', () => {
  const s = new MvccStore();
  const ws = s.newWatchStream();
  const noPut = unwrap(ws.watch({ key: b('k'), filters: [WatchFilterType.NOPUT] }));
  const noDel = unwrap(ws.watch({ key: b('k'), filters: [WatchFilterType.NODELETE] }));
  ws.poll();
  unwrap(s.put({ key: b('k'), value: b('1') }));
  unwrap(s.deleteRange({ key: b('k') }));
  const resps = ws.poll();
  assert.deepEqual(resps.map((r) => [r.watchId, r.revision]), [[noDel, 2], [noPut, 3]]);
});

test('watch: historic catch-up then live events, in order, no gaps or duplicates', () => {
  const s = new MvccStore();
  for (let i = 0; i < 20; i++) unwrap(s.put({ key: b(`k${i % 3}`), value: b(`${i}`) }));
  const ws = s.newWatchStream();
  unwrap(ws.watch({ key: b('k'), rangeEnd: prefixRangeEnd(b('k')), startRevision: 5, prevKv: true }));
  assert.equal(s.watchStats().unsynced, 1);
  unwrap(s.put({ key: b('k1'), value: b('live-before-sync') })); // revision 22, not seen live: unsynced
  const resps = drain(s, ws);
  assert.equal(resps[0]!.created, true);
  unwrap(s.put({ key: b('k2'), value: b('live') }));
  resps.push(...ws.poll());
  const revs = evs(resps).map((e) => e[3]);
  assert.deepEqual(revs, Array.from({ length: 19 }, (_, i) => i + 5), 'revisions 5..23 exactly once each');
  assert.deepEqual(evs(resps)[0], ['PUT', 'k0', '3', 5, '0'], 'prev_kv from history');
  assert.equal(s.watchStats().synced, 1);
});

test('watch: catch-up in bounded batches; a batch revision is the last revision it covers', () => {
  const s = new MvccStore({ limits: { maxRevisionsPerWatchBatch: 3 } });
  for (let i = 0; i < 10; i++) unwrap(s.put({ key: b('k'), value: b(`${i}`) })); // revisions 2..11
  const ws = s.newWatchStream();
  unwrap(ws.watch({ key: b('k'), startRevision: 2 }));
  ws.poll();
  s.syncWatchers();
  const first = ws.poll();
  assert.deepEqual(first.map((r) => [r.revision, r.events.length]), [[4, 3]]);
  const rest = drain(s, ws);
  assert.deepEqual(rest.map((r) => [r.revision, r.events.length]), [[7, 3], [10, 3], [11, 1]]);
});

test('watch: event budget per step bounds one sync step', () => {
  const s = new MvccStore({ limits: { maxSyncScanChangesPerStep: 5 } });
  for (let i = 0; i < 12; i++) unwrap(s.put({ key: b(`k${i}`), value: b('v') }));
  const ws = s.newWatchStream();
  unwrap(ws.watch({ key: b('zzz'), startRevision: 2 })); // matches nothing: pure scanning
  ws.poll();
  assert.equal(s.syncWatchers(), 1);
  assert.equal(s.syncWatchers(), 1);
  assert.equal(s.syncWatchers(), 0);
  assert.equal(s.watchStats().synced, 1);
});

test('watch: slow consumer becomes a victim and then catches up without losing anything', () => {
  const s = new MvccStore({ limits: { maxPendingResponsesPerWatcher: 2, maxPendingResponsesPerStream: 4 } });
  const ws = s.newWatchStream();
  const slow = unwrap(ws.watch({ key: b('k'), prevKv: true }));
  ws.poll();
  for (let i = 0; i < 30; i++) unwrap(s.put({ key: b('k'), value: b(`${i}`) }));
  assert.equal(s.watchStats().victims, 1);
  assert.equal(ws.pendingResponses, 2, 'never more than the per-watcher bound queued');
  const got = drain(s, ws);
  assert.deepEqual(evs(got, slow).map((e) => e[2]), Array.from({ length: 30 }, (_, i) => `${i}`));
  assert.deepEqual(evs(got, slow).slice(1).map((e) => e[4]), Array.from({ length: 29 }, (_, i) => `${i}`));
  assert.deepEqual(s.watchStats(), { watchers: 1, synced: 1, unsynced: 0, victims: 0 });
});

test('watch: start at or below the compaction point', () => {
  const s = new MvccStore();
  unwrap(s.put({ key: b('k'), value: b('1') })); // 2
  unwrap(s.put({ key: b('k'), value: b('2') })); // 3
  unwrap(s.deleteRange({ key: b('k') })); // 4
  unwrap(s.put({ key: b('k'), value: b('3') })); // 5
  unwrap(s.compact({ revision: 4 }));
  const ws = s.newWatchStream();
  const old = unwrap(ws.watch({ key: b('k'), startRevision: 3 }));
  const atCompaction = unwrap(ws.watch({ key: b('k'), startRevision: 4, prevKv: true }));
  const resps = drain(s, ws);
  const cancel = resps.find((r) => r.watchId === old && r.canceled);
  assert.deepEqual(cancel, { watchId: old, revision: 5, created: false, canceled: true, compactRevision: 4,
    cancelReason: '', events: [] });
  assert.deepEqual(evs(resps, atCompaction), [['DEL', 'k', '', 4], ['PUT', 'k', '3', 5]],
    'the delete at the compaction revision is kept; its prev_kv is compacted away, as in etcd');
  assert.equal(s.watchStats().watchers, 1);
  unwrap(s.put({ key: b('k'), value: b('4') }));
  assert.deepEqual(evs(ws.poll()), [['PUT', 'k', '4', 6, '3']]);
});

test('watch: a compaction while a watcher is behind cancels it on the next sync step', () => {
  const s = new MvccStore({ limits: { maxRevisionsPerWatchBatch: 1 } });
  for (let i = 0; i < 5; i++) unwrap(s.put({ key: b('k'), value: b(`${i}`) })); // 2..6
  const ws = s.newWatchStream();
  const id = unwrap(ws.watch({ key: b('k'), startRevision: 2 }));
  s.syncWatchers(); // delivers revision 2 only
  unwrap(s.compact({ revision: 5 }));
  const resps = drain(s, ws);
  assert.deepEqual(evs(resps, id).map((e) => e[3]), [2]);
  assert.equal(resps.at(-1)!.compactRevision, 5);
  assert.equal(resps.at(-1)!.canceled, true);
});

test('watch: a future start revision waits for it', () => {
  const s = new MvccStore();
  const ws = s.newWatchStream();
  unwrap(ws.watch({ key: b('k'), startRevision: 4 }));
  for (let i = 0; i < 4; i++) unwrap(s.put({ key: b('k'), value: b(`${i}`) })); // 2..5
  assert.deepEqual(evs(ws.poll()).map((e) => e[3]), [4, 5]);
});

test('watch: errors come back as created+canceled responses with etcd\'s reason', () => {
  const s = new MvccStore({ limits: { maxWatchersPerStream: 3 } });
  const ws = s.newWatchStream();
  assert.equal(unwrap(ws.watch({ key: b('a'), watchId: 1 })), 1);
  assert.equal(unwrap(ws.watch({ key: b('a') })), 0);
  assert.equal(unwrap(ws.watch({ key: b('a') })), 2, 'auto IDs skip IDs the client chose');
  const bad = ws.watch({ key: b('b'), rangeEnd: b('a') });
  assert.equal(bad.ok, false);
  const dup = ws.watch({ key: b('a'), watchId: 1 });
  assert.equal(dup.ok, false);
  const resps = ws.poll().slice(3);
  assert.deepEqual(resps.map((r) => [r.watchId, r.created, r.canceled, r.cancelReason]), [
    [-1, true, true, Errors.watcherRangeEmpty.message],
    [-1, true, true, Errors.tooManyWatchers.message],
  ], 'the stream is full before the duplicate check');
  unwrap(ws.cancel(2));
  const dup2 = ws.watch({ key: b('a'), watchId: 1 });
  assert.equal(!dup2.ok && dup2.error.message, 'mvcc: duplicate watch ID provided on the WatchStream');
  const missing = ws.cancel(42);
  assert.equal(!missing.ok && missing.error.message, 'mvcc: watcher does not exist');
});

test('watch: cancel drops undelivered events and answers canceled', () => {
  const s = new MvccStore();
  const ws = s.newWatchStream();
  const a = unwrap(ws.watch({ key: b('k') }));
  const c = unwrap(ws.watch({ key: b('k') }));
  ws.poll();
  unwrap(s.put({ key: b('k'), value: b('1') }));
  unwrap(ws.cancel(a));
  const resps = ws.poll();
  assert.deepEqual(resps.map((r) => [r.watchId, r.canceled, r.events.length]), [[c, false, 1], [a, true, 0]]);
  unwrap(s.put({ key: b('k'), value: b('2') }));
  assert.deepEqual(ws.poll().map((r) => r.watchId), [c]);
  assert.equal(s.watchStats().watchers, 1);
  ws.close();
  assert.equal(s.watchStats().watchers, 0);
});

test('watch: stream progress request waits until every watcher is synced', () => {
  const s = new MvccStore();
  unwrap(s.put({ key: b('k'), value: b('1') }));
  const ws = s.newWatchStream();
  unwrap(ws.watch({ key: b('k') }));
  ws.poll();
  ws.requestProgress();
  assert.deepEqual(ws.poll().map((r) => [r.watchId, r.revision, r.events.length]), [[-1, 2, 0]]);
  unwrap(ws.watch({ key: b('k'), startRevision: 1 }));
  ws.poll();
  ws.requestProgress();
  ws.requestProgress();
  assert.equal(ws.poll().length, 0, 'deferred: one watcher is unsynced');
  s.syncWatchers();
  const resps = ws.poll();
  assert.deepEqual(resps.map((r) => [r.watchId, r.events.length]), [[1, 1], [-1, 0]]);
});

test('watch: progress_notify ticks reach idle synced watchers only', () => {
  const s = new MvccStore();
  const ws = s.newWatchStream();
  const idle = unwrap(ws.watch({ key: b('idle'), progressNotify: true }));
  const busy = unwrap(ws.watch({ key: b('busy'), progressNotify: true }));
  unwrap(ws.watch({ key: b('quiet') }));
  ws.poll();
  unwrap(s.put({ key: b('busy'), value: b('1') }));
  ws.poll();
  s.progressNotifyTick();
  assert.deepEqual(ws.poll().map((r) => [r.watchId, r.revision, r.events.length]), [[idle, 2, 0]]);
  s.progressNotifyTick();
  assert.deepEqual(ws.poll().map((r) => r.watchId).sort(), [idle, busy].sort());
});

test('watch: onReadable fires when the queue goes from empty to non-empty, after the write', () => {
  const s = new MvccStore();
  let calls = 0;
  let seenRevision = 0;
  const ws = s.newWatchStream({
    onReadable: () => {
      calls++;
      seenRevision = s.currentRevision;
    },
  });
  unwrap(ws.watch({ key: b('k') }));
  assert.equal(calls, 1);
  unwrap(s.put({ key: b('k') }));
  assert.equal(calls, 1, 'still not drained');
  ws.poll();
  unwrap(s.put({ key: b('k') }));
  assert.equal(calls, 2);
  assert.equal(seenRevision, 3, 'called with the write applied');
});

test('watch: watchers survive a snapshot restore without losing or repeating events', () => {
  const leader = new MvccStore();
  const follower = new MvccStore();
  const ws = follower.newWatchStream();
  const id = unwrap(ws.watch({ key: b('k'), rangeEnd: prefixRangeEnd(b('k')) }));
  const lagging = unwrap(ws.watch({ key: b('k'), startRevision: 1 }));
  for (let i = 0; i < 3; i++) {
    unwrap(leader.put({ key: b('k1'), value: b(`${i}`) }));
    unwrap(follower.put({ key: b('k1'), value: b(`${i}`) }));
  }
  const before = drain(follower, ws);
  // The follower falls behind; the leader moves on and compacts; the follower gets a snapshot.
  for (let i = 3; i < 8; i++) unwrap(leader.put({ key: b('k2'), value: b(`${i}`) }));
  follower.restore(leader.snapshot());
  const after = drain(follower, ws);
  unwrap(follower.put({ key: b('k3'), value: b('live') }));
  after.push(...ws.poll());
  assert.deepEqual(evs([...before, ...after], id).map((e) => e[3]), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // A compaction in the snapshot past a watcher's position cancels it.
  unwrap(leader.put({ key: b('k3'), value: b('live') }));
  for (let i = 0; i < 3; i++) unwrap(leader.put({ key: b('x'), value: b(`${i}`) }));
  unwrap(leader.compact({ revision: 13 }));
  follower.restore(leader.snapshot());
  const last = drain(follower, ws);
  const canceled = last.filter((r) => r.canceled).sort((x, y) => x.watchId - y.watchId);
  assert.deepEqual(canceled.map((r) => [r.watchId, r.compactRevision]), [[id, 13], [lagging, 13]]);
  assert.equal(follower.watchStats().watchers, 0);
});
