// Throughput through the real path (not a pass/fail number): 500 Ready nodes, 2,000 pods created
// through the apiserver (1 store member) while one `flotilla scheduler --events=none` process binds
// them. Prints pods/s end to end (first create → last binding seen by a watch) and the binding rate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/index.js';
import { ApiClient, SharedInformer } from '../../client/index.js';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing/harness.js';
import {
  apiNode, apiPod, ensureNamespace, forEachLimit, httpGet, metricValue, NODES, PODS, spawnScheduler, until,
  type SchedulerProcess,
} from './testing/cluster.js';

const NODE_COUNT = Number(process.env['FLOTILLA_SCHED_BENCH_NODES'] ?? 500);
const POD_COUNT = Number(process.env['FLOTILLA_SCHED_BENCH_PODS'] ?? 2_000);

let server: TestApiServer | undefined;
let client: ApiClient;
let sched: SchedulerProcess | undefined;

before(async () => {
  server = await startTestApiServer();
  client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 10_000, burst: 10_000 });
});

after(async () => {
  await sched?.kill('SIGKILL');
  client?.close();
  await server?.stop();
});

test(`throughput: ${POD_COUNT} pods onto ${NODE_COUNT} nodes through the apiserver`, async () => {
  await forEachLimit(Array.from({ length: NODE_COUNT }, (_, i) => i), 32,
    (i) => client.create(NODES, '', apiNode(`node-${String(i).padStart(4, '0')}`)));
  await ensureNamespace(client, 'bench');
  sched = spawnScheduler(server!.dir, 'sched-bench', ['--kubeconfig', server!.kubeconfigPath, '--leader-elect=false',
    '--events', 'none']);
  const port = await sched.port();
  await until(async () => (await httpGet(port, '/readyz'))[0] === 200, 'scheduler ready');

  const bound = new Map<string, number>();
  const informer = new SharedInformer<Pod>(client, PODS, { namespace: 'bench' });
  const seen = (p: Pod): void => {
    if (p.spec?.nodeName && !bound.has(p.metadata!.name!)) bound.set(p.metadata!.name!, performance.now());
  };
  informer.addEventHandler({ onAdd: seen, onUpdate: (_o, n) => seen(n) });
  informer.start();
  await informer.waitForSync();
  try {
    const t0 = performance.now();
    await forEachLimit(Array.from({ length: POD_COUNT }, (_, i) => i), 64,
      (i) => client.create(PODS, 'bench', apiPod(`b-${i}`, 'bench', '100m', '128Mi')));
    const createdMs = performance.now() - t0;
    await until(() => bound.size === POD_COUNT, `${POD_COUNT} pods bound`, 300_000);
    const times = [...bound.values()];
    const lastMs = Math.max(...times) - t0;
    const firstMs = Math.min(...times) - t0;
    const metrics = (await httpGet(port, '/metrics'))[1];
    const bindSum = metricValue(metrics, 'scheduler_binding_duration_seconds_sum', 'result="ok"');
    const bindCount = metricValue(metrics, 'scheduler_binding_duration_seconds_count', 'result="ok"');
    const algoSum = metricValue(metrics, 'scheduler_scheduling_algorithm_duration_seconds_sum');
    const algoCount = metricValue(metrics, 'scheduler_scheduling_algorithm_duration_seconds_count');
    console.log(`throughput: ${POD_COUNT} pods, ${NODE_COUNT} nodes: ${(POD_COUNT / (lastMs / 1000)).toFixed(0)} pods/s `
      + `end to end (${Math.round(lastMs)} ms from first create to last binding); creates alone `
      + `${(POD_COUNT / (createdMs / 1000)).toFixed(0)}/s; bindings ${(POD_COUNT / ((lastMs - firstMs) / 1000)).toFixed(0)}/s `
      + `from first to last; mean bind latency ${(1000 * bindSum / bindCount).toFixed(1)} ms; mean scheduling cycle `
      + `${(1000 * algoSum / algoCount).toFixed(2)} ms`);
    assert.equal(metricValue(metrics, 'scheduler_schedule_attempts_total', 'result="scheduled"'), POD_COUNT);
  } finally {
    await informer.stop();
  }
});
