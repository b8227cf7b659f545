// Leases: grant/revoke/attach/checkpoint/time-to-live (etcd server/lease/lessor.go, with
// expiry decided outside the state machine).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MvccStore } from './store.js';
import { Errors } from './errors.js';
import { EventType } from './types.js';
import { b, expectError, str, unwrap } from './test-helpers.js';

test('lease grant: errors and TTL clamping like etcd', () => {
  const s = new MvccStore();
  expectError(s.leaseGrant({ id: 0n, ttlSeconds: 10 }), Errors.leaseNotFound);
  expectError(s.leaseGrant({ id: 1n, ttlSeconds: 9_000_000_001 }), Errors.leaseTtlTooLarge);
  assert.deepEqual(unwrap(s.leaseGrant({ id: 1n, ttlSeconds: 1 })), { revision: 1, id: 1n, ttlSeconds: 2 });
  expectError(s.leaseGrant({ id: 1n, ttlSeconds: 10 }), Errors.leaseExists);
  unwrap(s.leaseGrant({ id: -(2n ** 63n), ttlSeconds: 9_000_000_000 }));
  unwrap(s.leaseGrant({ id: 2n ** 63n - 1n, ttlSeconds: 30 }));
  assert.throws(() => s.leaseGrant({ id: 2n ** 63n, ttlSeconds: 30 }), /not an int64/);
  assert.throws(() => s.leaseGrant({ id: 8n, ttlSeconds: Number.NaN }), /not an int64/);
  assert.deepEqual(s.leaseLeases().leases.map((l) => l.id), [-(2n ** 63n), 1n, 2n ** 63n - 1n]);
  assert.equal(s.currentRevision, 1, 'granting does not change the key space');
});

test('lease revoke: deletes attached keys in one revision, in key order', () => {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 9n, ttlSeconds: 60 }));
  unwrap(s.put({ key: b('z'), value: b('1'), lease: 9n }));
  unwrap(s.put({ key: b('m'), value: b('2'), lease: 9n }));
  unwrap(s.put({ key: b('a'), value: b('3'), lease: 9n }));
  unwrap(s.put({ key: b('free'), value: b('4') }));
  const ws = s.newWatchStream();
  unwrap(ws.watch({ key: b('\u0000'), rangeEnd: new Uint8Array([0]) }));
  ws.poll();
  assert.deepEqual(unwrap(s.leaseRevoke(9n)), { revision: 6 });
  const [resp] = ws.poll();
  assert.equal(resp!.revision, 6);
  assert.deepEqual(resp!.events.map((e) => [e.type, str(e.kv.key), e.kv.modRevision]),
    [[EventType.DELETE, 'a', 6], [EventType.DELETE, 'm', 6], [EventType.DELETE, 'z', 6]]);
  assert.deepEqual(unwrap(s.range({ key: b('a'), rangeEnd: new Uint8Array([0]) })).kvs.map((kv) => str(kv.key)),
    ['free']);
  expectError(s.leaseRevoke(9n), Errors.leaseNotFound);
  assert.equal(s.leaseTimeToLive(9n).ttlSeconds, -1);
});

test('lease revoke without keys does not bump the revision', () => {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 3n, ttlSeconds: 60 }));
  assert.deepEqual(unwrap(s.leaseRevoke(3n)), { revision: 1 });
});

test('lease attach follows the key: re-put, delete, ignore_lease, move between leases', () => {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 1n, ttlSeconds: 60 }));
  unwrap(s.leaseGrant({ id: 2n, ttlSeconds: 60 }));
  const keys = (id: bigint): string[] => s.leaseTimeToLive(id, true).keys.map(str);
  unwrap(s.put({ key: b('k'), value: b('v'), lease: 1n }));
  unwrap(s.put({ key: b('j'), value: b('v'), lease: 1n }));
  assert.deepEqual(keys(1n), ['j', 'k']);
  unwrap(s.put({ key: b('k'), value: b('w'), ignoreLease: true }));
  assert.deepEqual(keys(1n), ['j', 'k']);
  unwrap(s.put({ key: b('k'), value: b('v'), lease: 2n }));
  assert.deepEqual([keys(1n), keys(2n)], [['j'], ['k']]);
  unwrap(s.put({ key: b('j'), value: b('v') }));
  assert.deepEqual(keys(1n), [], 'a put without a lease detaches');
  unwrap(s.deleteRange({ key: b('k') }));
  assert.deepEqual(keys(2n), []);
  unwrap(s.leaseRevoke(2n));
  assert.equal(s.currentRevision, 7, 'nothing was attached any more: no revision for the revoke');
});

test('lease checkpoint and time-to-live', () => {
  const s = new MvccStore();
  unwrap(s.leaseGrant({ id: 4n, ttlSeconds: 100 }));
  unwrap(s.put({ key: b('x'), lease: 4n }));
  assert.deepEqual(s.leaseTimeToLive(4n), { revision: 2, id: 4n, ttlSeconds: 100, grantedTtlSeconds: 100, keys: [] });
  unwrap(s.leaseCheckpoint([{ id: 4n, remainingTtlSeconds: 42 }, { id: 99n, remainingTtlSeconds: 1 }]));
  const ttl = s.leaseTimeToLive(4n, true);
  assert.deepEqual([ttl.ttlSeconds, ttl.grantedTtlSeconds, ttl.keys.map(str)], [42, 100, ['x']]);
  assert.deepEqual(s.leaseLeases().leases, [{ id: 4n, grantedTtlSeconds: 100, remainingTtlSeconds: 42 }]);
  // A renewal is checkpointed as 0: the full TTL applies again (etcd lessor.Renew).
  unwrap(s.leaseCheckpoint([{ id: 4n, remainingTtlSeconds: 0 }]));
  assert.equal(s.leaseTimeToLive(4n).ttlSeconds, 100);
  // Checkpoints survive a snapshot, so a new leader resumes from them.
  unwrap(s.leaseCheckpoint([{ id: 4n, remainingTtlSeconds: 7 }]));
  const restored = MvccStore.fromSnapshot(s.snapshot());
  assert.deepEqual(restored.leaseTimeToLive(4n, true).ttlSeconds, 7);
  assert.deepEqual(restored.leaseTimeToLive(4n, true).keys.map(str), ['x']);
  unwrap(restored.leaseRevoke(4n));
  assert.equal(unwrap(restored.range({ key: b('x') })).count, 0);
});
