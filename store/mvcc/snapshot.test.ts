// Snapshots: exact round trips (revisions, compaction point, tombstones, leases and
// checkpoints), determinism, and loud refusal of corrupt input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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

// ---- snapshots encoded in steps while the store keeps changing ----------------------------

/** The layout as one msgpack value, packed at once: the reference the stepped encoder must match. */
function referenceSnapshot(s: MvccStore): Uint8Array {
  const top = packr.unpack(s.snapshot()) as unknown[];
  return snap(top);
}

test('snapshot: steps of any size give the bytes of packing the whole state at once, prefix and all', () => {
  const s = build();
  for (let i = 0; i < 40; i++) unwrap(s.put({ key: b(`many/${i}`), value: new Uint8Array(i * 700).fill(i) }));
  unwrap(s.put({ key: b('big'), value: new Uint8Array(70_000).fill(1) })); // bin 32
  unwrap(s.put({ key: new Uint8Array(300).fill(0x61), value: b('long key') })); // bin 16 key
  const whole = referenceSnapshot(s);
  assert.deepEqual(s.snapshot(), whole);
  for (const stepRevisions of [1, 2, 7, 1000]) {
    const steps = s.snapshotSteps({ stepRevisions, prefix: (n) => b(`size=${n};`) });
    let yields = 0;
    let r = steps.next();
    for (; r.done !== true; r = steps.next()) yields++;
    assert.deepEqual(r.value, new Uint8Array([...b(`size=${whole.length};`), ...whole]), `step ${stepRevisions}`);
    if (stepRevisions === 1) assert.ok(yields > 80, 'one revision per step yields often');
  }
});

test('snapshot: large revisions and versions encode as msgpackr would', () => {
  const s = MvccStore.fromSnapshot(snap([1, 2 ** 40, 2 ** 40 - 1,
    [[k('a'), 2 ** 40 - 1, 0, 0, 2 ** 33, 70_000, k('v'), -5n, 2 ** 40, 0, 0, 2 ** 33, 70_001, k('w'), -5n],
      [k('b'), 2 ** 40, 1, 0, 300, 1, k('x'), 0n]],
    [-5n, 10, 4]]));
  assert.deepEqual(s.snapshot(), referenceSnapshot(s));
});

type Op = { put: [number, number] } | { del: number } | { compact: number } | { step: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ put: fc.tuple(fc.nat(11), fc.nat(3)) }) },
  { weight: 2, arbitrary: fc.record({ del: fc.nat(11) }) },
  { weight: 1, arbitrary: fc.record({ compact: fc.nat(100) }) },
  { weight: 3, arbitrary: fc.record({ step: fc.nat(5) }) },
);

function applyOp(s: MvccStore, op: Op): void {
  if ('put' in op) unwrap(s.put({ key: b(`k${op.put[0]}`), value: b(`v${op.put[1]}`) }));
  else if ('del' in op) unwrap(s.deleteRange({ key: b(`k${op.del}`) }));
  else if ('compact' in op) {
    // Anywhere from just above the last compaction to the present: past the snapshot's revision too.
    const lo = Math.max(s.compactRevision + 1, 2);
    if (lo <= s.currentRevision) unwrap(s.compact({ revision: lo + (op.compact % (s.currentRevision - lo + 1)) }));
  }
}

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FC_RUNS ?? 150);

test(`snapshot: encoded while puts, deletes and compactions continue, it is the state at capture (seed ${seed})`, () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), fc.array(opArb, { maxLength: 60 }), (before, during) => {
    const s = new MvccStore();
    unwrap(s.leaseGrant({ id: 3n, ttlSeconds: 30 }));
    for (const op of before) applyOp(s, op);
    const expected = s.snapshot();
    const expectedRange = unwrap(s.range({ key: ALL, rangeEnd: ALL })).kvs.map(kvt);
    const steps = s.snapshotSteps({ stepRevisions: 1 });
    let r = steps.next();
    for (const op of during) {
      if ('step' in op) {
        for (let i = 0; i <= op.step && r.done !== true; i++) r = steps.next();
      } else {
        applyOp(s, op);
        unwrap(s.leaseRevoke(3n)); // lease changes after the capture must not show either
        unwrap(s.leaseGrant({ id: 3n, ttlSeconds: 10 }));
      }
    }
    while (r.done !== true) r = steps.next();
    const bytes = r.value;
    assert.deepEqual(bytes, expected, 'the bytes of a snapshot taken at capture');
    const restored = MvccStore.fromSnapshot(bytes);
    assert.deepEqual(unwrap(restored.range({ key: ALL, rangeEnd: ALL })).kvs.map(kvt), expectedRange);
    assert.deepEqual(restored.leaseTimeToLive(3n, false).ttlSeconds, 30);
  }), { seed, numRuns });
});
