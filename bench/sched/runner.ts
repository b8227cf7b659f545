// Runs a workload against the real control plane: 3 store members + an apiserver + the
// scheduler as separate processes (or a running cluster via --kubeconfig). Every pod is
// created through the apiserver; a pod counts as scheduled when the watch shows its
// binding committed (spec.nodeName set), i.e. after it went through the Raft store.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findResource, type Pod } from '../../control-plane/api/index.js';
import { startTestApiServer, type TestApiServer } from '../../control-plane/apiserver/testing/harness.js';
import { ApiClient, isAlreadyExists } from '../../control-plane/client/index.js';
import { freePorts } from '../../store/server/testing/process-cluster.js';
import { BenchKubelet } from './bench-kubelet.js';
import { NODE_CREATE_CLIENTS } from './limits.js';
import { nodeObject, podObject } from './objects.js';
import { type ProcSample, sampleProcess } from './process-stats.js';
import { retryTransient } from './retry.js';
import type { Op, Workload } from './workload.js';

const BIN = fileURLToPath(new URL('../../../bin/flotilla.js', import.meta.url));
const PODS = findResource('', 'pods')!;
const NODES = findResource('', 'nodes')!;

export interface RunOptions {
  workload: Workload;
  /** Target a running cluster instead of booting one. */
  kubeconfig?: string;
  /** Concurrent creating clients. */
  clients: number;
  /** Give up waiting for a barrier after this long. */
  barrierTimeoutMs: number;
  /** Set every bound pod Running (the bench acting as the nodes' kubelet) and report created → Running. */
  podsRunning?: boolean;
  progress: (line: string) => void;
}

interface PodTrack {
  createdMs: number;
  boundMs?: number;
  runningMs?: number;
  /** Being deleted or gone (a preemption victim): no longer expected to run. */
  deleted?: boolean;
  measured: boolean;
  unschedulable: boolean;
}

interface Quantiles { p50: number; p90: number; p99: number; max: number }

export interface RunResult {
  measuredPods: number;
  scheduled: number;
  durationSeconds: number;
  throughput: { average: number; perSecond: number[]; p50: number; p90: number; p99: number };
  /** Created → bound (the binding seen on the watch, i.e. committed). */
  latencyMs: Quantiles;
  /** Created → Running, with --pods-running only; `count` pods reached Running. */
  runningLatencyMs?: Quantiles & { count: number };
  /** The bench's kubelet stand-in: writes that failed (other than NotFound/Conflict) and the last error. */
  kubelet?: { failures: number; lastError?: string };
  attempts: Record<string, number>;
  /**
   * The scheduler during the measured phase, sampled once a second from its /metrics: binds
   * awaiting the apiserver and pods in its active queue (both at the cap means the pipeline is
   * latency-bound, an empty queue that the scheduler waits for pods), and the mean bind latency.
   */
  schedulerSamples?: { bindsInFlightMean: number; bindsInFlightMax: number; activeQueueMean: number;
    bindMeanMs: number };
  /** CPU during the measured phase; cpuMsPerPod divides it by the pods scheduled (the noise-resistant figure). */
  processes: { name: string; cpuSeconds: number; systemSeconds?: number; cpuMsPerPod?: number; cpuPercent: number;
    rssMiB: number }[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

class ControlPlane {
  h: TestApiServer | undefined;
  scheduler: ChildProcess | undefined;
  schedulerPort = 0;
  kubeconfig = '';

  async boot(progress: (s: string) => void): Promise<void> {
    progress('booting 3 store members + apiserver + scheduler ...');
    this.h = await startTestApiServer({ backend: 'flotilla', storeMembers: 3, apiservers: 1 });
    this.kubeconfig = this.h.kubeconfigPath;
    [this.schedulerPort] = await freePorts(1) as [number];
    const log = openSync(join(this.h.dir, 'scheduler.log'), 'a');
    this.scheduler = spawn(process.execPath, [BIN, 'scheduler', '--kubeconfig', this.kubeconfig, '--leader-elect=false',
      '--secure-port', String(this.schedulerPort), '--kube-api-qps', '100000', '--kube-api-burst', '100000',
      '--events', 'failures'], { detached: true, stdio: ['ignore', log, log] });
    process.once('exit', this.#killScheduler);
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`http://127.0.0.1:${this.schedulerPort}/readyz`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) throw new Error(`the scheduler did not get ready; see ${join(this.h.dir, 'scheduler.log')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  processes(): { name: string; pid: number }[] {
    const out = this.h?.processes() ?? [];
    if (this.scheduler?.pid) out.push({ name: 'scheduler', pid: this.scheduler.pid });
    out.push({ name: 'bench (clients)', pid: process.pid });
    return out;
  }

  async attempts(): Promise<Record<string, number>> {
    if (!this.schedulerPort) return {};
    const text = await fetch(`http://127.0.0.1:${this.schedulerPort}/metrics`).then((r) => r.text(), () => '');
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^scheduler_schedule_attempts_total\{[^}]*result="([^"]+)"[^}]*\} (\S+)$/gm)) {
      out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
    }
    return out;
  }

  async metricsText(): Promise<string> {
    if (!this.schedulerPort) return '';
    return fetch(`http://127.0.0.1:${this.schedulerPort}/metrics`).then((r) => r.text(), () => '');
  }

  /** If the bench exits before stop() (a signal, a timeout), the scheduler must not outlive it. */
  readonly #killScheduler = () => {
    const s = this.scheduler;
    if (s?.pid && s.exitCode === null && s.signalCode === null) process.kill(-s.pid, 'SIGKILL');
  };

  async stop(): Promise<void> {
    process.removeListener('exit', this.#killScheduler);
    const s = this.scheduler;
    if (s?.pid && s.exitCode === null && s.signalCode === null) {
      const exited = new Promise((r) => s.once('exit', r));
      process.kill(-s.pid, 'SIGTERM');
      const t = setTimeout(() => process.kill(-s.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    await this.h?.stop();
  }
}

/**
 * A create, retried while transient; a retry answered AlreadyExists means the timed-out attempt committed.
 * The created object in the answer is not parsed: the bench learns everything from its watch.
 */
function createRetrying(client: ApiClient, r: typeof PODS, namespace: string, obj: Record<string, unknown>):
  Promise<void> {
  return retryTransient(() => client.createDiscardingResult(r, namespace, obj), isAlreadyExists);
}

function metricValue(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Samples the scheduler's binds in flight and active queue once a second until stopped. */
function sampleScheduler(cp: ControlPlane): { stop: () => Promise<RunResult['schedulerSamples']> } {
  const binds: number[] = [];
  const active: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const text = await cp.metricsText();
      if (text !== '') {
        binds.push(metricValue(text, /^flotilla_scheduler_binds_in_flight (\S+)$/m));
        active.push(metricValue(text, /^scheduler_pending_pods\{queue="active"\} (\S+)$/m));
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  let result: Promise<RunResult['schedulerSamples']> | undefined;
  return {
    stop: () => result ??= (async () => {
      stopped = true;
      await loop;
      const text = await cp.metricsText();
      const sum = metricValue(text, /^scheduler_binding_duration_seconds_sum(?:\{[^}]*\})? (\S+)$/m);
      const count = metricValue(text, /^scheduler_binding_duration_seconds_count(?:\{[^}]*\})? (\S+)$/m);
      return { bindsInFlightMean: mean(binds), bindsInFlightMax: Math.max(0, ...binds), activeQueueMean: mean(active),
        bindMeanMs: count > 0 ? (1000 * sum) / count : 0 };
    })(),
  };
}

async function parallel(count: number, clients: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(clients, count) }, async () => {
    while (next < count) await fn(next++);
  }));
}

export async function runWorkload(o: RunOptions): Promise<RunResult> {
  const cp = new ControlPlane();
  if (!o.kubeconfig) await cp.boot(o.progress);
  const client = ApiClient.fromKubeconfig(o.kubeconfig ?? cp.kubeconfig,
    { qps: 100_000, burst: 100_000, maxSockets: o.clients });
  const tracks = new Map<string, PodTrack>();
  const startRv = (await client.list(PODS, { limit: 1 })).metadata.resourceVersion;
  const kubelet = new BenchKubelet(client, o.podsRunning ?? false);
  const watch = client.watch<Pod>(PODS, { resourceVersion: startRv });
  /** Set when the pod watch ends before the run does: nothing would be measured (or confirmed) any more. */
  let watchEnded: string | undefined;
  let closing = false;
  const watching = (async () => {
    for await (const ev of watch) {
      const p = ev.object;
      const t = tracks.get(`${p.metadata?.namespace}/${p.metadata?.name}`);
      if (t === undefined) continue; // not ours (churn pods, or other users' pods on a real cluster)
      if (ev.type === 'DELETED') { t.deleted = true; kubelet.forget(p); continue; }
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
      if (t.boundMs === undefined && p.spec?.nodeName) t.boundMs = performance.now();
      if (t.runningMs === undefined && p.status?.phase === 'Running') t.runningMs = performance.now();
      if (p.metadata?.deletionTimestamp !== undefined) t.deleted = true;
      kubelet.observe(p);
    }
    if (!closing) watchEnded = 'the apiserver ended it';
  })().catch((e: unknown) => { if (!closing) watchEnded = e instanceof Error ? e.message : String(e); });
  const watchHealthy = () => {
    if (watchEnded !== undefined) throw new Error(`the bench's pod watch ended early (${watchEnded}); no result`);
  };
  let samplesStart: Map<string, ProcSample | undefined> | undefined;
  let measuredStartMs = 0;
  let schedSampler: ReturnType<typeof sampleScheduler> | undefined;
  const churn: { stop: boolean; done?: Promise<void> } = { stop: false };
  try {
    let nodeSeq = 0;
    let podSeq = 0;
    for (const [i, op] of o.workload.ops.entries()) {
      const t0 = performance.now();
      await runOp(op);
      o.progress(`op ${i} ${op.op}${'count' in op ? ` x${op.count}` : ''}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    churn.stop = true;
    await churn.done;
    if (o.podsRunning) await waitRunning(tracks, o.barrierTimeoutMs, watchHealthy);
    async function runOp(op: Op): Promise<void> {
      switch (op.op) {
        case 'createNodes':
          await parallel(op.count, NODE_CREATE_CLIENTS, async () => {
            const n = nodeSeq++;
            await createRetrying(client, NODES, '', nodeObject(`node-${n}`, n, op.template));
          });
          return;
        case 'createPods': {
          if (op.collectMetrics && !samplesStart) {
            samplesStart = new Map(cp.processes().map((p) => [p.name, sampleProcess(p.pid)]));
            measuredStartMs = performance.now();
            schedSampler = sampleScheduler(cp);
          }
          await parallel(op.count, o.clients, async () => {
            const name = `pod-${podSeq++}`;
            tracks.set(`${op.namespace}/${name}`, { createdMs: performance.now(), measured: op.collectMetrics,
              unschedulable: op.unschedulable });
            await createRetrying(client, PODS, op.namespace, podObject(name, op.template));
          });
          return;
        }
        case 'churn':
          churn.done = (async () => {
            const live: string[] = [];
            for (let k = 0; !churn.stop; k++) {
              const name = `churn-${k}`;
              await client.create(PODS, op.namespace, podObject(name, op.template)).catch(() => undefined);
              live.push(name);
              if (live.length > op.count) {
                const victim = live.shift()!;
                await client.delete(PODS, op.namespace, victim, { gracePeriodSeconds: 0 }).catch(() => undefined);
              }
              await new Promise((r) => setTimeout(r, op.intervalMs));
            }
          })();
          return;
        case 'barrier': {
          const deadline = performance.now() + o.barrierTimeoutMs;
          for (;;) {
            const waiting = [...tracks.values()]
              .filter((t) => !t.unschedulable && t.boundMs === undefined && !t.deleted).length;
            if (waiting === 0) return;
            watchHealthy();
            if (performance.now() > deadline) {
              const k = kubelet.failures > 0 ? `; ${kubelet.failures} kubelet stand-in writes failed, the last: ` +
                kubelet.lastError : '';
              throw new Error(`barrier: ${waiting} pods still unscheduled after ${o.barrierTimeoutMs} ms${k}`);
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    }
    const result = await summarize(tracks, measuredStartMs, samplesStart ?? new Map(), cp);
    const samples = await schedSampler?.stop();
    if (samples) result.schedulerSamples = samples;
    if (o.podsRunning || kubelet.failures > 0) {
      result.kubelet = { failures: kubelet.failures, ...(kubelet.lastError ? { lastError: kubelet.lastError } : {}) };
    }
    return result;
  } finally {
    await schedSampler?.stop();
    churn.stop = true;
    closing = true;
    watch.close();
    await watching;
    await kubelet.drain();
    client.close();
    await cp.stop();
  }
}

/** With --pods-running: wait (up to the barrier timeout) until every bound pod was seen Running. */
async function waitRunning(tracks: Map<string, PodTrack>, timeoutMs: number, watchHealthy: () => void):
  Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const waiting = [...tracks.values()]
      .filter((t) => t.boundMs !== undefined && t.runningMs === undefined && !t.deleted).length;
    if (waiting === 0) return;
    watchHealthy();
    if (performance.now() > deadline) throw new Error(`${waiting} bound pods still not Running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function quantiles(sorted: number[]): Quantiles {
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0 };
}

async function summarize(tracks: Map<string, PodTrack>, startMs: number, before: Map<string, ProcSample | undefined>,
  cp: ControlPlane): Promise<RunResult> {
  const measured = [...tracks.values()].filter((t) => t.measured);
  const bound = measured.filter((t) => t.boundMs !== undefined);
  const endMs = Math.max(...bound.map((t) => t.boundMs!), startMs + 1);
  const seconds = (endMs - startMs) / 1000;
  const perSecond = new Array<number>(Math.max(1, Math.ceil(seconds))).fill(0);
  for (const t of bound) perSecond[Math.min(perSecond.length - 1, Math.floor((t.boundMs! - startMs) / 1000))]! += 1;
  const sortedRates = [...perSecond].sort((a, b) => a - b);
  const lat = bound.map((t) => t.boundMs! - t.createdMs).sort((a, b) => a - b);
  const running = measured.filter((t) => t.runningMs !== undefined).map((t) => t.runningMs! - t.createdMs)
    .sort((a, b) => a - b);
  const processes = cp.processes().map((p) => {
    const a = before.get(p.name);
    const b = sampleProcess(p.pid);
    const cpu = a && b ? b.cpuSeconds - a.cpuSeconds : 0;
    const sys = a && b ? b.systemSeconds - a.systemSeconds : 0;
    return { name: p.name, cpuSeconds: cpu, systemSeconds: sys, cpuMsPerPod: (1000 * cpu) / Math.max(1, bound.length),
      cpuPercent: (100 * cpu) / seconds, rssMiB: (b?.rssBytes ?? 0) / 2 ** 20 };
  });
  return {
    measuredPods: measured.length, scheduled: bound.length, durationSeconds: seconds,
    throughput: { average: bound.length / seconds, perSecond, p50: quantile(sortedRates, 0.5),
      p90: quantile(sortedRates, 0.9),
      p99: quantile(sortedRates, 0.99) },
    latencyMs: quantiles(lat),
    ...(running.length > 0 ? { runningLatencyMs: { ...quantiles(running), count: running.length } } : {}),
    attempts: await cp.attempts(), processes,
  };
}
