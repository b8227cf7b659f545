// One simulated store member: a RaftNode, the MemoryStorage it reads, the Disk that
// survives crashes and the KV state machine (persisted with its applied index). This file
// is the Ready-protocol driver (types.ts, Ready) with crash points between its steps:
//   before-send    nothing of this Ready happened;
//   after-send     `messages` left but nothing was persisted — the point where a core that
//                  sends votes or acknowledgements early ("reply-before-persist") lies;
//   after-persist  durable, but `messagesAfterPersist` never left;
//   mid-apply      part of the committed entries reached the state machine.
import { MemoryStorage } from '../../store/raft/memory-storage.js';
import { decodeConfChange, RaftNode } from '../../store/raft/node.js';
import type {
  Accepted, ConfChange, ConfState, Entry, Message, NodeId, ReadState, Ready, SeededBug, Snapshot,
} from '../../store/raft/types.js';
import { ConfChangeType, MessageType, Role } from '../../store/raft/types.js';
import type { RaftLimits } from '../../store/raft/limits.js';
import { Disk, copyConf } from './disk.js';
import type { SimEvent } from './events.js';
import { entryDataHash } from './hash.js';
import { KvStateMachine, type ApplyOutcome } from './kv.js';
import type { SimRng } from './rng.js';

export type CrashStage = 'before-send' | 'after-send' | 'after-persist' | 'mid-apply';
export const CRASH_STAGES: readonly CrashStage[] = ['before-send', 'after-send', 'after-persist', 'mid-apply'];

/** Settings every member of one run shares (the seed picks them). */
export interface RaftSettings {
  electionTicks: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  limits: Partial<RaftLimits>;
  bugs: ReadonlySet<SeededBug>;
  /** Most Ready batches handled after one input before we call the core runaway. */
  maxReadyRoundsPerEvent: number;
  /** Entries a member keeps behind its snapshot when it compacts (so a slow follower may catch up from the log). */
  compactKeepEntriesMax: number;
}

/** What a member needs from the simulation around it. */
export interface MemberEnv {
  send(m: Message): void;
  emit(e: SimEvent): void;
  /** An entry (or a snapshot, `outcome` undefined) reached this member's state machine. */
  applied(member: Member, outcome: ApplyOutcome | undefined): void;
  readState(member: Member, rs: ReadState): void;
  /** The member went down by itself (a Ready crash point, or it applied its own removal). */
  crashed(member: Member, at?: CrashStage): void;
}

const REFUSED_DOWN: Accepted = { ok: false, reason: { code: 'no-leader' } };

export class Member {
  readonly id: NodeId;
  readonly disk = new Disk();
  sm: KvStateMachine;
  node: RaftNode | undefined;
  storage: MemoryStorage | undefined;
  /** Bumped on every crash, so events scheduled for an earlier life are ignored. */
  incarnation = 0;
  removed = false;
  pausedUntil = 0;
  /** Simulated time units between two ticks of this member's clock (drift). */
  tickPeriodUnits: number;
  /** Armed by the fault schedule: crash at this point of the next Ready that has durable work. */
  crashArmed: CrashStage | undefined;
  #lastLeaderTerm = 0;
  /** The role as of the last Ready's softState (a restarted member starts as a follower). */
  #role: Role = Role.Follower;
  #snapshotDue: number;

  constructor(
    id: NodeId,
    private readonly settings: RaftSettings,
    private readonly rng: SimRng,
    private readonly env: MemberEnv,
    private readonly snapshotEvery: () => number,
    tickPeriodUnits: number,
    boot: MemoryStorage | undefined,
  ) {
    this.id = id;
    this.tickPeriodUnits = tickPeriodUnits;
    this.sm = new KvStateMachine();
    this.#snapshotDue = snapshotEvery();
    if (boot) {
      // The bootstrap membership (committed ConfChange entries 1..n) as the disk holds it.
      this.disk.append(entriesOf(boot));
      this.disk.hardState = boot.initialState().hardState;
      this.sm.confState = copyConf(boot.initialState().confState);
    }
  }

  get up(): boolean {
    return this.node !== undefined;
  }

  /** (Re)starts from durable state only: the disk and the persisted state machine. */
  start(): void {
    if (this.removed) throw new Error(`member ${this.id} was removed; it never restarts`);
    if (this.node) throw new Error(`member ${this.id} is already up`);
    const img = this.disk.restart();
    this.env.emit({ kind: 'restart', member: this.id, applied: this.sm.applied });
    if (img.snapshot && img.snapshot.metadata.index > this.sm.applied) {
      // Crashed after persisting a received snapshot and before applying it: apply it now,
      // as etcd recovers its backend from a newer snapshot file on boot.
      this.#installSnapshot(img.snapshot);
      if (this.removed) return; // that snapshot told a client its removal is done
    }
    const storage = new MemoryStorage({
      hardState: img.hardState,
      ...(img.snapshot ? { snapshot: cloneSnapshot(img.snapshot) } : {}),
      entries: img.entries,
    });
    storage.setConfState(copyConf(this.sm.confState));
    this.storage = storage;
    this.node = new RaftNode({
      id: this.id,
      storage,
      rng: this.rng.fork(),
      electionTicks: this.settings.electionTicks,
      heartbeatTicks: this.settings.heartbeatTicks,
      applied: this.sm.applied,
      preVote: this.settings.preVote,
      checkQuorum: this.settings.checkQuorum,
      limits: this.settings.limits,
      seededBugs: this.settings.bugs,
    });
    this.crashArmed = undefined;
    this.#role = Role.Follower;
    this.#drain();
  }

  /** Power loss: everything not on the disk (and not in the state machine) is gone. */
  crash(): void {
    this.node = undefined;
    this.storage = undefined;
    this.crashArmed = undefined;
    this.incarnation++;
  }

  tick(): void {
    this.#input((n) => n.tick());
  }

  deliver(m: Message): void {
    this.#input((n) => n.step(m));
  }

  campaign(): void {
    this.#input((n) => n.campaign());
  }

  reportUnreachable(id: NodeId): void {
    this.#input((n) => n.reportUnreachable(id));
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    this.#input((n) => n.reportSnapshot(id, ok));
  }

  propose(data: Uint8Array): Accepted {
    return this.#request((n) => n.propose(data));
  }

  proposeConfChange(cc: ConfChange): Accepted {
    return this.#request((n) => n.proposeConfChange(cc));
  }

  readIndex(context: Uint8Array): Accepted {
    return this.#request((n) => n.readIndex(context));
  }

  transferLeadership(to: NodeId): Accepted {
    return this.#request((n) => n.transferLeadership(to));
  }

  #input(f: (n: RaftNode) => void): void {
    const n = this.node;
    if (!n) return;
    f(n);
    this.#drain();
  }

  #request(f: (n: RaftNode) => Accepted): Accepted {
    const n = this.node;
    if (!n) return REFUSED_DOWN;
    const r = f(n);
    this.#drain();
    return r;
  }

  /** Handles Ready batches until the core is quiet (bounded: a core that never is, is broken). */
  #drain(): void {
    for (let round = 0; this.node?.hasReady(); round++) {
      if (round >= this.settings.maxReadyRoundsPerEvent) {
        throw new Error(`member ${this.id}: core still has a Ready after ${round} rounds (runaway)`);
      }
      if (!this.#handle(this.node, this.node.ready())) return;
    }
    this.#observeLeader();
  }

  /** One Ready, in the protocol's order. Returns false if the member crashed part-way. */
  #handle(node: RaftNode, rd: Ready): boolean {
    if (rd.softState) this.#role = rd.softState.role;
    if (rd.softState?.role === Role.Leader) this.#observeLeader();
    const durableWork = rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined;
    const armed = durableWork ? this.crashArmed : undefined;
    if (armed === 'before-send') return this.#crashHere(armed);
    for (const m of rd.messages) this.#send(node, m);
    if (armed === 'after-send') return this.#crashHere(armed);
    this.#persist(rd);
    if (armed === 'after-persist') return this.#crashHere(armed);
    for (const m of rd.messagesAfterPersist) this.#send(node, m);
    if (rd.snapshot) this.#installSnapshot(rd.snapshot);
    const stopAt = this.crashArmed === 'mid-apply' && rd.committedEntries.length > 0
      ? this.rng.int(rd.committedEntries.length) : -1;
    for (let k = 0; k < rd.committedEntries.length; k++) {
      if (k === stopAt) return this.#crashHere('mid-apply');
      this.#apply(node, rd.committedEntries[k] as Entry);
      if (this.node !== node) return false; // removed while applying
    }
    for (const rs of rd.readStates) this.env.readState(this, rs);
    node.advance(rd);
    this.#maybeSnapshot();
    return this.node === node;
  }

  /** Sends one message; the ones that promise durable state are shown to the checkers first. */
  #send(node: RaftNode, m: Message): void {
    if (m.type === MessageType.Vote || m.type === MessageType.VoteResp || m.type === MessageType.AppResp) {
      const hs = this.disk.hardState;
      this.env.emit({
        kind: 'reply', member: this.id, type: m.type, to: m.to, term: m.term, index: m.index, reject: m.reject,
        durableTerm: hs.term, durableVote: hs.vote,
        indexDurable: m.type !== MessageType.AppResp || m.reject || this.#durable(node, m.index),
      });
    }
    this.env.send(freezeMessage(m));
  }

  /** Whether entry i, as this member's log now has it, is on the disk (or inside its snapshot). */
  #durable(node: RaftNode, i: number): boolean {
    if (i < this.disk.firstIndex()) return true;
    const t = this.disk.termAt(i);
    return t !== undefined && t === node.logTerm(i);
  }

  #crashHere(at: CrashStage): boolean {
    this.crash();
    this.env.crashed(this, at);
    return false;
  }

  #persist(rd: Ready): void {
    const storage = this.storage as MemoryStorage;
    if (rd.snapshot) {
      this.disk.applySnapshot(rd.snapshot);
      storage.applySnapshot(rd.snapshot);
    }
    if (rd.entries.length > 0) {
      for (const e of rd.entries) Object.freeze(e);
      const { written, prevTerm, replaced } = this.disk.append(rd.entries);
      storage.append(rd.entries);
      if (written.length > 0) {
        const entries = written.map((e) => ({ index: e.index, term: e.term, dataHash: entryDataHash(e.type, e.data) }));
        const leaderTerm = this.#role === Role.Leader ? (rd.hardState?.term ?? this.disk.hardState.term) : 0;
        this.env.emit({ kind: 'persist', member: this.id, prevTerm, entries, replaced, leaderTerm });
      }
    }
    if (rd.hardState) {
      this.disk.hardState = { ...rd.hardState };
      storage.setHardState(rd.hardState);
    }
    if (storage.lastIndex() !== this.disk.lastIndex() || storage.firstIndex() !== this.disk.firstIndex()) {
      throw new Error(`member ${this.id}: MemoryStorage [${storage.firstIndex()}, ${storage.lastIndex()}] and the ` +
        `simulated disk [${this.disk.firstIndex()}, ${this.disk.lastIndex()}] disagree after persisting`);
    }
  }

  #installSnapshot(s: Snapshot): void {
    const sm = KvStateMachine.fromImage(s.data);
    if (sm.applied !== s.metadata.index) {
      throw new Error(`member ${this.id}: snapshot at ${s.metadata.index} holds a state machine at ${sm.applied}`);
    }
    // The state machine and its applied index are one durable unit (etcd's consistent index).
    sm.confState = copyConf(s.metadata.confState);
    this.sm = sm;
    this.#snapshotDue = sm.applied + this.snapshotEvery();
    this.env.emit({
      kind: 'apply-snapshot', member: this.id, index: s.metadata.index, term: s.metadata.term, chainHash: sm.chainHash,
    });
    this.env.applied(this, undefined);
  }

  #apply(node: RaftNode, e: Entry): void {
    const outcome = this.sm.applyEntry(e, decodeConfChange, (cc) => node.applyConfChange(cc));
    this.env.emit({
      kind: 'apply', member: this.id, index: e.index, term: e.term, dataHash: entryDataHash(e.type, e.data),
      // The durable term bounds the term the entry was committed in: the commit index came
      // with a message of a term this member adopted, and persisted, before applying.
      chainHash: this.sm.chainHash, memberTerm: this.disk.hardState.term, commit: this.disk.hardState.commit,
    });
    if (outcome.kind === 'put' && outcome.fresh) {
      this.env.emit({ kind: 'put-applied', index: e.index, key: outcome.put.k, value: outcome.put.v });
    }
    this.env.applied(this, outcome);
    if (outcome.kind === 'conf' && outcome.cc.type === ConfChangeType.RemoveNode && outcome.cc.nodeId === this.id
      && !this.sm.confState.voters.includes(this.id) && !this.sm.confState.learners.includes(this.id)) {
      // Like an etcd member that applies its own removal: it shuts down for good.
      this.crash();
      this.removed = true;
      this.env.crashed(this);
    }
  }

  /** Snapshot the state machine and compact the log now and then, so InstallSnapshot runs (§7). */
  #maybeSnapshot(): void {
    const storage = this.storage;
    if (!storage || this.sm.applied < this.#snapshotDue) return;
    const at = this.sm.applied;
    this.#snapshotDue = at + this.snapshotEvery();
    if (at <= (this.disk.snapshot?.metadata.index ?? 0) || at < this.disk.firstIndex()) return;
    const image = this.sm.image();
    this.disk.createSnapshot(at, this.sm.confState, image);
    storage.createSnapshot(at, copyConf(this.sm.confState), image);
    const keep = this.rng.int(this.settings.compactKeepEntriesMax + 1);
    const compactTo = at - keep;
    if (compactTo >= this.disk.firstIndex()) {
      this.disk.compact(compactTo);
      storage.compact(compactTo);
    }
  }

  /** Tells the checkers when this member leads a term it was not seen leading before. */
  #observeLeader(): void {
    const n = this.node;
    if (!n) return;
    const st = n.status();
    if (st.role !== Role.Leader || st.term <= this.#lastLeaderTerm) return;
    this.#lastLeaderTerm = st.term;
    this.env.emit({
      kind: 'leader', member: this.id, term: st.term,
      log: { firstIndex: st.firstIndex, termAt: (i) => n.logTerm(i) },
    });
  }

  /** This member's current view, if up. */
  status(): ReturnType<RaftNode['status']> | undefined {
    return this.node?.status();
  }

  confState(): ConfState {
    return this.sm.confState;
  }
}

function entriesOf(s: MemoryStorage): Entry[] {
  const got = s.entries(s.firstIndex(), s.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
  if (!Array.isArray(got)) throw new Error(`bootstrap storage has no entries: ${got}`);
  return got;
}

/** Messages are immutable once sent; freezing makes a core that mutates one fail loudly. */
function freezeMessage(m: Message): Message {
  for (const e of m.entries) Object.freeze(e);
  Object.freeze(m.entries);
  return Object.freeze(m);
}

/** A deep copy, as a snapshot read back from disk or off the wire is a fresh object. */
export function cloneSnapshot(s: Snapshot): Snapshot {
  return {
    metadata: { index: s.metadata.index, term: s.metadata.term, confState: copyConf(s.metadata.confState) },
    data: s.data,
  };
}
