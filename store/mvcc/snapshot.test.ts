// Snapshots: exact round trips (revisions, compaction point, tombstones, leases and
// checkpoints), determinism, and loud refusal of corrupt input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { MvccStore } from './store.js';
import { MvccInvariantError } from './errors.js';
import { b, kvt, unwrap } from './test-helpers.js';

const ALL = new Uint8Array([0]);

function build(): MvccStore {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 11n, ttlSeconds: 30 }));
  unwrap(s.leaseGrant({ id: -5n, ttlSeconds: 60 }));
  unwrap(s.leaseCheckpoint([{ id: 11n, remainingTtlSeconds: 12 }]));
  for (let i = 0; i < 10; i++) unwrap(s.put({ key: b(`k${i % 4}`), value: b(`v${i}`) }));
  unwrap(s.put({ key: new Uint8Array([0]), value: new Uint8Array([0xff, 0]) }));
  unwrap(s.put({ key: new Uint8Array([0xff, 0xfe]), value: new Uint8Array(3000).fill(7), lease: 11n }));
  unwrap(s.deleteRange({ key: b('k1') }));
  unwrap(s.put({ key: b('leased'), value: b('x'), lease: -5n }));
  unwrap(s.compact({ revision: 13 }));
  unwrap(s.deleteRange({ key: b('k2') })); // a tombstone above the compaction point
  // Two changes of k3 in one revision (etcd's delete-from-key overlap quirk).
  unwrap(s.txn({ success: [{ requestDeleteRange: { key: b('k3'), rangeEnd: ALL } },
    { requestPut: { key: b('k3'), value: b('again') } }] }));
  return s;
}

test('snapshot: a round trip is exact and the copy behaves identically afterwards', () => {
  const s = build();
  const bytes = s.snapshot();
  const c = MvccStore.fromSnapshot(bytes);
  assert.deepEqual(c.snapshot(), bytes);
  assert.equal(c.currentRevision, s.currentRevision);
  assert.equal(c.compactRevision, 13);
  assert.equal(c.hash(), s.hash());
  assert.deepEqual(c.hashKV(13), s.hashKV(13));
  assert.equal(c.sizeBytes, s.sizeBytes);
  for (let rev = 13; rev <= s.currentRevision; rev++) {
    const r = { key: ALL, rangeEnd: ALL, revision: rev };
    assert.deepEqual(unwrap(c.range(r)).kvs.map(kvt), unwrap(s.range(r)).kvs.map(kvt), `revision ${rev}`);
  }
  assert.deepEqual(c.leaseLeases(), s.leaseLeases());
  assert.deepEqual(c.leaseTimeToLive(11n, true), s.leaseTimeToLive(11n, true));
  assert.equal(c.range({ key: b('k0'), revision: 12 }).ok, false, 'the compaction point survives');
  // The same next writes give the same answers and the same state.
  for (const st of [s, c]) {
    unwrap(st.leaseRevoke(-5n));
    unwrap(st.put({ key: b('after'), value: b('1'), prevKv: true }));
    unwrap(st.compact({ revision: st.currentRevision - 1 }));
  }
  assert.deepEqual(c.snapshot(), s.snapshot());
  // Watch history survives too: a watcher at the compaction point sees the same events.
  const events = [s, c].map((st) => {
    const ws = st.newWatchStream();
    unwrap(ws.watch({ key: ALL, rangeEnd: ALL, startRevision: st.compactRevision, prevKv: true }));
    st.syncWatchers();
    return ws.poll().flatMap((r) => r.events);
  });
  assert.deepEqual(events[1], events[0]);
});

test('snapshot: equal histories give equal bytes; an empty store round-trips', () => {
  assert.deepEqual(build().snapshot(), build().snapshot());
  const empty = new MvccStore();
  const c = MvccStore.fromSnapshot(empty.snapshot());
  assert.equal(c.currentRevision, 1);
  assert.equal(c.compactRevision, -1);
  assert.deepEqual(c.snapshot(), empty.snapshot());
});

test('snapshot: restoring does not keep references into the snapshot buffer', () => {
  const bytes = build().snapshot();
  const c = MvccStore.fromSnapshot(bytes);
  const before = unwrap(c.range({ key: ALL, rangeEnd: ALL })).kvs.map(kvt);
  bytes.fill(0);
  assert.deepEqual(unwrap(c.range({ key: ALL, rangeEnd: ALL })).kvs.map(kvt), before);
});

const packr = new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: false });
const snap = (x: unknown): Uint8Array => new Uint8Array(packr.pack(x));
const k = (s: string): Uint8Array => b(s);

const corrupt: [string, Uint8Array][] = [
  ['not msgpack', new Uint8Array([0xc1, 0xc1])],
  ['truncated', build().snapshot().subarray(0, 40)],
  ['wrong format version', snap([2, 1, -1, [], []])],
  ['wrong shape', snap({ rev: 1 })],
  ['revision gap', snap([1, 3, -1, [[k('a'), 2, 0, 0, 2, 1, k('v'), 0n]], []])],
  ['keys out of order', snap([1, 3, -1, [[k('b'), 2, 0, 0, 2, 1, k('v'), 0n], [k('a'), 3, 0, 0, 3, 1, k('v'), 0n]], []])],
  ['revision beyond current', snap([1, 2, -1, [[k('a'), 3, 0, 0, 3, 1, k('v'), 0n]], []])],
  ['tombstone with a value', snap([1, 2, -1, [[k('a'), 2, 0, 1, 0, 0, k('v'), 0n]], []])],
  ['sub-revision gap', snap([1, 2, -1, [[k('a'), 2, 1, 0, 2, 1, k('v'), 0n]], []])],
  ['key on a missing lease', snap([1, 2, -1, [[k('a'), 2, 0, 0, 2, 1, k('v'), 9n]], []])],
  ['lease id 0', snap([1, 1, -1, [], [0n, 5, 0]])],
  ['lease id not int64', snap([1, 1, -1, [], [5, 5, 0]])],
  ['compaction above current', snap([1, 1, 4, [], []])],
];

for (const [name, bytes] of corrupt) {
  test(`snapshot: corrupt input is refused loudly and changes nothing (${name})`, () => {
    assert.throws(() => MvccStore.fromSnapshot(bytes), MvccInvariantError);
    const live = build();
    const before = live.snapshot();
    assert.throws(() => live.restore(bytes), MvccInvariantError);
    assert.deepEqual(live.snapshot(), before);
  });
}

test('snapshot: a hand-built valid snapshot restores (the format is as documented)', () => {
  const s = MvccStore.fromSnapshot(snap([1, 3, -1,
    [[k('a'), 2, 0, 0, 2, 1, k('v1'), 0n, 3, 0, 0, 2, 2, k('v2'), 7n]], [7n, 10, 4]]));
  assert.deepEqual(unwrap(s.range({ key: k('a') })).kvs.map(kvt), [['a', 'v2', 2, 3, 2, 7n]]);
  assert.deepEqual(s.leaseTimeToLive(7n, true).ttlSeconds, 4);
});
