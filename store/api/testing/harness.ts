// Test support: an API server over the local backend on 127.0.0.1, an etcdctl runner that
// starts every etcdctl in its own process group and kills those groups when done, and a
// gRPC client built from the same .proto files.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { startEtcdApiServer, type EtcdApiServer } from '../server.js';
import { LocalBackend, type LocalBackendOptions } from '../local-backend.js';
import { loadEtcdPackage } from '../proto.js';
import { MAX_RECEIVE_MESSAGE_BYTES } from '../limits.js';

export const INSTALL_HINT = 'etcdctl (Debian package etcd-client) is required by these tests: ' +
  'run `apt-get update && apt-get install -y etcd-client` (CI: add etcd-client to DEBIAN_PACKAGES in .ci/run)';

/** Fails loudly (never skips) when etcdctl is missing; returns its version line. */
export function requireEtcdctl(): string {
  const r = spawnSync('etcdctl', ['version'], { env: etcdctlEnv(), encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`${INSTALL_HINT}\n(${r.error?.message ?? r.stderr})`);
  }
  return r.stdout.split('\n')[0] ?? '';
}

function etcdctlEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ETCDCTL_API: '3', NO_PROXY: '*', no_proxy: '*' };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith('ETCDCTL_') && k !== 'ETCDCTL_API') delete env[k];
  return env;
}

export interface LocalServer {
  server: EtcdApiServer;
  backend: LocalBackend;
  endpoint: string;
  close(): Promise<void>;
}

export const TEST_CLUSTER_ID = 0xcdf818194e3a8c32n;
export const TEST_MEMBER_ID = 0x8e9e05c52164694dn;

export async function startLocalServer(
  opts: Partial<LocalBackendOptions> & { clusterId?: bigint } = {},
): Promise<LocalServer> {
  const memberId = opts.memberId ?? TEST_MEMBER_ID;
  const backend = new LocalBackend({ name: 'flotilla-test', peerUrls: ['http://127.0.0.1:2380'], ...opts, memberId });
  const server = await startEtcdApiServer({
    host: '127.0.0.1', port: 0, backend, clusterId: opts.clusterId ?? TEST_CLUSTER_ID, memberId,
  });
  const endpoint = `127.0.0.1:${server.port}`;
  backend.setClientUrls([`http://${endpoint}`]);
  return {
    server, backend, endpoint,
    close: async () => {
      await server.close();
      backend.close();
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A long-running etcdctl (watch, lease keep-alive): read its output, then kill it. */
export interface LongRun {
  readonly child: ChildProcess;
  output(): string;
  waitForOutput(predicate: (out: string) => boolean, timeoutMs: number): Promise<string>;
  kill(): Promise<void>;
}

export class Etcdctl {
  readonly #live = new Set<ChildProcess>();

  constructor(readonly endpoint: string) {
    // Our children run in their own process groups; if this process ends early, end them too.
    process.once('exit', () => this.killAll());
  }

  #spawn(args: string[]): ChildProcess {
    const child = spawn('etcdctl', [`--endpoints=${this.endpoint}`, '--dial-timeout=3s', '--command-timeout=10s', ...args],
      { env: etcdctlEnv(), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#live.add(child);
    child.once('exit', () => this.#live.delete(child));
    return child;
  }

  /** Run to completion (killed after `timeoutMs`). */
  run(args: string[], opts: { stdin?: string | Uint8Array; timeoutMs?: number } = {}): Promise<RunResult> {
    const child = this.#spawn(args);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin?.end(opts.stdin ?? '');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child);
        reject(new Error(`etcdctl ${args.join(' ')} timed out; stdout=${stdout} stderr=${stderr}`));
      }, opts.timeoutMs ?? 15_000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${INSTALL_HINT}\n(${err.message})`));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Run and require success; returns stdout. */
  async ok(args: string[], opts: { stdin?: string | Uint8Array } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`etcdctl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  start(args: string[]): LongRun {
    const child = this.#spawn(args);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    return {
      child,
      output: () => out,
      waitForOutput: (predicate, timeoutMs) => waitUntil(() => predicate(out), timeoutMs,
        () => `etcdctl ${args.join(' ')}: output so far: ${JSON.stringify(out)}`).then(() => out),
      kill: async () => {
        killGroup(child);
        await exited;
      },
    };
  }

  /** Kill every etcdctl this runner started that is still running. */
  killAll(): void {
    for (const child of this.#live) killGroup(child);
  }
}

/** Kill the process group we created for this child (never anything by name). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function waitUntil(cond: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** JSON.parse keeping integers too large for a double exact (as strings), for etcdctl -w json. */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

// ---- gRPC client ---------------------------------------------------------------------

type Ctor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;

export interface EtcdClients {
  kv: grpc.Client;
  watch: grpc.Client;
  lease: grpc.Client;
  cluster: grpc.Client;
  maintenance: grpc.Client;
  auth: grpc.Client;
  close(): void;
}

export function connectClients(endpoint: string): EtcdClients {
  const pkg = grpc.loadPackageDefinition(loadEtcdPackage()) as unknown as { etcdserverpb: Record<string, Ctor> };
  const creds = grpc.credentials.createInsecure();
  const options = { 'grpc.max_send_message_length': 2 * MAX_RECEIVE_MESSAGE_BYTES };
  const make = (name: string): grpc.Client => new (pkg.etcdserverpb[name] as Ctor)(endpoint, creds, options);
  const c = {
    kv: make('KV'), watch: make('Watch'), lease: make('Lease'), cluster: make('Cluster'),
    maintenance: make('Maintenance'), auth: make('Auth'),
  };
  return { ...c, close: () => Object.values(c).forEach((x) => x.close()) };
}

/** Call a unary method; resolves the response or rejects with the ServiceError. */
type UnaryMethod<T> = (r: object, cb: (e: grpc.ServiceError | null, v: T) => void) => void;

export function call<T = Record<string, unknown>>(client: grpc.Client, method: string, req: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, UnaryMethod<T>>)[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    fn.call(client, req, (err, value) => (err ? reject(err) : resolve(value)));
  });
}
