// Smoke test: keeps `flotilla bench store|failover` working. It runs the --quick versions
// on Flotilla only with the Node load generator (so CI needs neither Go nor etcd) and
// checks the JSON has its fields. It asserts nothing about the numbers: benchmarks report,
// they never pass or fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** Runs the bench CLI in its own process group in a scratch directory; kills the group on timeout. */
interface BenchRun {
  json: Record<string, unknown>;
  stderr: string;
  files: string[];
}

function runBench(args: string[], timeoutMs: number): Promise<BenchRun> {
  const cwd = mkdtempSync(join(tmpdir(), 'flotilla-bench-smoke-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, timeoutMs);
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      const files = (() => {
        try {
          return readdirSync(join(cwd, 'bench/results'));
        } catch {
          return [];
        }
      })();
      rmSync(cwd, { recursive: true, force: true });
      if (code !== 0) {
        reject(new Error(`bench exited ${code ?? sig}\n${stderr}`));
        return;
      }
      try {
        resolve({ json: JSON.parse(stdout) as Record<string, unknown>, stderr, files });
      } catch (e) {
        reject(new Error(`stdout is not JSON: ${(e as Error).message}\n${stdout.slice(0, 500)}\n${stderr}`));
      }
    });
  });
}

const num = (v: unknown, what: string) => assert.equal(typeof v, 'number', `${what} is a number`);

test('bench store --quick (flotilla only, node load generator) writes a complete JSON result', { timeout: 45_000 }, async () => {
  const { json, files } = await runBench(
    ['store', '--quick', '--systems', 'flotilla', '--loadgen', 'node', '--workloads', 'put,txn,get', '--json'], 40_000);
  assert.equal(json.kind, 'store');
  assert.ok(files.some((f) => f.startsWith('store-') && f.endsWith('.json')), 'a result file under bench/results/');
  const machine = json.machine as Record<string, unknown>;
  for (const k of ['cores', 'memoryBytes']) num(machine[k], `machine.${k}`);
  for (const k of ['node', 'gitCommit', 'command']) assert.equal(typeof machine[k], 'string', `machine.${k}`);
  assert.ok(Array.isArray((json.loadAverage as { start: unknown }).start));
  assert.equal((json.loadgen as { kind: string }).kind, 'node');
  const summary = json.summary as { workloadId: string; systems: { flotilla?: Record<string, unknown> } }[];
  assert.deepEqual(summary.map((s) => s.workloadId),
    ['put-1', 'put-64', 'put-512', 'txn-512', 'get-linearizable-512', 'get-serializable-512']);
  for (const s of summary) {
    const f = s.systems.flotilla!;
    for (const k of ['opsPerSecondMedian', 'p50MsMedian', 'p99MsMedian', 'loadgenCoresUsedMax', 'serverCoresUsedMedian']) {
      num(f[k], `${s.workloadId}.${k}`);
    }
  }
  type Run = { system: string; result: Record<string, unknown>; serverCpuSeconds: Record<string, number> };
  const runs = json.runs as Run[];
  assert.equal(runs.length, 6);
  for (const r of runs) {
    assert.equal(r.system, 'flotilla');
    for (const k of ['count', 'errors', 'elapsedSeconds', 'opsPerSecond', 'cpuSeconds', 'cpuCoresUsed']) num(r.result[k], k);
    const lat = r.result.latencyMs as Record<string, unknown>;
    for (const k of ['p50', 'p90', 'p99', 'max']) num(lat[k], `latencyMs.${k}`);
    assert.ok((r.result.count as number) > 0, `${String(r.result.workload)} completed some operations`);
    // Pinned connections: every operation is counted under the endpoint it went to, leader first.
    const byEndpoint = r.result.byEndpoint as { endpoint: string; count: number; latencyMs: Record<string, unknown> }[];
    assert.deepEqual(byEndpoint.map((e) => e.endpoint), r.result.endpoints);
    assert.equal(byEndpoint.reduce((n, e) => n + e.count, 0), r.result.count, 'per-endpoint counts add up');
    for (const e of byEndpoint.filter((x) => x.count > 0)) num(e.latencyMs.p99, `${e.endpoint} p99`);
    // Connection j goes to endpoint j % 3: with two connections, the leader and the first follower.
    const conns = r.result.conns as number;
    byEndpoint.forEach((e, j) => assert.equal(e.count > 0, j < conns, `${String(r.result.workload)}: endpoint ${j}`));
    assert.deepEqual(Object.keys(r.serverCpuSeconds).sort(), ['m1', 'm2', 'm3']);
  }
});

test('bench failover --quick, one kill, flotilla only: per-kill outage numbers', { timeout: 45_000 }, async () => {
  const { json } = await runBench(
    ['failover', '--quick', '--kills', '1', '--systems', 'flotilla', '--loadgen', 'node', '--json'], 40_000);
  assert.equal(json.kind, 'failover');
  const f = (json.failover as { flotilla: Record<string, unknown> }).flotilla;
  const kills = f.kills as Record<string, unknown>[];
  assert.equal(kills.length, 1, `one kill recorded${f.aborted ? ` (aborted: ${String(f.aborted)})` : ''}`);
  for (const k of ['longestGapMs', 'gapStartMs', 'gapEndMs', 'restartedMs', 'healthyMs', 'acksInWindow']) {
    num(kills[0]![k], k);
  }
  for (const d of ['longestGapMs', 'firstNewAckMs']) {
    const dist = f[d] as Record<string, unknown>;
    for (const k of ['n', 'median', 'p90', 'p99', 'max']) num(dist[k], `${d}.${k}`);
  }
});

test('bench grpc-floor --quick (floor and flotilla, node load generator): both measured, no budget without etcd',
  { timeout: 45_000 }, async () => {
    const { json, files } = await runBench(
      ['grpc-floor', '--quick', '--systems', 'floor,flotilla', '--loadgen', 'node', '--json'], 40_000);
    assert.equal(json.kind, 'grpc-floor');
    assert.ok(files.some((f) => f.startsWith('grpc-floor-') && f.endsWith('.json')), 'a result file under bench/results/');
    const summary = json.summary as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(summary), ['floor', 'flotilla']);
    for (const [s, x] of Object.entries(summary)) {
      for (const k of ['opsPerSecondMedian', 'p99MsMedian', 'serverCpuUsPerOpMedian', 'loadgenCpuUsPerOpMedian']) num(x[k], `${s}.${k}`);
    }
    assert.equal(summary.floor!.errors, 0, 'the floor servers answer every put');
    type Run = { system: string; result: { count: number; endpoints: string[] }; serverCpuSeconds: number[] };
    const runs = json.runs as Run[];
    assert.deepEqual(runs.map((r) => r.system), ['floor', 'flotilla']);
    for (const r of runs) {
      assert.ok(r.result.count > 0, `${r.system} completed some puts`);
      assert.equal(r.result.endpoints.length, 3);
      assert.equal(r.serverCpuSeconds.length, 3);
      // --quick uses 2 connections: the first two endpoints carry all the load.
      r.serverCpuSeconds.slice(0, 2).forEach((c, j) => assert.ok(c > 0, `${r.system}: server ${j} used CPU`));
    }
    assert.equal(json.budget, undefined, 'no etcd run, so no budget');
  });

test('bad bench arguments are refused with a one-line message naming the argument, not a stack trace', () => {
  for (const [args, expected] of [
    [['grpc-floor', '--systems', 'floor,bar'], /unknown system "bar": use floor,flotilla,etcd/],
    [['store', '--workloads', 'bogus'], /unknown workload "bogus"/],
    [['store', '--rounds', '0'], /option '--rounds <n>' argument '0' is invalid/],
    [['grpc-floor', '--target-ratio', '0'], /option '--target-ratio <x>' argument '0' is invalid/],
  ] as const) {
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });
    assert.notEqual(r.status, 0, `${args.join(' ')} fails`);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  }
});
