// Integration: the TCP proxy's connection handling on real sockets (127.0.0.1): connect
// retry, the passive check, the concurrency limit, half-close both ways, resets, idle and
// half-closed timeouts, and graceful shutdown.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { LoadBalancer, type LbDeps } from './lb.js';
import {
  type LbOverrides, type RawBackend, type TestBackend, captureLogger, get, lbOptions, metricValue, silentLogger, sleep,
  startBackend, startRawBackend, waitFor,
} from './testing/backends.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Probes run once at start, then every minute: health stays as first seen unless the test changes it. */
const SLOW_PROBES = { intervalMs: 60_000 };

async function balancer(ports: number[], o: LbOverrides = {}, deps: LbDeps = {}): Promise<LoadBalancer> {
  const options = lbOptions(ports, { ...o, health: SLOW_PROBES });
  const lb = await LoadBalancer.start(options, { log: silentLogger(), ...deps });
  cleanups.push(() => lb.stop(0));
  return lb;
}

async function httpBackends(n: number): Promise<TestBackend[]> {
  const bs = await Promise.all(Array.from({ length: n }, (_, i) => startBackend(`b${i + 1}`)));
  cleanups.push(() => Promise.all(bs.map((b) => b.close())));
  return bs;
}

/**
 * A raw backend whose first chunk is a command: ECHO (echo everything, FIN when the client
 * does), HALF (answer "hi" and FIN at once, keep reading), RESET (send RST), HOLD (send
 * nothing, FIN when the client does), STUCK (never send anything, not even a FIN).
 */
async function rawBackend(received: Map<Socket, string> = new Map()): Promise<RawBackend> {
  const b = await startRawBackend((s, first) => {
    const cmd = first.toString('latin1');
    received.set(s, cmd);
    s.on('data', (d: Buffer) => received.set(s, received.get(s) + d.toString('latin1')));
    if (cmd.startsWith('ECHO')) {
      s.write(first);
      s.pipe(s);
    } else if (cmd.startsWith('HALF')) {
      s.end('hi');
    } else if (cmd.startsWith('RESET')) {
      s.resetAndDestroy();
    } else if (cmd.startsWith('HOLD')) {
      s.once('end', () => s.end());
    }
  });
  cleanups.push(() => b.close());
  return b;
}

interface Client {
  socket: Socket;
  data(): string;
  ended: Promise<void>;
  closed: Promise<{ error?: string }>;
}

function client(port: number, allowHalfOpen = false): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen });
    let text = '';
    let error: string | undefined;
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', (e: Error & { code?: string }) => (error = e.code ?? e.message));
    const ended = new Promise<void>((r) => socket.once('end', r));
    const closed = new Promise<{ error?: string }>((r) => socket.once('close', () => r(error === undefined ? {} : { error })));
    socket.once('connect', () => resolve({ socket, data: () => text, ended, closed }));
    socket.once('error', reject);
  });
}

const metric = (lb: LoadBalancer, name: string, labels: Record<string, string> = {}) =>
  metricValue(lb.metrics.registry.metrics(), name, labels);

test('a backend that refuses the connect is skipped: the connection is retried on the next healthy one', async () => {
  const bs = await httpBackends(3);
  const lb = await balancer(bs.map((b) => b.port));
  await bs[1]!.close();
  for (let i = 0; i < 9; i++) assert.equal((await get(lb.port, '/who')).status, 200);
  assert.ok(await metric(lb, 'flotilla_lb_backend_connect_errors_total', { backend: bs[1]!.id }) >= 1);
  assert.equal(lb.pool.isHealthy(bs[1]!.id), true, 'without the passive check only the probes take it out');
  assert.equal(bs[0]!.whoCount + bs[2]!.whoCount, 9);
  // Every backend refuses: the client is closed, counted as backends_failed.
  await bs[0]!.close();
  await bs[2]!.close();
  await assert.rejects(get(lb.port, '/who'), /socket hang up|ECONNRESET/);
  assert.equal(await metric(lb, 'flotilla_lb_connections_refused_total', { reason: 'backends_failed' }), 1);
});

test('passive check: the first connect error takes the backend out at once, counted and logged', async () => {
  const bs = await httpBackends(3);
  const { log, lines } = captureLogger();
  const lb = await balancer(bs.map((b) => b.port), { passiveCheck: true }, { log });
  await bs[1]!.close();
  for (let i = 0; i < 9; i++) assert.equal((await get(lb.port, '/who')).status, 200);
  assert.equal(lb.pool.isHealthy(bs[1]!.id), false);
  assert.equal(await metric(lb, 'flotilla_lb_backend_connect_errors_total', { backend: bs[1]!.id }), 1);
  assert.equal(await metric(lb, 'flotilla_lb_backend_passive_downs_total', { backend: bs[1]!.id }), 1);
  assert.equal(await metric(lb, 'flotilla_lb_backend_healthy', { backend: bs[1]!.id }), 0);
  const down = lines.find((l) => l['msg'] === 'backend down');
  assert.equal(down?.['backend'], bs[1]!.id);
  assert.match(String(down?.['reason']), /^connect error \(passive check\): connect ECONNREFUSED/);
});

test('concurrent connection limit: beyond it new connections are closed at once and counted', async () => {
  const backend = await rawBackend();
  const lb = await balancer([backend.port], { maxConnections: 2 });
  const a = await client(lb.port);
  const b = await client(lb.port);
  a.socket.write('HOLD');
  b.socket.write('HOLD');
  await waitFor(() => backend.sockets.size === 2, 1000, 'two proxied connections');
  const started = performance.now();
  const c = await client(lb.port);
  c.socket.write('HOLD');
  await c.closed;
  assert.ok(performance.now() - started < 100, 'refused at once');
  assert.equal(c.data(), '');
  assert.equal(await metric(lb, 'flotilla_lb_connections_refused_total', { reason: 'limit' }), 1);
  assert.equal(await metric(lb, 'flotilla_lb_connections_active'), 2);
  assert.equal(backend.sockets.size, 2, 'the refused connection never reached a backend');
  a.socket.destroy();
  await waitFor(() => lb.activeConnections === 1, 1000, 'a slot to free up');
  const d = await client(lb.port);
  d.socket.write('ECHO ok');
  await waitFor(() => d.data() === 'ECHO ok', 1000, 'the echo through a freed slot');
  b.socket.destroy();
  d.socket.destroy();
});

test('half-close, client side: the client sends its request and FIN, and still reads the whole response', async () => {
  const [b1] = await httpBackends(1);
  const lb = await balancer([b1!.port]);
  const c = await client(lb.port, true);
  c.socket.end('GET /who HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  await c.ended;
  assert.match(c.data(), /^HTTP\/1.1 200 OK\r\n[\s\S]*\r\n\r\n2\r\nb1\r\n0\r\n\r\n$/, 'the whole chunked body');
  await c.closed;
  await waitFor(() => lb.activeConnections === 0, 1000, 'the connection to finish');
});

test('half-close, backend side: the backend FINs first and still receives what the client sends after', async () => {
  const received = new Map<Socket, string>();
  const backend = await rawBackend(received);
  const lb = await balancer([backend.port]);
  const c = await client(lb.port, true);
  c.socket.write('HALF');
  await c.ended;
  assert.equal(c.data(), 'hi');
  const [bs] = [...backend.sockets];
  const backendEnded = new Promise((r) => bs!.once('end', r));
  c.socket.end(' after-fin');
  await backendEnded;
  assert.equal(received.get(bs!), 'HALF after-fin');
  await c.closed;
  await waitFor(() => lb.activeConnections === 0, 1000, 'the connection to finish');
});

test('a reset on one side resets the other and frees the slot', async () => {
  const backend = await rawBackend();
  const lb = await balancer([backend.port]);
  const c = await client(lb.port);
  c.socket.write('RESET');
  assert.deepEqual(await c.closed, { error: 'ECONNRESET' }, 'the client sees a reset, not a clean end');
  await waitFor(() => lb.activeConnections === 0, 1000, 'the slot to free up');
  // The other way: the client resets, the backend's socket goes too.
  const c2 = await client(lb.port);
  c2.socket.write('HOLD');
  await waitFor(() => backend.sockets.size === 1, 1000, 'the proxied connection');
  const [bs] = [...backend.sockets];
  const gone = new Promise((r) => bs!.once('close', r));
  c2.socket.resetAndDestroy();
  await gone;
  await waitFor(() => lb.activeConnections === 0, 1000, 'the slot to free up');
});

test('idle and half-closed timeouts close connections that would otherwise hold a slot forever', async () => {
  const backend = await rawBackend();
  const lb = await balancer([backend.port], {}, { idleTimeoutMs: 100, halfClosedTimeoutMs: 150 });
  const idle = await client(lb.port);
  idle.socket.write('STUCK');
  const started = performance.now();
  await idle.closed;
  assert.ok(performance.now() - started >= 90, 'not before the idle timeout');
  const half = await client(lb.port, true);
  half.socket.end('STUCK');
  await half.closed;
  await waitFor(() => lb.activeConnections === 0, 1000, 'both slots to free up');
});

test('shutdown: stops accepting at once, lets active connections finish, then resolves', async () => {
  const backend = await rawBackend();
  const lb = await balancer([backend.port], { metricsListen: { host: '127.0.0.1', port: 0 } });
  const metricsPort = lb.metricsPort!;
  const c = await client(lb.port, true);
  c.socket.write('ECHO one');
  await waitFor(() => c.data() === 'ECHO one', 1000, 'the first echo');
  const stopped = lb.stop(5000);
  let done = false;
  void stopped.then(() => (done = true));
  await sleep(20);
  await assert.rejects(client(lb.port), /ECONNREFUSED/, 'no new connections while draining');
  const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
  assert.equal(ready.status, 503);
  assert.match(await ready.text(), /shutting down/);
  c.socket.write(' two');
  await waitFor(() => c.data() === 'ECHO one two', 1000, 'the echo during the drain');
  assert.equal(done, false, 'the active connection holds the shutdown');
  const started = performance.now();
  c.socket.end();
  assert.equal(await stopped, 0, 'nothing closed by force');
  assert.ok(performance.now() - started < 500, 'shutdown finishes as soon as the connection does');
});

test('shutdown: after the grace period the remaining connections are closed', async () => {
  const backend = await rawBackend();
  const lb = await balancer([backend.port]);
  const c = await client(lb.port);
  c.socket.write('HOLD');
  await waitFor(() => backend.sockets.size === 1, 1000, 'the proxied connection');
  const started = performance.now();
  assert.equal(await lb.stop(200), 1);
  const ms = performance.now() - started;
  assert.ok(ms >= 190 && ms < 1000, `stopped after ${ms.toFixed(0)} ms`);
  await c.closed;
  assert.equal(await metric(lb, 'flotilla_lb_shutdown_forced_closes_total'), 1);
});
