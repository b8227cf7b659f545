// `flotilla bench failover-cp`: how long the control plane stops making progress when the active
// scheduler or controller-manager is killed with SIGKILL, as its standby takes the Lease over
// (client-go leader election: lease 1.5 s, retry 250 ms in Flotilla's defaults).
// - scheduler: pods are created at SCHED_POD_CREATE_PER_S; the leader (Lease holderIdentity mapped to
//   the process that logged that identity) is killed; measured: kill → the first binding (spec.nodeName
//   set, seen on a pod watch) of a pod created after the kill, so a bind the dead leader had in flight
//   never counts. The killed instance is restarted, so there are always two.
// - controller-manager: the Deployment's pods all exist (nothing in flight), the leader is killed and the
//   Deployment scaled up by CM_SCALE_STEP at once; measured: kill → the first new pod seen on the watch.
// Also reported: kill → the Lease held by the standby (polled every 25 ms).
import type { Deployment, Lease, Pod } from '../../control-plane/api/index.js';
import { LEASES, SharedInformer, type ApiClient } from '../../control-plane/client/index.js';
import { R } from '../../control-plane/controllers/types.js';
import { machineFacts, writeResult, type MachineFacts } from '../report.js';
import { CpCluster, FailoverBenchError, sleep, until, type CpProcess } from './cluster.js';
import * as L from './limits.js';

export type Component = 'scheduler' | 'controller-manager';

export interface FailoverOptions {
  kills: number;
  component: Component | 'both';
  storeMembers: number;
  nodes: number;
  /** Progress lines on stderr. */
  log?: (line: string) => void;
}

export interface FailoverSample { kill: number; victim: string; leaseMs: number; progressMs: number }

export interface Distribution { count: number; failures: number; medianMs: number; p90Ms: number; maxMs: number }

export interface FailoverResult {
  name: 'failover-cp';
  machine: MachineFacts;
  options: Omit<FailoverOptions, 'log'>;
  targetMs: number;
  scheduler?: { samples: FailoverSample[]; progress: Distribution; lease: Distribution };
  controllerManager?: { samples: FailoverSample[]; progress: Distribution; lease: Distribution };
}

export const TARGET_MS = 2000;

/** Nearest-rank percentile of the values (NaN for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function distribution(values: readonly number[]): Distribution {
  const ok = values.filter((v) => Number.isFinite(v));
  const r = (v: number): number => Math.round(v);
  return { count: ok.length, failures: values.length - ok.length, medianMs: r(percentile(ok, 50)),
    p90Ms: r(percentile(ok, 90)), maxMs: r(ok.length === 0 ? NaN : Math.max(...ok)) };
}

async function ensureNamespace(api: ApiClient, ns: string): Promise<void> {
  await api.create(R.namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
    .catch((e: unknown) => { if ((e as { code?: unknown }).code !== 409) throw e; });
}

/** Resolves with the ms from t0 to the Lease being held by someone other than `old` (NaN on timeout). */
async function leaseTakeover(api: ApiClient, lease: string, old: string, t0: number): Promise<number> {
  const deadline = t0 + L.FAILOVER_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const l = await api.get<Lease>(LEASES, 'kube-system', lease).catch(() => undefined);
    const holder = l?.spec?.holderIdentity ?? '';
    if (holder !== '' && holder !== old) return performance.now() - t0;
    await sleep(25);
  }
  return NaN;
}

/** A waiter resolved by the first event the predicate accepts (or NaN after FAILOVER_TIMEOUT_MS). */
class FirstAfter {
  #waiter: { accept: (name: string) => boolean; resolve: (ms: number) => void; t0: number } | undefined;

  wait(t0: number, accept: (name: string) => boolean): Promise<number> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#waiter = undefined; resolve(NaN); }, L.FAILOVER_TIMEOUT_MS);
      this.#waiter = { accept, t0, resolve: (ms) => { clearTimeout(t); resolve(ms); } };
    });
  }

  observe(name: string): void {
    const w = this.#waiter;
    if (w === undefined || !w.accept(name)) return;
    this.#waiter = undefined;
    w.resolve(performance.now() - w.t0);
  }
}

async function standbyReady(c: CpCluster, role: Component): Promise<CpProcess> {
  return until(`a ${role} leader with a live standby`, async () => {
    const leader = await c.leader(role);
    const standby = c.byRole(role).filter((p) => p !== leader && p.identity !== '');
    return leader !== undefined && standby.length > 0 ? leader : undefined;
  }, L.FAILOVER_TIMEOUT_MS);
}

async function podCreator(api: ApiClient, ns: string, createdAt: Map<string, number>, signal: AbortSignal):
  Promise<void> {
  let seq = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (!signal.aborted) {
    const name = `p-${++seq}`;
    createdAt.set(name, performance.now());
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }], terminationGracePeriodSeconds: 0 } };
    const pr = api.create(R.pods, ns, pod).catch(() => undefined);
    inFlight.add(pr);
    void pr.finally(() => inFlight.delete(pr));
    await sleep(1000 / L.SCHED_POD_CREATE_PER_S);
  }
  await Promise.all(inFlight);
}

export async function measureScheduler(c: CpCluster, kills: number, log: (l: string) => void):
  Promise<FailoverSample[]> {
  const ns = 'failover-sched';
  await ensureNamespace(c.api, ns);
  const createdAt = new Map<string, number>();
  const first = new FirstAfter();
  const inf = new SharedInformer<Pod>(c.api, R.pods, { namespace: ns });
  const bound = (p: Pod): void => { if ((p.spec?.nodeName ?? '') !== '') first.observe(p.metadata?.name ?? ''); };
  inf.addEventHandler({ onAdd: bound, onUpdate: (o, p) => { if ((o.spec?.nodeName ?? '') === '') bound(p); } });
  inf.start();
  await inf.waitForSync();
  const stop = new AbortController();
  const creating = podCreator(c.api, ns, createdAt, stop.signal);
  const samples: FailoverSample[] = [];
  try {
    for (let k = 1; k <= kills; k++) {
      const victim = await standbyReady(c, 'scheduler');
      // Bindings are flowing before the kill.
      const warm = performance.now();
      await first.wait(warm, (n) => (createdAt.get(n) ?? 0) > warm);
      const t0 = performance.now();
      const progress = first.wait(t0, (n) => (createdAt.get(n) ?? 0) > t0);
      const lease = leaseTakeover(c.api, 'kube-scheduler', victim.identity, t0);
      await c.kill(victim);
      const s = { kill: k, victim: victim.name, progressMs: await progress, leaseMs: await lease };
      samples.push(s);
      log(`scheduler kill ${k}/${kills}: ${victim.name} → lease ${s.leaseMs.toFixed(0)} ms, next binding ${s.progressMs.toFixed(0)} ms`);
      await c.restart(victim);
      await sleep(L.SETTLE_AFTER_RESTART_MS);
    }
  } finally {
    stop.abort();
    await creating;
    await inf.stop();
  }
  return samples;
}

export async function measureControllerManager(c: CpCluster, kills: number, log: (l: string) => void):
  Promise<FailoverSample[]> {
  const ns = 'failover-cm';
  await ensureNamespace(c.api, ns);
  const first = new FirstAfter();
  const inf = new SharedInformer<Pod>(c.api, R.pods, { namespace: ns });
  inf.addEventHandler({ onAdd: (p) => first.observe(p.metadata?.name ?? '') });
  inf.start();
  await inf.waitForSync();
  let replicas = 0;
  const d: Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'scaler', namespace: ns },
    spec: { replicas, selector: { matchLabels: { app: 'scaler' } }, template: { metadata: { labels: { app: 'scaler' } },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }], terminationGracePeriodSeconds: 0 } } } };
  await c.api.create(R.deployments, ns, d);
  const samples: FailoverSample[] = [];
  try {
    for (let k = 1; k <= kills; k++) {
      const victim = await standbyReady(c, 'controller-manager');
      // Nothing in flight: every pod the Deployment wants exists.
      await until('the Deployment\'s pods to exist', () => (inf.store.list().filter((p) =>
        p.metadata?.deletionTimestamp === undefined).length >= replicas ? true : undefined), L.FAILOVER_TIMEOUT_MS);
      const t0 = performance.now();
      const progress = first.wait(t0, () => true);
      const lease = leaseTakeover(c.api, 'kube-controller-manager', victim.identity, t0);
      await c.kill(victim);
      replicas += L.CM_SCALE_STEP;
      await c.api.patch(R.deployments, ns, 'scaler', 'merge', { spec: { replicas } });
      const s = { kill: k, victim: victim.name, progressMs: await progress, leaseMs: await lease };
      samples.push(s);
      log(`controller-manager kill ${k}/${kills}: ${victim.name} → lease ${s.leaseMs.toFixed(0)} ms, ` +
        `next pod created ${s.progressMs.toFixed(0)} ms`);
      await c.restart(victim);
      await sleep(L.SETTLE_AFTER_RESTART_MS);
    }
  } finally {
    await inf.stop();
  }
  return samples;
}

export async function runFailoverBench(o: FailoverOptions): Promise<FailoverResult> {
  if (!Number.isInteger(o.kills) || o.kills < 1 || o.kills > L.KILLS_MAX) {
    throw new FailoverBenchError(`--kills must be an integer from 1 to ${L.KILLS_MAX}, got ${o.kills}`);
  }
  const log = o.log ?? (() => {});
  const machine = machineFacts();
  const c = await CpCluster.start({ storeMembers: o.storeMembers, agents: [{ prefix: 'sim', nodes: o.nodes, index: 100 }] });
  const result: FailoverResult = { name: 'failover-cp', machine, targetMs: TARGET_MS,
    options: { kills: o.kills, component: o.component, storeMembers: o.storeMembers, nodes: o.nodes } };
  try {
    if (o.component !== 'controller-manager') {
      const samples = await measureScheduler(c, o.kills, log);
      result.scheduler = { samples, progress: distribution(samples.map((s) => s.progressMs)),
        lease: distribution(samples.map((s) => s.leaseMs)) };
    }
    if (o.component !== 'scheduler') {
      const samples = await measureControllerManager(c, o.kills, log);
      result.controllerManager = { samples, progress: distribution(samples.map((s) => s.progressMs)),
        lease: distribution(samples.map((s) => s.leaseMs)) };
    }
  } finally {
    await c.stop();
  }
  return result;
}

function row(name: string, what: string, d: Distribution): string {
  const ok = d.maxMs <= TARGET_MS && d.failures === 0 ? 'within' : 'OVER';
  return `${name.padEnd(20)} ${what.padEnd(16)} n=${String(d.count).padEnd(4)} median ${String(d.medianMs).padStart(5)} ms` +
    `  p90 ${String(d.p90Ms).padStart(5)} ms  max ${String(d.maxMs).padStart(5)} ms  failures ${d.failures}` +
    `  (${ok} the ${TARGET_MS} ms target)`;
}

/** The CLI action: run, print a table (or the JSON), write the JSON under bench/results/. */
export async function benchFailoverCommand(f: { kills: number; component: string; storeMembers: number; nodes: number;
  quick?: boolean; json?: boolean }): Promise<FailoverResult> {
  if (!['scheduler', 'controller-manager', 'both'].includes(f.component)) {
    throw new FailoverBenchError('--component must be scheduler, controller-manager or both');
  }
  if (f.storeMembers !== 1 && f.storeMembers !== 3) throw new FailoverBenchError('--store-members must be 1 or 3');
  const result = await runFailoverBench({ kills: f.quick === true ? L.QUICK_KILLS : f.kills,
    component: f.component as Component | 'both', storeMembers: f.storeMembers, nodes: f.nodes,
    log: (l) => process.stderr.write(l + '\n') });
  const path = writeResult('failover-cp', result);
  if (f.json === true) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return result;
  }
  const lines: string[] = [];
  if (result.scheduler) {
    lines.push(row('scheduler', 'kill→binding', result.scheduler.progress), row('scheduler', 'kill→lease', result.scheduler.lease));
  }
  if (result.controllerManager) {
    lines.push(row('controller-manager', 'kill→pod create', result.controllerManager.progress),
      row('controller-manager', 'kill→lease', result.controllerManager.lease));
  }
  lines.push(`json: ${path}`);
  process.stdout.write(lines.join('\n') + '\n');
  return result;
}
