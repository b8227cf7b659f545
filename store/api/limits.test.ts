// The request size bound: a write over MAX_REQUEST_BYTES is refused with etcd's "request is
// too large"; past the gRPC receive limit (bound + etcd's 512 KiB overhead) gRPC itself
// refuses it with RESOURCE_EXHAUSTED, as grpc-go does for etcd.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { call, connectClients, startLocalServer, type EtcdClients, type LocalServer } from './testing/harness.js';
import { MAX_RECEIVE_MESSAGE_BYTES, MAX_REQUEST_BYTES } from './limits.js';

const key = (s: string): Buffer => Buffer.from(s);
const TOO_LARGE = 'etcdserver: request is too large';

describe('request size bound', () => {
  let srv: LocalServer;
  let c: EtcdClients;

  before(async () => {
    srv = await startLocalServer();
    c = connectClients(srv.endpoint);
  });

  after(async () => {
    c?.close();
    await srv?.close();
  });

  test('etcd defaults: 1.5 MiB requests, 2 MiB on the wire', () => {
    assert.equal(MAX_REQUEST_BYTES, 1_572_864);
    assert.equal(MAX_RECEIVE_MESSAGE_BYTES, 2_097_152);
  });

  test('a put just under the bound is stored; just over it is refused and not applied', async () => {
    await call(c.kv, 'Put', { key: key('fits'), value: Buffer.alloc(MAX_REQUEST_BYTES - 64, 'a') });
    const r = await call(c.kv, 'Range', { key: key('fits'), keys_only: true });
    assert.equal((r['kvs'] as unknown[]).length, 1);
    await assert.rejects(call(c.kv, 'Put', { key: key('big'), value: Buffer.alloc(MAX_REQUEST_BYTES, 'b') }),
      (e: ServiceError) => e.code === status.INVALID_ARGUMENT && e.details === TOO_LARGE);
    const gone = await call(c.kv, 'Range', { key: key('big') });
    assert.deepEqual(gone['kvs'], []);
  });

  test('a txn whose puts exceed the bound is refused; a big read-only request is not size-checked', async () => {
    const half = Buffer.alloc(MAX_REQUEST_BYTES / 2 + 16, 'c');
    await assert.rejects(call(c.kv, 'Txn', {
      success: [{ request_put: { key: key('t1'), value: half } }, { request_put: { key: key('t2'), value: half } }],
    }), (e: ServiceError) => e.code === status.INVALID_ARGUMENT && e.details === TOO_LARGE);
    // etcd serves read-only txns without a proposal, so only the gRPC limit applies to them.
    const ro = await call(c.kv, 'Txn', { success: [{ request_range: { key: Buffer.alloc(MAX_REQUEST_BYTES + 16, 'k') } }] });
    assert.equal(ro['succeeded'], true);
  });

  test('past the gRPC receive limit, gRPC refuses with RESOURCE_EXHAUSTED', async () => {
    await assert.rejects(call(c.kv, 'Put', { key: key('huge'), value: Buffer.alloc(MAX_RECEIVE_MESSAGE_BYTES + 1, 'd') }),
      (e: ServiceError) => e.code === status.RESOURCE_EXHAUSTED);
    // The connection is still usable afterwards.
    await call(c.kv, 'Put', { key: key('after'), value: key('ok') });
  });
});
