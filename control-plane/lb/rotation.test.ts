// Integration: real sockets on 127.0.0.1, an in-process balancer with the default health
// check timing (250 ms interval, 200 ms timeout, fall 2, rise 2) in front of small HTTP
// backends started here. Round robin, failure detection within 1 s, rejoin after `rise`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { LoadBalancer } from './lb.js';
import {
  type TestBackend, captureLogger, get, lbOptions, metricValue, silentLogger, sleep, startBackend, waitFor,
} from './testing/backends.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(n: number, log = silentLogger()): Promise<{ lb: LoadBalancer; backends: TestBackend[] }> {
  const backends = await Promise.all(Array.from({ length: n }, (_, i) => startBackend(`b${i + 1}`)));
  cleanups.push(() => Promise.all(backends.map((b) => b.close())));
  const lb = await LoadBalancer.start(lbOptions(backends.map((b) => b.port), { metricsListen: { host: '127.0.0.1', port: 0 } }),
    { log });
  cleanups.push(() => lb.stop(0));
  return { lb, backends };
}

const metric = (lb: LoadBalancer, name: string, labels: Record<string, string> = {}) =>
  metricValue(lb.metrics.registry.metrics(), name, labels);

test('requests spread round robin over 3 backends, in order', async () => {
  const { lb, backends } = await setup(3);
  assert.equal(lb.pool.healthyCount, 3, 'the first round of probes decides before start() returns');
  const names: string[] = [];
  for (let i = 0; i < 30; i++) {
    const r = await get(lb.port, '/who');
    assert.equal(r.status, 200);
    names.push(r.body);
  }
  assert.deepEqual(backends.map((b) => b.whoCount), [10, 10, 10]);
  for (let i = 3; i < names.length; i++) assert.equal(names[i], names[i - 3], `cyclic order: ${names.join(' ')}`);
  assert.equal(await metric(lb, 'flotilla_lb_connections_accepted_total'), 30);
  assert.equal(await metric(lb, 'flotilla_lb_backend_connections_total', { backend: backends[0]!.id }), 10);
  assert.ok(await metric(lb, 'flotilla_lb_backend_bytes_total', { backend: backends[0]!.id, direction: 'in' }) > 0);
  assert.ok(await metric(lb, 'flotilla_lb_backend_bytes_total', { backend: backends[0]!.id, direction: 'out' }) > 0);
  await waitFor(() => lb.activeConnections === 0, 1000, 'connections to finish');
  assert.equal(await metric(lb, 'flotilla_lb_connections_active'), 0);
});

test('a killed backend leaves rotation within 1 s, every request meanwhile succeeds, and it rejoins after rise', async (t) => {
  const { log, lines } = captureLogger();
  const { lb, backends } = await setup(3, log);
  const dead = backends[1]!;
  // Client traffic all along: 4 requests in flight at a time.
  let stop = false;
  let ok = 0;
  const failures: string[] = [];
  let whoAtRejoin = 0;
  const load = Promise.all(Array.from({ length: 4 }, async () => {
    while (!stop) {
      try {
        const r = await get(lb.port, '/who');
        if (r.status === 200) ok++;
        else if (failures.length < 20) failures.push(`HTTP ${r.status}`);
      } catch (e) {
        if (failures.length < 20) failures.push((e as Error).message);
      }
    }
  }));
  try {
    await sleep(100);
    // Requests already on it finish (an L4 proxy cannot replay bytes it forwarded); new connects are refused.
    const closedAt = performance.now();
    void dead.close(true);
    await waitFor(() => !lb.pool.isHealthy(dead.id), 2000, 'the dead backend to leave rotation', 2);
    const elapsedMs = performance.now() - closedAt;
    t.diagnostic(`killed backend out of rotation ${elapsedMs.toFixed(0)} ms after its listener closed`);
    assert.ok(elapsedMs < 1000, `out of rotation after ${elapsedMs.toFixed(0)} ms, want < 1000 ms`);
    // Once out, the balancer never tries it again: its connect errors stop growing (after the few
    // connects picked just before the transition have failed over to the next backend).
    await sleep(50);
    const errorsAtOut = await metric(lb, 'flotilla_lb_backend_connect_errors_total', { backend: dead.id });
    const whoBefore = backends.map((b) => b.whoCount);
    await sleep(300);
    assert.equal(await metric(lb, 'flotilla_lb_backend_connect_errors_total', { backend: dead.id }), errorsAtOut);
    assert.equal(dead.whoCount, whoBefore[1]);
    assert.ok(backends[0]!.whoCount > whoBefore[0]! && backends[2]!.whoCount > whoBefore[2]!);
    // Back: it rejoins after `rise` (2) passed probes, not after one.
    const restartedAt = performance.now();
    await dead.restart();
    await waitFor(() => lb.pool.isHealthy(dead.id), 2000, 'the backend to rejoin');
    const rejoinMs = performance.now() - restartedAt;
    t.diagnostic(`restarted backend back in rotation after ${rejoinMs.toFixed(0)} ms`);
    assert.ok(rejoinMs >= 240 && rejoinMs < 1000, `rejoined after ${rejoinMs.toFixed(0)} ms`);
    whoAtRejoin = dead.whoCount;
    await sleep(200);
  } finally {
    stop = true;
    await load;
  }
  assert.deepEqual(failures, [], 'every request through the balancer succeeded');
  assert.ok(ok > 20, `${ok} requests`);
  assert.ok(dead.whoCount > whoAtRejoin, 'the rejoined backend takes requests again');
  const transitions = lines.filter((l) => l['backend'] === dead.id && (l['msg'] === 'backend down' || l['msg'] === 'backend up'));
  assert.deepEqual(transitions.map((l) => [l['msg'], l['from'], l['to']]),
    [['backend up', 'unknown', 'up'], ['backend down', 'up', 'down'], ['backend up', 'down', 'up']]);
  assert.match(String(transitions[1]!['reason']), /^2 consecutive health checks failed, last: ECONNREFUSED/);
  assert.equal(transitions[2]!['reason'], '2 consecutive health checks passed');
  assert.equal(transitions[1]!['level'], 40, 'down is a warning');
});

test('a hung backend (accepts, never answers) leaves rotation within 1 s', async (t) => {
  const { lb, backends } = await setup(2);
  const hung = backends[0]!;
  const started = performance.now();
  hung.hang = true;
  await waitFor(() => !lb.pool.isHealthy(hung.id), 2000, 'the hung backend to leave rotation', 2);
  const ms = performance.now() - started;
  t.diagnostic(`hung backend out of rotation after ${ms.toFixed(0)} ms`);
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  assert.ok(await metric(lb, 'flotilla_lb_health_check_failures_total', { backend: hung.id, reason: 'timeout' }) >= 2);
  hung.hang = false;
});

test('a backend whose /readyz answers 503 is taken out, and comes back when it answers 200', async () => {
  const { lb, backends } = await setup(3);
  const sick = backends[2]!;
  sick.ready = false;
  await waitFor(() => !lb.pool.isHealthy(sick.id), 1000, 'the 503 backend to leave rotation');
  assert.ok(await metric(lb, 'flotilla_lb_health_check_failures_total', { backend: sick.id, reason: 'status' }) >= 2);
  assert.equal(await metric(lb, 'flotilla_lb_backend_healthy', { backend: sick.id }), 0);
  assert.equal(await metric(lb, 'flotilla_lb_backend_healthy', { backend: backends[0]!.id }), 1);
  const before = sick.whoCount;
  for (let i = 0; i < 6; i++) assert.notEqual((await get(lb.port, '/who')).body, 'b3');
  assert.equal(sick.whoCount, before);
  sick.ready = true;
  await waitFor(() => lb.pool.isHealthy(sick.id), 1000, 'the backend to come back');
  assert.equal(await metric(lb, 'flotilla_lb_backend_transitions_total', { backend: sick.id, to: 'down' }), 1);
  const r = await fetch(`http://127.0.0.1:${lb.metricsPort}/readyz`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /^ok: 3\/3 backends healthy/);
});

test('no healthy backend: connections are closed at once and counted; /readyz is 503, /livez 200', async () => {
  const { lb, backends } = await setup(2);
  for (const b of backends) b.ready = false;
  await waitFor(() => lb.pool.healthyCount === 0, 1000, 'every backend to leave rotation');
  const started = performance.now();
  // Closed with FIN, or with RST when the request bytes were already in the kernel buffer: either way at once.
  const { received, error } = await new Promise<{ received: number; error?: string }>((resolve) => {
    let n = 0;
    let code: string | undefined;
    const s = connect(lb.port, '127.0.0.1');
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('error', (e: Error & { code?: string }) => (code = e.code));
    s.on('close', () => resolve({ received: n, ...(code !== undefined ? { error: code } : {}) }));
    s.write('GET /who HTTP/1.1\r\nhost: x\r\n\r\n');
  });
  const ms = performance.now() - started;
  assert.equal(received, 0);
  assert.ok(error === undefined || error === 'ECONNRESET' || error === 'EPIPE', String(error));
  assert.ok(ms < 100, `closed after ${ms.toFixed(1)} ms`);
  assert.equal(await metric(lb, 'flotilla_lb_connections_refused_total', { reason: 'no_healthy_backend' }), 1);
  const ready = await fetch(`http://127.0.0.1:${lb.metricsPort}/readyz`);
  assert.equal(ready.status, 503);
  assert.match(await ready.text(), /not ready: 0\/2 backends healthy/);
  assert.equal((await fetch(`http://127.0.0.1:${lb.metricsPort}/livez`)).status, 200);
  const metrics = await (await fetch(`http://127.0.0.1:${lb.metricsPort}/metrics`)).text();
  assert.match(metrics, /flotilla_lb_health_check_duration_seconds_bucket\{le="0.005",backend="127.0.0.1:\d+"\} \d+/);
  await waitFor(() => lb.activeConnections === 0, 1000, 'the refused connection to be released');
});
