// RaftNode: the API a driver (the store member, the simulator, a test) uses. It wraps the
// Raft state machine with the Ready/advance protocol: the core queues work, ready()
// hands it out as one batch, advance() says the batch is done (see Ready in types.ts).
//
// A new cluster's members start on MemoryStorage.bootstrap(voters) (or the equivalent
// durable state): the initial membership as committed ConfChange entries, so a member
// that joins later rebuilds the whole membership by replaying the log.
// A driver restarting a member passes, through its Storage, the durable hard state,
// log and snapshot, and through initialState().confState the membership as of the
// applied index (MemoryStorage.setConfState), plus Config.applied.
import { decodeConfChange, encodeConfChange } from './confchange.js';
import { invariant } from './invariant.js';
import { Raft } from './raft.js';
import {
  type Accepted, type ConfChange, type ConfState, type Config, type Entry, EntryType, type HardState, type Message,
  MessageType, type NodeId, type Ready, type Role, SeededBug, type SoftState,
} from './types.js';

export interface RaftStatus {
  id: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lastIndex: number;
  firstIndex: number;
  role: Role;
  leader: NodeId;
  confState: ConfState;
  leadTransferee: NodeId;
  /** Leader only: each member's match index and replication state. */
  progress: Record<NodeId, { match: number; next: number; state: string }>;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class RaftNode {
  readonly #raft: Raft;
  #prevSoft: SoftState;
  #prevHard: HardState;
  /** A Ready was handed out and not yet advanced: one at a time. */
  #outstanding = false;

  constructor(config: Config) {
    this.#raft = new Raft(config);
    this.#prevSoft = { leader: this.#raft.lead, role: this.#raft.role };
    this.#prevHard = config.storage.initialState().hardState;
  }

  get id(): NodeId {
    return this.#raft.id;
  }

  // Cheap reads for drivers' hot paths (status() builds a whole report).
  get term(): number {
    return this.#raft.term;
  }

  get leader(): NodeId {
    return this.#raft.lead;
  }

  get role(): Role {
    return this.#raft.role;
  }

  get applied(): number {
    return this.#raft.log.applied;
  }

  tick(): void {
    this.#raft.tick();
  }

  /** Deliver a message from the network. Local-only types are refused. */
  step(m: Message): void {
    invariant(m.type !== MessageType.Hup && m.type !== MessageType.Beat, () => `${m.type} is local; use tick()/campaign()`);
    this.#raft.step(m);
  }

  campaign(): void {
    this.#raft.step({
      type: MessageType.Hup, from: this.id, to: this.id, term: 0, logTerm: 0, index: 0, entries: [], commit: 0,
      reject: false, rejectHint: 0,
    });
  }

  propose(data: Uint8Array): Accepted {
    return this.#raft.propose([{ term: 0, index: 0, type: EntryType.Normal, data }]);
  }

  /** Propose several entries at once (one forwarded message, one append on the leader). */
  proposeBatch(datas: readonly Uint8Array[]): Accepted {
    const entries: Entry[] = datas.map((data) => ({ term: 0, index: 0, type: EntryType.Normal, data }));
    return this.#raft.propose(entries);
  }

  proposeConfChange(cc: ConfChange): Accepted {
    return this.#raft.proposeConfChange(cc, encodeConfChange(cc));
  }

  /** Call while applying a committed ConfChange entry (decodeConfChange(entry.data)). */
  applyConfChange(cc: ConfChange): ConfState {
    return this.#raft.applyConfChange(cc);
  }

  readIndex(context: Uint8Array): Accepted {
    return this.#raft.readIndex(context);
  }

  transferLeadership(to: NodeId): Accepted {
    return this.#raft.transferLeadership(to);
  }

  reportUnreachable(id: NodeId): void {
    this.#raft.step({
      type: MessageType.Unreachable, from: id, to: this.id, term: 0, logTerm: 0, index: 0, entries: [], commit: 0,
      reject: false, rejectHint: 0,
    });
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    this.#raft.step({
      type: MessageType.SnapStatus, from: id, to: this.id, term: 0, logTerm: 0, index: 0, entries: [], commit: 0,
      reject: !ok, rejectHint: 0,
    });
  }

  #hardState(): HardState {
    return { term: this.#raft.term, vote: this.#raft.vote, commit: this.#raft.log.committed };
  }

  /** Up to which index committed entries may be handed out (the seeded bug hands out more). */
  #applyLimit(): number {
    const log = this.#raft.log;
    return this.#raft.hasBug(SeededBug.ApplyBeforeCommit) ? log.lastIndex() : log.committed;
  }

  hasReady(): boolean {
    if (this.#outstanding) return false;
    const r = this.#raft;
    r.flushReadRound();
    return r.msgs.length > 0 || r.msgsAfterPersist.length > 0 || r.readStates.length > 0
      || r.log.unstable.entries.length > 0 || r.log.unstable.snapshot !== undefined
      || r.log.hasNextCommittedEntries(this.#applyLimit())
      || !sameHardState(this.#hardState(), this.#prevHard)
      || r.lead !== this.#prevSoft.leader || r.role !== this.#prevSoft.role;
  }

  ready(): Ready {
    invariant(!this.#outstanding, 'ready() called again before advance()');
    const r = this.#raft;
    r.flushReadRound();
    const { limits } = r;
    const hs = this.#hardState();
    const committedEntries = r.log.nextCommittedEntries(
      limits.maxCommittedEntriesPerReady, limits.maxCommittedBytesPerReady, this.#applyLimit());
    const entries = [...r.log.unstable.entries];
    const rd: Ready = {
      entries,
      committedEntries,
      messages: r.msgs,
      messagesAfterPersist: r.msgsAfterPersist,
      readStates: r.readStates,
      mustSync: entries.length > 0 || hs.term !== this.#prevHard.term || hs.vote !== this.#prevHard.vote,
    };
    if (!sameHardState(hs, this.#prevHard)) rd.hardState = hs;
    if (r.lead !== this.#prevSoft.leader || r.role !== this.#prevSoft.role) {
      rd.softState = { leader: r.lead, role: r.role };
    }
    if (r.log.unstable.snapshot !== undefined) rd.snapshot = r.log.unstable.snapshot;
    r.msgs = [];
    r.msgsAfterPersist = [];
    r.readStates = [];
    if (committedEntries.length > 0) r.log.applying = committedEntries[committedEntries.length - 1]!.index;
    this.#outstanding = true;
    return rd;
  }

  /**
   * Committed entries not handed out yet, for a driver that applies while a Ready is
   * outstanding (its write still on disk): committed entries are durable on a quorum, so
   * applying them need not wait for this member's own write. Call appliedTo() once they
   * are applied. Empty while a snapshot is pending (it is applied first).
   */
  takeCommittedEntries(): Entry[] {
    const r = this.#raft;
    const ents = r.log.nextCommittedEntries(
      r.limits.maxCommittedEntriesPerReady, r.limits.maxCommittedBytesPerReady, this.#applyLimit());
    if (ents.length > 0) r.log.applying = ents[ents.length - 1]!.index;
    return ents;
  }

  /** The driver applied `ents`, as returned by takeCommittedEntries(). */
  appliedTo(ents: readonly Entry[]): void {
    const last = ents[ents.length - 1];
    if (!last) return;
    this.#raft.log.appliedTo(last.index);
    this.#raft.reduceUncommittedBytes(ents);
  }

  /** The driver persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    invariant(this.#outstanding, 'advance() without an outstanding ready()');
    this.#outstanding = false;
    const r = this.#raft;
    if (rd.hardState) this.#prevHard = rd.hardState;
    if (rd.softState) this.#prevSoft = rd.softState;
    if (rd.snapshot) {
      r.log.unstable.stableSnapTo(rd.snapshot.metadata.index);
      r.log.appliedTo(rd.snapshot.metadata.index);
    }
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) r.log.unstable.stableTo(lastEntry.index, lastEntry.term);
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastApplied) {
      // takeCommittedEntries() may have applied further while this Ready was outstanding.
      if (lastApplied.index > r.log.applied) r.log.appliedTo(lastApplied.index);
      r.reduceUncommittedBytes(rd.committedEntries);
    }
    // The leader's own copy counts toward commitment only once durable (thesis §10.2.1).
    r.selfPersisted(r.log.persistedLastIndex());
  }

  status(): RaftStatus {
    const r = this.#raft;
    const progress: RaftStatus['progress'] = {};
    if (r.role === 'leader') {
      for (const [id, pr] of r.progress) progress[id] = { match: pr.match, next: pr.next, state: pr.state };
    }
    return {
      id: r.id, term: r.term, vote: r.vote, commit: r.log.committed, applied: r.log.applied,
      lastIndex: r.log.lastIndex(), firstIndex: r.log.firstIndex(), role: r.role, leader: r.lead,
      confState: r.confState(), leadTransferee: r.leadTransferee, progress,
    };
  }

  /** Term of entry i in this member's log (durable or not); undefined if compacted or absent. */
  logTerm(i: number): number | undefined {
    return this.#raft.log.term(i);
  }

  /** Entries [lo, hi) of this member's log, for inspection by checkers and tests. */
  logEntries(lo: number, hi: number): Entry[] | 'compacted' {
    return this.#raft.log.slice(lo, Math.min(hi, this.#raft.log.lastIndex() + 1), Number.MAX_SAFE_INTEGER);
  }
}

export { decodeConfChange, encodeConfChange };
