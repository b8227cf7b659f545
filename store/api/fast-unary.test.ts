// The KV fast path on the wire, with a raw HTTP/2 client: the same headers, trailers and
// errors grpc-js would send; malformed, compressed and abandoned calls.
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { MethodDefinition } from '@grpc/grpc-js';
import { MAX_RECEIVE_MESSAGE_BYTES } from './limits.js';
import { loadEtcdPackage } from './proto.js';
import { startLocalServer, type LocalServer } from './testing/harness.js';

type Method = MethodDefinition<object, Record<string, unknown>>;
const kv = loadEtcdPackage()['etcdserverpb.KV'] as unknown as Record<string, Method>;

interface Answer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
}

function frame(message: Buffer, compressed = false): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

function rawCall(session: ClientHttp2Session, path: string, body: Buffer, extra: Record<string, string> = {}):
  Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({
      ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra,
    });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => { headers = h; });
    req.on('trailers', (t) => { trailers = t; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    req.end(body);
  });
}

/** grpc-status and grpc-message, wherever they came (trailers, or headers of a trailers-only answer). */
function statusOf(a: Answer): { code: string | undefined; message: string } {
  const code = (a.trailers['grpc-status'] ?? a.headers['grpc-status']) as string | undefined;
  const message = decodeURI(String(a.trailers['grpc-message'] ?? a.headers['grpc-message'] ?? ''));
  return { code, message };
}

describe('KV fast path', () => {
  let srv: LocalServer;
  let session: ClientHttp2Session;

  before(async () => {
    srv = await startLocalServer();
    session = connect(`http://${srv.endpoint}`);
  });

  after(async () => {
    session?.close();
    await srv?.close();
  });

  test('a put and a range: grpc-js headers, one message, grpc-status 0 in the trailers', async () => {
    const put = await rawCall(session, kv['Put']!.path,
      frame(kv['Put']!.requestSerialize({ key: Buffer.from('k'), value: Buffer.from('v') })));
    assert.equal(put.headers[':status'], 200);
    assert.equal(put.headers['content-type'], 'application/grpc+proto');
    assert.deepEqual(statusOf(put), { code: '0', message: 'OK' });
    const got = await rawCall(session, kv['Range']!.path, frame(kv['Range']!.requestSerialize({ key: Buffer.from('k') })));
    assert.deepEqual(statusOf(got), { code: '0', message: 'OK' });
    assert.equal(got.body.readUInt32BE(1), got.body.length - 5);
    const resp = kv['Range']!.responseDeserialize(got.body.subarray(5));
    const kvs = resp['kvs'] as { value: Buffer }[];
    assert.equal(kvs.length, 1);
    assert.equal(kvs[0]!.value.toString(), 'v');
  });

  test('an etcd error is a trailers-only answer with its code and message', async () => {
    const a = await rawCall(session, kv['Range']!.path,
      frame(kv['Range']!.requestSerialize({ key: Buffer.from('k'), revision: '1000000' })));
    assert.equal(a.body.length, 0);
    assert.deepEqual(statusOf(a), { code: '11', message: 'etcdserver: mvcc: required revision is a future revision' });
  });

  test('two messages, or a compressed flag without an encoding, are refused (INTERNAL)', async () => {
    const one = frame(kv['Range']!.requestSerialize({ key: Buffer.from('k') }));
    assert.equal(statusOf(await rawCall(session, kv['Range']!.path, Buffer.concat([one, one]))).code, '13');
    const flagged = frame(kv['Range']!.requestSerialize({ key: Buffer.from('k') }), true);
    assert.equal(statusOf(await rawCall(session, kv['Range']!.path, flagged)).code, '13');
  });

  test('a message over the receive bound is refused (RESOURCE_EXHAUSTED), by its prefix or by what arrives', async () => {
    const declaredTooLarge = Buffer.alloc(5 + 16);
    declaredTooLarge.writeUInt32BE(MAX_RECEIVE_MESSAGE_BYTES + 1, 1);
    assert.equal(statusOf(await rawCall(session, kv['Put']!.path, declaredTooLarge)).code, '8');
    const lying = Buffer.alloc(5 + MAX_RECEIVE_MESSAGE_BYTES + 1024);
    lying.writeUInt32BE(16, 1); // says 16 bytes, sends more than the bound
    assert.equal(statusOf(await rawCall(session, kv['Put']!.path, lying)).code, '8');
    // The fast path still serves the next call.
    const ok = await rawCall(session, kv['Range']!.path, frame(kv['Range']!.requestSerialize({ key: Buffer.from('k') })));
    assert.equal(statusOf(ok).code, '0');
  });

  test('a gzip-compressed call is left to grpc-js, which serves it', async () => {
    const body = frame(gzipSync(kv['Range']!.requestSerialize({ key: Buffer.from('k') })), true);
    const a = await rawCall(session, kv['Range']!.path, body, { 'grpc-encoding': 'gzip' });
    assert.deepEqual(statusOf(a), { code: '0', message: 'OK' });
    // grpc-js's answer, for comparison: the fast path sends the same headers and trailers.
    const fast = await rawCall(session, kv['Range']!.path, frame(kv['Range']!.requestSerialize({ key: Buffer.from('k') })));
    const names = (h: IncomingHttpHeaders) => Object.keys(h).filter((n) => n !== 'date').sort();
    assert.deepEqual(names(fast.headers), names(a.headers));
    assert.deepEqual(names(fast.trailers), names(a.trailers));
  });

  test('a call the client abandons does not disturb the next ones', async () => {
    const req = session.request({ ':method': 'POST', ':path': kv['Range']!.path, 'content-type': 'application/grpc' });
    req.write(frame(kv['Range']!.requestSerialize({ key: Buffer.from('k') })).subarray(0, 3));
    req.close(); // RST_STREAM before the request is complete
    await new Promise((r) => req.on('close', r));
    const a = await rawCall(session, kv['Range']!.path, frame(kv['Range']!.requestSerialize({ key: Buffer.from('k') })));
    assert.deepEqual(statusOf(a), { code: '0', message: 'OK' });
  });
});
