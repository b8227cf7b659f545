// Store members run as detached processes, each in its own process group, signalled through
// that group only: start, kill -9 or TERM, pause (SIGSTOP) and resume, stop with a grace, and
// kill all at once when the harness itself exits. Shared by the etcd cluster on loopback
// (cluster.ts) and the network-namespace cluster (../netns/cluster.ts), which both extend
// MemberProcessCluster for the process half of a ChaosCluster.
import type { ChildProcess } from 'node:child_process';
import { ChaosRunError } from './errors.js';

export interface MemberProcess {
  name: string;
  logFile: string;
  child?: ChildProcess;
}

/** How long a stop waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 8000;

export class MemberProcesses<M extends MemberProcess> {
  /** If the harness exits before stopAll() (a signal, a crash), no member may outlive it. */
  readonly #onExit = () => {
    for (const m of this.members) this.signal(m, 'SIGKILL');
  };

  /** `spawn` starts a member detached (its own process group), with its output to its log. */
  constructor(readonly members: M[], private readonly spawn: (m: M) => ChildProcess) {
    process.on('exit', this.#onExit);
  }

  get(name: string): M {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new ChaosRunError(`no member ${name}`);
    return m;
  }

  running(name: string): boolean {
    const c = this.get(name).child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  signal(m: M, sig: NodeJS.Signals): void {
    const pid = m.child?.pid;
    if (pid === undefined || !this.running(m.name)) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  }

  restart(name: string): void {
    if (!this.running(name)) this.get(name).child = this.spawn(this.get(name));
  }

  async kill(name: string, sig: NodeJS.Signals): Promise<void> {
    const m = this.get(name);
    if (!this.running(name)) return;
    const exited = new Promise((r) => m.child!.once('exit', r));
    if (sig !== 'SIGKILL') this.signal(m, 'SIGCONT'); // a stopped process cannot handle SIGTERM
    this.signal(m, sig);
    await exited;
  }

  pause(name: string): void {
    this.signal(this.get(name), 'SIGSTOP');
  }

  resume(name: string): void {
    this.signal(this.get(name), 'SIGCONT');
  }

  /** SIGTERM every running member, SIGKILL after the grace; resolves when all have exited. */
  async stopAll(): Promise<void> {
    await Promise.all(this.members.map(async (m) => {
      if (!this.running(m.name)) return;
      const exited = new Promise((r) => m.child!.once('exit', r));
      this.signal(m, 'SIGCONT');
      this.signal(m, 'SIGTERM');
      const t = setTimeout(() => this.signal(m, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(t);
    }));
    process.off('exit', this.#onExit);
  }
}

/** The process half of a ChaosCluster whose members are processes this harness spawned. */
export abstract class MemberProcessCluster<M extends MemberProcess> {
  readonly members: M[] = [];
  protected readonly procs: MemberProcesses<M>;

  constructor(spawnMember: (m: M) => ChildProcess) {
    this.procs = new MemberProcesses(this.members, spawnMember);
  }

  running(name: string): boolean {
    return this.procs.running(name);
  }

  restart(name: string): void {
    this.procs.restart(name);
  }

  kill(name: string, signal: NodeJS.Signals): Promise<void> {
    return this.procs.kill(name, signal);
  }

  pause(name: string): void {
    this.procs.pause(name);
  }

  resume(name: string): void {
    this.procs.resume(name);
  }

  logOf(name: string): string {
    return this.procs.get(name).logFile;
  }
}
