// scheduler_perf-style workloads as YAML: a list of ops (createNodes, createPods, churn,
// barrier) with templates and parameters; `collectMetrics: true` marks the measured phase.
// Parameters ($nodes, ...) come from the file's `params`, overridden by --param k=v.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export class WorkloadError extends Error {
  readonly code = 'FLOTILLA_ERR_WORKLOAD';
}

export interface NodeTemplate {
  /** Labels; "{zone}" in a value becomes zone-<i % zones>. */
  labels?: Record<string, string>;
  zones?: number;
  capacity?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  /** Every Nth node gets the taints (default 1: all). */
  taintEvery?: number;
}

export interface PodTemplate {
  labels?: Record<string, string>;
  requests?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  priority?: number;
  /** Raw pod spec fields merged in (affinity, topologySpreadConstraints, tolerations, ...). */
  spec?: Record<string, unknown>;
}

export type Op =
  | { op: 'createNodes'; count: number; template: NodeTemplate }
  | { op: 'createPods'; count: number; template: PodTemplate; namespace: string; collectMetrics: boolean;
    /** The pods are expected to stay unschedulable (the phase ends when they are all attempted). */
    unschedulable: boolean }
  | { op: 'churn'; count: number; template: PodTemplate; namespace: string; intervalMs: number }
  | { op: 'barrier' };

export interface Workload {
  name: string;
  description: string;
  ops: Op[];
  params: Record<string, number>;
}

function resolveNumber(v: unknown, params: Record<string, number>, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && v.startsWith('$')) {
    const p = params[v.slice(1)];
    if (p === undefined) throw new WorkloadError(`${path}: parameter ${v} is not defined (params: ${Object.keys(params).join(', ')})`);
    return p;
  }
  throw new WorkloadError(`${path}: expected a non-negative integer or $param, got ${JSON.stringify(v)}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new WorkloadError(`${path}: expected a mapping`);
  return v as Record<string, unknown>;
}

export function parseWorkload(text: string, source: string, overrides: Record<string, number> = {}): Workload {
  let doc: Record<string, unknown>;
  try {
    doc = obj(parse(text), source);
  } catch (e) {
    if (e instanceof WorkloadError) throw e;
    throw new WorkloadError(`${source}: not YAML: ${(e as Error).message}`);
  }
  const name = typeof doc['name'] === 'string' ? doc['name'] : '';
  if (name === '') throw new WorkloadError(`${source}: name is required`);
  const params: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj(doc['params'], `${source}: params`))) {
    params[k] = resolveNumber(v, {}, `${source}: params.${k}`);
  }
  Object.assign(params, overrides);
  if (!Array.isArray(doc['ops']) || doc['ops'].length === 0) throw new WorkloadError(`${source}: ops must be a non-empty list`);
  const ops = (doc['ops'] as unknown[]).map((raw, i): Op => {
    const path = `${source}: ops[${i}]`;
    const o = obj(raw, path);
    switch (o['op']) {
      case 'createNodes':
        return { op: 'createNodes', count: resolveNumber(o['count'], params, `${path}.count`),
          template: obj(o['template'], `${path}.template`) as NodeTemplate };
      case 'createPods':
        return { op: 'createPods', count: resolveNumber(o['count'], params, `${path}.count`),
          template: obj(o['template'], `${path}.template`) as PodTemplate,
          namespace: typeof o['namespace'] === 'string' ? o['namespace'] : 'default',
          collectMetrics: o['collectMetrics'] === true, unschedulable: o['unschedulable'] === true };
      case 'churn':
        return { op: 'churn', count: resolveNumber(o['count'], params, `${path}.count`),
          template: obj(o['template'], `${path}.template`) as PodTemplate,
          namespace: typeof o['namespace'] === 'string' ? o['namespace'] : 'default',
          intervalMs: resolveNumber(o['intervalMs'] ?? 100, params, `${path}.intervalMs`) };
      case 'barrier':
        return { op: 'barrier' };
      default:
        throw new WorkloadError(`${path}.op: Unsupported value ${JSON.stringify(o['op'])}: supported values: ` +
          '"createNodes", "createPods", "churn", "barrier"');
    }
  });
  if (!ops.some((o) => o.op === 'createPods' && o.collectMetrics)) {
    throw new WorkloadError(`${source}: no createPods op has collectMetrics: true (nothing would be measured)`);
  }
  return { name, description: typeof doc['description'] === 'string' ? doc['description'] : '', ops, params };
}

export const BUILT_IN_DIR = new URL('../../../bench/sched/workloads/', import.meta.url);

export function loadWorkload(nameOrFile: string, overrides: Record<string, number>): Workload {
  const file = nameOrFile.endsWith('.yaml') ? nameOrFile : new URL(`${nameOrFile}.yaml`, BUILT_IN_DIR).pathname;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new WorkloadError(`no workload ${nameOrFile} (built-ins: SchedulingBasic, NodeAffinity, PodAntiAffinity, ` +
      'TopologySpreading, Unschedulable, Preemption, MixedChurn; or a path to a .yaml file)');
  }
  return parseWorkload(text, file, overrides);
}
