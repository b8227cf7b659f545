// Runs an experiment's fault schedule against a cluster: resolves selectors at injection
// time, injects, and heals after the fault's duration (never after the run's end: the
// runner heals everything then). Every injection and heal is an event for the report.
import type { FaultWindow } from '../checkers/availability.js';
import { CLIENT, type ChaosCluster } from './cluster.js';
import type { FaultSpec, Selector } from './experiment.js';
import type { Monitor } from './monitor.js';
import type { Recorder } from './workload.js';

export interface FaultEvent {
  t: number;
  fault: number;
  phase: 'inject' | 'heal' | 'skip';
  label: string;
}

interface Active {
  window: FaultWindow;
  heal: () => Promise<void> | void;
  timer?: NodeJS.Timeout;
}

export class FaultScheduler {
  readonly events: FaultEvent[] = [];
  readonly windows: FaultWindow[] = [];
  readonly #active = new Set<Active>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #roundRobin = new Map<FaultSpec, number>();
  #nextId = 1;
  #stopped = false;

  constructor(private readonly cluster: ChaosCluster, private readonly monitor: Monitor, private readonly rec: Recorder,
    private readonly log: (line: string) => void) {}

  start(faults: readonly FaultSpec[], durationMs: number): void {
    for (const f of faults) {
      for (let k = 0; k < f.times; k++) {
        const at = f.atMs + k * (f.everyMs ?? 0);
        if (at >= durationMs) break;
        const delay = Math.max(0, at - this.rec.now());
        this.#timers.push(setTimeout(() => void this.#inject(f).catch((e: Error) => this.log(`fault failed: ${e.message}`)),
          delay));
      }
    }
  }

  get activeLabels(): string[] {
    return [...this.#active].map((a) => a.window.label);
  }

  async #resolve(s: Selector, f: FaultSpec, exclude: string[] = []): Promise<string | undefined> {
    const names = this.cluster.members.map((m) => m.name);
    const running = names.filter((n) => this.cluster.running(n) && !exclude.includes(n));
    const any = (list: string[]) => list[Math.floor(Math.random() * list.length)];
    if (s === 'leader') {
      const l = await this.monitor.leader();
      return l !== null && !exclude.includes(l) ? l : undefined;
    }
    if (s === 'follower') {
      const l = await this.monitor.leader();
      return any(running.filter((n) => n !== l));
    }
    if (s === 'random') return any(running);
    if (s === 'round-robin') {
      const i = this.#roundRobin.get(f) ?? 0;
      this.#roundRobin.set(f, i + 1);
      return names[i % names.length];
    }
    return names[Number(s.slice('member:'.length)) - 1];
  }

  async #inject(f: FaultSpec): Promise<void> {
    if (this.#stopped) return;
    const id = this.#nextId++;
    const planned = await this.#plan(f);
    if (planned === undefined) {
      this.events.push({ t: this.rec.now(), fault: id, phase: 'skip', label: `${f.kind}: no target (no leader?)` });
      this.log(`fault ${id} ${f.kind} skipped: no target`);
      return;
    }
    if (this.#stopped) return;
    await planned.inject();
    const window: FaultWindow = { id, label: planned.label, start: this.rec.now() };
    this.windows.push(window);
    this.events.push({ t: window.start, fault: id, phase: 'inject', label: planned.label });
    this.log(`inject ${planned.label}`);
    const active: Active = { window, heal: planned.heal };
    this.#active.add(active);
    active.timer = setTimeout(() => void this.#heal(active), planned.durationMs);
  }

  async #heal(a: Active): Promise<void> {
    if (!this.#active.delete(a)) return;
    clearTimeout(a.timer);
    await a.heal();
    a.window.heal = this.rec.now();
    this.events.push({ t: a.window.heal, fault: a.window.id, phase: 'heal', label: a.window.label });
    this.log(`heal ${a.window.label}`);
  }

  async #plan(f: FaultSpec): Promise<{ label: string; durationMs: number; inject: () => Promise<void> | void;
    heal: () => Promise<void> | void } | undefined> {
    const c = this.cluster;
    if (f.kind === 'kill') {
      const m = await this.#resolve(f.target, f);
      if (m === undefined) return undefined;
      return { label: `kill -${f.signal.slice(3)} ${m} (${f.target})`, durationMs: f.restartAfterMs,
        inject: () => c.kill(m, f.signal), heal: () => c.restart(m) };
    }
    if (f.kind === 'pause') {
      const m = await this.#resolve(f.target, f);
      if (m === undefined) return undefined;
      return { label: `SIGSTOP ${m} (${f.target})`, durationMs: f.forMs, inject: () => c.pause(m), heal: () => c.resume(m) };
    }
    const set: string[] = [];
    const selectors = f.kind === 'partition' ? f.targets : typeof f.between === 'string' ? [] : f.between;
    for (const s of selectors) {
      const m = await this.#resolve(s, f, set);
      if (m !== undefined) set.push(m);
    }
    const all = c.members.map((m) => m.name);
    if (f.kind === 'partition') {
      if (set.length === 0) return undefined;
      const rest = all.filter((n) => !set.includes(n));
      const out = f.mode !== 'one-way-in';
      const inn = f.mode !== 'one-way-out';
      const apply = (on: boolean) => {
        if (out) c.links.cut(set, rest, on);
        if (inn) c.links.cut(rest, set, on);
      };
      return { label: `partition ${f.mode} [${set.join(',')}] | [${rest.join(',')}]`, durationMs: f.forMs,
        inject: () => apply(true), heal: () => apply(false) };
    }
    const ends = f.between === 'all' ? all : set;
    // Client links are the workload's connections through each member's client proxy (runner.ts),
    // keyed 'client' → member (requests) and member → 'client' (responses).
    const pairs = f.between === 'clients' ? all.flatMap((m) => [[CLIENT, m], [m, CLIENT]])
      : all.flatMap((a) => all.filter((b) => b !== a && (ends.includes(a) || ends.includes(b))).map((b) => [a, b]));
    const which = f.between === 'all' ? 'all peer links' : f.between === 'clients' ? 'client links'
      : `links of [${set.join(',')}]`;
    return {
      label: `network ${which}: delay ${f.delayMs}` +
        `±${f.jitterMs} ms, loss ${f.lossPct}%`,
      durationMs: f.forMs,
      inject: () => {
        const fault = { delayMs: f.delayMs, jitterMs: f.jitterMs, lossPct: f.lossPct };
        for (const [a, b] of pairs) c.links.set(a!, b!, fault);
      },
      heal: () => {
        for (const [a, b] of pairs) c.links.set(a!, b!, { delayMs: 0, jitterMs: 0, lossPct: 0 });
      },
    };
  }

  /** Cancel everything still scheduled (injections and heals) without healing. */
  cancel(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    for (const a of this.#active) clearTimeout(a.timer);
  }

  /** Cancel what is still scheduled and heal everything active (restart, resume, reconnect). */
  async healAll(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    for (const a of [...this.#active]) await this.#heal(a);
    this.cluster.links.heal();
    for (const m of this.cluster.members) {
      this.cluster.resume(m.name);
      if (!this.cluster.running(m.name)) this.cluster.restart(m.name);
    }
  }
}
