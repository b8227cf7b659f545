// Control-plane experiments (`kind: control-plane` in chaos/experiments/*.yaml): a whole
// cluster from `flotilla up`, a Deployment workload through the apiserver (and optionally real
// kubectl), faults aimed at processes and machines of the cluster, and the control-plane
// checkers. Validation names the file and the field path, as for the KV experiments.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ExperimentError } from '../run/errors.js';
import { type Experiment, type ExperimentOverrides, parseExperiment, Reader, readSchedule, type Schedule } from '../run/experiment.js';
import { CP_LIMITS } from './limits.js';

export type CpTarget = 'apiserver' | 'scheduler' | 'controller-manager' | 'master' | 'store-leader-master' |
  'store-follower' | 'worker' | 'node-agent';
export const CP_TARGETS: readonly CpTarget[] = ['apiserver', 'scheduler', 'controller-manager', 'master',
  'store-leader-master', 'store-follower', 'worker', 'node-agent'];
export type CpCheckerName = 'bindings' | 'surge' | 'convergence' | 'availability';
export const CP_CHECKERS: readonly CpCheckerName[] = ['bindings', 'surge', 'convergence', 'availability'];

export type CpFault = Schedule & {
  target: CpTarget;
  /** 1-based master or worker number; undefined: chosen when the fault fires (active / leader / random). */
  index?: number;
  signal: 'SIGKILL' | 'SIGTERM';
  restartAfterMs: number;
};

export interface CpWorkload {
  namespace: string;
  deployments: number;
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  maxSurge: number;
  maxUnavailable: number;
  /** Per second, over all Deployments: scale to a random size, change the pod template, delete one and create
   * another. */
  scaleRate: number;
  updateRate: number;
  churnRate: number;
  /** Per second: reads (get/list Deployments) and cheap writes (a ConfigMap update) that measure availability. */
  readRate: number;
  writeRate: number;
  requestTimeoutMs: number;
  /** Real kubectl in a loop (get, then apply); undefined: none. */
  kubectl?: { rate: number; requestTimeoutMs: number };
  /** Workload traffic stops this long before the end of `duration`, so that convergence is timed on a stable spec. */
  quietMs: number;
}

export interface CpExperiment {
  kind: 'control-plane';
  file: string;
  name: string;
  description: string;
  masters: 1 | 3 | 5;
  workers: number;
  durationMs: number;
  workload: CpWorkload;
  faults: CpFault[];
  checkers: CpCheckerName[];
  maxUnavailableMs: number;
  convergeWithinMs: number;
  surgeSpecLagMs: number;
}

type Obj = Record<string, unknown>;

function readTarget(r: Reader, v: unknown, path: string, masters: number, workers: number): Pick<CpFault, 'target' | 'index'> {
  const m = typeof v === 'string' ? /^([a-z-]+)(?::(\d+))?$/.exec(v) : null;
  const target = m?.[1] as CpTarget | undefined;
  if (!m || target === undefined || !CP_TARGETS.includes(target)) {
    return r.fail(path, `expected one of ${CP_TARGETS.join(', ')} (apiserver, master, worker and node-agent take :N), ` +
      `got ${JSON.stringify(v)}`);
  }
  if (m[2] === undefined) {
    if ((target === 'worker' || target === 'node-agent') && workers === 0) r.fail(path, 'needs topology.workers ≥ 1');
    return { target };
  }
  const onMaster = target === 'apiserver' || target === 'master';
  if (!onMaster && target !== 'worker' && target !== 'node-agent') {
    r.fail(path, `${target} is chosen when the fault fires (the active one / the leader's); it takes no :N`);
  }
  const max = onMaster ? masters : workers;
  return { target, index: r.int(Number(m[2]), path, 1, Math.max(1, max)) };
}

function readFaults(r: Reader, v: unknown, masters: number, workers: number, durationMs: number): CpFault[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) r.fail('faults', 'expected a list');
  return (v as unknown[]).map((f, i) => {
    const path = `faults[${i}]`;
    const raw = r.obj(f, path, ['kill', 'signal', 'at', 'every', 'times', 'restartAfter']);
    if (raw['kill'] === undefined) r.fail(`${path}.kill`, `required: ${CP_TARGETS.join(', ')}`);
    const signal = r.oneOf(raw['signal'], `${path}.signal`, ['KILL', 'TERM'] as const, 'KILL');
    return { ...readSchedule(r, raw, path, durationMs), ...readTarget(r, raw['kill'], `${path}.kill`, masters, workers),
      signal: signal === 'KILL' ? 'SIGKILL' as const : 'SIGTERM' as const,
      restartAfterMs: r.ms(raw['restartAfter'], `${path}.restartAfter`, undefined, 0) };
  });
}

function readWorkload(r: Reader, v: unknown, name: string, durationMs: number): CpWorkload {
  const w = r.obj(v ?? {}, 'workload', ['namespace', 'deployments', 'replicas', 'minReplicas', 'maxReplicas', 'maxSurge',
    'maxUnavailable', 'scaleRate', 'updateRate', 'churnRate', 'readRate', 'writeRate', 'requestTimeout', 'kubectl', 'quiet']);
  const L = CP_LIMITS;
  const replicas = r.int(w['replicas'], 'workload.replicas', 0, L.replicasMax, 2);
  const minReplicas = r.int(w['minReplicas'], 'workload.minReplicas', 0, L.replicasMax, Math.min(1, replicas));
  const maxReplicas = r.int(w['maxReplicas'], 'workload.maxReplicas', minReplicas, L.replicasMax, Math.max(replicas, 4));
  if (replicas < minReplicas || replicas > maxReplicas) r.fail('workload.replicas', 'must be within minReplicas..maxReplicas');
  const maxSurge = r.int(w['maxSurge'], 'workload.maxSurge', 0, L.replicasMax, 1);
  const maxUnavailable = r.int(w['maxUnavailable'], 'workload.maxUnavailable', 0, L.replicasMax, 0);
  if (maxSurge === 0 && maxUnavailable === 0) r.fail('workload.maxSurge', 'maxSurge and maxUnavailable cannot both be 0');
  const ns = w['namespace'] ?? `chaos-${name}`.slice(0, 50).replace(/[^a-z0-9-]/g, '-');
  if (typeof ns !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(ns)) r.fail('workload.namespace', 'expected a DNS label');
  let kubectl: CpWorkload['kubectl'];
  if (w['kubectl'] !== undefined) {
    const k = r.obj(w['kubectl'], 'workload.kubectl', ['rate', 'requestTimeout']);
    kubectl = { rate: r.num(k['rate'], 'workload.kubectl.rate', 0.1, L.kubectlRateMax, 1),
      requestTimeoutMs: r.ms(k['requestTimeout'], 'workload.kubectl.requestTimeout', 5_000, 500, 60_000) };
  }
  const rate = (k: string, d: number) => r.num(w[k], `workload.${k}`, 0, L.rateMax, d);
  return { namespace: ns as string, deployments: r.int(w['deployments'], 'workload.deployments', 1, L.deploymentsMax, 3),
    replicas, minReplicas, maxReplicas, maxSurge, maxUnavailable, scaleRate: rate('scaleRate', 0.5),
    updateRate: rate('updateRate', 0.2), churnRate: rate('churnRate', 0.05), readRate: rate('readRate', 5),
    writeRate: rate('writeRate', 5),
    requestTimeoutMs: r.ms(w['requestTimeout'], 'workload.requestTimeout', L.requestTimeoutMsDefault, 100, 60_000),
    ...(kubectl ? { kubectl } : {}), quietMs: r.ms(w['quiet'], 'workload.quiet', 0, 0, durationMs) };
}

export function parseCpExperiment(doc: unknown, file: string): CpExperiment {
  const r = new Reader(file);
  const top = r.obj(doc, '', ['kind', 'name', 'description', 'topology', 'duration', 'workload', 'faults', 'checkers',
    'maxUnavailable', 'convergeWithin', 'surgeSpecLag']) as Obj;
  if (typeof top['name'] !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(top['name'])) {
    r.fail('name', 'required: lower-case letters, digits and dashes');
  }
  const topo = r.obj(top['topology'] ?? {}, 'topology', ['masters', 'workers']);
  const masters = r.int(topo['masters'], 'topology.masters', 1, 5, 3);
  if (masters !== 1 && masters !== 3 && masters !== 5) r.fail('topology.masters', `must be 1, 3 or 5, got ${masters}`);
  const workers = r.int(topo['workers'], 'topology.workers', 1, CP_LIMITS.workersMax, 2);
  const durationMs = r.ms(top['duration'], 'duration', 60_000, CP_LIMITS.durationMsMin, CP_LIMITS.durationMsMax);
  const checkersRaw: unknown = top['checkers'] ?? CP_CHECKERS;
  if (!Array.isArray(checkersRaw)) r.fail('checkers', `expected a list of ${CP_CHECKERS.join(', ')}`);
  return { kind: 'control-plane', file, name: top['name'] as string,
    description: typeof top['description'] === 'string' ? top['description'] : '', masters: masters as 1 | 3 | 5,
    workers, durationMs, workload: readWorkload(r, top['workload'], top['name'] as string, durationMs),
    faults: readFaults(r, top['faults'], masters, workers, durationMs),
    checkers: (checkersRaw as unknown[]).map((c, i) => r.oneOf(c, `checkers[${i}]`, CP_CHECKERS)),
    maxUnavailableMs: r.ms(top['maxUnavailable'], 'maxUnavailable', CP_LIMITS.maxUnavailableMsDefault, 100),
    convergeWithinMs: r.ms(top['convergeWithin'], 'convergeWithin', CP_LIMITS.convergeWithinMsDefault, 1000),
    surgeSpecLagMs: r.ms(top['surgeSpecLag'], 'surgeSpecLag', CP_LIMITS.surgeSpecLagMsDefault, 0, 600_000) };
}

/** Either kind of experiment: `kind: control-plane`, or the store's KV experiments (no kind, or `kind: kv`). */
export function parseAnyExperiment(text: string, file = '<experiment>', overrides: ExperimentOverrides = {}):
  Experiment | CpExperiment {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ExperimentError(file, '', `not valid YAML: ${(e as Error).message}`);
  }
  const kind = doc !== null && typeof doc === 'object' ? (doc as Obj)['kind'] : undefined;
  if (kind === 'control-plane') return parseCpExperiment(doc, file);
  if (kind !== undefined && kind !== 'kv') throw new ExperimentError(file, 'kind', `expected kv or control-plane, got ${JSON.stringify(kind)}`);
  return parseExperiment(text, file, overrides);
}

export function loadAnyExperiment(file: string, overrides: ExperimentOverrides = {}): Experiment | CpExperiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExperimentError(file, '', `cannot read: ${(e as Error).message}`);
  }
  return parseAnyExperiment(text, file, overrides);
}

export const isCpExperiment = (e: Experiment | CpExperiment): e is CpExperiment => (e as CpExperiment).kind === 'control-plane';
