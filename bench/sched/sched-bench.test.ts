// The scheduling bench as a smoke test: the Smoke workload (every op) runs end to end on the
// real control plane and schedules every measured pod. Not a pass/fail on speed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunResult, runWorkload } from './runner.js';
import { topFrames } from './cpu-profile.js';
import { compare, html, type SchedBenchResult, table } from './report.js';
import { loadWorkload, parseWorkload, WorkloadError } from './workload.js';

test('workload files are validated with the path of what is wrong', () => {
  assert.throws(() => parseWorkload('name: x\nops:\n  - op: createPods\n    count: $n\n', 'w.yaml'),
    (e: unknown) => e instanceof WorkloadError
      && /w.yaml: ops\[0\].count: parameter \$n is not defined/.test(e.message));
  assert.throws(() => parseWorkload('name: x\nops:\n  - op: nap\n', 'w.yaml'), /ops\[0\].op: Unsupported value "nap"/);
  assert.throws(() => parseWorkload('name: x\nops:\n  - op: barrier\n', 'w.yaml'), /no createPods op has collectMetrics/);
  for (const name of ['SchedulingBasic', 'NodeAffinity', 'PodAntiAffinity', 'TopologySpreading', 'Unschedulable',
    'Preemption', 'MixedChurn']) {
    assert.equal(loadWorkload(name, {}).name, name);
  }
  assert.equal(loadWorkload('SchedulingBasic', { nodes: 5000 }).params['nodes'], 5000);
});

test('the Smoke workload schedules every measured pod through the real control plane', async () => {
  const workload = loadWorkload('Smoke', {});
  const r = await runWorkload({ workload, clients: 16, barrierTimeoutMs: 120_000, podsRunning: true,
    progress: () => undefined });
  assert.equal(r.measuredPods, 60);
  assert.equal(r.scheduled, 60);
  // --pods-running: the bench's kubelet stand-in set every measured pod Running.
  assert.equal(r.runningLatencyMs?.count, 60);
  assert.ok(r.runningLatencyMs.p50 >= r.latencyMs.p50 * 0.5, JSON.stringify(r.runningLatencyMs));
  assert.deepEqual(r.kubelet, { failures: 0 });
  assert.ok(r.throughput.average > 0);
  assert.ok(r.processes.some((p) => p.name === 'scheduler' && p.rssMiB > 0));
  assert.ok(r.processes.every((p) => p.cpuMsPerPod !== undefined && p.cpuMsPerPod >= 0));
  const page = html({ bench: 'sched', workload: 'Smoke', params: workload.params, machine: {}, result: r });
  assert.match(page, /<svg/);
});

test('Preemption completes: victims deleted gracefully by the scheduler are confirmed, and preemptors land', async () => {
  // Without the bench confirming graceful deletes (as a kubelet would), the victims stayed Terminating and the
  // high-priority pods never fit: the barrier timed out.
  const workload = loadWorkload('Preemption', { nodes: 4, initPods: 16, measurePods: 8 });
  const r = await runWorkload({ workload, clients: 8, barrierTimeoutMs: 60_000, progress: () => undefined });
  assert.equal(r.scheduled, 8);
  assert.ok((r.attempts['unschedulable'] ?? 0) >= 8, `every preemptor failed to fit first: ${JSON.stringify(r.attempts)}`);
});

test('compare prints CPU per pod of every process, also for results written before it was recorded', () => {
  const proc = (name: string, cpuSeconds: number) => ({ name, cpuSeconds, cpuPercent: 0, rssMiB: 1 });
  const result = (cpu: number): SchedBenchResult => ({ bench: 'sched', workload: 'W', params: {}, machine: {},
    result: { measuredPods: 1000, scheduled: 1000, durationSeconds: 1, attempts: {},
      throughput: { average: 1000, perSecond: [1000], p50: 1000, p90: 1000, p99: 1000 },
      latencyMs: { p50: 1, p90: 1, p99: 1, max: 1 },
      processes: [proc('apiserver-0', 2 * cpu), proc('scheduler', cpu)] } as RunResult });
  const dir = mkdtempSync(join(tmpdir(), 'sched-compare-'));
  try {
    writeFileSync(join(dir, 'a.json'), JSON.stringify(result(1)));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(result(0.5)));
    const out = compare(join(dir, 'a.json'), join(dir, 'b.json'));
    assert.match(out, /cpu ms\/pod, all\s+3\.0\s+1\.5\s+0\.50x/);
    assert.match(out, /cpu ms\/pod scheduler\s+1\.0\s+0\.5\s+0\.50x/);
    assert.match(table(result(1), 'x.json', undefined), /all processes\s+3\.00 ms of CPU per pod/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a CPU profile is summarized as self time per frame, idle left out', () => {
  const frame = (id: number, functionName: string, url = '', children: number[] = []) =>
    ({ id, callFrame: { functionName, url, lineNumber: 9 }, children });
  const profile = {
    nodes: [frame(1, '(root)', '', [2, 3, 4]), frame(2, '(idle)'), frame(3, 'encode', 'file:///x/dist/a/b.js'),
      frame(4, 'parse')],
    samples: [2, 3, 3, 4, 2],
    timeDeltas: [5000, 3000, 3000, 2000, 9000],
  };
  assert.deepEqual(topFrames(profile, 5).map((r) => [r.frame, r.ms, Math.round(r.percent)]),
    [['encode dist/a/b.js:10', 6, 75], ['parse', 2, 25]]);
});
