// Experiments are YAML files (chaos/experiments/*.yaml). This module reads one, checks every
// field (an error names the file and the path, e.g. `faults[1].for`) and returns it with
// defaults filled in and durations in ms. The README lists the format.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ExperimentError } from './errors.js';
import { RUN_LIMITS } from './limits.js';

export type SystemChoice = 'flotilla' | 'etcd' | 'both';
export type NetworkMode = 'proxy' | 'netns';
export type OpKind = 'get' | 'list' | 'put' | 'delete' | 'txn' | 'lease';
export type CheckerName = 'linearizability' | 'watch' | 'lost-writes' | 'availability';
/** leader, follower, random, round-robin (each member in turn), or member:N (1-based). */
export type Selector = 'leader' | 'follower' | 'random' | 'round-robin' | `member:${number}`;

export const OP_KINDS: readonly OpKind[] = ['get', 'list', 'put', 'delete', 'txn', 'lease'];
export const CHECKERS: readonly CheckerName[] = ['linearizability', 'watch', 'lost-writes', 'availability'];

export interface Schedule {
  atMs: number;
  /** Repeat period; absent: once. */
  everyMs?: number;
  /** How many injections (1 without `every`). */
  times: number;
}

export type FaultSpec = Schedule & (
  | { kind: 'kill'; target: Selector; signal: 'SIGKILL' | 'SIGTERM'; restartAfterMs: number }
  | { kind: 'pause'; target: Selector; forMs: number }
  | { kind: 'partition'; targets: Selector[]; mode: 'symmetric' | 'one-way-out' | 'one-way-in'; forMs: number }
  | { kind: 'network'; between: Selector[] | 'all' | 'clients'; delayMs: number; jitterMs: number; lossPct: number; forMs: number }
);

export interface Workload {
  clients: number;
  rate: number;
  keys: number;
  requestTimeoutMs: number;
  mix: Record<OpKind, number>;
  watchers: number;
  resumedWatchers: number;
  /**
   * Known-bad on purpose: get and list with serializable=true (served from the member's own
   * state, possibly stale). Only for showing that the checkers catch what they should.
   */
  serializableReads: boolean;
  /**
   * Each client talks to its one member only and does not move on after a failure (like an etcdctl
   * with a single --endpoints). The known-bad experiment needs it: a client that moved off a
   * partitioned follower after its first timed-out write would never read stale data there.
   */
  pinnedClients: boolean;
}

export interface Experiment {
  file: string;
  name: string;
  description: string;
  system: SystemChoice;
  members: 3 | 5;
  /** proxy: fault proxies on loopback (no root); netns: a network namespace per member, kernel-level faults. */
  network: NetworkMode;
  timing: { heartbeatMs: number; electionMs: number };
  durationMs: number;
  workload: Workload;
  faults: FaultSpec[];
  checkers: CheckerName[];
  maxUnavailableMs: number;
}

type Obj = Record<string, unknown>;

/** Reads and checks fields of a parsed YAML document; every error names the file and the path. */
export class Reader {
  constructor(readonly file: string) {}

  fail(path: string, msg: string): never {
    throw new ExperimentError(this.file, path, msg);
  }

  obj(v: unknown, path: string, allowed: readonly string[]): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected a mapping');
    for (const k of Object.keys(v as Obj)) {
      if (!allowed.includes(k)) this.fail(path ? `${path}.${k}` : k, `unknown field; allowed: ${allowed.join(', ')}`);
    }
    return v as Obj;
  }

  int(v: unknown, path: string, min: number, max: number, dflt?: number): number {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `expected an integer, got ${JSON.stringify(v)}`);
    if (v < min || v > max) this.fail(path, `must be between ${min} and ${max}, got ${v}`);
    return v;
  }

  num(v: unknown, path: string, min: number, max: number, dflt: number): number {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `expected a number, got ${JSON.stringify(v)}`);
    if (v < min || v > max) this.fail(path, `must be between ${min} and ${max}, got ${v}`);
    return v;
  }

  /** "250ms", "3s", "2m", or a number of ms. */
  ms(v: unknown, path: string, dflt?: number, min = 0, max: number = RUN_LIMITS.durationMsMax): number {
    if (v === undefined) {
      if (dflt === undefined) this.fail(path, 'required (a duration such as 500ms, 3s or 2m)');
      return dflt;
    }
    const n = parseDuration(v);
    if (n === undefined) this.fail(path, `expected a duration such as 500ms, 3s or 2m, got ${JSON.stringify(v)}`);
    if (n < min || n > max) this.fail(path, `must be between ${min} ms and ${max} ms, got ${n} ms`);
    return n;
  }

  bool(v: unknown, path: string, dflt: boolean): boolean {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(path, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, options: readonly T[], dflt?: T): T {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'string' || !options.includes(v as T)) {
      this.fail(path, `expected one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  selector(v: unknown, path: string, members: number): Selector {
    if (v === 'leader' || v === 'follower' || v === 'random' || v === 'round-robin') return v;
    const m = typeof v === 'string' ? /^member:(\d+)$/.exec(v) : null;
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= members) return v as Selector;
    return this.fail(path, `expected leader, follower, random, round-robin or member:N (1..${members}), ` +
      `got ${JSON.stringify(v)}`);
  }

  selectors(v: unknown, path: string, members: number): Selector[] {
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) this.fail(path, 'expected at least one member selector');
    return list.map((x, i) => this.selector(x, Array.isArray(v) ? `${path}[${i}]` : path, members));
  }
}

export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(v.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000));
}

const FAULT_KINDS = ['kill', 'pause', 'partition', 'network'] as const;
const SCHEDULE_FIELDS = ['at', 'every', 'times'];

export function readSchedule(r: Reader, f: Obj, path: string, durationMs: number): Schedule {
  const atMs = r.ms(f['at'], `${path}.at`, undefined, 0, durationMs);
  if (f['every'] === undefined) {
    if (f['times'] !== undefined && f['times'] !== 1) r.fail(`${path}.times`, 'needs `every`');
    return { atMs, times: 1 };
  }
  const everyMs = r.ms(f['every'], `${path}.every`, undefined, 100);
  const fit = Math.max(1, Math.floor((durationMs - atMs) / everyMs) + 1);
  return { atMs, everyMs, times: r.int(f['times'], `${path}.times`, 1, 10_000, fit) };
}

function readFault(r: Reader, v: unknown, path: string, members: number, durationMs: number): FaultSpec {
  const raw = r.obj(v, path, [...FAULT_KINDS, ...SCHEDULE_FIELDS, 'restartAfter', 'signal', 'for', 'oneWay', 'between']);
  const kinds = FAULT_KINDS.filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) r.fail(path, `needs exactly one of ${FAULT_KINDS.join(', ')}`);
  const s = readSchedule(r, raw, path, durationMs);
  const forMs = () => r.ms(raw['for'], `${path}.for`, undefined, 1);
  switch (kinds[0]!) {
    case 'kill':
      return { ...s, kind: 'kill', target: r.selector(raw['kill'], `${path}.kill`, members),
        signal: r.oneOf(raw['signal'], `${path}.signal`, ['KILL', 'TERM'] as const, 'KILL') === 'KILL' ? 'SIGKILL' : 'SIGTERM',
        restartAfterMs: r.ms(raw['restartAfter'], `${path}.restartAfter`, undefined, 0) };
    case 'pause':
      return { ...s, kind: 'pause', target: r.selector(raw['pause'], `${path}.pause`, members), forMs: forMs() };
    case 'partition': {
      const way = r.oneOf(raw['oneWay'], `${path}.oneWay`, ['none', 'out', 'in'] as const, 'none');
      return { ...s, kind: 'partition', targets: r.selectors(raw['partition'], `${path}.partition`, members),
        mode: way === 'none' ? 'symmetric' : way === 'out' ? 'one-way-out' : 'one-way-in', forMs: forMs() };
    }
    case 'network': {
      const n = r.obj(raw['network'], `${path}.network`, ['delay', 'jitter', 'loss']);
      const between = raw['between'] === undefined || raw['between'] === 'all' ? 'all' as const
        : raw['between'] === 'clients' ? 'clients' as const : r.selectors(raw['between'], `${path}.between`, members);
      return { ...s, kind: 'network', between, forMs: forMs(),
        delayMs: r.ms(n['delay'], `${path}.network.delay`, 0, 0, RUN_LIMITS.proxyDelayMsMax),
        jitterMs: r.ms(n['jitter'], `${path}.network.jitter`, 0, 0, RUN_LIMITS.proxyDelayMsMax),
        lossPct: r.num(n['loss'], `${path}.network.loss`, 0, 100, 0) };
    }
  }
}

function readWorkload(r: Reader, v: unknown): Workload {
  const w = r.obj(v ?? {}, 'workload', ['clients', 'rate', 'keys', 'requestTimeout', 'mix', 'watchers', 'resumedWatchers',
    'serializableReads', 'pinnedClients']);
  const mixRaw = r.obj(w['mix'] ?? { get: 25, list: 5, put: 25, delete: 5, txn: 30, lease: 10 }, 'workload.mix', OP_KINDS);
  const mix = Object.fromEntries(OP_KINDS.map((k) => [k, r.num(mixRaw[k], `workload.mix.${k}`, 0, 1000, 0)])) as
    Record<OpKind, number>;
  if (OP_KINDS.every((k) => mix[k] === 0)) r.fail('workload.mix', 'needs at least one operation with a weight above 0');
  return {
    clients: r.int(w['clients'], 'workload.clients', 1, RUN_LIMITS.clientsMax, 8),
    rate: r.num(w['rate'], 'workload.rate', 1, RUN_LIMITS.rateMax, 200),
    keys: r.int(w['keys'], 'workload.keys', 1, 10_000, 10),
    requestTimeoutMs: r.ms(w['requestTimeout'], 'workload.requestTimeout', RUN_LIMITS.requestTimeoutMsDefault, 50, 60_000),
    mix,
    watchers: r.int(w['watchers'], 'workload.watchers', 0, RUN_LIMITS.watchersMax, 2),
    resumedWatchers: r.int(w['resumedWatchers'], 'workload.resumedWatchers', 0, RUN_LIMITS.watchersMax, 1),
    serializableReads: r.bool(w['serializableReads'], 'workload.serializableReads', false),
    pinnedClients: r.bool(w['pinnedClients'], 'workload.pinnedClients', false),
  };
}

/** What the command line may override. A duration override also re-fits repeating faults
 *  without an explicit `times`, so `--duration 10m` keeps killing every `every` to the end. */
export interface ExperimentOverrides { durationMs?: number; network?: NetworkMode }

export function parseExperiment(text: string, file = '<experiment>', overrides: ExperimentOverrides = {}): Experiment {
  const r = new Reader(file);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    r.fail('', `not valid YAML: ${(e as Error).message}`);
  }
  const top = r.obj(doc, '', ['kind', 'name', 'description', 'system', 'topology', 'timing', 'duration', 'workload', 'faults',
    'checkers', 'maxUnavailable']);
  if (typeof top['name'] !== 'string' || top['name'] === '') r.fail('name', 'required (a string)');
  // control-plane experiments have their own format: chaos/controlplane/experiment.ts.
  r.oneOf(top['kind'], 'kind', ['kv'] as const, 'kv');
  const topo = r.obj(top['topology'] ?? {}, 'topology', ['members', 'network']);
  const network = overrides.network ?? r.oneOf(topo['network'], 'topology.network', ['proxy', 'netns'] as const, 'proxy');
  const members = r.int(topo['members'], 'topology.members', 3, 5, 3);
  if (members !== 3 && members !== 5) r.fail('topology.members', `must be 3 or 5, got ${members}`);
  const timing = r.obj(top['timing'] ?? {}, 'timing', ['heartbeat', 'election']);
  const heartbeatMs = r.ms(timing['heartbeat'], 'timing.heartbeat', 100, 10, 5_000);
  const electionMs = r.ms(timing['election'], 'timing.election', 1000, 50, 50_000);
  if (electionMs < 5 * heartbeatMs) r.fail('timing.election', 'must be at least 5x timing.heartbeat');
  const durationMs = overrides.durationMs ?? r.ms(top['duration'], 'duration', 60_000, RUN_LIMITS.durationMsMin);
  if (top['faults'] !== undefined && !Array.isArray(top['faults'])) r.fail('faults', 'expected a list');
  const faults = ((top['faults'] as unknown[] | undefined) ?? [])
    .map((f, i) => readFault(r, f, `faults[${i}]`, members, durationMs));
  const checkersRaw: unknown = top['checkers'] ?? CHECKERS;
  if (!Array.isArray(checkersRaw)) r.fail('checkers', `expected a list of ${CHECKERS.join(', ')}`);
  return {
    file, name: top['name'] as string, description: typeof top['description'] === 'string' ? top['description'] : '',
    system: r.oneOf(top['system'], 'system', ['flotilla', 'etcd', 'both'] as const, 'both'),
    members: members as 3 | 5, network, timing: { heartbeatMs, electionMs }, durationMs, workload: readWorkload(r, top['workload']), faults,
    checkers: (checkersRaw as unknown[]).map((c, i) => r.oneOf(c, `checkers[${i}]`, CHECKERS)),
    maxUnavailableMs: r.ms(top['maxUnavailable'], 'maxUnavailable', RUN_LIMITS.maxUnavailableMsDefault, 100),
  };
}

export function loadExperiment(file: string, overrides: ExperimentOverrides = {}): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExperimentError(file, '', `cannot read: ${(e as Error).message}`);
  }
  return parseExperiment(text, file, overrides);
}
