// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) from YAML: profiles with their
// plugins per extension point (enabled with weights, disabled, "*" for all defaults),
// percentageOfNodesToScore, backoff and pluginConfig args. Every problem is reported with
// its field path, all at once, as SchedulerConfigError.causes.
import { parse as parseYaml } from 'yaml';
import { SchedulerConfigError } from './errors.js';
import {
  DEFAULT_POD_INITIAL_BACKOFF_MS, DEFAULT_POD_MAX_BACKOFF_MS, MAX_CONFIG_BYTES, MAX_PROFILES, MAX_SCORE_WEIGHT,
} from './limits.js';
import { DEFAULT_MULTI_POINT, IN_TREE_REGISTRY, type PluginRef } from './plugins/registry.js';

export const API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export const EXTENSION_POINTS = ['preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score',
  'reserve', 'permit', 'preBind', 'bind', 'postBind'] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export interface PluginSet { enabled: PluginRef[]; disabled: string[] }

export interface Profile {
  schedulerName: string;
  /** undefined: use the configuration's value. */
  percentageOfNodesToScore: number | undefined;
  /** The default multiPoint set merged with the profile's multiPoint. */
  multiPoint: PluginRef[];
  points: Partial<Record<ExtensionPoint, PluginSet>>;
  pluginConfig: Map<string, Record<string, unknown>>;
}

export interface SchedulerConfiguration {
  /** 0: adaptive (50 - nodes/125 %, at least 5 %). */
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  profiles: Profile[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const q = (v: unknown): string => JSON.stringify(v);

class Checker {
  readonly causes: string[] = [];
  invalid(path: string, value: unknown,
    detail: string): void { this.causes.push(`${path}: Invalid value: ${q(value)}: ${detail}`); }
  required(path: string): void { this.causes.push(`${path}: Required value`); }
  unsupported(path: string, value: unknown, supported: readonly string[]): void {
    this.causes.push(`${path}: Unsupported value: ${q(value)}: supported values: ${supported.map(q).join(', ')}`);
  }
  intIn(path: string, v: unknown, min: number, max: number): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.invalid(path, v, `not in valid range [${min}-${max}]`);
      return undefined;
    }
    return v;
  }
}

/** Merges the profile's multiPoint into the defaults: disabled removes ("*" all), enabled replaces or appends. */
function mergeMultiPoint(set: PluginSet | undefined): PluginRef[] {
  if (set === undefined) return DEFAULT_MULTI_POINT.map((p) => ({ ...p }));
  const all = set.disabled.includes('*');
  const out = all ? [] : DEFAULT_MULTI_POINT.filter((p) => !set.disabled.includes(p.name)).map((p) => ({ ...p }));
  for (const p of set.enabled) {
    const i = out.findIndex((o) => o.name === p.name);
    if (i >= 0) out[i] = p; else out.push(p);
  }
  return out;
}

function parsePluginSet(ch: Checker, path: string, v: unknown): PluginSet | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) { ch.invalid(path, v, 'must be an object with enabled and disabled lists'); return undefined; }
  const set: PluginSet = { enabled: [], disabled: [] };
  for (const key of ['enabled', 'disabled'] as const) {
    const list = v[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) { ch.invalid(`${path}.${key}`, list, 'must be a list'); continue; }
    list.forEach((item: unknown, i) => {
      const p = `${path}.${key}[${i}]`;
      const name = isObj(item) ? item['name'] : undefined;
      if (typeof name !== 'string' || name === '') { ch.required(`${p}.name`); return; }
      if (name !== '*' && !IN_TREE_REGISTRY.has(name)) { ch.invalid(`${p}.name`, name, 'unknown plugin'); return; }
      if (key === 'disabled') { set.disabled.push(name); return; }
      if (name === '*') { ch.invalid(`${p}.name`, name, '"*" may only be disabled'); return; }
      const weight = ch.intIn(`${p}.weight`, (item as Obj)['weight'], 0, MAX_SCORE_WEIGHT);
      set.enabled.push(weight === undefined || weight === 0 ? { name } : { name, weight });
    });
  }
  return set;
}

function checkFitArgs(ch: Checker, path: string, args: Obj): void {
  const ss = args['scoringStrategy'];
  if (ss === undefined) return;
  if (!isObj(ss)) { ch.invalid(`${path}.scoringStrategy`, ss, 'must be an object'); return; }
  const type = ss['type'];
  if (type !== undefined && type !== 'LeastAllocated' && type !== 'MostAllocated') {
    ch.unsupported(`${path}.scoringStrategy.type`, type, ['LeastAllocated', 'MostAllocated']);
  }
  const res = ss['resources'];
  if (res === undefined) return;
  if (!Array.isArray(res)) { ch.invalid(`${path}.scoringStrategy.resources`, res, 'must be a list'); return; }
  res.forEach((r: unknown, i) => {
    const p = `${path}.scoringStrategy.resources[${i}]`;
    if (!isObj(r) || typeof r['name'] !== 'string' || r['name'] === '') { ch.required(`${p}.name`); return; }
    const w = r['weight'];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > MAX_SCORE_WEIGHT) {
      ch.invalid(`${p}.weight`, w, `resource weight of ${r['name']} not in valid range [1, ${MAX_SCORE_WEIGHT}]`);
    }
  });
}

function checkArgs(ch: Checker, path: string, name: string, args: Obj): void {
  if (name === 'NodeResourcesFit') checkFitArgs(ch, path, args);
  if (name === 'DefaultPreemption') {
    const pct = ch.intIn(`${path}.minCandidateNodesPercentage`, args['minCandidateNodesPercentage'], 0, 100);
    const abs = ch.intIn(`${path}.minCandidateNodesAbsolute`, args['minCandidateNodesAbsolute'], 0,
      Number.MAX_SAFE_INTEGER);
    if (pct === 0 && abs === 0) ch.invalid(path, args,
      'minCandidateNodesPercentage and minCandidateNodesAbsolute cannot both be zero');
  }
  if (name === 'InterPodAffinity') ch.intIn(`${path}.hardPodAffinityWeight`, args['hardPodAffinityWeight'], 0, 100);
}

function parseProfile(ch: Checker, path: string, v: unknown): Profile | undefined {
  if (!isObj(v)) { ch.invalid(path, v, 'must be an object'); return undefined; }
  const name = v['schedulerName'] ?? DEFAULT_SCHEDULER_NAME;
  if (typeof name !== 'string' || name === '') ch.required(`${path}.schedulerName`);
  const pct = ch.intIn(`${path}.percentageOfNodesToScore`, v['percentageOfNodesToScore'], 0, 100);
  const plugins = v['plugins'] ?? {};
  const points: Partial<Record<ExtensionPoint, PluginSet>> = {};
  let multi: PluginSet | undefined;
  if (!isObj(plugins)) ch.invalid(`${path}.plugins`, plugins, 'must be an object');
  else {
    for (const key of Object.keys(plugins)) {
      const p = `${path}.plugins.${key}`;
      if (key === 'multiPoint') { multi = parsePluginSet(ch, p, plugins[key]); continue; }
      if (!(EXTENSION_POINTS as readonly string[]).includes(key)) { ch.unsupported(p, key, ['multiPoint',
        ...EXTENSION_POINTS]); continue; }
      const set = parsePluginSet(ch, p, plugins[key]);
      if (set !== undefined) points[key as ExtensionPoint] = set;
    }
  }
  const pluginConfig = new Map<string, Record<string, unknown>>();
  const pc = v['pluginConfig'] ?? [];
  if (!Array.isArray(pc)) ch.invalid(`${path}.pluginConfig`, pc, 'must be a list');
  else pc.forEach((item: unknown, i) => {
    const p = `${path}.pluginConfig[${i}]`;
    const pname = isObj(item) ? item['name'] : undefined;
    if (typeof pname !== 'string' || pname === '') { ch.required(`${p}.name`); return; }
    if (!IN_TREE_REGISTRY.has(pname)) { ch.invalid(`${p}.name`, pname, 'unknown plugin'); return; }
    if (pluginConfig.has(pname)) { ch.causes.push(`${p}.name: Duplicate value: ${q(pname)}`); return; }
    const args = (item as Obj)['args'] ?? {};
    if (!isObj(args)) { ch.invalid(`${p}.args`, args, 'must be an object'); return; }
    checkArgs(ch, `${p}.args`, pname, args);
    pluginConfig.set(pname, args);
  });
  return { schedulerName: String(name), percentageOfNodesToScore: pct, multiPoint: mergeMultiPoint(multi), points,
    pluginConfig };
}

/** The configuration with no file: one profile "default-scheduler" with the default plugins. */
export function defaultConfiguration(): SchedulerConfiguration {
  return loadSchedulerConfig({ apiVersion: API_VERSION, kind: 'KubeSchedulerConfiguration' });
}

/** Parses and validates a KubeSchedulerConfiguration (YAML text or an already parsed object). */
export function loadSchedulerConfig(input: string | Obj): SchedulerConfiguration {
  let doc: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_CONFIG_BYTES) throw new SchedulerConfigError([`configuration is larger than ${MAX_CONFIG_BYTES} bytes`]);
    try { doc = parseYaml(input); } catch (e) { throw new SchedulerConfigError([`yaml: ${(e as Error).message}`]); }
  }
  const ch = new Checker();
  if (!isObj(doc)) throw new SchedulerConfigError(['configuration must be a YAML mapping']);
  if (doc['apiVersion'] !== API_VERSION) ch.unsupported('apiVersion', doc['apiVersion'], [API_VERSION]);
  if (doc['kind'] !== 'KubeSchedulerConfiguration') ch.unsupported('kind', doc['kind'], ['KubeSchedulerConfiguration']);
  const pct = ch.intIn('percentageOfNodesToScore', doc['percentageOfNodesToScore'], 0, 100) ?? 0;
  const init = ch.intIn('podInitialBackoffSeconds', doc['podInitialBackoffSeconds'], 1, 3600);
  const max = ch.intIn('podMaxBackoffSeconds', doc['podMaxBackoffSeconds'], 1, 3600);
  const initialMs = init === undefined ? DEFAULT_POD_INITIAL_BACKOFF_MS : init * 1000;
  const maxMs = max === undefined ? DEFAULT_POD_MAX_BACKOFF_MS : max * 1000;
  if (maxMs < initialMs) ch.invalid('podMaxBackoffSeconds', maxMs / 1000,
    'must be greater than or equal to PodInitialBackoffSeconds');
  const rawProfiles = doc['profiles'] ?? [{}];
  const profiles: Profile[] = [];
  if (!Array.isArray(rawProfiles)) ch.invalid('profiles', rawProfiles, 'must be a list');
  else if (rawProfiles.length > MAX_PROFILES) ch.invalid('profiles', rawProfiles.length,
    `at most ${MAX_PROFILES} profiles`);
  else {
    const names = new Set<string>();
    rawProfiles.forEach((p: unknown, i) => {
      const prof = parseProfile(ch, `profiles[${i}]`, p);
      if (prof === undefined) return;
      if (names.has(prof.schedulerName)) ch.causes.push(`profiles[${i}].schedulerName: Duplicate value: ${q(prof.schedulerName)}`);
      names.add(prof.schedulerName);
      profiles.push(prof);
    });
    if (rawProfiles.length === 0) ch.required('profiles');
  }
  if (ch.causes.length > 0) throw new SchedulerConfigError(ch.causes);
  return { percentageOfNodesToScore: pct, podInitialBackoffMs: initialMs, podMaxBackoffMs: maxMs, profiles };
}
