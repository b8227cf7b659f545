// Real store members as child processes on loopback, for integration tests and benches.
// Each member runs `flotilla store` in its own process group; kill() and stopAll() signal
// exactly the groups this harness created (never anything by name).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../../bin/flotilla.js', import.meta.url));

export interface ProcessMember {
  name: string;
  clientPort: number;
  peerPort: number;
  metricsPort: number;
  dataDir: string;
  logFile: string;
  child?: ChildProcess;
  /** Flags for this member only (e.g. --initial-cluster-state existing for a joiner). */
  extraFlags?: string[];
}

/** Ports that were free a moment ago (bind port 0, read it, close). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface ClusterOptions {
  size: number;
  heartbeatMs?: number;
  electionMs?: number;
  snapshotCount?: number;
  extraFlags?: string[];
  /** Runs after data dirs are assigned and before any member starts (e.g. to restore a snapshot). */
  beforeLaunch?: (cluster: ProcessCluster) => Promise<void>;
}

export class ProcessCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'flotilla-store-'));
  readonly members: ProcessMember[] = [];
  readonly #opts: ClusterOptions;
  #exitHooked = false;

  private constructor(opts: ClusterOptions) {
    this.#opts = opts;
  }

  static async start(opts: ClusterOptions): Promise<ProcessCluster> {
    const c = new ProcessCluster(opts);
    try {
      await c.#boot(opts);
    } catch (e) {
      await c.stopAll(true); // don't leave the members it launched running; keep logs for the error
      throw e;
    }
    return c;
  }

  async #boot(opts: ClusterOptions): Promise<void> {
    const ports = await freePorts(opts.size * 3);
    for (let i = 0; i < opts.size; i++) {
      const name = `m${i + 1}`;
      this.members.push({
        name, clientPort: ports[3 * i]!, peerPort: ports[3 * i + 1]!, metricsPort: ports[3 * i + 2]!,
        dataDir: join(this.root, name), logFile: join(this.root, `${name}.log`),
      });
    }
    await opts.beforeLaunch?.(this);
    for (const m of this.members) this.launch(m);
    await this.waitReady(this.members, 20_000);
  }

  /** One exit hook per cluster (not per launch): if the test process dies, its members die too. */
  readonly #onExit = () => {
    for (const m of this.members) this.#signal(m, 'SIGKILL');
  };

  /** Allocate ports and a data dir for one more member (not started: `member add` it, then launch). */
  async addMember(extraFlags: string[] = ['--initial-cluster-state', 'existing']): Promise<ProcessMember> {
    const [clientPort, peerPort, metricsPort] = await freePorts(3) as [number, number, number];
    const name = `m${this.members.length + 1}`;
    const m: ProcessMember = {
      name, clientPort, peerPort, metricsPort, dataDir: join(this.root, name), logFile: join(this.root, `${name}.log`),
      extraFlags,
    };
    this.members.push(m);
    return m;
  }

  exited(m: ProcessMember): boolean {
    return m.child !== undefined && (m.child.exitCode !== null || m.child.signalCode !== null);
  }

  get endpoints(): string {
    return this.members.map((m) => `127.0.0.1:${m.clientPort}`).join(',');
  }

  endpoint(m: ProcessMember): string {
    return `127.0.0.1:${m.clientPort}`;
  }

  /** --initial-cluster for this cluster. */
  get initialCluster(): string {
    return this.members.map((x) => `${x.name}=http://127.0.0.1:${x.peerPort}`).join(',');
  }

  /** Run `flotilla ARGS...` to completion (for one-shot commands such as snapshot restore). */
  static runCli(args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  launch(m: ProcessMember): void {
    const o = this.#opts;
    const initial = this.initialCluster;
    const args = [BIN, 'store', '--name', m.name, '--data-dir', m.dataDir,
      '--listen-client-urls', `http://127.0.0.1:${m.clientPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--listen-metrics-urls', `http://127.0.0.1:${m.metricsPort}`,
      '--initial-cluster', initial, '--initial-cluster-token', 'flotilla-test',
      '--heartbeat-interval', String(o.heartbeatMs ?? 50), '--election-timeout', String(o.electionMs ?? 500),
      '--snapshot-count', String(o.snapshotCount ?? 100000), ...(o.extraFlags ?? []), ...(m.extraFlags ?? [])];
    const log = openSync(m.logFile, 'a');
    m.child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
    if (!this.#exitHooked) {
      process.once('exit', this.#onExit);
      this.#exitHooked = true;
    }
  }

  #signal(m: ProcessMember, sig: NodeJS.Signals): boolean {
    const pid = m.child?.pid;
    if (pid === undefined || m.child!.exitCode !== null || m.child!.signalCode !== null) return false;
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  async kill(m: ProcessMember, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = m.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    this.#signal(m, sig);
    await exited;
  }

  async pause(m: ProcessMember): Promise<void> {
    this.#signal(m, 'SIGSTOP');
  }

  async resume(m: ProcessMember): Promise<void> {
    this.#signal(m, 'SIGCONT');
  }

  async health(m: ProcessMember, path = '/readyz'): Promise<boolean> {
    try {
      const r = await fetch(`http://127.0.0.1:${m.metricsPort}${path}`, { signal: AbortSignal.timeout(1000) });
      return r.ok;
    } catch {
      return false;
    }
  }

  async waitReady(ms: ProcessMember[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const m of ms) {
      while (!(await this.health(m))) {
        if (Date.now() > deadline) throw new Error(`member ${m.name} not ready after ${timeoutMs} ms; see ${m.logFile}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** SIGTERM everyone (graceful), SIGKILL stragglers, and remove the data unless asked to keep it. */
  async stopAll(keepData = false): Promise<void> {
    await Promise.all(this.members.map(async (m) => {
      const child = m.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      this.#signal(m, 'SIGCONT');
      this.#signal(m, 'SIGTERM');
      const t = setTimeout(() => this.#signal(m, 'SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    }));
    process.removeListener('exit', this.#onExit);
    this.#exitHooked = false;
    if (!keepData) rmSync(this.root, { recursive: true, force: true });
  }
}
