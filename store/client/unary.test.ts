// The bare HTTP/2 unary client against an in-process HTTP/2 server that answers the way gRPC
// servers do (and the ways they fail), then against a real store member: the status codes and
// details must be what grpc-js reports, since the client's retry rules are written on them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { loadEtcdPackage } from '../api/proto.js';
import { ProcessCluster } from '../server/testing/process-cluster.js';
import { GrpcCallError, UnaryChannel, type AnyMethod } from './unary.js';

const RANGE = (loadEtcdPackage()['etcdserverpb.KV'] as Record<string, AnyMethod>)['Range']!;
const MAX_RECEIVE_BYTES = 1024;

function frame(msg: Buffer): Buffer {
  const f = Buffer.alloc(5 + msg.length);
  f.writeUInt32BE(msg.length, 1);
  msg.copy(f, 5);
  return f;
}

type Behaviour = (s: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

async function rejection(p: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GrpcCallError, `a GrpcCallError, got ${String(e)}`);
    return e;
  }
  throw new Error('the call succeeded');
}

describe('UnaryChannel against an HTTP/2 server', () => {
  let server: http2.Http2Server;
  let behaviour: Behaviour = () => undefined;
  let channel: UnaryChannel;
  const serverSessions = new Set<http2.Http2Session>();
  const far = (): number => Date.now() + 10_000;

  before(async () => {
    server = http2.createServer();
    server.on('session', (s) => serverSessions.add(s));
    server.on('stream', (s, headers) => {
      s.on('error', () => undefined); // the resets some tests make
      behaviour(s, headers);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    channel = new UnaryChannel(`127.0.0.1:${(server.address() as AddressInfo).port}`, MAX_RECEIVE_BYTES);
  });
  after(async () => {
    channel.close();
    for (const s of serverSessions) s.destroy();
    await new Promise((r) => server.close(r));
  });

  test('an answer: the message decoded, the request sent as one gRPC message on the method path', async () => {
    let seen: { path: string; type: string; body: Buffer } | undefined;
    behaviour = (s, headers) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => {
        seen = { path: String(headers[':path']), type: String(headers['content-type']), body: Buffer.concat(chunks) };
        s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
        s.end(frame(RANGE.responseSerialize({ count: 7, kvs: [], more: false })));
      });
    };
    const r = await channel.call<{ count: string }>(RANGE, { key: Buffer.from('k') }, far());
    assert.equal(Number(r.count), 7);
    assert.equal(seen?.path, '/etcdserverpb.KV/Range');
    assert.equal(seen?.type, 'application/grpc');
    assert.deepEqual(seen?.body, frame(RANGE.requestSerialize({ key: Buffer.from('k') })));
  });

  test('an error status in a trailers-only answer, its message percent-decoded', async () => {
    behaviour = (s) => s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14',
      'grpc-message': 'etcdserver%3A no leader' }, { endStream: true });
    const e = await rejection(channel.call(RANGE, { key: Buffer.from('k') }, far()));
    assert.equal(e.code, status.UNAVAILABLE);
    assert.equal(e.details, 'etcdserver: no leader');
  });

  test('an HTTP error without grpc-status maps as gRPC says (503 → UNAVAILABLE)', async () => {
    behaviour = (s) => s.respond({ ':status': 503 }, { endStream: true });
    assert.equal((await rejection(channel.call(RANGE, {}, far()))).code, status.UNAVAILABLE);
  });

  test('a server that does not answer: DEADLINE_EXCEEDED at the deadline', async () => {
    behaviour = () => undefined;
    const e = await rejection(channel.call(RANGE, {}, Date.now() + 50));
    assert.equal(e.code, status.DEADLINE_EXCEEDED);
  });

  test('an answer over maxReceiveBytes is refused with RESOURCE_EXHAUSTED', async () => {
    behaviour = (s) => {
      s.respond({ ':status': 200, 'content-type': 'application/grpc' });
      s.end(frame(Buffer.alloc(MAX_RECEIVE_BYTES * 4)));
    };
    assert.equal((await rejection(channel.call(RANGE, {}, far()))).code, status.RESOURCE_EXHAUSTED);
  });

  test('a stream refused by the server is UNAVAILABLE (safe to retry); a reset otherwise INTERNAL', async () => {
    behaviour = (s) => s.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    assert.equal((await rejection(channel.call(RANGE, {}, far()))).code, status.UNAVAILABLE);
    behaviour = (s) => s.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
    assert.equal((await rejection(channel.call(RANGE, {}, far()))).code, status.INTERNAL);
  });

  test('the connection dropped mid-call is UNAVAILABLE, and the next call reconnects', async () => {
    behaviour = (s) => s.session?.destroy();
    const e = await rejection(channel.call(RANGE, {}, far()));
    assert.equal(e.code, status.UNAVAILABLE);
    behaviour = (s) => {
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
      s.end(frame(RANGE.responseSerialize({ count: 1 })));
    };
    assert.equal(Number((await channel.call<{ count: string }>(RANGE, {}, far())).count), 1);
  });

  test('after the server says GOAWAY, the next call opens a new connection', async () => {
    const sessions = new Set<http2.Http2Session>();
    behaviour = (s) => {
      sessions.add(s.session!);
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => {
        s.sendTrailers({ 'grpc-status': '0' });
        s.session?.goaway();
      });
      s.end(frame(RANGE.responseSerialize({ count: 2 })));
    };
    assert.equal(Number((await channel.call<{ count: string }>(RANGE, {}, far())).count), 2);
    await new Promise((r) => setImmediate(r));
    assert.equal(Number((await channel.call<{ count: string }>(RANGE, {}, far())).count), 2);
    assert.equal(sessions.size, 2);
  });

  test('nobody listening: UNAVAILABLE', async () => {
    const closed = http2.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const ch = new UnaryChannel(`127.0.0.1:${port}`, MAX_RECEIVE_BYTES);
    try {
      assert.equal((await rejection(ch.call(RANGE, {}, far()))).code, status.UNAVAILABLE);
    } finally {
      ch.close();
    }
  });
});

describe('UnaryChannel against a store member', () => {
  let c: ProcessCluster;
  before(async () => {
    c = await ProcessCluster.start({ size: 1 });
  });
  after(async () => c?.stopAll());

  test('a Range answers; an invalid request carries etcd\'s error code and text', async () => {
    const ch = new UnaryChannel(c.endpoint(c.members[0]!), 64 * 1024 * 1024);
    try {
      const r = await ch.call<{ header: { revision: string } }>(RANGE, { key: Buffer.from('/') }, Date.now() + 10_000);
      assert.ok(Number(r.header.revision) >= 1);
      const e = await rejection(ch.call(RANGE, { key: Buffer.alloc(0) }, Date.now() + 10_000));
      assert.equal(e.code, status.INVALID_ARGUMENT);
      assert.equal(e.details, 'etcdserver: key is not provided');
    } finally {
      ch.close();
    }
  });
});
