// `flotilla bench store`: Flotilla's 3-member store against a 3-member etcd 3.4, same load
// generator, same workloads, same warm-up, A B A B with a fresh cluster per system per
// round (../shared/BENCHMARKING.md). Reports the median per system over rounds, the ratio
// Flotilla/etcd, and every raw run, with the generator's and the members' CPU use.
import { loadavg } from 'node:os';
import { machineFacts, type MachineFacts } from '../report.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './histogram.js';
import { profileText, type ProfileSummary, summarizeProfile } from './profile-summary.js';
import { Loadgen, type LoadgenInfo, type LoadgenKind, type LoadResult, type Workload } from './loadgen.js';
import {
  type BenchCluster, etcdVersion, memberLogRecords, processCpuSeconds, sleep, startCluster, type SystemName,
  waitForLeader,
} from './systems.js';

export interface WorkloadDef {
  id: string;
  workload: Workload;
  clients: number;
  conns: number;
}

export const STORE_WORKLOADS: readonly WorkloadDef[] = [
  { id: 'put-1', workload: 'put', clients: 1, conns: 1 },
  { id: 'put-64', workload: 'put', clients: 64, conns: 8 },
  { id: 'put-512', workload: 'put', clients: 512, conns: 8 },
  { id: 'txn-512', workload: 'txn', clients: 512, conns: 8 },
  { id: 'get-linearizable-512', workload: 'get-linearizable', clients: 512, conns: 8 },
  { id: 'get-serializable-512', workload: 'get-serializable', clients: 512, conns: 8 },
];

/** --quick: the same workloads scaled down so a smoke run takes seconds (not a measurement). */
const QUICK_MAX_CLIENTS = 16;
const QUICK_MAX_CONNS = 2;
/** Idle time after a fresh cluster is healthy, before the first workload (both systems). */
export const CLUSTER_SETTLE_MS = 1000;

export interface StoreBenchOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  workloads: WorkloadDef[];
  systems: SystemName[];
  loadgen: LoadgenKind;
  valueBytes: number;
  keySpace: number;
  heartbeatMs: number;
  electionMs: number;
  timeoutMs: number;
  quick: boolean;
  /** Profile Flotilla members with the V8 CPU profiler into this directory, and summarize the profiles. */
  profileDir?: string;
}

export interface StoreRun {
  round: number;
  system: SystemName;
  workloadId: string;
  /** The member that led when the workload started (put-1's only connection goes to it). */
  leader: string;
  startedAt: string;
  loadAverage1m: number;
  result: LoadResult;
  /** CPU seconds each member used while the generator ran (warm-up and populate included), and per wall second. */
  serverCpuSeconds: Record<string, number>;
  serverCoresUsed: number;
  wallSeconds: number;
  /**
   * Flotilla: the snapshots members saved while the generator ran ("m2 full 45 MB 900 ms"),
   * from their logs — a snapshot of a large state is the usual suspect for a p99 tail.
   */
  snapshots?: string[];
}

/** Snapshots the Flotilla members logged as saved between two instants (member.ts 'saved snapshot'). */
function snapshotsBetween(cluster: BenchCluster, fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (const { member, record: r } of memberLogRecords(cluster)) {
    if (r.msg !== 'saved snapshot') continue;
    const time = Number(r.time);
    if (time < fromMs || time > toMs) continue;
    const kind = typeof r.kind === 'string' ? r.kind : 'full';
    const because = typeof r.because === 'string' ? ` (${r.because})` : ''; // why a full one (member.ts)
    out.push(`${member.name} ${kind}${because} ${(Number(r.bytes) / 2 ** 20).toFixed(1)} MiB ${Number(r.totalMs)} ms`);
  }
  return out;
}

export interface SystemSummary {
  runs: number;
  opsPerSecondMedian: number;
  p50MsMedian: number;
  p99MsMedian: number;
  opsPerSecond: number[];
  p50Ms: number[];
  p99Ms: number[];
  errors: number;
  loadgenCoresUsedMax: number;
  serverCoresUsedMedian: number;
  /**
   * Members' CPU per operation (µs), all three together: serverCoresUsed / opsPerSecond. Approximate
   * (the CPU window includes warm-up and populate), but on a 2-core machine this is what caps throughput.
   */
  serverCpuUsPerOpMedian: number;
}

export interface WorkloadSummary {
  workloadId: string;
  workload: Workload;
  clients: number;
  conns: number;
  systems: Partial<Record<SystemName, SystemSummary>>;
  /** flotilla median / etcd median, when both ran. */
  throughputRatio?: number;
  p50Ratio?: number;
  p99Ratio?: number;
}

export interface StoreBenchResult {
  kind: 'store';
  machine: MachineFacts;
  loadAverage: { start: number[]; end: number[] };
  options: Omit<StoreBenchOptions, 'workloads'> & { workloads: string[] };
  loadgen: LoadgenInfo;
  versions: { etcd?: string };
  notes: string[];
  summary: WorkloadSummary[];
  runs: StoreRun[];
  profiles?: MemberProfile[];
}

export interface MemberProfile {
  round: number;
  member: string;
  pid: number;
  ledWorkloads: string[];
  summary?: ProfileSummary;
}

export function selectWorkloads(spec: string | undefined, quick: boolean): WorkloadDef[] {
  const names = spec === undefined ? STORE_WORKLOADS.map((w) => w.id) : spec.split(',').map((s) => s.trim()).filter(Boolean);
  const picked: WorkloadDef[] = [];
  for (const n of names) {
    const m = STORE_WORKLOADS.filter((w) => w.id === n || w.workload === n || (n === 'get' && w.workload.startsWith('get')));
    if (m.length === 0) {
      throw new Error(`unknown workload "${n}": use ${STORE_WORKLOADS.map((w) => w.id).join(', ')} or put, txn, get-linearizable, get-serializable`);
    }
    for (const w of m) if (!picked.includes(w)) picked.push(w);
  }
  picked.sort((a, b) => STORE_WORKLOADS.indexOf(a) - STORE_WORKLOADS.indexOf(b));
  if (!quick) return picked;
  return picked.map((w) => ({
    ...w, clients: Math.min(w.clients, QUICK_MAX_CLIENTS), conns: Math.min(w.conns, QUICK_MAX_CONNS),
  }));
}

/** Runs the selected workloads, in order, on one fresh cluster. */
async function runRound(
  o: StoreBenchOptions, lg: Loadgen, system: SystemName, round: number, log: (s: string) => void,
  profiles: MemberProfile[],
): Promise<StoreRun[]> {
  const profile = system === 'flotilla' && o.profileDir !== undefined;
  const cluster: BenchCluster = await startCluster(system, { heartbeatMs: o.heartbeatMs, electionMs: o.electionMs,
    ...(profile ? { flotillaProfileDir: o.profileDir! } : {}) });
  const pids = cluster.members.map((m) => m.pid()!);
  const runs: StoreRun[] = [];
  try {
    await sleep(CLUSTER_SETTLE_MS);
    let populated = false;
    for (const w of o.workloads) {
      const leader = await waitForLeader(cluster, cluster.members, 10_000);
      const endpoints = [leader, ...cluster.members.filter((m) => m !== leader)].map((m) => m.clientEndpoint);
      const isGet = w.workload.startsWith('get');
      const cpu0 = cluster.members.map((m) => processCpuSeconds(m.pid()) ?? 0);
      const startedAt = new Date();
      const loadAverage1m = loadavg()[0]!;
      const result = await lg.run({
        endpoints, workload: w.workload, clients: w.clients, conns: w.conns, pin: true,
        durationSeconds: o.seconds, warmupSeconds: o.warmupSeconds, valueBytes: o.valueBytes, keySpace: o.keySpace,
        keyPrefix: isGet ? 'bench/get/' : `bench/${w.id}/`, timeoutMs: o.timeoutMs, populate: isGet && !populated,
      });
      populated ||= isGet;
      const wallSeconds = (Date.now() - startedAt.getTime()) / 1000;
      const snapshots = system === 'flotilla' ? snapshotsBetween(cluster, startedAt.getTime(), Date.now()) : undefined;
      const serverCpuSeconds: Record<string, number> = {};
      cluster.members.forEach((m, i) => (serverCpuSeconds[m.name] = (processCpuSeconds(m.pid()) ?? 0) - cpu0[i]!));
      const total = Object.values(serverCpuSeconds).reduce((a, b) => a + b, 0);
      runs.push({ round, system, workloadId: w.id, leader: leader.name, startedAt: startedAt.toISOString(),
        loadAverage1m, result, serverCpuSeconds, serverCoresUsed: total / wallSeconds, wallSeconds,
        ...(snapshots ? { snapshots } : {}) });
      log(`  round ${round} ${system.padEnd(8)} ${w.id.padEnd(22)} ${result.opsPerSecond.toFixed(0).padStart(7)} ops/s  ` +
        `p50 ${fmtMs(result.latencyMs.p50)} p99 ${fmtMs(result.latencyMs.p99)} ms  errors ${result.errors}  ` +
        `loadgen ${(result.cpuCoresUsed * 100).toFixed(0)}% of a core, members ${(total / wallSeconds * 100).toFixed(0)}%` +
        (result.byEndpoint ? `; p99 by endpoint, leader first: ${result.byEndpoint.map((e) => fmtMs(e.latencyMs.p99))
          .join(' / ')} ms` : '') +
        (snapshots && snapshots.length > 0 ? `; snapshots: ${snapshots.join(', ')}` : ''));
    }
  } finally {
    await cluster.stop();
  }
  if (profile) {
    for (const [i, m] of cluster.members.entries()) {
      const file = readdirSync(o.profileDir!).find((f) => f === `CPU.${pids[i]}.cpuprofile`);
      const ledWorkloads = runs.filter((r) => r.leader === m.name).map((r) => r.workloadId);
      profiles.push({ round, member: m.name, pid: pids[i]!, ledWorkloads,
        ...(file !== undefined ? { summary: summarizeProfile(join(o.profileDir!, file)) } : {}) });
    }
  }
  return runs;
}

export async function runStoreBench(o: StoreBenchOptions, log: (s: string) => void): Promise<StoreBenchResult> {
  const machine = machineFacts();
  const etcd = o.systems.includes('etcd') ? etcdVersion() : undefined;
  const lg = Loadgen.prepare(o.loadgen, log);
  // ProcessCluster adds a process 'exit' listener per member launch and keeps it.
  process.setMaxListeners(Math.max(process.getMaxListeners(), 3 * o.rounds + 32));
  const start = loadavg();
  const runs: StoreRun[] = [];
  const profiles: MemberProfile[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    for (const system of o.systems) runs.push(...(await runRound(o, lg, system, round, log, profiles)));
  }
  const notes = [
    'Each system gets a fresh 3-member cluster per round; workloads run in the listed order on it.',
    'Connections are pinned: connection j talks only to endpoint j % 3, endpoints ordered leader first ' +
      '(so put-1 talks to the leader); 8 connections spread 3/3/2 over leader/follower/follower.',
    'txn = Txn(If(mod_revision(key) = last seen), Then(Put), Else(Get)); each client owns its keys and keeps ' +
      'their mod revisions (0 = create), so compares never fail by contention.',
    'Gets read keys populated once per cluster (--key-space keys) before the first get workload.',
    'The load generator, the 3 members and anything else on the machine share its cores: see loadAverage, ' +
      'loadgen cpuCoresUsed and serverCoresUsed.',
  ];
  if (o.loadgen === 'node') notes.push('Node load generator (one process): it saturates near 2,500 req/s, so throughput here measures it, not the store.');
  if (o.quick) notes.push('--quick: a smoke run with tiny durations and client counts; not a measurement.');
  if (o.profileDir !== undefined) {
    notes.push(`Flotilla members ran under the V8 CPU profiler (${o.profileDir}): their numbers carry its overhead.`);
  }
  return {
    kind: 'store', machine, loadAverage: { start, end: loadavg() },
    options: { ...o, workloads: o.workloads.map((w) => w.id) }, loadgen: lg.info,
    versions: etcd !== undefined ? { etcd } : {}, notes, summary: summarize(o, runs), runs,
    ...(profiles.length > 0 ? { profiles } : {}),
  };
}

function summarize(o: StoreBenchOptions, runs: StoreRun[]): WorkloadSummary[] {
  return o.workloads.map((w) => {
    const s: WorkloadSummary = {
      workloadId: w.id, workload: w.workload, clients: w.clients, conns: w.conns, systems: {},
    };
    for (const system of o.systems) {
      const rs = runs.filter((r) => r.system === system && r.workloadId === w.id);
      if (rs.length === 0) continue;
      const ops = rs.map((r) => r.result.opsPerSecond);
      const p50 = rs.map((r) => r.result.latencyMs.p50);
      const p99 = rs.map((r) => r.result.latencyMs.p99);
      s.systems[system] = {
        runs: rs.length, opsPerSecondMedian: median(ops), p50MsMedian: median(p50), p99MsMedian: median(p99),
        opsPerSecond: ops, p50Ms: p50, p99Ms: p99, errors: rs.reduce((a, r) => a + r.result.errors, 0),
        loadgenCoresUsedMax: Math.max(...rs.map((r) => r.result.cpuCoresUsed)),
        serverCoresUsedMedian: median(rs.map((r) => r.serverCoresUsed)),
        serverCpuUsPerOpMedian: median(rs.map((r) => (r.serverCoresUsed / r.result.opsPerSecond) * 1e6)),
      };
    }
    const f = s.systems.flotilla;
    const e = s.systems.etcd;
    if (f && e) {
      s.throughputRatio = f.opsPerSecondMedian / e.opsPerSecondMedian;
      s.p50Ratio = f.p50MsMedian / e.p50MsMedian;
      s.p99Ratio = f.p99MsMedian / e.p99MsMedian;
    }
    return s;
  });
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function storeTable(r: StoreBenchResult): string {
  const head = ['workload', 'clients/conns', 'etcd ops/s', 'flotilla ops/s', 'ratio', 'etcd p50/p99 ms',
    'flotilla p50/p99 ms', 'p99 ratio', 'loadgen cpu (max)', 'members cpu (med)', 'members cpu µs/op'];
  const rows = r.summary.map((s) => {
    const e = s.systems.etcd;
    const f = s.systems.flotilla;
    const ops = (x?: SystemSummary) => (x ? x.opsPerSecondMedian.toFixed(0) + (x.errors ? ` (${x.errors} err)` : '') : '-');
    const lat = (x?: SystemSummary) => (x ? `${fmtMs(x.p50MsMedian)} / ${fmtMs(x.p99MsMedian)}` : '-');
    const cpu = (pick: (x: SystemSummary) => number, unit = '%', scale = 100) => ['etcd', 'flotilla'].map((n) => {
      const x = s.systems[n as SystemName];
      return x ? `${(pick(x) * scale).toFixed(0)}${unit}` : '-';
    }).join(' / ');
    return [s.workloadId, `${s.clients}/${s.conns}`, ops(e), ops(f), s.throughputRatio?.toFixed(2) ?? '-', lat(e), lat(f),
      s.p99Ratio?.toFixed(2) ?? '-', cpu((x) => x.loadgenCoresUsedMax), cpu((x) => x.serverCoresUsedMedian),
      cpu((x) => x.serverCpuUsPerOpMedian, '', 1)];
  });
  const profiles = (r.profiles ?? []).filter((p) => p.summary !== undefined).map((p) =>
    `flotilla round ${p.round} ${p.member} (pid ${p.pid}, led: ${p.ledWorkloads.join(', ') || 'nothing'})\n` +
    profileText(p.summary!)).join('\n');
  return formatTable(head, rows) +
    'ratio = flotilla median / etcd median over rounds; cpu columns are "etcd / flotilla": % of one core, ' +
    'and the 3 members\' CPU µs per operation\n' +
    (profiles ? `\n${profiles}` : '');
}

export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
