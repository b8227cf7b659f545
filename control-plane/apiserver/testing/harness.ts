// A real control plane for integration tests and benches: a store (Flotilla's, 1 or 3
// members, or a 3-member Debian etcd) plus N `flotilla apiserver` processes, each in its own
// process group, optionally behind `flotilla lb`. Every process it starts, stop() stops
// (by process group, never by name); an exit hook kills them if the test process dies.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchCluster, startCluster } from '../../../bench/store/systems.js';
import { freePorts, ProcessCluster } from '../../../store/server/testing/process-cluster.js';
import { kubeconfigYaml } from '../auth/kubeconfig.js';

const BIN = fileURLToPath(new URL('../../../../bin/flotilla.js', import.meta.url));

export type Backend = 'flotilla' | 'etcd';

export interface TestApiServerOptions {
  backend?: Backend;
  /** apiserver replicas (default 1). */
  apiservers?: number;
  /** Flotilla store members (default 1; etcd always runs 3). */
  storeMembers?: number;
  /** Put `flotilla lb` in front and make `url` point at it. */
  lb?: boolean;
  /** Extra flags for every apiserver. */
  apiserverFlags?: string[];
}

export interface ApiServerProcess {
  readonly index: number;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  child: ChildProcess | undefined;
}

export interface TestApiServer {
  /** Where clients go: the LB when there is one, else the first apiserver. */
  readonly url: string;
  readonly urls: string[];
  readonly token: string;
  readonly caPem: string;
  readonly kubeconfigPath: string;
  readonly dir: string;
  readonly backend: Backend;
  readonly etcdEndpoints: string[];
  readonly apiservers: ApiServerProcess[];
  /** Every process it runs (store members, apiservers, lb), for CPU/memory accounting. */
  processes(): { name: string; pid: number }[];
  /** kill -9 one apiserver (its process group). */
  killApiServer(i: number, signal?: NodeJS.Signals): Promise<void>;
  startApiServer(i: number): Promise<void>;
  stop(): Promise<void>;
}

export const ADMIN_TOKEN = 'flotilla-test-admin-token';
/** A user with no RBAC bindings at all (for 403 tests). */
export const NOBODY_TOKEN = 'flotilla-test-nobody-token';

function signalGroup(child: ChildProcess | undefined, sig: NodeJS.Signals): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

async function waitUrl(url: string, caPem: string, timeoutMs: number, what: string): Promise<void> {
  const { request } = await import('node:https');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request(url, { ca: caPem, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready at ${url} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startTestApiServer(o: TestApiServerOptions = {}): Promise<TestApiServer> {
  const backend = o.backend ?? 'flotilla';
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-apiserver-'));
  const children: (() => ChildProcess | undefined)[] = [];
  const onExit = () => children.forEach((c) => signalGroup(c(), 'SIGKILL'));
  process.on('exit', onExit);
  let store: ProcessCluster | undefined;
  let etcd: BenchCluster | undefined;
  let lb: ChildProcess | undefined;
  const apiservers: ApiServerProcess[] = [];
  const stop = async () => {
    await Promise.all([...apiservers.map((a) => a.child), lb].map(async (c) => {
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      signalGroup(c, 'SIGCONT');
      signalGroup(c, 'SIGTERM');
      const t = setTimeout(() => signalGroup(c, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }));
    await store?.stopAll();
    await etcd?.stop();
    process.removeListener('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let endpoints: string[];
    if (backend === 'flotilla') {
      store = await ProcessCluster.start({ size: o.storeMembers ?? 1 });
      endpoints = store.members.map((m) => `http://${store!.endpoint(m)}`);
    } else {
      etcd = await startCluster('etcd', { heartbeatMs: 100, electionMs: 1000 });
      endpoints = etcd.members.map((m) => `http://${m.clientEndpoint}`);
    }
    writeFileSync(join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n${NOBODY_TOKEN},nobody,nobody-uid\n`);
    const n = o.apiservers ?? 1;
    const ports = await freePorts(n + 2);
    const certDir = join(dir, 'pki');
    const launch = (a: ApiServerProcess) => {
      const log = openSync(a.logFile, 'a');
      a.child = spawn(process.execPath, [BIN, 'apiserver', '--etcd-servers', endpoints.join(','),
        '--secure-port', String(a.port), '--cert-dir', certDir, '--token-auth-file', join(dir, 'tokens.csv'),
        '--shutdown-delay-duration', '200ms', ...(o.apiserverFlags ?? [])],
      { detached: true, stdio: ['ignore', log, log] });
    };
    for (let i = 0; i < n; i++) {
      const a: ApiServerProcess = { index: i, port: ports[i]!, url: `https://127.0.0.1:${ports[i]}`,
        logFile: join(dir, `apiserver-${i}.log`), child: undefined };
      apiservers.push(a);
      children.push(() => a.child);
      launch(a);
      // The first one creates the CA; the others reuse it.
      if (i === 0) await waitFile(join(certDir, 'ca.crt'), 30_000);
    }
    const caPem = readFileSync(join(certDir, 'ca.crt'), 'utf8');
    for (const a of apiservers) await waitUrl(`${a.url}/readyz`, caPem, 60_000, `apiserver ${a.index} (log ${a.logFile})`);
    let url = apiservers[0]!.url;
    if (o.lb) {
      const lbPort = ports[n]!;
      const lbLog = openSync(join(dir, 'lb.log'), 'a');
      lb = spawn(process.execPath, [BIN, 'lb', '--listen', `127.0.0.1:${lbPort}`, '--backends',
        apiservers.map((a) => `127.0.0.1:${a.port}`).join(','), '--health-scheme', 'https', '--health-ca',
        join(certDir, 'ca.crt'), '--interval', '200ms', '--fall', '2', '--rise', '1', '--passive-check',
        '--metrics-listen', `127.0.0.1:${ports[n + 1]}`], { detached: true, stdio: ['ignore', lbLog, lbLog] });
      children.push(() => lb);
      url = `https://127.0.0.1:${lbPort}`;
      await waitUrl(`${url}/readyz`, caPem, 30_000, 'lb');
    }
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml({ clusterName: 'flotilla-test', server: url, caPem, token: ADMIN_TOKEN,
      user: 'admin' }), { mode: 0o600 });
    return {
      url, urls: apiservers.map((a) => a.url), token: ADMIN_TOKEN, caPem, kubeconfigPath, dir, backend,
      etcdEndpoints: endpoints, apiservers, stop,
      processes: () => {
        const out: { name: string; pid: number }[] = [];
        for (const m of store?.members ?? []) if (m.child?.pid) out.push({ name: `store-${m.name}`, pid: m.child.pid });
        for (const m of etcd?.members ?? []) {
          const pid = m.pid();
          if (pid) out.push({ name: `etcd-${m.name}`, pid });
        }
        for (const a of apiservers) if (a.child?.pid) out.push({ name: `apiserver-${a.index}`, pid: a.child.pid });
        if (lb?.pid) out.push({ name: 'lb', pid: lb.pid });
        return out;
      },
      killApiServer: async (i, signal = 'SIGKILL') => {
        const c = apiservers[i]!.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise((r) => c.once('exit', r));
        signalGroup(c, signal);
        await exited;
      },
      startApiServer: async (i) => {
        launch(apiservers[i]!);
        await waitUrl(`${apiservers[i]!.url}/readyz`, caPem, 60_000, `apiserver ${i}`);
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitFile(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (readFileSync(path, 'utf8').includes('END CERTIFICATE')) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
