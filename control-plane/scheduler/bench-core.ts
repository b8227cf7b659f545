// Micro-benchmark of the pure core (not a test): N nodes, M pods with cpu/memory requests,
// bound immediately by a no-op Binder. Run: node dist/control-plane/scheduler/bench-core.js
import type { Node, Pod } from '../api/index.js';
import { Scheduler } from './scheduler-core.js';
import { performance } from 'node:perf_hooks';

export interface BenchResult { nodes: number; pods: number; scheduled: number; seconds: number; podsPerSecond: number }

export function benchNode(i: number): Node {
  return {
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`,
      'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    status: { allocatable: { cpu: '32', memory: '128Gi', pods: '110' } },
  };
}

export function benchPod(i: number): Pod {
  return {
    metadata: { name: `pod-${i}`, namespace: 'bench', uid: `uid-${i}`, labels: { app: `app-${i % 50}` } },
    spec: { schedulerName: 'default-scheduler', containers: [{ name: 'c', image: 'pause',
      resources: { requests: { cpu: `${100 + (i % 5) * 100}m`, memory: `${128 + (i % 4) * 128}Mi` } } }] },
  };
}

export async function benchSchedulerCore({ nodes, pods }: { nodes: number; pods: number }): Promise<BenchResult> {
  let now = 0;
  const sched = new Scheduler({ binder: { bind: () => Promise.resolve() }, clock: () => now });
  for (let i = 0; i < nodes; i++) sched.onNodeAdd(benchNode(i), now);
  for (let i = 0; i < pods; i++) sched.onPodAdd(benchPod(i), now);
  const t0 = performance.now();
  let scheduled = 0;
  for (;;) {
    const out = sched.scheduleOne(now);
    if (out === undefined) break;
    if ('nodeName' in out) scheduled++;
    now++;
  }
  await sched.waitForBindings();
  const seconds = (performance.now() - t0) / 1000;
  return { nodes, pods, scheduled, seconds, podsPerSecond: Math.round(scheduled / seconds) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nodes = Number(process.argv[2] ?? 5000);
  const pods = Number(process.argv[3] ?? 10000);
  benchSchedulerCore({ nodes, pods }).then((r) => console.log(JSON.stringify(r)), (e: unknown) =>
    { console.error(e); process.exitCode = 1; });
}
