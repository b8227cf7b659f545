import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { EtcdBackend } from '../backend.js';
import { etcdError } from '../errors.js';
import { CallTracker, unary, type ApiLogger, type ServiceContext } from './common.js';

function context(): { ctx: ServiceContext; logged: string[] } {
  const logged: string[] = [];
  const log = (_f: object, m: string): void => {
    logged.push(m);
  };
  const logger: ApiLogger = { debug: log, info: log, warn: log, error: log };
  const tracker = new CallTracker({ watch: 1, keepalive: 1, snapshot: 1 });
  return { ctx: { backend: {} as EtcdBackend, clusterId: 1n, memberId: 2n, logger, tracker }, logged };
}

/** Run one call; resolves with what the callback got, once the call no longer counts as in flight. */
async function call(ctx: ServiceContext, fn: () => Promise<object>, throwing = false):
  Promise<{ err: { code?: number; details?: string } | null; resp?: object }> {
  let got: { err: { code?: number; details?: string } | null; resp?: object } | undefined;
  unary(ctx, 'Test', fn)({ request: {} } as ServerUnaryCall<object, object>, (err, resp) => {
    got = { err: err as { code?: number; details?: string } | null, resp: resp ?? undefined };
    if (throwing) throw new Error('socket gone');
  });
  assert.equal(ctx.tracker.inflightUnary, 1, 'in flight until answered');
  assert.equal(await ctx.tracker.drainUnary(1000), true);
  assert.ok(got, 'answered');
  return got;
}

test('unary: the answer, etcd errors, thrown errors and a failing send all end the call exactly once', async () => {
  const { ctx, logged } = context();
  assert.deepEqual(await call(ctx, async () => ({ ok: 1 })), { err: null, resp: { ok: 1 } });
  const refused = await call(ctx, () => Promise.reject(etcdError('tooManyRequests')));
  assert.equal(refused.err?.code, GrpcStatus.RESOURCE_EXHAUSTED);
  assert.equal(refused.err?.details, 'etcdserver: too many requests');
  const sync = await call(ctx, () => {
    throw etcdError('noSpace');
  });
  assert.equal(sync.err?.code, GrpcStatus.RESOURCE_EXHAUSTED);
  assert.deepEqual(logged, []);
  const bug = await call(ctx, () => Promise.reject(new Error('boom')));
  assert.deepEqual([bug.err?.code, bug.err?.details], [GrpcStatus.UNKNOWN, 'boom']);
  assert.deepEqual(logged, ['unexpected error serving an etcd API call']);
  await call(ctx, async () => ({}), true);
  assert.deepEqual(logged.slice(1), ['failed to send a reply']);
  assert.equal(ctx.tracker.inflightUnary, 0);
  ctx.tracker.beginClose();
  let closed: unknown;
  unary(ctx, 'Test', async () => ({}))({ request: {} } as ServerUnaryCall<object, object>, (err) => (closed = err));
  assert.equal((closed as { details: string }).details, 'etcdserver: server stopped');
  assert.equal(ctx.tracker.inflightUnary, 0);
});
