// `flotilla bench failover`: kill -9 the leader N times under continuous writes from 16
// clients, restart the killed member each time, wait until it is healthy, settle, repeat.
// The load generator records the start and acknowledgement time of every write (its
// --acks-file); afterwards, per kill:
//   - longestGapMs: the longest time between successive acknowledged writes (across all
//     clients) from 1 s before the kill until the end of that kill's window (restart,
//     healthy, settle) — the write outage the kill caused, restart included;
//   - firstNewAckMs: from the kill to the first acknowledgement of a write *sent* after the
//     kill (writes already committed when the leader died can still be answered after it).
// `--steady-minutes M` instead runs M minutes of the same writes with no kills and counts
// leader changes (spurious elections) by polling each member's /metrics and the Raft term
// from `etcdctl endpoint status` at start and end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineFacts, type MachineFacts } from '../report.js';
import { median, quantile } from './histogram.js';
import { Loadgen, type LoadgenInfo, type LoadgenKind, type LoadResult } from './loadgen.js';
import {
  type BenchCluster, type BenchMember, cleanEnv, currentLeader, etcdVersion, leaderView, memberLogRecords, sleep,
  startCluster,
  type SystemName, waitForLeader, waitHealthy,
} from './systems.js';

export interface FailoverOptions {
  systems: SystemName[];
  kills: number;
  etcdKills: number;
  clients: number;
  conns: number;
  writeTimeoutMs: number;
  settleMs: number;
  afterElectionMs: number;
  heartbeatMs: number;
  electionMs: number;
  valueBytes: number;
  loadgen: LoadgenKind;
  steadyMinutes: number;
  snapshotCount: number;
  quick: boolean;
}

export interface KillRecord {
  kill: number;
  killed: string;
  newLeader?: string;
  /** From the kill until a surviving member's /metrics said it leads (polled every 50 ms). */
  leaderObservedMs?: number;
  restartedMs: number;
  healthyMs: number;
  windowEndMs: number;
  longestGapMs: number;
  gapStartMs: number;
  gapEndMs: number;
  firstNewAckMs?: number;
  acksInWindow: number;
  errorsInWindow: number;
}

export interface Distribution {
  n: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
}

export interface FailoverSystemResult {
  system: SystemName;
  kills: KillRecord[];
  longestGapMs: Distribution;
  firstNewAckMs: Distribution;
  loadgen: LoadResult;
  aborted?: string;
}

export interface SteadyResult {
  system: SystemName;
  minutes: number;
  samples: number;
  leaderChangesObserved: number;
  /** Polls where every member answered and none (or two) said it leads. */
  leaderlessSamples: number;
  leaderlessMsApprox: number;
  /** Polls where some member's /metrics did not answer within 1 s (a blocked event loop shows here). */
  unresponsiveSamples: number;
  termStart?: number;
  termEnd?: number;
  termIncrease?: number;
  longestGapMs: number;
  gapsOver100ms: number;
  loadgen: LoadResult;
  /** Flotilla only: what the members logged about terms, snapshots and event-loop stalls. */
  memberLogs?: MemberLogSummary;
}

export interface MemberLogSummary {
  termChanges: { member: string; from: number; to: number; cause: string }[];
  snapshots: number;
  snapshotsAbandoned: number;
  snapshotMaxTotalMs: number;
  snapshotMaxBytes: number;
  /** Summed over every snapshot of every member: wall time from capture to saved, and bytes written. */
  snapshotTotalMs: number;
  snapshotTotalBytes: number;
  /** Snapshots saved by kind (member.ts logs 'full' or 'delta'; older builds log none: 'full'). */
  snapshotKinds: Record<string, number>;
  stalls: number;
  stallMaxMs: number;
  /** Each stall: member, how late the tick was, GC pause time in that tick, snapshot under way. */
  stallDetails: string[];
}

export interface FailoverBenchResult {
  kind: 'failover' | 'steady';
  machine: MachineFacts;
  loadAverage: { start: number[]; end: number[] };
  options: FailoverOptions;
  loadgen: LoadgenInfo;
  versions: { etcd?: string };
  notes: string[];
  failover: Partial<Record<SystemName, FailoverSystemResult>>;
  steady: Partial<Record<SystemName, SteadyResult>>;
}

const POLL_MS = 100;
const HEALTHY_TIMEOUT_MS = 60_000;
const LEADER_TIMEOUT_MS = 30_000;
const PRE_KILL_WINDOW_MS = 1000;

const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

interface Ack {
  startUs: number;
  endUs: number;
}

function readAcks(path: string): { ok: Ack[]; errors: Ack[] } {
  const ok: Ack[] = [];
  const errors: Ack[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const [s, e, flag] = line.split(' ');
    (flag === '1' ? ok : errors).push({ startUs: Number(s), endUs: Number(e) });
  }
  ok.sort((a, b) => a.endUs - b.endUs);
  return { ok, errors };
}

export function distribution(values: number[]): Distribution {
  return {
    n: values.length, median: median(values), p90: quantile(values, 0.9), p99: quantile(values, 0.99),
    max: values.length ? Math.max(...values) : Number.NaN, min: values.length ? Math.min(...values) : Number.NaN,
  };
}

/** Longest gap between successive acknowledgements whose end lies in [fromUs, toUs]. */
function longestGap(ok: Ack[], fromUs: number, toUs: number): { gapUs: number; startUs: number; endUs: number } {
  let lo = 0;
  let hi = ok.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok[mid]!.endUs < fromUs) lo = mid + 1;
    else hi = mid;
  }
  let best = { gapUs: 0, startUs: fromUs, endUs: fromUs };
  let prev = lo > 0 ? ok[lo - 1]!.endUs : fromUs;
  for (let i = lo; i < ok.length && ok[i]!.endUs <= toUs; i++) {
    const gap = ok[i]!.endUs - prev;
    if (gap > best.gapUs) best = { gapUs: gap, startUs: prev, endUs: ok[i]!.endUs };
    prev = ok[i]!.endUs;
  }
  if (toUs - prev > best.gapUs) best = { gapUs: toUs - prev, startUs: prev, endUs: toUs };
  return best;
}

interface KillTimes {
  kill: number;
  killed: string;
  newLeader?: string;
  killedUs: number;
  leaderUs?: number;
  restartedUs: number;
  healthyUs: number;
  windowEndUs: number;
}

function analyzeKill(t: KillTimes, ok: Ack[], errors: Ack[]): KillRecord {
  const g = longestGap(ok, t.killedUs - PRE_KILL_WINDOW_MS * 1000, t.windowEndUs);
  let first: number | undefined;
  for (const a of ok) if (a.startUs >= t.killedUs && (first === undefined || a.endUs < first)) first = a.endUs;
  const inWindow = (a: Ack) => a.endUs >= t.killedUs && a.endUs <= t.windowEndUs;
  const ms = (us: number) => Math.round((us - t.killedUs) / 100) / 10;
  return {
    kill: t.kill, killed: t.killed, ...(t.newLeader !== undefined ? { newLeader: t.newLeader } : {}),
    ...(t.leaderUs !== undefined ? { leaderObservedMs: ms(t.leaderUs) } : {}),
    restartedMs: ms(t.restartedUs), healthyMs: ms(t.healthyUs), windowEndMs: ms(t.windowEndUs),
    longestGapMs: Math.round(g.gapUs / 100) / 10, gapStartMs: ms(g.startUs), gapEndMs: ms(g.endUs),
    ...(first !== undefined ? { firstNewAckMs: ms(first) } : {}),
    acksInWindow: ok.filter(inWindow).length, errorsInWindow: errors.filter(inWindow).length,
  };
}

/** One kill: find the leader, kill -9 it, wait for a new one, restart it, wait healthy, settle. */
async function killOnce(c: BenchCluster, o: FailoverOptions, kill: number): Promise<KillTimes> {
  await waitHealthy(c, c.members, HEALTHY_TIMEOUT_MS);
  const leader = await waitForLeader(c, c.members, LEADER_TIMEOUT_MS);
  const survivors = c.members.filter((m) => m !== leader);
  const killedUs = nowUs();
  await c.kill(leader);
  let newLeader: BenchMember | undefined;
  let leaderUs: number | undefined;
  const deadline = Date.now() + LEADER_TIMEOUT_MS;
  while (newLeader === undefined && Date.now() < deadline) {
    newLeader = await currentLeader(survivors);
    if (newLeader === undefined) await sleep(50);
    else leaderUs = nowUs();
  }
  await sleep(o.afterElectionMs);
  const restartedUs = nowUs();
  c.restart(leader);
  await waitHealthy(c, [leader], HEALTHY_TIMEOUT_MS);
  const healthyUs = nowUs();
  await sleep(o.settleMs);
  return {
    kill, killed: leader.name, ...(newLeader ? { newLeader: newLeader.name } : {}),
    ...(leaderUs !== undefined ? { leaderUs } : {}), killedUs, restartedUs, healthyUs, windowEndUs: nowUs(),
  };
}

async function runKills(
  o: FailoverOptions, lg: Loadgen, system: SystemName, kills: number, log: (s: string) => void,
): Promise<FailoverSystemResult> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-failover-'));
  const cluster = await startCluster(system, { heartbeatMs: o.heartbeatMs, electionMs: o.electionMs });
  const times: KillTimes[] = [];
  let aborted: string | undefined;
  try {
    const acksFile = join(dir, 'acks.txt');
    const load = lg.start({
      endpoints: cluster.members.map((m) => m.clientEndpoint), workload: 'put', clients: o.clients, conns: o.conns,
      pin: false, durationSeconds: 0, warmupSeconds: 1, valueBytes: o.valueBytes, keySpace: 10_000,
      keyPrefix: 'failover/', timeoutMs: o.writeTimeoutMs, acksFile,
    });
    await sleep(1000 + o.settleMs);
    for (let k = 1; k <= kills; k++) {
      try {
        const t = await killOnce(cluster, o, k);
        times.push(t);
        log(`  ${system} kill ${k}/${kills}: ${t.killed} killed, new leader ${t.newLeader ?? 'none'} observed after ` +
          `${t.leaderUs !== undefined ? ((t.leaderUs - t.killedUs) / 1000).toFixed(0) : '-'} ms, healthy again after ` +
          `${((t.healthyUs - t.killedUs) / 1000).toFixed(0)} ms`);
      } catch (e) {
        aborted = `kill ${k}: ${(e as Error).message}`;
        log(`  ${system}: stopped early: ${aborted}`);
        break;
      }
    }
    const loadgen = await load.stop();
    const { ok, errors } = readAcks(acksFile);
    const records = times.map((t) => analyzeKill(t, ok, errors));
    return {
      system, kills: records, longestGapMs: distribution(records.map((r) => r.longestGapMs)),
      firstNewAckMs: distribution(records.filter((r) => r.firstNewAckMs !== undefined).map((r) => r.firstNewAckMs!)),
      loadgen, ...(aborted !== undefined ? { aborted } : {}),
    };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raft term per member from `etcdctl endpoint status` (works for both systems); undefined without etcdctl. */
function raftTerm(c: BenchCluster): number | undefined {
  const r = spawnSync('etcdctl', ['endpoint', 'status', '-w', 'json', `--endpoints=${c.members.map((m) => m.clientEndpoint).join(',')}`],
    { encoding: 'utf8', timeout: 15_000, env: { ...cleanEnv(), ETCDCTL_API: '3' } });
  if (r.error !== undefined || r.status !== 0) return undefined;
  try {
    // etcdctl prints the status message as Go's JSON: raftTerm (and header.raft_term).
    const st = JSON.parse(r.stdout) as { Status: { raftTerm?: number; header?: { raft_term?: number } } }[];
    const terms = st.map((s) => Number(s.Status.raftTerm ?? s.Status.header?.raft_term));
    return terms.every(Number.isFinite) && terms.length > 0 ? Math.max(...terms) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the Flotilla members' JSON logs (member.ts): term changes and why, snapshots, stalls. */
function summarizeMemberLogs(c: BenchCluster): MemberLogSummary {
  const s: MemberLogSummary = { termChanges: [], snapshots: 0, snapshotsAbandoned: 0, snapshotMaxTotalMs: 0,
    snapshotMaxBytes: 0, snapshotTotalMs: 0, snapshotTotalBytes: 0, snapshotKinds: {}, stalls: 0, stallMaxMs: 0,
    stallDetails: [] };
  for (const { member: m, record: r } of memberLogRecords(c)) {
    const n = (k: string) => Number(r[k] ?? 0);
    if (r.msg === 'term changed') s.termChanges.push({ member: m.name, from: n('from'), to: n('to'), cause: String(r.cause) });
    else if (r.msg === 'saved snapshot') {
      s.snapshots++;
      s.snapshotMaxTotalMs = Math.max(s.snapshotMaxTotalMs, n('totalMs'));
      s.snapshotMaxBytes = Math.max(s.snapshotMaxBytes, n('bytes'));
      s.snapshotTotalMs += n('totalMs');
      s.snapshotTotalBytes += n('bytes');
      const kind = typeof r.kind === 'string' ? r.kind : 'full';
      s.snapshotKinds[kind] = (s.snapshotKinds[kind] ?? 0) + 1;
    } else if (r.msg === 'snapshot abandoned') s.snapshotsAbandoned++;
    else if (r.msg === 'event loop stalled: a Raft tick came late') {
      s.stalls++;
      s.stallMaxMs = Math.max(s.stallMaxMs, n('lateMs'));
      s.stallDetails.push(`${m.name} ${n('lateMs')} ms late (GC ${n('gcMs')} ms, longest ${n('gcMaxMs')} ms, ` +
        `snapshot ${String(r.snapshot)}${r.leader === true ? ', leader' : ''})`);
    }
  }
  return s;
}

async function runSteady(
  o: FailoverOptions, lg: Loadgen, system: SystemName, log: (s: string) => void,
): Promise<SteadyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-steady-'));
  const cluster = await startCluster(system, { heartbeatMs: o.heartbeatMs, electionMs: o.electionMs,
    snapshotCount: o.snapshotCount });
  try {
    const acksFile = join(dir, 'acks.txt');
    const termStart = raftTerm(cluster);
    const load = lg.start({
      endpoints: cluster.members.map((m) => m.clientEndpoint), workload: 'put', clients: o.clients, conns: o.conns,
      pin: false, durationSeconds: 0, warmupSeconds: 0, valueBytes: o.valueBytes, keySpace: 10_000,
      keyPrefix: 'steady/', timeoutMs: o.writeTimeoutMs, acksFile,
    });
    const endAt = Date.now() + o.steadyMinutes * 60_000;
    let samples = 0;
    let changes = 0;
    let leaderless = 0;
    let unresponsive = 0;
    let last: string | undefined;
    while (Date.now() < endAt) {
      const views = await Promise.all(cluster.members.map((m) => leaderView(m)));
      const leaders = cluster.members.filter((_, i) => views[i]?.isLeader === true);
      samples++;
      if (views.some((v) => v === undefined)) unresponsive++;
      if (leaders.length !== 1) {
        if (views.every((v) => v !== undefined)) leaderless++;
      } else {
        if (last !== undefined && leaders[0]!.name !== last) changes++;
        last = leaders[0]!.name;
      }
      await sleep(POLL_MS);
    }
    const loadgen = await load.stop();
    const termEnd = raftTerm(cluster);
    const memberLogs = system === 'flotilla' ? summarizeMemberLogs(cluster) : undefined;
    const { ok } = readAcks(acksFile);
    let gapsOver100ms = 0;
    for (let i = 1; i < ok.length; i++) if (ok[i]!.endUs - ok[i - 1]!.endUs > 100_000) gapsOver100ms++;
    const first = ok[0]?.endUs ?? 0;
    const g = longestGap(ok, first, ok[ok.length - 1]?.endUs ?? first);
    log(`  ${system} steady ${o.steadyMinutes} min: ${changes} leader changes observed, ${leaderless} leaderless and ` +
      `${unresponsive} unresponsive samples, ` +
      `term ${termStart ?? '?'} -> ${termEnd ?? '?'}, longest write gap ${(g.gapUs / 1000).toFixed(0)} ms`);
    return {
      system, minutes: o.steadyMinutes, samples, leaderChangesObserved: changes, leaderlessSamples: leaderless,
      leaderlessMsApprox: leaderless * POLL_MS, unresponsiveSamples: unresponsive,
      ...(termStart !== undefined ? { termStart } : {}), ...(termEnd !== undefined ? { termEnd } : {}),
      ...(termStart !== undefined && termEnd !== undefined ? { termIncrease: termEnd - termStart } : {}),
      longestGapMs: g.gapUs / 1000, gapsOver100ms, loadgen, ...(memberLogs ? { memberLogs } : {}),
    };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runFailoverBench(o: FailoverOptions, log: (s: string) => void): Promise<FailoverBenchResult> {
  const machine = machineFacts();
  const etcd = o.systems.includes('etcd') ? etcdVersion() : undefined;
  const lg = Loadgen.prepare(o.loadgen, log);
  // ProcessCluster adds one process 'exit' listener per launch; a long run relaunches often.
  process.setMaxListeners(Math.max(process.getMaxListeners(), 4 * (o.kills + o.etcdKills) + 32));
  const start = loadavg();
  const failover: FailoverBenchResult['failover'] = {};
  const steady: FailoverBenchResult['steady'] = {};
  for (const system of o.systems) {
    if (o.steadyMinutes > 0) steady[system] = await runSteady(o, lg, system, log);
    else failover[system] = await runKills(o, lg, system, system === 'etcd' ? o.etcdKills : o.kills, log);
  }
  const notes = [
    `Writes: ${o.clients} clients over ${o.conns} connections, each connection given all 3 endpoints (clientv3 ` +
      `balances and fails over); every write has a ${o.writeTimeoutMs} ms deadline and is retried at once after an error, ` +
      'so a write stuck on a dead leader costs at most that long: outages are measured with that granularity.',
    'longestGapMs: longest time between successive acknowledged writes from 1 s before the kill to the end of the ' +
      'kill\'s window (new leader, restart of the killed member, healthy, settle); gapStartMs/gapEndMs say where it was.',
    'firstNewAckMs: kill to the first acknowledgement of a write sent after the kill.',
    'leaderObservedMs: kill to the first /metrics poll (every 50 ms) where a survivor reports is_leader 1.',
  ];
  return {
    kind: o.steadyMinutes > 0 ? 'steady' : 'failover', machine, loadAverage: { start, end: loadavg() }, options: o,
    loadgen: lg.info, versions: etcd !== undefined ? { etcd } : {}, notes, failover, steady,
  };
}

export function failoverTable(r: FailoverBenchResult): string {
  const lines: string[] = [];
  const fmt = (d: Distribution) => [d.n, d.median, d.p90, d.p99, d.max].map((x) => (Number.isFinite(x) ? x.toFixed(0) : '-'));
  for (const [system, f] of Object.entries(r.failover)) {
    lines.push(`${system}: ${f.kills.length} kills${f.aborted ? ` (stopped early: ${f.aborted})` : ''}; ` +
      `loadgen ${f.loadgen.count} writes, ${f.loadgen.errors} errors, ${(f.loadgen.cpuCoresUsed * 100).toFixed(0)}% of a core`);
    lines.push(`  ${'ms'.padEnd(22)} ${['n', 'median', 'p90', 'p99', 'max'].map((h) => h.padStart(7)).join('')}`);
    lines.push(`  ${'longest write gap'.padEnd(22)} ${fmt(f.longestGapMs).map((x) => x.padStart(7)).join('')}`);
    lines.push(`  ${'kill -> first new ack'.padEnd(22)} ${fmt(f.firstNewAckMs).map((x) => x.padStart(7)).join('')}`);
    const obs = f.kills.filter((k) => k.leaderObservedMs !== undefined).map((k) => k.leaderObservedMs!);
    lines.push(`  ${'new leader observed'.padEnd(22)} ${fmt(distribution(obs)).map((x) => x.padStart(7)).join('')}`);
    const back = distribution(f.kills.map((k) => k.healthyMs - k.restartedMs));
    lines.push(`  ${'restart -> healthy'.padEnd(22)} ${fmt(back).map((x) => x.padStart(7)).join('')}`);
    const late = f.kills.filter((k) => k.gapStartMs > k.restartedMs);
    if (late.length > 0) {
      lines.push(`  ${late.length} kill(s) had their longest gap after the restart, not at the kill: ` +
        late.map((k) => `#${k.kill} ${k.longestGapMs.toFixed(0)} ms at +${k.gapStartMs.toFixed(0)} ms`).join(', '));
    }
  }
  for (const [system, s] of Object.entries(r.steady)) {
    lines.push(`${system}: ${s.minutes} min steady writes: ${s.leaderChangesObserved} leader changes observed, ` +
      `term +${s.termIncrease ?? '?'}, ${s.leaderlessSamples}/${s.samples} leaderless and ${s.unresponsiveSamples} ` +
      `unresponsive samples, longest write gap ` +
      `${s.longestGapMs.toFixed(0)} ms, ${s.gapsOver100ms} gaps > 100 ms, ${s.loadgen.opsPerSecond.toFixed(0)} writes/s, ` +
      `p99 ${s.loadgen.latencyMs.p99.toFixed(1)} ms`);
    const l = s.memberLogs;
    if (l !== undefined) {
      lines.push(`  member logs: ${l.snapshots} snapshots saved (${l.snapshotsAbandoned} abandoned, largest ` +
        `${(l.snapshotMaxBytes / 2 ** 20).toFixed(0)} MiB, slowest ${l.snapshotMaxTotalMs} ms; ` +
        `${Object.entries(l.snapshotKinds).map(([k, v]) => `${v} ${k}`).join(', ')}; in all ` +
        `${(l.snapshotTotalBytes / 2 ** 20).toFixed(0)} MiB, ${(l.snapshotTotalMs / 1000).toFixed(1)} s), ${l.stalls} event-loop ` +
        `stalls >= 200 ms (max ${l.stallMaxMs} ms), ${l.termChanges.length} term changes logged`);
      for (const t of l.termChanges) lines.push(`    ${t.member}: term ${t.from} -> ${t.to}: ${t.cause}`);
      if (l.stallDetails.length > 0) lines.push(`    stalls: ${l.stallDetails.slice(0, 20).join('; ')}`);
    }
  }
  return lines.join('\n') + '\n';
}
