// Unit tests of the pure pieces: etcd's txn checks, watch fragmentation, the snapshot file
// envelope, re-chunking, and the call tracker's bounds.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkIntervals, checkTxnRequest, isReadOnlyTxn } from './validate.js';
import type { Event, PutRequest, RequestOp, TxnRequest } from './backend.js';
import { fragmentEvents } from './services/watch.js';
import { rechunk } from './services/maintenance.js';
import { CallTracker } from './services/common.js';
import { envelopeChunks, envelopeSizeBytes, readSnapshotFile, SnapshotFileError } from './snapshot-file.js';
import { EtcdErrors, errorByMessage } from './errors.js';

const b = (s: string): Uint8Array => Buffer.from(s);
const put = (k: string): RequestOp => ({ put: { key: b(k), value: b(''), lease: 0n, prevKv: false, ignoreValue: false,
  ignoreLease: false } satisfies PutRequest });
const del = (k: string, end = ''): RequestOp => ({ deleteRange: { key: b(k), rangeEnd: b(end), prevKv: false } });
const txn = (success: RequestOp[], failure: RequestOp[] = []): TxnRequest => ({ compare: [], success, failure });

describe('txn checks (etcd v3rpc checkTxnRequest / checkIntervals)', () => {
  test('op budget: the longest list counts; nested txns get what is left', () => {
    assert.equal(checkTxnRequest(txn([put('a'), put('b')]), 2), null);
    assert.equal(checkTxnRequest(txn([put('a'), put('b'), put('c')]), 2), 'tooManyOps');
    const nested = txn([{ txn: txn([put('x'), put('y')]) }]);
    assert.equal(checkTxnRequest(nested, 3), null);
    assert.equal(checkTxnRequest(nested, 2), 'tooManyOps');
  });

  test('overlaps: put twice, put inside a deleted range, then/else repeats', () => {
    assert.equal(typeof checkIntervals([put('a'), put('a')]), 'string');
    assert.equal(typeof checkIntervals([del('a', 'c'), put('b')]), 'string');
    assert.equal(typeof checkIntervals([del('a', 'c'), put('c')]), 'object');
    assert.equal(typeof checkIntervals([del('b'), put('b')]), 'string');
    // etcd does not widen a "\0" range end, so such a delete never conflicts.
    assert.equal(typeof checkIntervals([{ deleteRange: { key: b('a'), rangeEnd: new Uint8Array([0]), prevKv: false } },
      put('b')]), 'object');
    assert.equal(typeof checkIntervals([{ txn: txn([put('n')], [put('n')]) }]), 'object');
    assert.equal(typeof checkIntervals([{ txn: txn([put('n')]) }, put('n')]), 'string');
    assert.equal(typeof checkIntervals([{ txn: txn([del('m', 'o')]) }, put('n')]), 'string');
  });

  test('read-only txns', () => {
    const range: RequestOp = { range: { key: b('k'), rangeEnd: b(''), limit: 0n, revision: 0n, sortOrder: 0, sortTarget: 0,
      serializable: false, keysOnly: false, countOnly: false, minModRevision: 0n, maxModRevision: 0n,
      minCreateRevision: 0n, maxCreateRevision: 0n } };
    assert.equal(isReadOnlyTxn(txn([range], [{ txn: txn([range]) }])), true);
    assert.equal(isReadOnlyTxn(txn([range], [{ txn: txn([put('x')]) }])), false);
  });
});

describe('errors', () => {
  test('the catalogue finds an entry by etcd message', () => {
    assert.equal(errorByMessage('etcdserver: no leader'), EtcdErrors.noLeader);
    assert.equal(errorByMessage('nope'), undefined);
    assert.equal(EtcdErrors.noSpace.grpcCode, 'RESOURCE_EXHAUSTED');
  });
});

describe('watch fragments', () => {
  const ev = (n: number): Event => ({ type: 0, kv: { key: b('k'), value: new Uint8Array(n), createRevision: 1n,
    modRevision: 1n, version: 1n, lease: 0n } });

  test('events are split below the bound; one event is never split', () => {
    assert.deepEqual(fragmentEvents([ev(400), ev(400), ev(400)], 1000).map((p) => p.length), [2, 1]);
    assert.deepEqual(fragmentEvents([ev(5000)], 1000).map((p) => p.length), [1]);
    assert.deepEqual(fragmentEvents([ev(5000), ev(10)], 1000).map((p) => p.length), [1, 1]);
  });
});

describe('snapshot file', () => {
  async function file(payload: Uint8Array, version: string): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    async function* one(): AsyncGenerator<Uint8Array> {
      yield payload;
    }
    for await (const p of envelopeChunks(one(), BigInt(payload.length), version)) parts.push(p);
    const body = Buffer.concat(parts);
    assert.equal(BigInt(body.length), envelopeSizeBytes(BigInt(payload.length)));
    return Buffer.concat([body, createHash('sha256').update(body).digest()]);
  }

  test('round trip at several sizes; 512-aligned with the checksum after', async () => {
    for (const n of [0, 1, 511, 512, 513, 5000]) {
      const payload = Buffer.alloc(n, 7);
      const f = await file(payload, 'flotilla-mvcc/1');
      assert.equal(f.length % 512, 32);
      const back = readSnapshotFile(f);
      assert.equal(back.version, 'flotilla-mvcc/1');
      assert.deepEqual(Buffer.from(back.payload), payload);
    }
  });

  test('corruption is detected', async () => {
    const f = await file(Buffer.from('payload'), 'v');
    const flipped = Buffer.from(f);
    flipped[600] = (flipped[600] as number) ^ 1;
    assert.throws(() => readSnapshotFile(flipped), SnapshotFileError);
    assert.throws(() => readSnapshotFile(f.subarray(0, f.length - 1)), SnapshotFileError);
  });

  test('rechunk cuts a byte stream into fixed pieces', async () => {
    async function* src(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(5);
      yield new Uint8Array(0);
      yield new Uint8Array(7);
    }
    const sizes: number[] = [];
    for await (const c of rechunk(src(), 4)) sizes.push(c.length);
    assert.deepEqual(sizes, [4, 4, 4]);
  });
});

describe('call tracker', () => {
  test('bounds streams, refuses everything once closing, ends open streams', async () => {
    const t = new CallTracker({ watch: 1, keepalive: 1, snapshot: 1 });
    const aborted: string[] = [];
    const s = { abort: (e: Error) => aborted.push(e.message) };
    assert.equal(t.addStream('watch', s), null);
    assert.equal(t.addStream('watch', { abort: () => undefined })?.message, 'etcdserver: too many requests');
    assert.equal(t.beginUnary(), null);
    const drained = t.drainUnary(1000);
    t.beginClose();
    assert.deepEqual(aborted, ['etcdserver: server stopped']);
    assert.equal(t.beginUnary()?.message, 'etcdserver: server stopped');
    t.endUnary();
    assert.equal(await drained, true);
  });
});
