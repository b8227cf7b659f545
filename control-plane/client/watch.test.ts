import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { params, seed } from '../api/testing/fc.js';
import type { WatchEvent } from '../api/index.js';
import { LineDecoder, WatchDecoder } from './watch.js';
import { ApiClient } from './rest-client.js';
import { findResource } from '../api/index.js';
import { ApiError, SizeLimitError, WatchDecodeError, isGone } from './errors.js';

test.after(() => console.log(`watch decoder properties ran with FC_SEED=${seed}`));

const PODS = findResource('', 'pods')!;

const eventArb = fc.record({
  type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'),
  object: fc.record({
    metadata: fc.record({ name: fc.string({ maxLength: 12 }), resourceVersion: fc.nat().map(String) }),
    data: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.integer())),
  }),
}) as fc.Arbitrary<WatchEvent<unknown>>;

/** Cuts `buf` at the given offsets (sorted, deduplicated). */
function cut(buf: Buffer, points: number[]): Buffer[] {
  const offs = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const o of offs) { parts.push(buf.subarray(prev, o)); prev = o; }
  parts.push(buf.subarray(prev));
  return parts;
}

test('watch decoder: any chunking of an NDJSON stream yields the same events (fast-check)', () => {
  fc.assert(fc.property(fc.array(eventArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 40 }),
    fc.boolean(), (events, points, trailingNewline) => {
      const text = events.map((e) => JSON.stringify(e)).join('\n') + (trailingNewline ? '\n' : '');
      const dec = new WatchDecoder();
      const got: WatchEvent<unknown>[] = [];
      for (const chunk of cut(Buffer.from(text, 'utf8'), points)) got.push(...dec.push(chunk));
      const last = dec.end();
      if (last !== undefined) got.push(last);
      assert.deepEqual(got, JSON.parse(JSON.stringify(events)));
    }), params(500));
});

test('watch decoder: several events in one chunk, one event over many, multi-byte characters split', () => {
  const a = { type: 'ADDED', object: { metadata: { name: 'é漢😀' } } };
  const b = { type: 'DELETED', object: { metadata: { name: 'b' } } };
  const bytes = Buffer.from(`${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n`, 'utf8');
  const dec = new WatchDecoder();
  const got: WatchEvent<unknown>[] = [];
  for (let i = 0; i < bytes.length; i++) got.push(...dec.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(got, [a, b]);
  assert.deepEqual(new WatchDecoder().push(bytes), [a, b]);
});

test('watch decoder: a line longer than the bound is refused, even before its newline', () => {
  const dec = new LineDecoder(10);
  assert.deepEqual(dec.push(Buffer.from('0123456789\n')), ['0123456789']);
  dec.push(Buffer.from('01234'));
  assert.throws(() => dec.push(Buffer.from('567890')), SizeLimitError);
});

test('watch decoder: non-JSON and non-event lines are WatchDecodeErrors', () => {
  assert.throws(() => new WatchDecoder().push(Buffer.from('nope\n')), WatchDecodeError);
  assert.throws(() => new WatchDecoder().push(Buffer.from('{"type":"SOMETHING","object":{}}\n')), WatchDecodeError);
  assert.throws(() => new WatchDecoder().push(Buffer.from('{"type":"ADDED"}\n')), WatchDecodeError);
});

/** A local server that answers a watch with the given chunks, then ends (or hangs). */
async function withServer(handler: http.RequestListener, fn: (url: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

test('watch stream: events arrive across chunks; the query carries the options; the stream ends with the server', async () => {
  let url = '';
  await withServer((req, res) => {
    url = req.url ?? '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n{"type":"MOD');
    setTimeout(() => {
      res.write('IFIED","object":{"metadata":{"name":"a","resourceVersion":"6"}}}\n');
      res.end('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n');
    }, 10);
  }, async (server) => {
    const client = new ApiClient({ server });
    const got: string[] = [];
    const w = client.watch(PODS, { namespace: 'ns1', resourceVersion: '4', allowWatchBookmarks: true, timeoutSeconds: 30,
      labelSelector: 'app=x' });
    for await (const ev of w) got.push(`${ev.type}:${ev.object.metadata?.resourceVersion}`);
    assert.deepEqual(got, ['ADDED:5', 'MODIFIED:6', 'BOOKMARK:9']);
    const u = new URL(url, server);
    assert.equal(u.pathname, '/api/v1/namespaces/ns1/pods');
    assert.equal(u.searchParams.get('watch'), 'true');
    assert.equal(u.searchParams.get('resourceVersion'), '4');
    assert.equal(u.searchParams.get('allowWatchBookmarks'), 'true');
    assert.equal(u.searchParams.get('timeoutSeconds'), '30');
    assert.equal(u.searchParams.get('labelSelector'), 'app=x');
    client.close();
  });
});

test('watch stream: an ERROR event surfaces as an ApiError (410 Gone)', async () => {
  await withServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
    res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 } }) + '\n');
  }, async (server) => {
    const client = new ApiClient({ server });
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const ev of client.watch(PODS, {})) got.push(ev.type);
    }, (e: unknown) => e instanceof ApiError && e.code === 410 && e.reason === 'Expired' && !isGone(e));
    assert.deepEqual(got, ['ADDED']);
    client.close();
  });
});

test('watch stream: close() ends a hanging stream cleanly; a non-2xx answer is an ApiError', async () => {
  await withServer((req, res) => {
    if (req.url?.includes('forbidden') === true || req.url?.includes('/secrets') === true) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'no', reason: 'Forbidden',
        code: 403 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
  }, async (server) => {
    const client = new ApiClient({ server });
    const w = client.watch(PODS, {});
    const got: string[] = [];
    const start = performance.now();
    for await (const ev of w) {
      got.push(ev.type);
      setTimeout(() => w.close(), 10);
    }
    assert.deepEqual(got, ['ADDED']);
    assert.ok(performance.now() - start < 1000);
    await assert.rejects(async () => {
      for await (const _ of client.watch(findResource('', 'secrets')!, {})) { /* none */ }
    }, (e: unknown) => e instanceof ApiError && e.code === 403 && e.reason === 'Forbidden');
    client.close();
  });
});
