import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { ManualClock } from './clock.js';
import { ProbeWorker, resolveProbePort, runProbe, type ProbeOutcome, type ProbeType } from './probes.js';
import type { Probe } from '../../control-plane/api/index.js';

function worker(type: ProbeType, probe: Probe, raws: boolean[], clock: ManualClock, started = () => true) {
  const results: boolean[] = [];
  let calls = 0;
  const w = new ProbeWorker({
    type, probe, startedAtMs: 0, clock, isStarted: started,
    run: async (): Promise<ProbeOutcome> => ({ success: raws[calls++] ?? raws.at(-1) ?? false, output: '' }),
    onResult: (ok) => results.push(ok),
  });
  return { w, results, calls: () => calls };
}

test('readiness: starts not ready, waits initialDelaySeconds, needs successThreshold/failureThreshold in a row', async () => {
  const clock = new ManualClock();
  const probe: Probe = { initialDelaySeconds: 5, periodSeconds: 1, successThreshold: 2, failureThreshold: 3,
    exec: { command: ['true'] } };
  const { w, results, calls } = worker('readiness', probe, [true, true, false, false, true, false, false, false], clock);
  w.start();
  assert.equal(w.result, false);
  await clock.advance(4000);
  assert.equal(calls(), 0, 'nothing probed during the initial delay');
  await clock.advance(1000);
  assert.equal(calls(), 1);
  assert.equal(w.result, false, 'one success is below successThreshold 2');
  await clock.advance(1000);
  assert.equal(w.result, true);
  await clock.advance(3000);
  assert.equal(w.result, true, 'false, false, true: the failure streak was broken');
  await clock.advance(3000);
  assert.equal(w.result, false);
  assert.deepEqual(results, [true, false]);
  w.stop();
  await clock.advance(10_000);
  assert.equal(calls(), 8);
});

test('liveness: starts alive, failureThreshold failures → result false and on hold until restarted', async () => {
  const clock = new ManualClock();
  const { w, results, calls } = worker('liveness', { periodSeconds: 10, failureThreshold: 3, exec: {} },
    [false, false, false, true], clock);
  w.start();
  assert.equal(w.result, true);
  await clock.advance(10_000);
  assert.equal(w.result, true, 'probes at 0 s and 10 s failed: 2 < failureThreshold');
  assert.deepEqual(results, []);
  await clock.advance(10_000);
  assert.equal(w.result, false);
  assert.equal(w.onHold, true);
  assert.deepEqual(results, [false]);
  await clock.advance(60_000);
  assert.equal(calls(), 3, 'on hold: no probes until the container restarts');
  w.restarted(clock.now());
  await clock.advance(10_000);
  assert.equal(w.result, true);
  assert.equal(calls(), 4);
  w.stop();
});

test('liveness waits for the startup probe; startup stops probing after success', async () => {
  const clock = new ManualClock();
  let started = false;
  const live = worker('liveness', { periodSeconds: 1, exec: {} }, [false], clock, () => started);
  const startup = worker('startup', { periodSeconds: 1, failureThreshold: 30, exec: {} }, [false, false, true], clock);
  live.w.start();
  startup.w.start();
  await clock.advance(1000);
  assert.equal(startup.w.result, false);
  assert.equal(live.calls(), 0);
  await clock.advance(1000);
  assert.equal(startup.w.result, true);
  started = true;
  await clock.advance(5000);
  assert.equal(startup.calls(), 3, 'no startup probes after success');
  assert.ok(live.calls() > 0);
  live.w.stop();
  startup.w.stop();
});

test('runProbe: httpGet status ranges, headers, named ports; tcpSocket open and closed', async () => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(String(req.headers['x-probe']));
    res.writeHead(req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 503).end('nope');
  });
  await new Promise<void>((r) => server.listen(0, '127.10.7.2', r));
  const port = (server.address() as net.AddressInfo).port;
  const ctx = { podIP: '127.10.7.2', ports: [{ name: 'http', containerPort: port }] };
  try {
    assert.equal(resolveProbePort('http', ctx.ports), port);
    assert.equal(resolveProbePort('nope', ctx.ports), undefined);
    const ok = await runProbe({ httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'y' }] } },
      ctx, 1000);
    assert.equal(ok.success, true);
    assert.equal(seen[0], 'y');
    assert.equal((await runProbe({ httpGet: { path: '/moved', port } }, ctx, 1000)).success, true);
    const bad = await runProbe({ httpGet: { path: '/x', port } }, ctx, 1000);
    assert.deepEqual(bad, { success: false, output: 'HTTP probe failed with statuscode: 503 nope' });
    assert.equal((await runProbe({ tcpSocket: { port } }, ctx, 1000)).success, true);
  } finally {
    await new Promise((r) => server.close(r));
  }
  assert.equal((await runProbe({ tcpSocket: { port } }, ctx, 1000)).success, false);
  assert.equal((await runProbe({ httpGet: { port } }, ctx, 1000)).success, false);
  const exec = await runProbe({ exec: { command: ['x'] } },
    { ...ctx, exec: async () => ({ exitCode: 1, output: 'bad', timedOut: false }) }, 1000);
  assert.deepEqual(exec, { success: false, output: 'bad' });
});
