// Snapshot deltas: a full snapshot plus the deltas taken after it replays to exactly the
// state a full snapshot taken then holds (byte for byte), across puts, deletes, txns with
// several changes, lease revokes and compactions; and a delta that does not fit is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MvccStore } from './store.js';
import { MvccInvariantError } from './errors.js';
import { applySnapshotDeltas, runSteps } from './snapshot.js';
import { SnapshotDeltaUnavailable } from './snapshot-encode.js';
import { b, unwrap } from './test-helpers.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`snapshot-delta fast-check seed=${seed} (rerun with FC_SEED=${seed})`);

const ALL = new Uint8Array([0]);
const LEASES = [7n, 8n, -9n];

type Op =
  | { op: 'put'; key: number; value: number; lease: number }
  | { op: 'del'; key: number }
  | { op: 'txn'; key: number; value: number }
  | { op: 'grant' | 'revoke'; lease: number }
  | { op: 'compact'; back: number }
  | { op: 'snap'; stepRevisions: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('put' as const), key: fc.nat(12), value: fc.nat(1000),
    lease: fc.nat(LEASES.length) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), key: fc.nat(12) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('txn' as const), key: fc.nat(12), value: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('grant' as const, 'revoke' as const),
    lease: fc.nat(LEASES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), back: fc.nat(30) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('snap' as const), stepRevisions: fc.integer({ min: 1, max: 8 }) }) },
);

/** Applies one op; errors that etcd would return (missing lease, bad compaction) are fine to ignore. */
function apply(s: MvccStore, o: Op): void {
  const key = (n: number) => b(`k${n}`);
  switch (o.op) {
    case 'put': {
      const lease = LEASES[o.lease] ?? 0n;
      s.put({ key: key(o.key), value: b(`v${o.value}`), lease });
      return;
    }
    case 'del':
      s.deleteRange({ key: key(o.key) });
      return;
    case 'txn': // two changes of one key in one revision, and a second key
      s.txn({ success: [{ requestDeleteRange: { key: key(o.key), rangeEnd: ALL } },
        { requestPut: { key: key(o.key), value: b(`t${o.value}`) } }, { requestPut: { key: b('z'), value: b('z') } }] });
      return;
    case 'grant':
      s.leaseGrant({ id: LEASES[o.lease]!, ttlSeconds: 30 });
      return;
    case 'revoke':
      s.leaseRevoke(LEASES[o.lease]!);
      return;
    case 'compact': {
      const rev = s.currentRevision - o.back;
      if (rev > s.compactRevision && rev >= 1) unwrap(s.compact({ revision: rev }));
      return;
    }
    case 'snap':
      return;
  }
}

test('snapshot deltas: base + deltas replays to the full snapshot, byte for byte, at every link', () => {
  let links = 0;
  let refused = 0;
  fc.assert(fc.property(fc.array(opArb, { minLength: 20, maxLength: 300, size: 'max' }), (ops) => {
    const s = new MvccStore();
    let base: Uint8Array | undefined;
    let sinceRev = 0;
    let deltas: Uint8Array[] = [];
    for (const o of ops) {
      apply(s, o);
      if (o.op !== 'snap') continue;
      const full = s.snapshot();
      const at = s.currentRevision;
      if (base !== undefined) {
        let steps: Generator<void, Uint8Array, void> | undefined;
        try {
          steps = s.snapshotSteps({ sinceRev, stepRevisions: o.stepRevisions });
        } catch (e) {
          assert.ok(e instanceof SnapshotDeltaUnavailable, String(e));
          assert.ok(s.compactRevision > sinceRev + 1, 'a delta is refused only when compaction passed its base');
          refused++;
        }
        if (steps !== undefined) {
          // Steps taken now and run only after more writes, and after a compaction at this revision
          // that drops the log records the delta holds, still encode this revision's changes.
          apply(s, { op: 'put', key: 1, value: 99, lease: LEASES.length });
          s.deleteRange({ key: b('k2') });
          if (at > s.compactRevision) unwrap(s.compact({ revision: at }));
          deltas.push(runSteps(steps));
          assert.deepEqual(applySnapshotDeltas(base, deltas), full);
          links++;
          sinceRev = at;
          continue;
        }
      }
      base = full; // the first snapshot, or a full one when no delta is possible
      deltas = [];
      sinceRev = at;
    }
    if (base !== undefined && deltas.length > 0) {
      const c = MvccStore.fromSnapshot(applySnapshotDeltas(base, deltas));
      assert.ok(c.currentRevision <= s.currentRevision);
    }
  }), { seed, numRuns: 100 });
  assert.ok(links > 100 && refused > 0, `links ${links}, refused ${refused}: the generator should exercise both`);
});

test('snapshot deltas: a delta applied to the wrong state, or altered, is refused', () => {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 7n, ttlSeconds: 30 }));
  for (let i = 0; i < 20; i++) unwrap(s.put({ key: b(`k${i % 5}`), value: b(`v${i}`), lease: i % 2 === 0 ? 7n : 0n }));
  const base = s.snapshot();
  const since = s.currentRevision;
  unwrap(s.deleteRange({ key: b('k1') }));
  unwrap(s.put({ key: b('k2'), value: b('new') }));
  unwrap(s.compact({ revision: since }));
  unwrap(s.leaseRevoke(7n));
  const delta = runSteps(s.snapshotSteps({ sinceRev: since }));
  const replayed = MvccStore.fromSnapshot(applySnapshotDeltas(base, [delta]));
  assert.equal(replayed.hash(), s.hash());
  assert.deepEqual(replayed.snapshot(), s.snapshot());
  assert.deepEqual(replayed.leaseLeases(), s.leaseLeases());
  // Twice in a row: the second does not start where the first left the state.
  assert.throws(() => applySnapshotDeltas(base, [delta, delta]), MvccInvariantError);
  // A flipped byte inside a recorded value or field: caught by the replay's checks or the decoder.
  const other = runSteps(s.snapshotSteps({ sinceRev: s.currentRevision }));
  assert.deepEqual(applySnapshotDeltas(s.snapshot(), [other]), s.snapshot(), 'an empty delta changes nothing');
  const version = Buffer.from(delta);
  const at = version.indexOf(Buffer.from('new')) - 3; // the version field right before the value's bin header
  version[at] = (version[at]! + 1) & 0x7f;
  assert.throws(() => applySnapshotDeltas(base, [version]), MvccInvariantError);
});

test('snapshot deltas: refused once compaction dropped revisions after the base', () => {
  const s = new MvccStore();
  for (let i = 0; i < 10; i++) unwrap(s.put({ key: b(`k${i % 3}`), value: b(`v${i}`) }));
  const since = s.currentRevision;
  for (let i = 0; i < 5; i++) unwrap(s.put({ key: b(`k${i % 3}`), value: b(`w${i}`) }));
  unwrap(s.compact({ revision: since + 1 }));
  assert.ok(runSteps(s.snapshotSteps({ sinceRev: since })).length > 0, 'compacting to since + 1 drops nothing after it');
  unwrap(s.compact({ revision: since + 3 }));
  assert.throws(() => s.snapshotSteps({ sinceRev: since }), SnapshotDeltaUnavailable);
});

test('snapshot deltas: a store restored from the chain directly has the leases attached to the keys as they are now', () => {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 7n, ttlSeconds: 30 }));
  unwrap(s.leaseGrant({ id: 8n, ttlSeconds: 60 }));
  unwrap(s.put({ key: b('a'), value: b('1'), lease: 7n }));
  unwrap(s.put({ key: b('b'), value: b('1'), lease: 8n }));
  const base = s.snapshot();
  const since = s.currentRevision;
  unwrap(s.put({ key: b('a'), value: b('2') })); // detached from 7
  unwrap(s.put({ key: b('c'), value: b('1'), lease: 7n }));
  unwrap(s.put({ key: b('b'), value: b('2'), lease: 7n })); // moved from 8 to 7
  const delta = runSteps(s.snapshotSteps({ sinceRev: since }));
  const r = new MvccStore();
  r.restoreChain(base, [delta]);
  assert.deepEqual(r.snapshot(), s.snapshot());
  for (const id of [7n, 8n]) {
    assert.deepEqual(r.leaseTimeToLive(id, true).keys, s.leaseTimeToLive(id, true).keys, `keys of lease ${id}`);
  }
  // Revoking deletes exactly the keys attached now.
  unwrap(r.leaseRevoke(7n));
  assert.deepEqual(unwrap(r.range({ key: b('a'), rangeEnd: b('z') })).kvs.map((kv) => Buffer.from(kv.key).toString()), ['a']);
});
