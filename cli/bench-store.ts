// `flotilla bench store`, `flotilla bench failover` and `flotilla bench grpc-floor`: the
// store against etcd 3.4 (when `etcd` is on PATH) with etcd's own Go client as the load
// generator. They print numbers and write JSON under bench/results/; they never pass or
// fail (a setup problem — no Go, no etcd when asked for — exits non-zero with what to
// install; a bad flag exits non-zero with what was wrong).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { writeResult } from '../bench/report.js';
import { failoverTable, type FailoverOptions, runFailoverBench } from '../bench/store/failover.js';
import { FLOOR_SYSTEMS, type FloorSystem, type GrpcFloorOptions, grpcFloorTable, runGrpcFloorBench } from '../bench/store/grpc-floor.js';
import { BenchSetupError, type LoadgenKind } from '../bench/store/loadgen.js';
import { runStoreBench, selectWorkloads, storeTable, type StoreBenchOptions } from '../bench/store/store-bench.js';
import { ETCD_INSTALL_HINT, etcdVersion, SYSTEM_NAMES, type SystemName } from '../bench/store/systems.js';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`must be a positive integer, got "${v}"`);
  return n;
}

function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`must be a non-negative number, got "${v}"`);
  return n;
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`must be a positive number, got "${v}"`);
  return n;
}

function loadgenKind(v: string): LoadgenKind {
  if (v !== 'go' && v !== 'node') throw new InvalidArgumentError('must be go or node');
  return v;
}

/** --systems, defaulting to both when etcd is on PATH; asking for etcd without it is a setup error. */
function resolveSystems(spec: string | undefined, log: (s: string) => void): SystemName[] {
  const hasEtcd = etcdVersion() !== undefined;
  if (spec === undefined) {
    if (!hasEtcd) log(`etcd skipped: ${ETCD_INSTALL_HINT}`);
    return hasEtcd ? ['flotilla', 'etcd'] : ['flotilla'];
  }
  const systems = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of systems) {
    if (!SYSTEM_NAMES.includes(s as SystemName)) {
      throw new InvalidArgumentError(`unknown system "${s}": use ${SYSTEM_NAMES.join(',')}`);
    }
  }
  if (systems.includes('etcd') && !hasEtcd) throw new BenchSetupError(ETCD_INSTALL_HINT);
  return systems as SystemName[];
}

async function report(name: string, json: boolean | undefined, run: (log: (s: string) => void) => Promise<object>,
  table: (r: never) => string): Promise<void> {
  // With --json, progress goes to stderr so stdout is exactly the JSON document.
  const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');
  try {
    const result = await run(log);
    const path = writeResult(name, result);
    if (json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    process.stdout.write('\n' + table(result as never) + `json: ${path}\n`);
  } catch (e) {
    // A setup problem (what to install) or a bad --systems/--workloads: the message, no stack.
    if (!(e instanceof BenchSetupError) && !(e instanceof InvalidArgumentError)) throw e;
    process.stderr.write(`flotilla bench ${name}: ${e.message}\n`);
    process.exitCode = 2;
  }
}

/** selectWorkloads, with an unknown name reported as a bad argument. */
function workloadsOf(spec: string | undefined, quick: boolean): ReturnType<typeof selectWorkloads> {
  try {
    return selectWorkloads(spec, quick);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

interface StoreFlags {
  rounds: number;
  seconds: number;
  warmup: number;
  workloads?: string;
  systems?: string;
  loadgen: LoadgenKind;
  valueBytes: number;
  keySpace: number;
  heartbeatInterval: number;
  electionTimeout: number;
  timeoutMs: number;
  json?: boolean;
  quick?: boolean;
  profileDir?: string;
}

function registerStoreCommand(bench: Command): void {
  bench
    .command('store')
    .description('3-member Flotilla store vs 3-member etcd (when on PATH): put/txn/get throughput and latency, A B A B')
    .option('--rounds <n>', 'rounds; each system gets a fresh cluster per round', positiveInt, 2)
    .option('--seconds <n>', 'measured seconds per workload', nonNegative, 10)
    .option('--warmup <n>', 'warm-up seconds per workload', nonNegative, 2)
    .option('--workloads <list>', 'put-1,put-64,put-512,txn-512,get-linearizable-512,get-serializable-512 ' +
      '(or put, txn, get, get-linearizable, get-serializable)')
    .option('--systems <list>', 'flotilla,etcd (default: both when etcd is on PATH)')
    .option('--loadgen <kind>', 'go (etcd clientv3, built at bench time) or node (one process, weak)', loadgenKind, 'go')
    .option('--value-bytes <n>', 'value size', positiveInt, 256)
    .option('--key-space <n>', 'distinct keys per workload', positiveInt, 10_000)
    .option('--heartbeat-interval <ms>', 'both systems', positiveInt, 100)
    .option('--election-timeout <ms>', 'both systems', positiveInt, 1000)
    .option('--timeout-ms <ms>', 'deadline of each request', positiveInt, 5000)
    .option('--json', 'print the JSON result instead of a table')
    .option('--quick', 'tiny smoke version: 1 round, 1 s per workload, at most 16 clients (not a measurement)')
    .option('--profile-dir <dir>', 'profile Flotilla members (V8 CPU profiler) into this directory; summarize the profiles')
    .action(async (f: StoreFlags, cmd: Command) => {
      const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
      const quick = f.quick === true;
      await report('store', f.json, async (log) => {
        const o: StoreBenchOptions = {
          rounds: quick && !given('rounds') ? 1 : f.rounds,
          seconds: quick && !given('seconds') ? 1 : f.seconds,
          warmupSeconds: quick && !given('warmup') ? 0.5 : f.warmup,
          workloads: workloadsOf(f.workloads, quick),
          systems: resolveSystems(f.systems, log),
          loadgen: f.loadgen, valueBytes: f.valueBytes,
          keySpace: quick && !given('keySpace') ? 200 : f.keySpace,
          heartbeatMs: f.heartbeatInterval, electionMs: f.electionTimeout, timeoutMs: f.timeoutMs, quick,
          ...(f.profileDir !== undefined ? { profileDir: resolve(f.profileDir) } : {}),
        };
        if (o.profileDir !== undefined) mkdirSync(o.profileDir, { recursive: true });
        log(`bench store: ${o.systems.join(' vs ')}, ${o.rounds} round(s), ${o.workloads.map((w) => w.id).join(', ')}`);
        return runStoreBench(o, log);
      }, storeTable);
    });
}

interface FailoverFlags {
  kills: number;
  etcdKills: number;
  clients: number;
  conns: number;
  writeTimeoutMs: number;
  settleMs: number;
  afterElectionMs: number;
  steadyMinutes: number;
  snapshotCount: number;
  systems?: string;
  loadgen: LoadgenKind;
  valueBytes: number;
  heartbeatInterval: number;
  electionTimeout: number;
  json?: boolean;
  quick?: boolean;
}

function registerFailoverCommand(bench: Command): void {
  bench
    .command('failover')
    .description('kill -9 the leader N times under writes from 16 clients: write outage per kill, both systems')
    .option('--kills <n>', 'leader kills for flotilla', positiveInt, 30)
    .option('--etcd-kills <n>', 'leader kills for etcd', positiveInt, 7)
    .option('--clients <n>', 'concurrent writers', positiveInt, 16)
    .option('--conns <n>', 'connections (each with all endpoints)', positiveInt, 4)
    .option('--write-timeout-ms <ms>', 'deadline of each write; a failed write is retried at once', positiveInt, 250)
    .option('--settle-ms <ms>', 'wait after the restarted member is healthy, before the next kill', nonNegative, 2000)
    .option('--after-election-ms <ms>', 'wait after a new leader is seen, before restarting the killed member',
      nonNegative, 1000)
    .option('--steady-minutes <m>', 'instead of kills: M minutes of writes, count leader changes', nonNegative, 0)
    .option('--snapshot-count <n>', 'both systems (etcd 3.4 default)', positiveInt, 100_000)
    .option('--systems <list>', 'flotilla,etcd (default: both when etcd is on PATH)')
    .option('--loadgen <kind>', 'go (etcd clientv3) or node', loadgenKind, 'go')
    .option('--value-bytes <n>', 'value size', positiveInt, 256)
    .option('--heartbeat-interval <ms>', 'both systems', positiveInt, 100)
    .option('--election-timeout <ms>', 'both systems', positiveInt, 1000)
    .option('--json', 'print the JSON result instead of a table')
    .option('--quick', 'tiny smoke version: 2 kills (1 for etcd), short settles (not a measurement)')
    .action(async (f: FailoverFlags, cmd: Command) => {
      const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
      const quick = f.quick === true;
      await report(f.steadyMinutes > 0 ? 'steady' : 'failover', f.json, async (log) => {
        const o: FailoverOptions = {
          systems: resolveSystems(f.systems, log),
          kills: quick && !given('kills') ? 2 : f.kills,
          etcdKills: quick && !given('etcdKills') ? 1 : f.etcdKills,
          clients: f.clients, conns: f.conns, writeTimeoutMs: f.writeTimeoutMs,
          settleMs: quick && !given('settleMs') ? 500 : f.settleMs,
          afterElectionMs: quick && !given('afterElectionMs') ? 300 : f.afterElectionMs,
          heartbeatMs: f.heartbeatInterval, electionMs: f.electionTimeout, valueBytes: f.valueBytes,
          loadgen: f.loadgen, steadyMinutes: f.steadyMinutes, snapshotCount: f.snapshotCount, quick,
        };
        log(`bench failover: ${o.systems.join(' vs ')}, ` + (o.steadyMinutes > 0 ? `${o.steadyMinutes} min steady writes`
          : `${o.kills} kills (etcd ${o.etcdKills})`));
        return runFailoverBench(o, log);
      }, failoverTable);
    });
}

interface GrpcFloorFlags {
  rounds: number;
  seconds: number;
  warmup: number;
  clients: number;
  conns: number;
  systems?: string;
  loadgen: LoadgenKind;
  valueBytes: number;
  keySpace: number;
  timeoutMs: number;
  heartbeatInterval: number;
  electionTimeout: number;
  targetRatio: number;
  json?: boolean;
  quick?: boolean;
}

/** --systems for grpc-floor: floor always first; etcd by default only when on PATH. */
function resolveFloorSystems(spec: string | undefined, log: (s: string) => void): FloorSystem[] {
  if (spec === undefined) return ['floor', ...resolveSystems(undefined, log)];
  const asked = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of asked) {
    if (!FLOOR_SYSTEMS.includes(s as FloorSystem)) {
      throw new InvalidArgumentError(`unknown system "${s}": use ${FLOOR_SYSTEMS.join(',')}`);
    }
  }
  const stores = asked.filter((s) => s !== 'floor');
  const resolved = stores.length > 0 ? resolveSystems(stores.join(','), log) : [];
  return [...(asked.includes('floor') ? ['floor' as const] : []), ...resolved];
}

function registerGrpcFloorCommand(bench: Command): void {
  bench
    .command('grpc-floor')
    .description('put-512 against do-nothing node:http2 gRPC servers, Flotilla and etcd: the CPU budget the ' +
      'put target leaves for a Node store on this machine')
    .option('--rounds <n>', 'rounds; fresh processes per system per round', positiveInt, 2)
    .option('--seconds <n>', 'measured seconds per run', nonNegative, 6)
    .option('--warmup <n>', 'warm-up seconds per run', nonNegative, 2)
    .option('--clients <n>', 'concurrent clients', positiveInt, 512)
    .option('--conns <n>', 'connections, pinned to endpoints j % 3', positiveInt, 8)
    .option('--systems <list>', `${FLOOR_SYSTEMS.join(',')} (default: all, etcd only when on PATH)`)
    .option('--loadgen <kind>', 'go (etcd clientv3) or node', loadgenKind, 'go')
    .option('--value-bytes <n>', 'value size', positiveInt, 256)
    .option('--key-space <n>', 'distinct keys', positiveInt, 10_000)
    .option('--timeout-ms <ms>', 'deadline of each request', positiveInt, 5000)
    .option('--heartbeat-interval <ms>', 'Flotilla and etcd', positiveInt, 100)
    .option('--election-timeout <ms>', 'Flotilla and etcd', positiveInt, 1000)
    .option('--target-ratio <x>', 'the throughput to budget for, as a multiple of etcd\'s', positive, 1.5)
    .option('--json', 'print the JSON result instead of a table')
    .option('--quick', 'tiny smoke version: 1 round, 1 s, at most 16 clients on 2 connections (not a measurement)')
    .action(async (f: GrpcFloorFlags, cmd: Command) => {
      const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
      const quick = f.quick === true;
      await report('grpc-floor', f.json, async (log) => {
        const o: GrpcFloorOptions = {
          rounds: quick && !given('rounds') ? 1 : f.rounds,
          seconds: quick && !given('seconds') ? 1 : f.seconds,
          warmupSeconds: quick && !given('warmup') ? 0.5 : f.warmup,
          clients: quick && !given('clients') ? Math.min(f.clients, 16) : f.clients,
          conns: quick && !given('conns') ? Math.min(f.conns, 2) : f.conns,
          systems: resolveFloorSystems(f.systems, log),
          loadgen: f.loadgen, valueBytes: f.valueBytes, keySpace: f.keySpace, timeoutMs: f.timeoutMs,
          heartbeatMs: f.heartbeatInterval, electionMs: f.electionTimeout, targetRatio: f.targetRatio, quick,
        };
        log(`bench grpc-floor: ${o.systems.join(', ')}, ${o.rounds} round(s), put at ${o.clients} clients / ${o.conns} conns`);
        return runGrpcFloorBench(o, log);
      }, grpcFloorTable);
    });
}

/** Adds `store`, `failover` and `grpc-floor` under `flotilla bench`. */
export function registerBenchStore(bench: Command): void {
  registerStoreCommand(bench);
  registerFailoverCommand(bench);
  registerGrpcFloorCommand(bench);
}
