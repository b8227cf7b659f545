// A whole control plane as real processes, for the failover bench and the HA integration test:
// store + apiserver (the apiserver test harness), two schedulers and two controller-managers with
// leader election, and simulated node agents. Every process runs in its own process group and is
// stopped by its pgid (never by name); an exit hook SIGKILLs any group still alive.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lease } from '../../control-plane/api/index.js';
import { startTestApiServer, type TestApiServer } from '../../control-plane/apiserver/testing/harness.js';
import { ApiClient, isNotFound, LEASES } from '../../control-plane/client/index.js';
import { CP_PROCESS_START_TIMEOUT_MS, CP_STOP_GRACE_MS } from './limits.js';

const BIN = fileURLToPath(new URL('../../../bin/flotilla.js', import.meta.url));

export type Role = 'scheduler' | 'controller-manager' | 'node-agent';

export class FailoverBenchError extends Error {
  readonly code = 'FLOTILLA_ERR_FAILOVER_BENCH';
}

export interface CpProcess {
  readonly role: Role;
  readonly name: string;
  readonly args: string[];
  child: ChildProcess;
  logFile: string;
  /** Lease holder identity as the process logged it ('' until known). */
  identity: string;
  restarts: number;
}

export interface CpClusterOptions {
  storeMembers?: number;
  schedulers?: number;
  controllerManagers?: number;
  /** Simulated node agents: [prefix, node count, node index] each. */
  agents?: { prefix: string; nodes: number; index: number }[];
  fastNodeLifecycle?: boolean;
  /** Agents renew a 4 s node lease every second (needed with the fast node lifecycle profile). */
  fastHeartbeat?: boolean;
  maxPodsPerNode?: number;
  /** Extra controller-manager flags (e.g. --node-eviction-rate). */
  cmFlags?: string[];
}

const live = new Set<ChildProcess>();
process.on('exit', () => { for (const c of live) signalGroup(c, 'SIGKILL'); });

function exited(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

function signalGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  if (c.pid === undefined || exited(c)) return;
  try {
    process.kill(-c.pid, sig);
  } catch {
    // the group is already gone
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a value (not undefined) or the timeout passes. */
export async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number,
  everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new FailoverBenchError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export class CpCluster {
  readonly procs: CpProcess[] = [];
  readonly api: ApiClient;

  private constructor(readonly h: TestApiServer) {
    this.api = new ApiClient({ server: h.url, token: h.token, caPem: h.caPem });
  }

  static async start(o: CpClusterOptions = {}): Promise<CpCluster> {
    const h = await startTestApiServer({ storeMembers: o.storeMembers ?? 1 });
    const c = new CpCluster(h);
    try {
      const kc = ['--kubeconfig', h.kubeconfigPath];
      for (let i = 0; i < (o.schedulers ?? 2); i++) {
        c.spawn('scheduler', `scheduler-${i}`, [...kc, '--leader-elect=true', '--secure-port', '0', '--events', 'none']);
      }
      for (let i = 0; i < (o.controllerManagers ?? 2); i++) {
        c.spawn('controller-manager', `cm-${i}`, [...kc, '--leader-elect=true', '--secure-port', '0',
          '--kube-api-qps', '1000', '--kube-api-burst', '2000', ...(o.fastNodeLifecycle === true ? ['--fast-node-lifecycle'] : []),
          ...(o.cmFlags ?? [])]);
      }
      for (const a of o.agents ?? [{ prefix: 'sim', nodes: 20, index: 100 }]) {
        c.spawn('node-agent', `agent-${a.prefix}`, [...kc, '--node-name', a.prefix, '--node-index', String(a.index),
          '--runtime', 'simulated', '--simulated-nodes', String(a.nodes), '--metrics-port', '0', '--kubelet-port', '0',
          '--max-pods', String(o.maxPodsPerNode ?? 500), ...(o.fastHeartbeat === true ? ['--fast-heartbeat'] : [])]);
      }
      await Promise.all(c.procs.filter((p) => p.role !== 'node-agent').map((p) => c.waitIdentity(p)));
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  spawn(role: Role, name: string, args: string[]): CpProcess {
    const p: CpProcess = { role, name, args, child: undefined as unknown as ChildProcess, logFile: '', identity: '',
      restarts: 0 };
    this.#launch(p);
    this.procs.push(p);
    return p;
  }

  #launch(p: CpProcess): void {
    p.logFile = join(this.h.dir, `${p.name}.${p.restarts}.log`);
    const fd = openSync(p.logFile, 'a');
    p.child = spawn(process.execPath, [BIN, p.role, ...p.args], { detached: true, stdio: ['ignore', fd, fd] });
    p.identity = '';
    const child = p.child;
    live.add(child);
    child.once('exit', () => live.delete(child));
  }

  /** The identity the process logged at start (its Lease holderIdentity). */
  async waitIdentity(p: CpProcess): Promise<string> {
    p.identity = await until(`${p.name} to log its identity (${p.logFile})`, () => {
      if (exited(p.child)) throw new FailoverBenchError(`${p.name} exited; log:\n${readFileSync(p.logFile, 'utf8')}`);
      const m = /"identity":"([^"]+)"/.exec(readFileSync(p.logFile, 'utf8'));
      return m?.[1];
    }, CP_PROCESS_START_TIMEOUT_MS);
    return p.identity;
  }

  byRole(role: Role): CpProcess[] {
    return this.procs.filter((p) => p.role === role);
  }

  /** The Lease's holder (kube-system/kube-scheduler or kube-controller-manager), mapped to our process. */
  async leader(role: 'scheduler' | 'controller-manager'): Promise<CpProcess | undefined> {
    const name = role === 'scheduler' ? 'kube-scheduler' : 'kube-controller-manager';
    try {
      const lease = await this.api.get<Lease>(LEASES, 'kube-system', name);
      const holder = lease.spec?.holderIdentity ?? '';
      return this.byRole(role).find((p) => p.identity !== '' && p.identity === holder && !exited(p.child));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Signals the process group and waits for the process to exit. */
  async kill(p: CpProcess, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (exited(p.child)) return;
    const gone = new Promise((r) => p.child.once('exit', r));
    signalGroup(p.child, sig);
    await gone;
  }

  async restart(p: CpProcess): Promise<void> {
    await this.kill(p);
    p.restarts++;
    this.#launch(p);
    if (p.role !== 'node-agent') await this.waitIdentity(p);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map(async (p) => {
      if (exited(p.child)) return;
      const gone = new Promise((r) => p.child.once('exit', r));
      signalGroup(p.child, 'SIGTERM');
      const t = setTimeout(() => signalGroup(p.child, 'SIGKILL'), CP_STOP_GRACE_MS);
      await gone;
      clearTimeout(t);
    }));
    this.api.close();
    await this.h.stop();
  }
}
