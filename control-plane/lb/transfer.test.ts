// Integration: 10 MiB through the balancer in both directions at once, byte for byte, and
// back-pressure: a slow reader on either side makes the balancer stop reading from the
// other, so its own buffers stay small whatever the transfer size.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { LoadBalancer } from './lb.js';
import { lbOptions, sha256OfPattern, silentLogger, sleep, startBackend, writePattern } from './testing/backends.js';

const TRANSFER_BYTES = 10 * 1024 * 1024;
/** Most bytes the balancer may hold in user space while a peer is slow: a few socket buffers, not the transfer. */
const BUFFERED_MAX_BYTES = 1024 * 1024;
/**
 * Loopback kernel socket buffers absorb ~10 MB on the two hops, so the back-pressure tests
 * send more than that: the sender must visibly stall.
 */
const STALL_TRANSFER_BYTES = 4 * TRANSFER_BYTES;

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup() {
  const backend = await startBackend('b1');
  cleanups.push(() => backend.close());
  const options = lbOptions([backend.port], { health: { intervalMs: 60_000 } });
  const lb = await LoadBalancer.start(options, { log: silentLogger() });
  cleanups.push(() => lb.stop(0));
  // Sample the balancer's buffered bytes all along.
  let maxBuffered = 0;
  const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, lb.bufferedBytes)), 2);
  cleanups.push(async () => clearInterval(sampler));
  return { backend, lb, maxBuffered: () => maxBuffered };
}

function hashBody(res: import('node:http').IncomingMessage): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    let bytes = 0;
    res.on('data', (c: Buffer) => {
      bytes += c.length;
      h.update(c);
    });
    res.on('end', () => resolve({ bytes, sha256: h.digest('hex') }));
    res.on('error', reject);
  });
}

test('10 MiB up and 10 MiB down at the same time arrive intact', async (t) => {
  const { lb, maxBuffered } = await setup();
  const started = performance.now();
  const req = request({ host: '127.0.0.1', port: lb.port, path: '/echo', method: 'POST', agent: false });
  const response = new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
    req.on('response', (res) => hashBody(res).then(resolve, reject));
    req.on('error', reject);
  });
  await writePattern(req, TRANSFER_BYTES);
  req.end();
  const got = await response;
  t.diagnostic(`echoed ${TRANSFER_BYTES} bytes in ${(performance.now() - started).toFixed(0)} ms; ` +
    `balancer buffered at most ${maxBuffered()} bytes`);
  assert.equal(got.bytes, TRANSFER_BYTES);
  assert.equal(got.sha256, sha256OfPattern(TRANSFER_BYTES));
  assert.ok(maxBuffered() < BUFFERED_MAX_BYTES, `buffered ${maxBuffered()} bytes`);
});

test('back-pressure, backend to client: a paused client stalls the backend, not the balancer\'s memory', async (t) => {
  const { backend, lb, maxBuffered } = await setup();
  const total = STALL_TRANSFER_BYTES;
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: lb.port, path: `/bytes?n=${total}`, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
  res.pause();
  await sleep(400);
  const sentWhilePaused = backend.bytesSent;
  await sleep(100);
  t.diagnostic(`client paused: backend sent ${sentWhilePaused} of ${total} bytes (the rest waits in kernel buffers ` +
    `or not yet written); balancer buffered at most ${maxBuffered()} bytes`);
  assert.ok(sentWhilePaused < total, 'the backend is held back');
  assert.equal(backend.bytesSent, sentWhilePaused, 'and stays held back while the client is paused');
  assert.ok(maxBuffered() < BUFFERED_MAX_BYTES, `buffered ${maxBuffered()} bytes`);
  const body = hashBody(res);
  res.resume();
  const got = await body;
  assert.equal(got.bytes, total);
  assert.equal(got.sha256, sha256OfPattern(total));
});

test('back-pressure, client to backend: a backend that does not read stalls the client, not the balancer', async (t) => {
  const { backend, lb, maxBuffered } = await setup();
  backend.sinkPauseMs = 400;
  const req = request({ host: '127.0.0.1', port: lb.port, path: '/sink', method: 'POST', agent: false });
  const response = new Promise<string>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
  });
  let sent = 0;
  const total = STALL_TRANSFER_BYTES;
  const writing = writePattern(req, total, (n) => (sent = n)).then(() => req.end());
  await sleep(300);
  const sentWhileStalled = sent;
  t.diagnostic(`backend not reading: client got ${sentWhileStalled} of ${total} bytes out; ` +
    `balancer buffered at most ${maxBuffered()} bytes`);
  assert.ok(sentWhileStalled < total, 'the client is held back');
  assert.ok(maxBuffered() < BUFFERED_MAX_BYTES, `buffered ${maxBuffered()} bytes`);
  await writing;
  assert.equal(await response, `${total} ${sha256OfPattern(total)}`);
});
