// The deterministic simulator: N members of the Raft core on a simulated network, clock
// and disk, driven by one seed. A step is one event off the agenda (a member's tick, a
// message arriving, a client request, a fault, a restart); the checkers see every event
// as it happens, so a violation stops the run at the step that caused it.
//
// Phase 1 (safety): faults for `steps` steps. Phase 2 (liveness): heal the network, stop
// faults, restart members (leaving at most one voter down, so a majority is up) and
// require, within `livenessTicksMax`, one leader followed by every live member, every
// pending client request done, and every live member caught up with the leader's commit.
import { MemoryStorage } from '../../store/raft/memory-storage.js';
import { RaftInvariantError } from '../../store/raft/invariant.js';
import { MessageType, Role, type Message, type NodeId, type ReadState, type SeededBug } from '../../store/raft/types.js';
import { makeCheckers, type CheckerSet } from './checkers/index.js';
import { Admin, Reader, Writer, type ClientHost } from './clients.js';
import type { Checker, SimEvent, Violation } from './events.js';
import { injectFault, type FaultHost } from './faults.js';
import { EventHeap } from './heap.js';
import type { ApplyOutcome } from './kv.js';
import { DEFAULT_SIM_LIMITS, type SimLimits } from './limits.js';
import { cloneSnapshot, Member, type CrashStage, type MemberEnv, type RaftSettings } from './member.js';
import { CALM, Network } from './network.js';
import { describeProfile, drawProfile, type FaultKind, type SeedProfile } from './profile.js';
import { SimRng } from './rng.js';

export interface SimOptions {
  seed: number;
  /** Steps of the safety (fault) phase; the liveness phase adds its own. */
  steps: number;
  bug?: SeededBug;
  limits?: Partial<SimLimits>;
  /** Which checkers run (default 'all'). */
  checkers?: CheckerSet;
  /** Receives a line per notable event (1) or also per message (2), for replaying a failure. */
  trace?: (line: string) => void;
  traceLevel?: 1 | 2;
}

export interface SimStats {
  elections: number;
  maxTerm: number;
  maxApplied: number;
  writesAcked: number;
  readsDone: number;
  confChanges: number;
  crashes: number;
  /** Crashes at each Ready crash point (the rest happen between steps). */
  crashPoints: Record<CrashStage, number>;
  snapshotsInstalled: number;
  faults: Partial<Record<FaultKind, number>>;
  messages: Network['stats'];
}

export interface SimViolation extends Violation {
  step: number;
  tick: number;
  phase: 'safety' | 'liveness';
}

export interface SimResult {
  seed: number;
  bug: SeededBug | undefined;
  /** Steps simulated in total (safety + liveness). */
  steps: number;
  livenessSteps: number;
  /** Simulated time, in nominal ticks. */
  ticks: number;
  /** Ticks the healed cluster took to become live (undefined if it never did, or never got there). */
  livenessTicks: number | undefined;
  violation: SimViolation | undefined;
  profile: string;
  stats: SimStats;
}

type Job = () => boolean;

export function runSeed(opts: SimOptions): SimResult {
  return new Simulation(opts).run();
}

class Simulation implements MemberEnv, ClientHost, FaultHost {
  readonly rng: SimRng;
  readonly limits: SimLimits;
  readonly profile: SeedProfile;
  readonly network: Network;
  readonly #opts: SimOptions;
  readonly #agenda = new EventHeap<Job>();
  readonly #members = new Map<NodeId, Member>();
  readonly #checkers: Checker[];
  readonly #settings: RaftSettings;
  readonly #writers: Writer[] = [];
  readonly #readers: Reader[] = [];
  readonly #admin: Admin;
  #now = 0;
  #steps = 0;
  #phase: 'safety' | 'liveness' = 'safety';
  #violation: SimViolation | undefined;
  #leaderHint: Member | undefined;
  #livenessTicks: number | undefined;
  #nextMemberNo = 1;
  readonly stats: SimStats;

  constructor(opts: SimOptions) {
    this.#opts = opts;
    this.#checkers = makeCheckers(opts.checkers ?? 'all');
    this.limits = { ...DEFAULT_SIM_LIMITS, ...opts.limits };
    this.rng = new SimRng(opts.seed);
    this.profile = drawProfile(this.rng, this.limits);
    this.network = new Network(this.rng.fork(), this.limits, (d, m) => this.#at(d, () => this.#arrive(m)));
    this.network.weather = { ...this.profile.weather };
    this.#settings = {
      electionTicks: this.profile.electionTicks,
      heartbeatTicks: this.profile.heartbeatTicks,
      preVote: this.profile.preVote,
      checkQuorum: this.profile.checkQuorum,
      limits: this.profile.raftLimits,
      bugs: new Set(opts.bug ? [opts.bug] : []),
      maxReadyRoundsPerEvent: this.limits.maxReadyRoundsPerEvent,
      compactKeepEntriesMax: this.limits.compactKeepEntriesMax,
    };
    this.stats = {
      elections: 0, maxTerm: 0, maxApplied: 0, writesAcked: 0, readsDone: 0, confChanges: 0, crashes: 0,
      crashPoints: { 'before-send': 0, 'after-send': 0, 'after-persist': 0, 'mid-apply': 0 },
      snapshotsInstalled: 0, faults: {}, messages: this.network.stats,
    };
    const ids = Array.from({ length: this.profile.members }, () => `n${this.#nextMemberNo++}`);
    const boot = MemoryStorage.bootstrap(ids);
    for (const id of ids) this.#addMember(id, boot);
    for (let i = 0; i < this.limits.writers; i++) this.#writers.push(new Writer(`w${i + 1}`, this));
    for (let i = 0; i < this.limits.readers; i++) this.#readers.push(new Reader(`r${i + 1}`, this));
    this.#admin = new Admin(this, ids, this.profile.adminEveryTicksMax);
  }

  run(): SimResult {
    this.#guard(() => {
      for (const m of this.#members.values()) this.#start(m);
      for (const w of this.#writers) w.start(this.profile.thinkTicksMax);
      for (const r of this.#readers) r.start(this.profile.thinkTicksMax);
      this.#admin.start();
      this.#at(this.#faultDelay(), () => this.#fault());
    });
    const faultEnd = this.limits.faultPhaseTicksMax * this.limits.unitsPerTick;
    while (!this.#violation && this.#steps < this.#opts.steps && this.#now < faultEnd && this.#pop()) { /* step */ }
    const safetySteps = this.#steps;
    if (!this.#violation) this.#liveness();
    this.stats.writesAcked = this.#writers.reduce((n, w) => n + w.acked, 0);
    this.stats.readsDone = this.#readers.reduce((n, r) => n + r.done, 0);
    this.stats.confChanges = this.#admin.changes;
    return {
      seed: this.#opts.seed,
      bug: this.#opts.bug,
      steps: this.#steps,
      livenessSteps: this.#steps - safetySteps,
      livenessTicks: this.#livenessTicks,
      ticks: Math.floor(this.#now / this.limits.unitsPerTick),
      violation: this.#violation,
      profile: describeProfile(this.profile),
      stats: this.stats,
    };
  }

  // ------------------------------------------------------------------ agenda

  #trace(level: 1 | 2, line: () => string): void {
    const t = this.#opts.trace;
    if (t && level <= (this.#opts.traceLevel ?? 1)) {
      t(`t${(this.#now / this.limits.unitsPerTick).toFixed(1)} s${this.#steps} ${line()}`);
    }
  }

  #at(delayUnits: number, job: Job): void {
    this.#agenda.push(this.#now + Math.max(1, Math.round(delayUnits)), job);
  }

  /** One step. False when nothing is left to do. */
  #pop(): boolean {
    const ev = this.#agenda.pop();
    if (!ev) return false;
    this.#now = ev.time;
    this.#guard(() => {
      if (ev.item()) this.#steps++;
    });
    return true;
  }

  /** Runs f; an exception is a violation: the core broke an invariant, or the simulator did. */
  #guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      const e = err as Error;
      const checker = err instanceof RaftInvariantError ? 'core-invariant' : 'exception';
      const where = (e.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' < ');
      this.#violate({ checker, message: `${e.message} (${where})` });
    }
  }

  #violate(v: Violation): void {
    if (this.#violation) return;
    const tick = Math.floor(this.#now / this.limits.unitsPerTick);
    this.#violation = { ...v, step: this.#steps, tick, phase: this.#phase };
  }

  // ------------------------------------------------------------------ members

  #addMember(id: NodeId, boot: MemoryStorage | undefined): Member {
    const period = this.rng.range(this.profile.tickPeriodUnitsMin, this.profile.tickPeriodUnitsMax);
    const everyMin = this.limits.snapshotEveryEntriesMin;
    const everyMax = this.limits.snapshotEveryEntriesMax;
    const every = () => this.rng.range(everyMin, everyMax);
    const m = new Member(id, this.#settings, this.rng.fork(), this, every, period, boot);
    this.#members.set(id, m);
    return m;
  }

  #start(m: Member): void {
    m.start();
    const inc = m.incarnation;
    const tick = (): boolean => {
      if (m.incarnation !== inc || !m.up) return false;
      this.#at(m.tickPeriodUnits, tick);
      if (m.pausedUntil > this.#now) return false; // a frozen process's clock does not run
      m.tick();
      return true;
    };
    this.#at(this.rng.range(1, m.tickPeriodUnits), tick);
  }

  live(): Member[] {
    return [...this.#members.values()].filter((m) => !m.removed);
  }

  leader(): Member | undefined {
    let best: Member | undefined;
    let bestTerm = -1;
    for (const m of this.#members.values()) {
      const st = m.status();
      if (st && st.role === Role.Leader && st.term > bestTerm) {
        best = m;
        bestTerm = st.term;
      }
    }
    return best;
  }

  crash(m: Member): void {
    m.crash();
    this.crashed(m);
  }

  pause(m: Member, ticks: number): void {
    m.pausedUntil = Math.max(m.pausedUntil, this.#now + ticks * this.limits.unitsPerTick);
  }

  healLater(ticks: number): void {
    this.#at(ticks * this.limits.unitsPerTick, () => {
      this.network.heal();
      return true;
    });
  }

  count(kind: FaultKind, detail?: string): void {
    this.#trace(1, () => `fault ${kind}${detail ? ` ${detail}` : ''}`);
    this.stats.faults[kind] = (this.stats.faults[kind] ?? 0) + 1;
  }

  #fault(): boolean {
    if (this.#phase !== 'safety') return false;
    injectFault(this);
    this.#at(this.#faultDelay(), () => this.#fault());
    return true;
  }

  #faultDelay(): number {
    return this.rng.range(1, this.profile.faultEveryTicksMax * this.limits.unitsPerTick);
  }

  // ------------------------------------------------------------------ network

  #arrive(m: Message): boolean {
    if (!this.network.arrive(m)) {
      this.#undelivered(m);
      return true;
    }
    return this.#handOver(m);
  }

  #handOver(m: Message): boolean {
    const to = this.#members.get(m.to);
    if (!to || !to.up) {
      this.#undelivered(m);
      return true;
    }
    if (to.pausedUntil > this.#now) {
      // The message waits in the frozen process's socket buffer.
      this.#at(to.pausedUntil - this.#now + this.rng.range(0, this.limits.delayUnitsMax), () => this.#handOver(m));
      return false;
    }
    this.#trace(2, () => describeMessage(m));
    to.deliver(m.type === MessageType.Snap && m.snapshot ? { ...m, snapshot: cloneSnapshot(m.snapshot) } : m);
    if (m.type === MessageType.Snap) this.#members.get(m.from)?.reportSnapshot(m.to, true);
    return true;
  }

  /** The transport tells the sender what it can know: a snapshot failed, a peer is unreachable. */
  #undelivered(m: Message): void {
    const from = this.#members.get(m.from);
    if (!from?.up) return;
    if (m.type === MessageType.Snap) from.reportSnapshot(m.to, false);
    else if (m.type === MessageType.App && this.rng.chance(0.5)) from.reportUnreachable(m.to);
  }

  // ------------------------------------------------------------------ MemberEnv

  send(m: Message): void {
    this.network.send(m);
  }

  emit(e: SimEvent): void {
    if (e.kind === 'leader') this.#onLeader(e.member, e.term);
    for (const c of this.#checkers) {
      const v = c.observe(e);
      if (v) this.#violate(v);
    }
  }

  #onLeader(id: NodeId, term: number): void {
    this.#trace(1, () => `${id} leads term ${term}`);
    this.stats.elections++;
    if (term > this.stats.maxTerm) this.stats.maxTerm = term;
    this.#leaderHint = this.#members.get(id);
  }

  applied(member: Member, outcome: ApplyOutcome | undefined): void {
    if (member.sm.applied > this.stats.maxApplied) this.stats.maxApplied = member.sm.applied;
    if (!outcome) this.stats.snapshotsInstalled++;
    const think = this.profile.thinkTicksMax;
    for (const w of this.#writers) w.onApplied(member, outcome, think);
    for (const r of this.#readers) r.tryFinish(member, think);
    this.#admin.onApplied(member, outcome);
  }

  readState(member: Member, rs: ReadState): void {
    for (const r of this.#readers) r.onReadState(member, rs, this.profile.thinkTicksMax);
  }

  crashed(member: Member, at?: CrashStage): void {
    this.#trace(1, () => `${member.id} crashed${at ? ` at ${at}` : ''}${member.removed ? ' (removed)' : ''}`);
    this.stats.crashes++;
    if (at) this.stats.crashPoints[at]++;
    for (const r of this.#readers) r.onCrash(member, this.profile.thinkTicksMax);
    if (member.removed) return;
    const short = this.rng.chance(0.6);
    const ticks = this.rng.range(1, short ? this.limits.downTicksShortMax : this.limits.downTicksLongMax);
    this.#scheduleRestart(member, ticks);
  }

  #scheduleRestart(member: Member, ticks: number): void {
    const inc = member.incarnation;
    this.#at(ticks * this.limits.unitsPerTick, () => {
      if (member.removed || member.up || member.incarnation !== inc) return false;
      this.#trace(1, () => `${member.id} restarts`);
      this.#start(member);
      return true;
    });
  }

  // ------------------------------------------------------------------ ClientHost

  accepting(): boolean {
    return this.#phase === 'safety';
  }

  pickTarget(): Member | undefined {
    const hint = this.#leaderHint;
    if (hint && !hint.removed && this.rng.chance(0.6)) return hint;
    const live = this.live();
    return live.length > 0 ? this.rng.pick(live) : undefined;
  }

  later(delayUnits: number, f: () => boolean): void {
    this.#at(delayUnits, f);
  }

  createMember(): Member | undefined {
    if (this.#nextMemberNo > this.limits.membersEverMax) return undefined;
    const m = this.#addMember(`n${this.#nextMemberNo++}`, undefined);
    this.#trace(1, () => `${m.id} created (empty, joining)`);
    this.#start(m);
    return m;
  }

  retireMember(id: NodeId): void {
    const m = this.#members.get(id);
    if (!m || m.removed) return;
    this.#trace(1, () => `${id} retired (removed from the cluster)`);
    if (m.up) m.crash();
    m.removed = true;
  }

  // ------------------------------------------------------------------ liveness

  #liveness(): void {
    this.#phase = 'liveness';
    this.#trace(1, () => `liveness phase: ${this.#describeMembers()}`);
    this.network.heal();
    this.network.weather = { ...CALM };
    const live = this.live();
    // Keep at most one voter down (a majority stays up whatever the voter count, n >= 3).
    const down = live.filter((m) => !m.up);
    const keepDown = down.length > 0 && this.rng.chance(0.5) ? this.rng.pick(down) : undefined;
    const upt = this.limits.unitsPerTick;
    for (const m of live) {
      m.pausedUntil = 0;
      m.crashArmed = undefined;
      // Clock drift is a fault too. Liveness needs election timeouts that are comparable
      // across members (§5.2's randomized timeouts assume roughly equal clock rates): a clock
      // several times faster than the rest times out first every round, and without PreVote
      // a member with a stale log then disrupts every election forever.
      m.tickPeriodUnits = this.rng.range(upt - 1, upt + 1);
      // (Starting one member may apply the removal of another, which then stays down.)
      if (!m.up && !m.removed && m !== keepDown) this.#guard(() => this.#start(m));
      else if (m === keepDown) this.#trace(1, () => `${m.id} stays down`);
    }
    const start = this.#now;
    const deadline = start + this.limits.livenessTicksMax * upt;
    let checkAt = this.#now;
    let why: string | undefined = 'not checked yet';
    while (!this.#violation && this.#now <= deadline) {
      if (this.#now >= checkAt) {
        why = this.#notLive();
        if (why === undefined) {
          this.#livenessTicks = Math.ceil((this.#now - start) / upt);
          break;
        }
        checkAt = this.#now + upt;
      }
      if (!this.#pop()) break;
    }
    if (!this.#violation && why !== undefined) {
      this.#violate({
        checker: 'liveness',
        message: `no progress within livenessTicksMax=${this.limits.livenessTicksMax} ticks after healing: ${why}; ` +
          this.#describeMembers(),
      });
    }
  }

  #describeMembers(): string {
    return this.live().map((m) => {
      const st = m.status();
      if (!st) return `${m.id} down`;
      const lastTerm = m.node?.logTerm(st.lastIndex);
      const conf = `voters [${st.confState.voters.join(',')}] learners [${st.confState.learners.join(',')}]`;
      return `${m.id} ${st.role} term ${st.term} leader '${st.leader}' commit ${st.commit} applied ${m.sm.applied} ` +
        `last ${st.lastIndex}@${lastTerm} ${conf}`;
    }).join('; ');
  }

  /** Why the healed cluster is not (yet) live, or undefined once it is. */
  #notLive(): string | undefined {
    const l = this.leader();
    if (!l) return 'no leader';
    const st = l.status();
    if (!st) return 'no leader';
    for (const id of [...st.confState.voters, ...st.confState.learners]) {
      const m = this.#members.get(id);
      const ms = m?.status();
      if (!m || !ms) continue;
      if (ms.term !== st.term || ms.leader !== l.id) return `${id} does not follow leader ${l.id} of term ${st.term}`;
      if (m.sm.applied < st.commit) return `${id} applied ${m.sm.applied} < leader commit ${st.commit}`;
    }
    const w = this.#writers.find((x) => x.pending);
    if (w?.pending) return `write ${w.pending.value} of ${w.id} not acknowledged`;
    const r = this.#readers.find((x) => x.waiting);
    if (r) return `reader ${r.id} still waiting for a read`;
    if (this.#admin.pending) return `membership change ${JSON.stringify(this.#admin.pending.cc.type)} ` +
      `of ${this.#admin.pending.cc.nodeId} not applied`;
    return undefined;
  }
}

/** One line per message for traces: `n1->n2 App t3 i5/3 [6@3,7@3] c5`. */
function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} t${m.term}`;
  switch (m.type) {
    case MessageType.App:
      return `${head} i${m.index}/${m.logTerm} [${m.entries.map((e) => `${e.index}@${e.term}`).join(',')}] c${m.commit}`;
    case MessageType.AppResp:
      return `${head} ${m.reject ? `reject i${m.index} hint ${m.rejectHint}/${m.logTerm}` : `i${m.index}`}`;
    case MessageType.Vote:
    case MessageType.PreVote:
      return `${head} last ${m.index}@${m.logTerm}${m.transfer ? ' transfer' : ''}`;
    case MessageType.VoteResp:
    case MessageType.PreVoteResp:
      return `${head} ${m.reject ? 'reject' : 'grant'}`;
    case MessageType.Heartbeat:
      return `${head} c${m.commit} round ${m.readRound ?? 0}`;
    case MessageType.Snap:
      return `${head} snap ${m.snapshot?.metadata.index}@${m.snapshot?.metadata.term}`;
    default:
      return head;
  }
}

