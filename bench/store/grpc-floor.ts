// `flotilla bench grpc-floor`: what the put-512 target leaves for a Node store.
//
// The same put workload as `bench store` (same Go generator, 512 clients on 8 pinned
// connections) against three systems, A B C A B C with fresh processes per round:
//   floor    — three grpc-floor-server.ts processes that answer every call at once with no
//              work at all (no decode, no Raft, no disk, no state machine);
//   flotilla — a fresh 3-member Flotilla store;
//   etcd     — a fresh 3-member etcd 3.4, when `etcd` is on PATH.
// The floor's servers' CPU per call is a lower bound on what any store on node:http2 pays to
// terminate one call. From it, the generator's own CPU per call and etcd's measured
// throughput, the budget says how many µs of CPU per put the three members could spend on
// everything else (forwarding, Raft, WAL, apply, response encoding) and still reach
// `targetRatio` × etcd's throughput on this machine's cores — against what Flotilla's members
// spend on it today (their CPU per put minus the floor's).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machineFacts, type MachineFacts } from '../report.js';
import { median } from './histogram.js';
import { Loadgen, type LoadgenInfo, type LoadgenKind, type LoadResult } from './loadgen.js';
import { CLUSTER_SETTLE_MS, fmtMs, formatTable } from './store-bench.js';
import { etcdVersion, processCpuSeconds, sleep, startCluster, type SystemName, waitForLeader } from './systems.js';

const FLOOR_SERVER = fileURLToPath(new URL('./grpc-floor-server.js', import.meta.url));
const FLOOR_SERVERS = 3;
/** How long a floor server may take to print its port, and to exit once told to. */
const FLOOR_START_TIMEOUT_MS = 10_000;
const FLOOR_STOP_GRACE_MS = 2000;

export type FloorSystem = 'floor' | SystemName;
export const FLOOR_SYSTEMS: readonly FloorSystem[] = ['floor', 'flotilla', 'etcd'];

export interface GrpcFloorOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  clients: number;
  conns: number;
  systems: FloorSystem[];
  loadgen: LoadgenKind;
  valueBytes: number;
  keySpace: number;
  timeoutMs: number;
  heartbeatMs: number;
  electionMs: number;
  /** The throughput the budget is computed for, as a multiple of etcd's (the issue asks 1.5). */
  targetRatio: number;
  quick: boolean;
}

export interface FloorRun {
  round: number;
  system: FloorSystem;
  result: LoadResult;
  /** CPU seconds of each server process over warm-up and measured phase. */
  serverCpuSeconds: number[];
  serverCoresUsed: number;
  wallSeconds: number;
}

export interface FloorSystemSummary {
  runs: number;
  opsPerSecondMedian: number;
  p50MsMedian: number;
  p99MsMedian: number;
  errors: number;
  serverCoresUsedMedian: number;
  /** The servers' CPU (all three) per operation, µs. */
  serverCpuUsPerOpMedian: number;
  loadgenCpuUsPerOpMedian: number;
}

/**
 * The arithmetic of the target, from the medians. Every term is chosen in the store's favour:
 * all of the machine's cores, the generator's cheapest CPU per call (it is measured against
 * the floor, where it spends least per call), and a floor that does not even decode.
 */
export interface FloorBudget {
  cores: number;
  targetRatio: number;
  etcdOpsPerSecond: number;
  targetOpsPerSecond: number;
  loadgenCpuUsPerOp: number;
  floorServerCpuUsPerOp: number;
  /** Cores the generator plus call termination alone need at the target. */
  coresForCallsAtTarget: number;
  /** µs of members' CPU per put left for all the rest at the target; ≤ 0: out of reach. */
  restBudgetUsPerOp: number;
  /** Flotilla members' CPU per put today minus the floor's (when Flotilla ran). */
  flotillaRestUsPerOp?: number;
  /** etcd members' CPU per put (Go gRPC included), for scale. */
  etcdServerCpuUsPerOp: number;
}

export interface GrpcFloorResult {
  kind: 'grpc-floor';
  machine: MachineFacts;
  loadAverage: { start: number[]; end: number[] };
  options: GrpcFloorOptions;
  loadgen: LoadgenInfo;
  versions: { etcd?: string };
  notes: string[];
  summary: Partial<Record<FloorSystem, FloorSystemSummary>>;
  budget?: FloorBudget;
  runs: FloorRun[];
}

/** Three running floor servers, tracked so they are stopped even when the bench fails. */
export class FloorServers {
  private constructor(readonly children: ChildProcess[], readonly endpoints: string[]) {}

  static async start(): Promise<FloorServers> {
    const children: ChildProcess[] = [];
    try {
      const endpoints: string[] = [];
      for (let i = 0; i < FLOOR_SERVERS; i++) {
        const child = spawn(process.execPath, [FLOOR_SERVER], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
        children.push(child);
        endpoints.push(`127.0.0.1:${await portOf(child)}`);
      }
      return new FloorServers(children, endpoints);
    } catch (e) {
      await stopAll(children);
      throw e;
    }
  }

  stop(): Promise<void> {
    return stopAll(this.children);
  }
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`floor server printed no port in ${FLOOR_START_TIMEOUT_MS} ms: ${err}`)),
      FLOOR_START_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`floor server exited (${code ?? sig}) before listening: ${err}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const port = (JSON.parse(out.slice(0, nl)) as { port?: unknown }).port;
      if (typeof port !== 'number') reject(new Error(`floor server printed no port: ${out.slice(0, nl)}`));
      else resolve(port);
    });
  });
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map(async (c) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.stdin!.end();
    const t = setTimeout(() => {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, FLOOR_STOP_GRACE_MS);
    await exited;
    clearTimeout(t);
  }));
}

async function runOne(o: GrpcFloorOptions, lg: Loadgen, system: FloorSystem, round: number): Promise<FloorRun> {
  let endpoints: string[];
  let pids: number[];
  let stop: () => Promise<void>;
  if (system === 'floor') {
    const servers = await FloorServers.start();
    endpoints = servers.endpoints;
    pids = servers.children.map((c) => c.pid!);
    stop = () => servers.stop();
  } else {
    const cluster = await startCluster(system, { heartbeatMs: o.heartbeatMs, electionMs: o.electionMs });
    stop = () => cluster.stop();
    try {
      await sleep(CLUSTER_SETTLE_MS);
      // Leader first, as in `bench store`: connection j talks to endpoint j % 3.
      const leader = await waitForLeader(cluster, cluster.members, 10_000);
      const ordered = [leader, ...cluster.members.filter((m) => m !== leader)];
      endpoints = ordered.map((m) => m.clientEndpoint);
      pids = ordered.map((m) => m.pid()!);
    } catch (e) {
      await stop();
      throw e;
    }
  }
  try {
    const cpu0 = pids.map((p) => processCpuSeconds(p) ?? 0);
    const started = Date.now();
    const result = await lg.run({
      endpoints, workload: 'put', clients: o.clients, conns: o.conns, pin: true, durationSeconds: o.seconds,
      warmupSeconds: o.warmupSeconds, valueBytes: o.valueBytes, keySpace: o.keySpace, keyPrefix: 'bench/floor/',
      timeoutMs: o.timeoutMs,
    });
    const wallSeconds = (Date.now() - started) / 1000;
    const serverCpuSeconds = pids.map((p, i) => (processCpuSeconds(p) ?? 0) - cpu0[i]!);
    const total = serverCpuSeconds.reduce((a, b) => a + b, 0);
    return { round, system, result, serverCpuSeconds, serverCoresUsed: total / wallSeconds, wallSeconds };
  } finally {
    await stop();
  }
}

export async function runGrpcFloorBench(o: GrpcFloorOptions, log: (s: string) => void): Promise<GrpcFloorResult> {
  const machine = machineFacts();
  const etcd = o.systems.includes('etcd') ? etcdVersion() : undefined;
  const lg = Loadgen.prepare(o.loadgen, log);
  process.setMaxListeners(Math.max(process.getMaxListeners(), 3 * o.rounds + 32));
  const start = loadavg();
  const runs: FloorRun[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    for (const system of o.systems) {
      const r = await runOne(o, lg, system, round);
      runs.push(r);
      log(`  round ${round} ${system.padEnd(8)} ${r.result.opsPerSecond.toFixed(0).padStart(7)} ops/s  ` +
        `p50 ${fmtMs(r.result.latencyMs.p50)} p99 ${fmtMs(r.result.latencyMs.p99)} ms  errors ${r.result.errors}  ` +
        `loadgen ${(r.result.cpuCoresUsed * 100).toFixed(0)}% of a core, servers ${(r.serverCoresUsed * 100).toFixed(0)}%`);
    }
  }
  const summary: GrpcFloorResult['summary'] = {};
  for (const system of o.systems) {
    const rs = runs.filter((r) => r.system === system);
    summary[system] = {
      runs: rs.length,
      opsPerSecondMedian: median(rs.map((r) => r.result.opsPerSecond)),
      p50MsMedian: median(rs.map((r) => r.result.latencyMs.p50)),
      p99MsMedian: median(rs.map((r) => r.result.latencyMs.p99)),
      errors: rs.reduce((a, r) => a + r.result.errors, 0),
      serverCoresUsedMedian: median(rs.map((r) => r.serverCoresUsed)),
      serverCpuUsPerOpMedian: median(rs.map((r) => (r.serverCoresUsed / r.result.opsPerSecond) * 1e6)),
      loadgenCpuUsPerOpMedian: median(rs.map((r) => (r.result.cpuCoresUsed / r.result.opsPerSecond) * 1e6)),
    };
  }
  const budget = floorBudget(summary, cpus().length, o.targetRatio);
  const notes = [
    'floor: three node:http2 servers that answer every call at once with a fixed PutResponse and do no work ' +
      '(they do not decode the request): a lower bound on the CPU a Node store spends to terminate one call.',
    'Same Go generator and workload as bench store put-512: connections pinned, connection j to endpoint j % 3, ' +
      'leader first for the real clusters.',
    'CPU per operation = the servers\' CPU over warm-up and measured phase / measured throughput / wall seconds, ' +
      'as in bench store.',
    'budget: at targetRatio x etcd\'s throughput, the generator (at its CPU per call against the floor, its cheapest) ' +
      'and call termination (the floor) alone need coresForCallsAtTarget cores; restBudgetUsPerOp is what the ' +
      'machine\'s cores leave per put for everything else in the three members.',
  ];
  if (o.loadgen === 'node') notes.push('Node load generator (one process): it saturates near 2,500 req/s, so throughput here measures it.');
  if (o.quick) notes.push('--quick: a smoke run with tiny durations and client counts; not a measurement.');
  return {
    kind: 'grpc-floor', machine, loadAverage: { start, end: loadavg() }, options: o, loadgen: lg.info,
    versions: etcd !== undefined ? { etcd } : {}, notes, summary, ...(budget ? { budget } : {}), runs,
  };
}

/** The target's arithmetic (see FloorBudget); undefined unless the floor and etcd both ran. */
export function floorBudget(summary: GrpcFloorResult['summary'], cores: number, targetRatio: number): FloorBudget | undefined {
  const { floor, etcd, flotilla } = summary;
  if (floor === undefined || etcd === undefined || etcd.opsPerSecondMedian <= 0) return undefined;
  const targetOpsPerSecond = targetRatio * etcd.opsPerSecondMedian;
  const perCallUs = floor.loadgenCpuUsPerOpMedian + floor.serverCpuUsPerOpMedian;
  const coresForCallsAtTarget = (targetOpsPerSecond * perCallUs) / 1e6;
  return {
    cores, targetRatio, etcdOpsPerSecond: etcd.opsPerSecondMedian, targetOpsPerSecond,
    loadgenCpuUsPerOp: floor.loadgenCpuUsPerOpMedian, floorServerCpuUsPerOp: floor.serverCpuUsPerOpMedian,
    coresForCallsAtTarget,
    restBudgetUsPerOp: ((cores - coresForCallsAtTarget) * 1e6) / targetOpsPerSecond,
    ...(flotilla ? { flotillaRestUsPerOp: flotilla.serverCpuUsPerOpMedian - floor.serverCpuUsPerOpMedian } : {}),
    etcdServerCpuUsPerOp: etcd.serverCpuUsPerOpMedian,
  };
}

export function grpcFloorTable(r: GrpcFloorResult): string {
  const head = ['system', 'runs', 'ops/s', 'p50/p99 ms', 'servers cpu', 'servers µs/op', 'loadgen µs/op'];
  const rows = FLOOR_SYSTEMS.flatMap((s) => {
    const x = r.summary[s];
    if (x === undefined) return [];
    return [[s, String(x.runs), x.opsPerSecondMedian.toFixed(0) + (x.errors ? ` (${x.errors} err)` : ''),
      `${fmtMs(x.p50MsMedian)} / ${fmtMs(x.p99MsMedian)}`, `${(x.serverCoresUsedMedian * 100).toFixed(0)}%`,
      x.serverCpuUsPerOpMedian.toFixed(1), x.loadgenCpuUsPerOpMedian.toFixed(1)]];
  });
  let out = formatTable(head, rows) + `medians over rounds; put, ${r.options.clients} clients on ${r.options.conns} ` +
    'pinned connections; servers = the 3 server processes, % of one core\n';
  const b = r.budget;
  if (b !== undefined) {
    out += `\nbudget on ${b.cores} cores at ${b.targetRatio}x etcd = ${b.targetOpsPerSecond.toFixed(0)} puts/s:\n` +
      `  generator ${b.loadgenCpuUsPerOp.toFixed(1)} + call termination ${b.floorServerCpuUsPerOp.toFixed(1)} µs/put ` +
      `= ${b.coresForCallsAtTarget.toFixed(2)} cores\n` +
      `  left for forwarding, Raft, WAL and apply on all 3 members: ${b.restBudgetUsPerOp.toFixed(1)} µs/put` +
      (b.flotillaRestUsPerOp !== undefined ? `; Flotilla spends ${b.flotillaRestUsPerOp.toFixed(1)} µs/put on them today` : '') +
      `\n  (etcd's members: ${b.etcdServerCpuUsPerOp.toFixed(1)} µs/put in all)\n`;
  }
  return out;
}
