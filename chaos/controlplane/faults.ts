// The fault schedule of a control-plane experiment: resolves the target when the fault fires
// (the active scheduler or controller-manager from its Lease, the master holding the store
// leader, a store follower, a random apiserver / master / worker), kills its process groups
// (a worker or master machine: every process on it; a worker's containers die with it), and
// restarts them after `restartAfter` in boot order. Every injection and heal is an event.
import type { ProcessRecord } from '../../cluster/state.js';
import type { FaultWindow } from '../checkers/availability.js';
import type { FaultEvent } from '../run/faults.js';
import type { CpCluster } from './cluster.js';
import type { CpFault } from './experiment.js';

interface Active { window: FaultWindow; recs: ProcessRecord[]; timer?: NodeJS.Timeout; healing?: Promise<void> }

const any = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

export class CpFaultScheduler {
  readonly events: FaultEvent[] = [];
  readonly windows: FaultWindow[] = [];
  readonly #active = new Set<Active>();
  readonly #timers: NodeJS.Timeout[] = [];
  #nextId = 1;
  #stopped = false;

  constructor(private readonly cluster: CpCluster, private readonly now: () => number,
    private readonly log: (line: string) => void) {}

  /** Schedules every injection; `offset` is when traffic began, `end` when the fault phase ends (both run times). */
  start(faults: readonly CpFault[], offset: number, end: number): void {
    for (const f of faults) {
      for (let k = 0; k < f.times; k++) {
        const at = offset + f.atMs + k * (f.everyMs ?? 0);
        if (at >= end) break;
        this.#timers.push(setTimeout(() => void this.#inject(f).catch((e: Error) => this.log(`fault failed: ${e.message}`)),
          Math.max(0, at - this.now())));
      }
    }
  }

  get activeLabels(): string[] {
    return [...this.#active].map((a) => a.window.label);
  }

  /** Processes already down because of another active fault are not targets. */
  #up(pred: (r: ProcessRecord) => boolean): ProcessRecord[] {
    return this.cluster.records((r) => pred(r) && this.cluster.alive(r));
  }

  async #resolve(f: CpFault): Promise<{ label: string; recs: ProcessRecord[]; machineDies: boolean } | undefined> {
    const machine = (m: string | undefined) => (m === undefined ? [] : this.#up((r) => r.machine === m));
    const masterN = (n?: number) => (n === undefined ? any([...new Set(this.#up((r) => r.machine.startsWith('master-'))
      .map((r) => r.machine))]) : `master-${n}`);
    const workerN = (n?: number) => (n === undefined ? any(this.#up((r) => r.machine.startsWith('worker-'))
      .map((r) => r.machine)) : `worker-${n}`);
    switch (f.target) {
      case 'apiserver': {
        const r = f.index === undefined ? any(this.#up((x) => x.role === 'apiserver'))
          : this.#up((x) => x.id === `master-${f.index}/apiserver`)[0];
        return r && { label: `kill ${r.id}`, recs: [r], machineDies: false };
      }
      case 'scheduler':
      case 'controller-manager': {
        const r = await this.cluster.leaseHolder(f.target === 'scheduler' ? 'kube-scheduler' : 'kube-controller-manager');
        return r && { label: `kill active ${f.target} ${r.id}`, recs: [r], machineDies: false };
      }
      case 'master': {
        const m = masterN(f.index);
        return m === undefined ? undefined : { label: `kill ${m} (every process)`, recs: machine(m), machineDies: true };
      }
      case 'store-leader-master': {
        const n = await this.cluster.storeLeader();
        return n === undefined ? undefined : { label: `kill master-${n} (store leader; every process)`,
          recs: machine(`master-${n}`), machineDies: true };
      }
      case 'store-follower': {
        const leader = await this.cluster.storeLeader();
        const r = any(this.#up((x) => x.role === 'store' && x.machine !== `master-${leader}`));
        return leader === undefined || r === undefined ? undefined
          : { label: `kill ${r.id} (store follower)`, recs: [r], machineDies: false };
      }
      case 'worker': {
        const m = workerN(f.index);
        return m === undefined ? undefined : { label: `kill ${m} (agent and its pods)`, recs: machine(m), machineDies: true };
      }
      case 'node-agent': {
        const m = workerN(f.index);
        const r = m === undefined ? undefined : this.#up((x) => x.id === `${m}/node-agent`)[0];
        return r && { label: `kill ${r.id} (its pods live on)`, recs: [r], machineDies: false };
      }
    }
  }

  async #inject(f: CpFault): Promise<void> {
    if (this.#stopped) return;
    const id = this.#nextId++;
    const t = await this.#resolve(f);
    if (this.#stopped) return;
    if (t === undefined || t.recs.length === 0) {
      this.events.push({ t: this.now(), fault: id, phase: 'skip', label: `${f.target}: no running target` });
      this.log(`fault ${id} skipped: no running ${f.target}`);
      return;
    }
    const label = `${t.label}${f.signal === 'SIGTERM' ? ' (SIGTERM)' : ''}`;
    await this.cluster.kill(t.recs, f.signal, t.machineDies);
    const a: Active = { window: { id, label, start: this.now() }, recs: t.recs };
    this.windows.push(a.window);
    this.#active.add(a);
    this.events.push({ t: a.window.start, fault: id, phase: 'inject', label });
    this.log(`inject ${label}`);
    a.timer = setTimeout(() => void this.#heal(a).catch((e: Error) => this.log(`heal failed: ${e.message}`)),
      f.restartAfterMs);
  }

  #heal(a: Active): Promise<void> {
    if (a.healing) return a.healing;
    clearTimeout(a.timer);
    a.healing = (async () => {
      await this.cluster.restart(a.recs);
      a.window.heal = this.now();
      this.#active.delete(a);
      this.events.push({ t: a.window.heal, fault: a.window.id, phase: 'heal', label: a.window.label });
      this.log(`healed ${a.window.label}`);
    })();
    return a.healing;
  }

  /** No further injections; everything still down is restarted. */
  async healAll(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.splice(0)) clearTimeout(t);
    await Promise.all([...this.#active].map((a) => this.#heal(a)));
  }

  cancel(): void {
    this.#stopped = true;
    for (const t of this.#timers.splice(0)) clearTimeout(t);
    for (const a of this.#active) clearTimeout(a.timer);
  }
}
