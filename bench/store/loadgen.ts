// Builds and runs the load generator. The default is the Go program in loadgen/main.go on
// etcd's own clientv3 (BENCHMARKING.md: a single Node gRPC client saturates near 2,500
// req/s here). It is built at bench time with GOPATH = the Debian source tree of
// golang-etcd-server-dev and GO111MODULE=off, into bench/.cache/. Nothing falls back
// silently: without Go or the source tree the bench says what to install and stops. The
// Node generator (loadgen-node.ts, one process) exists for the CI smoke test and is used
// only when asked for with --loadgen node.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './systems.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GO_SOURCE_DIR = join(REPO_ROOT, 'bench/store/loadgen');
const CACHE_DIR = join(REPO_ROOT, 'bench/.cache');
const NODE_LOADGEN = fileURLToPath(new URL('./loadgen-node.js', import.meta.url));
/** Where Debian's golang-*-dev packages put Go sources (`dpkg -L golang-etcd-server-dev`). */
const DEBIAN_GOPATH = '/usr/share/gocode';
const BUILD_TIMEOUT_MS = 600_000;

export const GO_INSTALL_HINT = 'the load generator is a Go program on etcd\'s clientv3 and needs Debian packages ' +
  'golang-go and golang-etcd-server-dev: run `apt-get update && apt-get install -y golang-go golang-etcd-server-dev` ' +
  '(or pass --loadgen node for the much weaker single-process Node generator, which saturates near 2,500 req/s)';

export type Workload = 'put' | 'txn' | 'get-linearizable' | 'get-serializable';
export type LoadgenKind = 'go' | 'node';

export class BenchSetupError extends Error {
  readonly code = 'FLOTILLA_ERR_BENCH_SETUP';
}

export interface LoadSpec {
  endpoints: string[];
  workload: Workload;
  clients: number;
  conns: number;
  pin: boolean;
  /** Measured seconds; 0 runs until stop(). */
  durationSeconds: number;
  warmupSeconds: number;
  valueBytes: number;
  keySpace: number;
  keyPrefix: string;
  timeoutMs: number;
  acksFile?: string;
  populate?: boolean;
}

/** The JSON line both generators print. */
export interface LoadResult {
  tool: string;
  clientLib: string;
  workload: Workload;
  endpoints: string[];
  clients: number;
  conns: number;
  pinned: boolean;
  valueBytes: number;
  keySpace: number;
  warmupSeconds: number;
  elapsedSeconds: number;
  count: number;
  errors: number;
  conflicts: number;
  opsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** CPU seconds the generator used during the measured phase, and that per elapsed second. */
  cpuSeconds: number;
  cpuCoresUsed: number;
  cpuSecondsTotal: number;
  errorSamples: string[];
  acksFile?: string;
  /**
   * With pin and more than one endpoint: count and latency of the operations sent to each
   * endpoint, in `endpoints` order. A follower forwards a write to the leader and answers
   * once it has applied it itself, so its clients see the leader's latency plus its own.
   */
  byEndpoint?: { endpoint: string; count: number; latencyMs: LoadResult['latencyMs'] }[];
}

export interface LoadgenInfo {
  kind: LoadgenKind;
  command: string;
  build?: { command: string; env: Record<string, string>; goVersion: string; cached: boolean };
}

export interface RunningLoad {
  readonly pid: number | undefined;
  /** Ends an open-ended run (closes stdin) and resolves its result. */
  stop(): Promise<LoadResult>;
  readonly done: Promise<LoadResult>;
}

export function specArgs(s: LoadSpec): string[] {
  return [
    '--endpoints', s.endpoints.join(','), '--workload', s.workload, '--clients', String(s.clients),
    '--conns', String(s.conns), '--duration', String(s.durationSeconds), '--warmup', String(s.warmupSeconds),
    '--value-size', String(s.valueBytes), '--key-space', String(s.keySpace), '--key-prefix', s.keyPrefix,
    '--timeout-ms', String(s.timeoutMs), ...(s.pin ? ['--pin'] : []), ...(s.populate ? ['--populate'] : []),
    ...(s.acksFile !== undefined ? ['--acks-file', s.acksFile] : []),
  ];
}

export class Loadgen {
  static readonly #live = new Set<ChildProcess>();
  static #exitHook = false;

  private constructor(readonly info: LoadgenInfo, readonly argv0: string[]) {}

  /** The Go generator (built now if not cached), or the Node one when asked for. */
  static prepare(kind: LoadgenKind, log: (line: string) => void = () => {}): Loadgen {
    if (kind === 'node') {
      if (!existsSync(NODE_LOADGEN)) throw new BenchSetupError(`${NODE_LOADGEN} is missing: run \`npx tsc -b\` first`);
      return new Loadgen({ kind, command: `${process.execPath} ${NODE_LOADGEN}` }, [process.execPath, NODE_LOADGEN]);
    }
    const build = buildGoLoadgen(log);
    return new Loadgen({ kind, command: build.binary, build: build.info }, [build.binary]);
  }

  start(spec: LoadSpec): RunningLoad {
    Loadgen.#hookExit();
    const [cmd, ...pre] = this.argv0 as [string, ...string[]];
    const child = spawn(cmd, [...pre, ...specArgs(spec)], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv() });
    Loadgen.#live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    child.stdin!.on('error', () => {});
    // A bounded run cannot hang the bench: kill its group well after it should have ended.
    const boundMs = spec.durationSeconds > 0
      ? (spec.warmupSeconds + spec.durationSeconds) * 1000 + spec.timeoutMs + (spec.populate ? 120_000 : 30_000)
      : undefined;
    const watchdog = boundMs === undefined ? undefined : setTimeout(() => signalGroup(child, 'SIGKILL'), boundMs);
    const done = new Promise<LoadResult>((resolve, reject) => {
      child.once('error', (e) => reject(new BenchSetupError(`load generator failed to start: ${e.message}`)));
      child.once('close', (code, sig) => {
        Loadgen.#live.delete(child);
        if (watchdog) clearTimeout(watchdog);
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          if (code !== 0) throw new Error(`exit ${code ?? sig}`);
          resolve(JSON.parse(line) as LoadResult);
        } catch (e) {
          reject(new Error(`load generator (${spec.workload}) failed: ${(e as Error).message}\n${stderr}`));
        }
      });
    });
    let stopTimer: NodeJS.Timeout | undefined;
    void done.catch(() => {}).finally(() => stopTimer && clearTimeout(stopTimer));
    return {
      pid: child.pid, done,
      stop: () => {
        child.stdin!.end();
        stopTimer = setTimeout(() => signalGroup(child, 'SIGTERM'), 2000);
        return done;
      },
    };
  }

  run(spec: LoadSpec): Promise<LoadResult> {
    return this.start(spec).done;
  }

  static #hookExit(): void {
    if (Loadgen.#exitHook) return;
    Loadgen.#exitHook = true;
    process.on('exit', () => {
      for (const c of Loadgen.#live) signalGroup(c, 'SIGKILL');
    });
  }
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

interface GoBuild {
  binary: string;
  info: NonNullable<LoadgenInfo['build']>;
}

function buildGoLoadgen(log: (line: string) => void): GoBuild {
  const go = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 30_000, env: cleanEnv() });
  if (go.error !== undefined || go.status !== 0) throw new BenchSetupError(`\`go\` is not on PATH: ${GO_INSTALL_HINT}`);
  const goVersion = go.stdout.trim();
  const clientv3 = join(DEBIAN_GOPATH, 'src/go.etcd.io/etcd/clientv3/client.go');
  const versionFile = join(DEBIAN_GOPATH, 'src/go.etcd.io/etcd/version/version.go');
  if (!existsSync(clientv3) || !existsSync(versionFile)) {
    throw new BenchSetupError(`etcd's Go client source is not at ${clientv3}: ${GO_INSTALL_HINT}`);
  }
  const source = readFileSync(join(GO_SOURCE_DIR, 'main.go'));
  const hash = createHash('sha256').update(source).update(goVersion).update(readFileSync(versionFile)).digest('hex');
  const dir = join(CACHE_DIR, 'loadgen', hash.slice(0, 16));
  const binary = join(dir, 'loadgen');
  const env = { GOPATH: DEBIAN_GOPATH, GO111MODULE: 'off', GOCACHE: join(CACHE_DIR, 'go-build'), GOFLAGS: '' };
  const command = `go build -o ${binary} main.go  (in ${GO_SOURCE_DIR})`;
  const info = { command, env, goVersion, cached: existsSync(binary) };
  if (info.cached) return { binary, info };
  mkdirSync(dir, { recursive: true });
  log(`building the Go load generator: GOPATH=${env.GOPATH} GO111MODULE=off ${command}`);
  const tmp = `${binary}.tmp-${process.pid}`;
  const r = spawnSync('go', ['build', '-o', tmp, 'main.go'], {
    cwd: GO_SOURCE_DIR, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, env: { ...cleanEnv(), ...env },
  });
  if (r.error !== undefined || r.status !== 0) {
    throw new BenchSetupError(`building the Go load generator failed (${command}):\n${r.stderr || r.error?.message}\n` +
      `Is the Debian Go source tree complete? ${GO_INSTALL_HINT}`);
  }
  renameSync(tmp, binary);
  return { binary, info };
}
