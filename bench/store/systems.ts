// The two systems under test behind one interface: a 3-member Flotilla store (the shared
// ProcessCluster harness) and a 3-member etcd (Debian etcd-server), both fresh, on
// loopback, fsync on, the same heartbeat/election timing. Every process is spawned
// detached in its own process group and signalled by its pid's group, never by name.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, ProcessCluster, type ProcessMember } from '../../store/server/testing/process-cluster.js';

export type SystemName = 'flotilla' | 'etcd';
export const SYSTEM_NAMES: readonly SystemName[] = ['flotilla', 'etcd'];

export const ETCD_INSTALL_HINT = 'etcd is not on PATH: install Debian package etcd-server ' +
  '(`apt-get update && apt-get install -y etcd-server`), or pass --systems flotilla';

export interface TimingOptions {
  heartbeatMs: number;
  electionMs: number;
  /** --snapshot-count for both systems; default 100000, etcd 3.4's default. */
  snapshotCount?: number;
  /** Profile Flotilla members (cpu-profile-preload.ts) into this directory. */
  flotillaProfileDir?: string;
}

export interface BenchMember {
  name: string;
  clientEndpoint: string;
  metricsUrl: string;
  pid(): number | undefined;
}

export interface BenchCluster {
  readonly system: SystemName;
  readonly members: BenchMember[];
  kill(m: BenchMember): Promise<void>;
  restart(m: BenchMember): void;
  stop(): Promise<void>;
  /** Log file of a member, for error messages. */
  logOf(m: BenchMember): string;
}

/**
 * Every JSON record a cluster's members have logged so far, with the member that logged it
 * (Flotilla's pino lines; a member whose log cannot be read, or a line still being
 * written, is skipped): what the benches read member.ts's snapshots and stalls from.
 */
export function* memberLogRecords(
  c: BenchCluster,
): Generator<{ member: BenchMember; record: Record<string, unknown> }> {
  for (const member of c.members) {
    let text: string;
    try {
      text = readFileSync(c.logOf(member), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        yield { member, record: JSON.parse(line) as Record<string, unknown> };
      } catch {
        continue;
      }
    }
  }
}

const SETTLE_POLL_MS = 50;
/** etcd 3.4's default --snapshot-count, used for both systems unless a bench says otherwise. */
export const DEFAULT_SNAPSHOT_COUNT = 100_000;
const PROFILE_PRELOAD = fileURLToPath(new URL('./cpu-profile-preload.js', import.meta.url));

/** `etcd --version` first line, or undefined when etcd is not on PATH. */
export function etcdVersion(): string | undefined {
  const r = spawnSync('etcd', ['--version'], { encoding: 'utf8', timeout: 10_000, env: cleanEnv() });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return /etcd Version: (\S+)/.exec(r.stdout)?.[1] ?? r.stdout.split('\n')[0];
}

/** The environment without proxies or ETCD_/ETCDCTL_ variables that would change what we measure. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '*', no_proxy: '*' };
  for (const k of Object.keys(env)) {
    if (/^(https?_proxy|all_proxy|grpc_proxy)$/i.test(k) || k.startsWith('ETCD_') || k.startsWith('ETCDCTL_')) {
      delete env[k];
    }
  }
  return env;
}

export async function startCluster(system: SystemName, t: TimingOptions): Promise<BenchCluster> {
  const c = system === 'flotilla' ? await FlotillaCluster.start(t) : await EtcdCluster.start(t);
  try {
    await waitHealthy(c, c.members, 30_000);
    await waitForLeader(c, c.members, 30_000);
  } catch (e) {
    await c.stop();
    throw e;
  }
  return c;
}

class FlotillaCluster implements BenchCluster {
  readonly system = 'flotilla' as const;
  readonly members: BenchMember[];
  readonly #pc: ProcessCluster;
  readonly #byName = new Map<string, ProcessMember>();

  private constructor(pc: ProcessCluster) {
    this.#pc = pc;
    this.members = pc.members.map((m) => {
      this.#byName.set(m.name, m);
      return {
        name: m.name, clientEndpoint: `127.0.0.1:${m.clientPort}`, metricsUrl: `http://127.0.0.1:${m.metricsPort}`,
        pid: () => m.child?.pid,
      };
    });
  }

  static async start(t: TimingOptions): Promise<FlotillaCluster> {
    // The harness spawns members with this process's environment, read at launch: the
    // preload reaches the members only, and only those launched here.
    const env = process.env;
    const saved = { NODE_OPTIONS: env.NODE_OPTIONS, FLOTILLA_BENCH_PROFILE_DIR: env.FLOTILLA_BENCH_PROFILE_DIR };
    if (t.flotillaProfileDir !== undefined) {
      process.env.NODE_OPTIONS = `${saved.NODE_OPTIONS ?? ''} --import ${PROFILE_PRELOAD}`.trim();
      process.env.FLOTILLA_BENCH_PROFILE_DIR = t.flotillaProfileDir;
    }
    try {
      const pc = await ProcessCluster.start({ size: 3, heartbeatMs: t.heartbeatMs, electionMs: t.electionMs,
        snapshotCount: t.snapshotCount ?? DEFAULT_SNAPSHOT_COUNT });
      return new FlotillaCluster(pc);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  kill(m: BenchMember): Promise<void> {
    return this.#pc.kill(this.#byName.get(m.name)!, 'SIGKILL');
  }

  restart(m: BenchMember): void {
    this.#pc.launch(this.#byName.get(m.name)!);
  }

  stop(): Promise<void> {
    return this.#pc.stopAll();
  }

  logOf(m: BenchMember): string {
    return this.#byName.get(m.name)!.logFile;
  }
}

interface EtcdMember extends BenchMember {
  args: string[];
  logFile: string;
  child?: ChildProcess;
}

class EtcdCluster implements BenchCluster {
  readonly system = 'etcd' as const;
  readonly root = mkdtempSync(join(tmpdir(), 'flotilla-bench-etcd-'));
  readonly members: EtcdMember[] = [];
  readonly #onExit = () => this.#signalAll('SIGKILL');

  static async start(t: TimingOptions): Promise<EtcdCluster> {
    const c = new EtcdCluster();
    const ports = await freePorts(9);
    const names = ['e1', 'e2', 'e3'];
    const peer = (i: number) => `http://127.0.0.1:${ports[3 * i + 1]}`;
    const initial = names.map((n, i) => `${n}=${peer(i)}`).join(',');
    for (const [i, name] of names.entries()) {
      const client = `http://127.0.0.1:${ports[3 * i]}`;
      const metrics = `http://127.0.0.1:${ports[3 * i + 2]}`;
      const args = ['--name', name, '--data-dir', join(c.root, name), '--logger', 'zap', '--log-outputs', 'stderr',
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i), '--listen-metrics-urls', metrics,
        '--initial-cluster', initial, '--initial-cluster-token', 'flotilla-bench', '--initial-cluster-state', 'new',
        '--heartbeat-interval', String(t.heartbeatMs), '--election-timeout', String(t.electionMs),
        '--snapshot-count', String(t.snapshotCount ?? DEFAULT_SNAPSHOT_COUNT)];
      const m: EtcdMember = {
        name, clientEndpoint: client.slice('http://'.length), metricsUrl: metrics, args,
        logFile: join(c.root, `${name}.log`), pid: () => m.child?.pid,
      };
      c.members.push(m);
    }
    process.on('exit', c.#onExit);
    for (const m of c.members) c.restart(m);
    return c;
  }

  restart(m: BenchMember): void {
    const em = m as EtcdMember;
    const log = openSync(em.logFile, 'a');
    em.child = spawn('etcd', em.args, { detached: true, stdio: ['ignore', log, log], env: cleanEnv() });
  }

  #alive(m: EtcdMember): boolean {
    return m.child !== undefined && m.child.exitCode === null && m.child.signalCode === null;
  }

  #signal(m: EtcdMember, sig: NodeJS.Signals): void {
    if (!this.#alive(m) || m.child!.pid === undefined) return;
    try {
      process.kill(-m.child!.pid, sig);
    } catch {
      // already gone
    }
  }

  #signalAll(sig: NodeJS.Signals): void {
    for (const m of this.members) this.#signal(m, sig);
  }

  async kill(m: BenchMember, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const em = m as EtcdMember;
    if (!this.#alive(em)) return;
    const exited = new Promise((r) => em.child!.once('exit', r));
    this.#signal(em, sig);
    await exited;
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map(async (m) => {
      if (!this.#alive(m)) return;
      const exited = new Promise((r) => m.child!.once('exit', r));
      this.#signal(m, 'SIGTERM');
      const t = setTimeout(() => this.#signal(m, 'SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    }));
    process.off('exit', this.#onExit);
    rmSync(this.root, { recursive: true, force: true });
  }

  logOf(m: BenchMember): string {
    return (m as EtcdMember).logFile;
  }
}

/** Both systems serve etcd's /health on their metrics URL: 200 when the member has a leader and serves. */
export async function healthy(m: BenchMember): Promise<boolean> {
  try {
    const r = await fetch(`${m.metricsUrl}/health`, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

export interface LeaderView {
  isLeader: boolean;
  term?: number;
}

/** Leadership as each system exports it in Prometheus text on /metrics. */
export async function leaderView(m: BenchMember): Promise<LeaderView | undefined> {
  try {
    const r = await fetch(`${m.metricsUrl}/metrics`, { signal: AbortSignal.timeout(1000) });
    if (!r.ok) return undefined;
    const text = await r.text();
    const isLeader = /^(?:etcd_server|flotilla_store)_is_leader (\S+)$/m.exec(text)?.[1];
    const term = /^flotilla_store_raft_term (\S+)$/m.exec(text)?.[1];
    if (isLeader === undefined) return undefined;
    return { isLeader: Number(isLeader) === 1, ...(term !== undefined ? { term: Number(term) } : {}) };
  } catch {
    return undefined;
  }
}

/** The one member that says it leads, among `among`; undefined when none (or two) do. */
export async function currentLeader(among: BenchMember[]): Promise<BenchMember | undefined> {
  const views = await Promise.all(among.map((m) => leaderView(m)));
  const leaders = among.filter((_, i) => views[i]?.isLeader === true);
  return leaders.length === 1 ? leaders[0] : undefined;
}

export async function waitHealthy(c: BenchCluster, ms: BenchMember[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const m of ms) {
    while (!(await healthy(m))) {
      if (Date.now() > deadline) throw new Error(`${c.system} member ${m.name} not healthy after ${timeoutMs} ms; see ${c.logOf(m)}`);
      await sleep(SETTLE_POLL_MS);
    }
  }
}

export async function waitForLeader(c: BenchCluster, among: BenchMember[], timeoutMs: number): Promise<BenchMember> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = await currentLeader(among);
    if (l !== undefined) return l;
    if (Date.now() > deadline) throw new Error(`${c.system}: no leader among ${among.map((m) => m.name).join(',')} after ${timeoutMs} ms`);
    await sleep(SETTLE_POLL_MS);
  }
}

/** CPU seconds (user + system) a live process has used so far, from /proc; undefined if unreadable. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
    const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
