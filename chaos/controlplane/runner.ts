// One control-plane experiment: `flotilla up` a fresh cluster, record pods, Deployments and
// ReplicaSets of the workload's namespace from list+watch, create the first Deployments and let
// them settle, then traffic and the fault schedule; at the end of the duration heal everything,
// stop changing specs, keep reads/writes/kubectl going until every Deployment has converged (or
// the bound passes), take the final pods from a consistent list, stop the cluster, check.
import { randomBytes } from 'node:crypto';
import { findResource, type Deployment, type Pod, type ReplicaSet } from '../../control-plane/api/index.js';
import { checkApiAvailability, type ApiAvailabilityResult } from '../checkers/api-availability.js';
import { checkBindings, type BindingsResult } from '../checkers/bindings.js';
import { checkConvergence, converged, type ConvergenceResult } from '../checkers/convergence.js';
import type { Verdict } from '../checkers/linearizability.js';
import { checkSurge, type SurgeResult } from '../checkers/surge.js';
import type { FaultWindow } from '../checkers/availability.js';
import type { FaultEvent } from '../run/faults.js';
import { CpCluster } from './cluster.js';
import type { CpExperiment } from './experiment.js';
import { CpFaultScheduler } from './faults.js';
import type { ApiOp, DeploymentView, Observation, PodView, ReplicaSetView } from './history.js';
import { ResourceRecorder } from './recorder.js';
import { DEPLOY_LABEL, DeploymentWorkload } from './workload.js';

export type CpCheckerResult = BindingsResult | SurgeResult | ConvergenceResult | ApiAvailabilityResult;

export interface LeaderObservation { t: number; role: 'store' | 'scheduler' | 'controller-manager'; holder: string }

export interface CpRun {
  experiment: string;
  durationMs: number;
  trafficStart: number;
  healedAt: number;
  /** When convergence is timed from: the last heal or the last spec change, whichever is later. */
  settleFrom: number;
  stoppedAt: number;
  ops: ApiOp[];
  pods: Observation<PodView>[];
  deployments: Observation<DeploymentView>[];
  replicaSets: Observation<ReplicaSetView>[];
  finalPods: PodView[];
  faultEvents: FaultEvent[];
  leaders: LeaderObservation[];
  recorderStats: Record<string, { relists: number; rewatches: number; dropped: number }>;
  checkers: CpCheckerResult[];
  verdict: Verdict;
  stateDir?: string;
}

const R = { pods: findResource('', 'pods')!, deployments: findResource('apps', 'deployments')!,
  replicaSets: findResource('apps', 'replicasets')! };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const podView = (p: Pod): PodView => ({ name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '',
  deployment: p.metadata?.labels?.[DEPLOY_LABEL] ?? '', nodeName: p.spec?.nodeName ?? '',
  terminated: p.metadata?.deletionTimestamp !== undefined || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed',
  ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false });

export const deploymentView = (d: Deployment): DeploymentView => ({ name: d.metadata?.name ?? '', uid: d.metadata?.uid ?? '',
  generation: d.metadata?.generation ?? 0, replicas: d.spec?.replicas ?? 1,
  observedGeneration: d.status?.observedGeneration ?? 0, statusReplicas: d.status?.replicas ?? 0,
  readyReplicas: d.status?.readyReplicas ?? 0, updatedReplicas: d.status?.updatedReplicas ?? 0,
  availableReplicas: d.status?.availableReplicas ?? 0 });

const rsView = (r: ReplicaSet): ReplicaSetView => ({ name: r.metadata?.name ?? '', uid: r.metadata?.uid ?? '',
  deployment: r.metadata?.labels?.[DEPLOY_LABEL] ?? '', replicas: r.spec?.replicas ?? 0, statusReplicas: r.status?.replicas ?? 0 });

/** Store leader and Lease holders every second; a change (to a known value) is recorded. */
function startLeaderMonitor(cluster: CpCluster, now: () => number, out: LeaderObservation[]): () => Promise<void> {
  let stopped = false;
  const last = new Map<string, string>();
  const note = (role: LeaderObservation['role'], holder: string | undefined) => {
    if (holder === undefined || last.get(role) === holder) return;
    last.set(role, holder);
    out.push({ t: now(), role, holder });
  };
  const loop = (async () => {
    while (!stopped) {
      const [store, sched, cm] = await Promise.all([cluster.storeLeader(), cluster.leaseHolder('kube-scheduler'),
        cluster.leaseHolder('kube-controller-manager')]);
      note('store', store === undefined ? undefined : `master-${store}`);
      note('scheduler', sched?.machine);
      note('controller-manager', cm?.machine);
      await sleep(1000);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

/** Polls a consistent list until every Deployment is converged and its pods agree; false after `withinMs`. */
async function awaitConvergence(cluster: CpCluster, ns: string, withinMs: number): Promise<boolean> {
  const api = cluster.client(5_000);
  const deadline = Date.now() + withinMs;
  try {
    while (Date.now() < deadline) {
      const ok = await (async () => {
        const ds = (await api.listAll<Deployment>(R.deployments, { namespace: ns })).items.map(deploymentView);
        const pods = (await api.listAll<Pod>(R.pods, { namespace: ns })).items.map(podView);
        return ds.every((d) => converged(d) && pods.filter((p) => p.deployment === d.name && !p.terminated &&
          p.ready && p.nodeName !== '').length === d.replicas && pods.filter((p) => p.deployment === d.name &&
          !p.terminated).length === d.replicas);
      })().catch(() => false);
      if (ok) return true;
      await sleep(250);
    }
    return false;
  } finally {
    api.close();
  }
}

export interface CpRunOptions {
  durationMs?: number;
  log?: (line: string) => void;
  /** Keep the cluster's state directory (logs) after the run, also when every checker passed. */
  keepState?: boolean;
  /**
   * Run against the cluster already running from this state directory (`flotilla up --state-dir`)
   * instead of booting one. Its faults are healed at the end and it keeps running; the workload's
   * namespace gets a random suffix and is deleted afterwards.
   */
  clusterStateDir?: string;
}

/** Attached runs leave the user's cluster as they found it: the workload's namespace goes. */
async function deleteNamespace(cluster: CpCluster, ns: string, log: (l: string) => void): Promise<void> {
  const api = cluster.client(10_000);
  try {
    await api.delete(findResource('', 'namespaces')!, '', ns);
    log(`namespace ${ns} deleted`);
  } catch (e) {
    log(`could not delete namespace ${ns}: ${(e as Error).message}`);
  } finally {
    api.close();
  }
}

export async function runControlPlane(exp: CpExperiment, o: CpRunOptions = {}): Promise<CpRun> {
  const log = o.log ?? (() => undefined);
  const t0 = performance.now();
  const now = () => Math.round((performance.now() - t0) * 10) / 10;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  let cluster: CpCluster;
  if (o.clusterStateDir !== undefined) {
    log(`${exp.name}: against the running cluster in ${o.clusterStateDir}`);
    cluster = CpCluster.attach(o.clusterStateDir, { masters: exp.masters, workers: exp.workers });
    exp = { ...exp, workload: { ...exp.workload, namespace: `${exp.workload.namespace.slice(0, 50)}-${
      randomBytes(3).toString('hex')}` } };
  } else {
    log(`${exp.name}: flotilla up (${exp.masters} masters, ${exp.workers} workers, fast node lifecycle)`);
    cluster = await CpCluster.start({ masters: exp.masters, workers: exp.workers }, (l) => log(`  ${l}`));
  }
  let run: CpRun | undefined;
  try {
    run = await drive(exp, cluster, o.durationMs ?? exp.durationMs, now, (l) => log(`${fmt(now())} ${l}`));
    return run;
  } finally {
    if (cluster.attached) await deleteNamespace(cluster, exp.workload.namespace, log);
    const keep = o.keepState === true || run?.verdict !== 'pass';
    if (keep) log(`cluster state and logs kept in ${cluster.state.stateDir}`);
    await cluster.stop(keep);
    if (run && keep) run.stateDir = cluster.state.stateDir;
  }
}

async function drive(exp: CpExperiment, cluster: CpCluster, durationMs: number, now: () => number,
  log: (l: string) => void): Promise<CpRun> {
  const w = exp.workload;
  const api = cluster.client(w.requestTimeoutMs);
  const watchApi = cluster.client(30_000);
  const workload = new DeploymentWorkload(w, api, cluster.state.kubeconfig, now);
  const leaders: LeaderObservation[] = [];
  const stopMonitor = startLeaderMonitor(cluster, now, leaders);
  const recorders = { pods: new ResourceRecorder(watchApi, R.pods, w.namespace, podView, now),
    deployments: new ResourceRecorder(watchApi, R.deployments, w.namespace, deploymentView, now),
    replicaSets: new ResourceRecorder(watchApi, R.replicaSets, w.namespace, rsView, now) };
  const faults = new CpFaultScheduler(cluster, now, log);
  let progress: NodeJS.Timeout | undefined;
  try {
    await workload.setup();
    await Promise.all(Object.values(recorders).map((r) => r.start()));
    log(`${w.deployments} Deployments created in ${w.namespace}; waiting for them to settle`);
    if (!(await awaitConvergence(cluster, w.namespace, exp.convergeWithinMs))) {
      throw new Error(`the first Deployments did not converge within ${exp.convergeWithinMs} ms (before any fault)`);
    }
    const trafficStart = now();
    workload.start();
    faults.start(exp.faults, trafficStart, trafficStart + durationMs);
    progress = setInterval(() => log(progressLine(workload.ops, faults.activeLabels, leaders)), 5_000);
    await sleep(Math.max(0, trafficStart + durationMs - w.quietMs - now()));
    workload.stopMutations();
    await sleep(Math.max(0, trafficStart + durationMs - now()));
    await faults.healAll();
    const healedAt = now();
    const lastMutation = Math.max(0, ...workload.ops.filter((x) => x.replicas !== undefined || x.kind === 'update')
      .map((x) => x.ret ?? x.call));
    const settleFrom = Math.max(healedAt, lastMutation);
    log(`healed everything; waiting for every Deployment to converge (bound ${exp.convergeWithinMs} ms)`);
    const ok = await awaitConvergence(cluster, w.namespace, exp.convergeWithinMs + 5_000);
    await sleep(1_000); // the recorders see the last status writes; the probes keep measuring after the heal
    const stoppedAt = now();
    log(ok ? 'converged' : 'NOT converged within the bound');
    await workload.stop();
    const finalPods = (await watchApi.listAll<Pod>(R.pods, { namespace: w.namespace })).items.map(podView);
    return finish(exp, { durationMs, trafficStart, healedAt, settleFrom, stoppedAt, ops: workload.ops,
      pods: recorders.pods.observations, deployments: recorders.deployments.observations,
      replicaSets: recorders.replicaSets.observations, finalPods, faultEvents: faults.events, windows: faults.windows,
      leaders, recorderStats: Object.fromEntries(Object.entries(recorders).map(([k, r]) =>
        [k, { relists: r.relists, rewatches: r.rewatches, dropped: r.dropped }])) });
  } finally {
    clearInterval(progress);
    faults.cancel();
    await workload.stop();
    await Promise.all(Object.values(recorders).map((r) => r.stop()));
    await stopMonitor();
    api.close();
    watchApi.close();
  }
}

type Recorded = Omit<CpRun, 'experiment' | 'checkers' | 'verdict' | 'stateDir'> &
  { windows: FaultWindow[] };

export function finish(exp: CpExperiment, r: Recorded): CpRun {
  const checkers: CpCheckerResult[] = [];
  for (const name of exp.checkers) {
    if (name === 'bindings') checkers.push(checkBindings(r.pods));
    if (name === 'surge') checkers.push(checkSurge(r.pods, r.ops, exp.surgeSpecLagMs, r.replicaSets));
    if (name === 'convergence') checkers.push(checkConvergence(r.deployments, r.settleFrom, exp.convergeWithinMs, r.finalPods));
    if (name === 'availability') checkers.push(checkApiAvailability(r.ops, r.windows, r.stoppedAt, exp.maxUnavailableMs));
  }
  const verdicts = checkers.map((c) => c.verdict);
  const verdict: Verdict = verdicts.includes('fail') ? 'fail' : verdicts.includes('unknown') ? 'unknown' : 'pass';
  const { windows: _w, ...rest } = r;
  return { ...rest, experiment: exp.name, checkers, verdict };
}

function progressLine(ops: readonly ApiOp[], active: string[], leaders: LeaderObservation[]): string {
  const ok = ops.filter((x) => x.ret !== null).length;
  const holder = (role: string) => leaders.filter((l) => l.role === role).at(-1)?.holder ?? '?';
  return `ops ${ops.length} (ok ${ok}, failed ${ops.length - ok}) | store leader ${holder('store')}, scheduler ` +
    `${holder('scheduler')}, controller-manager ${holder('controller-manager')} | faults: ${active.join('; ') || 'none'}`;
}
