// The scheduling bench as a smoke test: the Smoke workload (every op) runs end to end on the
// real control plane and schedules every measured pod. Not a pass/fail on speed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWorkload } from './runner.js';
import { html } from './report.js';
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
  const r = await runWorkload({ workload, clients: 16, barrierTimeoutMs: 120_000, progress: () => undefined });
  assert.equal(r.measuredPods, 60);
  assert.equal(r.scheduled, 60);
  assert.ok(r.throughput.average > 0);
  assert.ok(r.processes.some((p) => p.name === 'scheduler' && p.rssMiB > 0));
  const page = html({ bench: 'sched', workload: 'Smoke', params: workload.params, machine: {}, result: r });
  assert.match(page, /<svg/);
});
