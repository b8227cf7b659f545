// The Raft state machine of one member (Ongaro & Ousterhout 2014; Ongaro's thesis 2014).
// Pure: input is a message or a tick, output is queued messages and log changes that
// node.ts hands to the driver as a Ready. Roles are swapped behaviour — becomeX() installs
// the role's step and tick functions — rather than flags checked everywhere.
import { applyToConfState, confChangeProblem, decodeConfChange } from './confchange.js';
import { invariant } from './invariant.js';
import { DEFAULT_LIMITS, type RaftLimits } from './limits.js';
import { RaftLog } from './log.js';
import { entryBytes } from './memory-storage.js';
import { Progress, ProgressState } from './progress.js';
import { committedIndex, hasQuorum, tallyVotes, VoteResult } from './quorum.js';
import { ReadIndexQueue } from './read-index.js';
import {
  type Accepted, type ConfChange, type ConfState, type Config, type Entry, EntryType, type Message, MessageType,
  NONE, type NodeId, type ReadState, type Rng, Role, SeededBug,
} from './types.js';

/** Messages a leader may send before its own Ready is durable (thesis §10.2.1). */
const LEADER_SENDS_EARLY = new Set<MessageType>([
  MessageType.App, MessageType.Heartbeat, MessageType.Snap, MessageType.TimeoutNow, MessageType.ReadIndexResp,
]);

/** Campaigns after a leader loss start within this many ticks (see #onLeaderLost). */
const LEADER_LOSS_SPREAD_TICKS = 5;

/** Messages carrying no term: proposals and reads forwarded between members. */
const TERMLESS = new Set<MessageType>([MessageType.Prop, MessageType.ReadIndex]);

export function message(fields: Partial<Message> & Pick<Message, 'type' | 'to'>): Message {
  return { from: NONE, term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, ...fields };
}

export class Raft {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly limits: RaftLimits;
  term = 0;
  vote: NodeId = NONE;
  role = Role.Follower;
  lead: NodeId = NONE;
  /** Progress of every member (voters and learners, self included); meaningful on the leader. */
  readonly progress = new Map<NodeId, Progress>();
  voters: NodeId[] = [];
  learners: NodeId[] = [];
  /** Messages that may leave now / only after this Ready is durable. */
  msgs: Message[] = [];
  msgsAfterPersist: Message[] = [];
  readStates: ReadState[] = [];

  readonly #rng: Rng;
  readonly #electionTicks: number;
  readonly #heartbeatTicks: number;
  readonly #preVote: boolean;
  readonly #checkQuorum: boolean;
  readonly #forwardProposals: boolean;
  readonly #campaignOnLeaderLoss: boolean;
  readonly #bugs: ReadonlySet<SeededBug>;
  #electionElapsed = 0;
  #heartbeatElapsed = 0;
  #randomizedElectionTimeout = 0;
  #votes = new Map<NodeId, boolean>();
  /** Leadership transfer target (thesis §3.10), NONE when none is under way. */
  leadTransferee: NodeId = NONE;
  /** Index of the last conf change (or the new leader's no-op) that must apply before another. */
  #pendingConfIndex = 0;
  #uncommittedBytes = 0;
  readonly #reads: ReadIndexQueue;
  /** Reads that arrived before this leader committed an entry of its term (§6.4 step 1). */
  #readsBeforeTermCommit: Message[] = [];
  #step: (m: Message) => void = () => {};
  #tick: () => void = () => {};

  constructor(config: Config) {
    invariant(config.id !== NONE, 'a member needs a non-empty id');
    invariant(config.heartbeatTicks > 0 && config.electionTicks > config.heartbeatTicks,
      'electionTicks must exceed heartbeatTicks, which must be positive');
    this.id = config.id;
    this.limits = { ...DEFAULT_LIMITS, ...config.limits };
    this.#rng = config.rng;
    this.#electionTicks = config.electionTicks;
    this.#heartbeatTicks = config.heartbeatTicks;
    this.#preVote = config.preVote ?? true;
    this.#checkQuorum = config.checkQuorum ?? true;
    this.#forwardProposals = config.forwardProposals ?? true;
    this.#campaignOnLeaderLoss = config.campaignOnLeaderLoss ?? false;
    this.#bugs = config.seededBugs ?? new Set();
    this.#reads = new ReadIndexQueue(this.limits.maxPendingReads);
    const { hardState, confState } = config.storage.initialState();
    this.log = new RaftLog(config.storage, hardState.commit, config.applied);
    this.log.seededApplyBeyondCommit = this.#bugs.has(SeededBug.ApplyBeforeCommit);
    this.#setMembership(confState);
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.becomeFollower(this.term, NONE);
  }

  get electionElapsed(): number {
    return this.#electionElapsed;
  }

  confState(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  isVoter(id: NodeId = this.id): boolean {
    return this.voters.includes(id);
  }

  hasBug(bug: SeededBug): boolean {
    return this.#bugs.has(bug);
  }

  // ---------------------------------------------------------------- roles

  becomeFollower(term: number, lead: NodeId): void {
    this.#reset(term);
    this.role = Role.Follower;
    this.lead = lead;
    this.#step = (m) => this.#stepFollower(m);
    this.#tick = () => this.#tickElection();
  }

  /** Thesis §9.6: ask whether we could win before disrupting the cluster with a new term. */
  #becomePreCandidate(): void {
    invariant(this.role !== Role.Leader, 'a leader cannot become pre-candidate');
    // Term and vote are unchanged: a pre-election changes nothing durable.
    this.#votes.clear();
    this.lead = NONE;
    this.role = Role.PreCandidate;
    this.#step = (m) => this.#stepCandidate(m);
    this.#tick = () => this.#tickElection();
  }

  #becomeCandidate(): void {
    invariant(this.role !== Role.Leader, 'a leader cannot become candidate');
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = Role.Candidate;
    this.#step = (m) => this.#stepCandidate(m);
    this.#tick = () => this.#tickElection();
  }

  #becomeLeader(): void {
    invariant(this.role === Role.Candidate, () => `becoming leader from ${this.role}`);
    this.#reset(this.term);
    this.role = Role.Leader;
    this.lead = this.id;
    this.#step = (m) => this.#stepLeader(m);
    this.#tick = () => this.#tickLeader();
    const self = this.progress.get(this.id)!;
    self.becomeReplicate();
    self.maybeUpdate(this.log.persistedLastIndex());
    // §8: a no-op entry of the new term lets the leader learn what is committed (entries
    // of earlier terms are committed only indirectly, §5.4.2). A conf change may follow
    // only once it applies: that makes the leader commit in its own term before changing
    // membership, the fix for the single-server change bug.
    const noop: Entry = {
      term: this.term, index: this.log.lastIndex() + 1, type: EntryType.Normal, data: new Uint8Array(0),
    };
    this.log.append([noop]);
    this.#pendingConfIndex = noop.index;
  }

  #reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.#electionElapsed = 0;
    this.#heartbeatElapsed = 0;
    this.#randomizedElectionTimeout = this.#electionTicks + this.#rng.int(this.#electionTicks);
    this.leadTransferee = NONE;
    this.#votes.clear();
    this.#reads.reset();
    this.#readsBeforeTermCommit = [];
    this.#pendingConfIndex = 0;
    this.#uncommittedBytes = 0;
    const last = this.log.lastIndex();
    for (const [id, old] of this.progress) {
      const pr = this.#newProgress(id, last + 1, old.isLearner);
      if (id === this.id) pr.match = this.log.persistedLastIndex();
      this.progress.set(id, pr);
    }
  }

  #newProgress(_id: NodeId, next: number, isLearner: boolean): Progress {
    return new Progress(next, 0, isLearner, this.limits.maxInflightMessages, this.limits.maxInflightBytes);
  }

  #setMembership(cs: ConfState): void {
    this.voters = [...cs.voters].sort();
    this.learners = [...cs.learners].sort();
    const next = this.log.lastIndex() + 1;
    const keep = new Set([...this.voters, ...this.learners]);
    for (const id of [...this.progress.keys()]) if (!keep.has(id)) this.progress.delete(id);
    for (const id of keep) {
      const isLearner = this.learners.includes(id);
      const old = this.progress.get(id);
      if (old !== undefined && old.isLearner === isLearner) continue;
      const pr = this.#newProgress(id, next, isLearner);
      if (old !== undefined) {
        pr.match = old.match;
        pr.next = old.next;
      }
      this.progress.set(id, pr);
    }
  }

  // ---------------------------------------------------------------- time

  tick(): void {
    this.#tick();
  }

  #promotable(): boolean {
    return this.isVoter() && this.log.unstable.snapshot === undefined && !this.#hasUnappliedConfChange();
  }

  /** Campaigning with a committed but unapplied membership change could use a stale quorum. */
  #hasUnappliedConfChange(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const ents = this.log.slice(this.log.applied + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER);
    return ents === 'compacted' || ents.some((e) => e.type === EntryType.ConfChange);
  }

  #tickElection(): void {
    this.#electionElapsed++;
    if (this.#electionElapsed >= this.#randomizedElectionTimeout && this.#promotable()) {
      this.#electionElapsed = 0;
      this.step(message({ type: MessageType.Hup, to: this.id, from: this.id }));
    }
  }

  #tickLeader(): void {
    this.#heartbeatElapsed++;
    this.#electionElapsed++;
    for (const [id, pr] of this.progress) {
      // A snapshot that was lost in flight must not stall the follower forever.
      if (id !== this.id && pr.state === ProgressState.Snapshot && ++pr.snapshotTicks >= this.#electionTicks) {
        pr.becomeProbe();
      }
    }
    if (this.#electionElapsed >= this.#electionTicks) {
      this.#electionElapsed = 0;
      if (this.#checkQuorum && !this.#quorumActive()) {
        // Thesis §6.2: a leader cut off from a majority steps down, so clients go elsewhere
        // and its leases (ReadIndex, store leases) stop being trusted.
        this.becomeFollower(this.term, NONE);
        return;
      }
      if (this.leadTransferee !== NONE) this.leadTransferee = NONE; // transfer timed out (§3.10)
    }
    if (this.#heartbeatElapsed >= this.#heartbeatTicks) {
      this.#heartbeatElapsed = 0;
      this.step(message({ type: MessageType.Beat, to: this.id, from: this.id }));
    }
  }

  #quorumActive(): boolean {
    const active = hasQuorum(this.voters, (id) => id === this.id || this.progress.get(id)?.recentActive === true);
    for (const [id, pr] of this.progress) if (id !== this.id) pr.recentActive = false;
    return active;
  }

  // ---------------------------------------------------------------- sending

  #send(m: Message): void {
    if (m.from === NONE) m.from = this.id;
    const isVoteTraffic = m.type === MessageType.Vote || m.type === MessageType.PreVote
      || m.type === MessageType.VoteResp || m.type === MessageType.PreVoteResp;
    if (!isVoteTraffic && !TERMLESS.has(m.type)) m.term = this.term;
    invariant(!isVoteTraffic || m.term > 0, 'vote traffic needs an explicit term');
    // A forwarded proposal or read request carries no term and promises nothing about this
    // member's state, so it need not wait for this member's disk (a follower mid-fsync).
    const early = (this.role === Role.Leader && LEADER_SENDS_EARLY.has(m.type)) || TERMLESS.has(m.type);
    if (early || this.#bugs.has(SeededBug.ReplyBeforePersist)) this.msgs.push(m);
    else this.msgsAfterPersist.push(m);
  }

  /** Send entries from pr.next, or a snapshot if they were compacted. False if nothing was sent. */
  #maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const last = this.log.lastIndex();
    const ents = prevTerm === undefined ? 'compacted' : this.log.slice(pr.next, last + 1, this.limits.maxMessageBytes);
    if (ents === 'compacted' || prevTerm === undefined) return this.#sendSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.#send(message({
      type: MessageType.App, to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.log.committed,
    }));
    if (ents.length > 0) {
      const lastSent = ents[ents.length - 1]!.index;
      if (pr.state === ProgressState.Replicate) {
        pr.next = lastSent + 1; // optimistic: pipeline the next batch without waiting
        pr.inflights.add(lastSent, ents.reduce((n, e) => n + entryBytes(e), 0));
      } else {
        pr.probeSent = true;
      }
    } else if (pr.state === ProgressState.Probe) {
      pr.probeSent = true;
    }
    return true;
  }

  #sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false; // don't ship a snapshot to a member that may be down
    const snap = this.log.snapshot();
    if (snap === 'temporarily-unavailable') return false;
    invariant(snap.metadata.index > 0, 'need a non-empty snapshot to catch a follower up');
    this.#send(message({ type: MessageType.Snap, to, snapshot: snap }));
    pr.becomeSnapshot(snap.metadata.index);
    return true;
  }

  #bcastAppend(): void {
    for (const id of this.progress.keys()) if (id !== this.id) this.#maybeSendAppend(id, true);
  }

  #bcastHeartbeat(): void {
    const round = this.#reads.lastRound;
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      // Never tell a follower a commit index beyond what it is known to hold: it could
      // then apply an entry of its own log that differs from ours.
      const commit = Math.min(pr.match, this.log.committed);
      this.#send(message({ type: MessageType.Heartbeat, to: id, commit, readRound: round }));
    }
  }

  #sendTimeoutNow(to: NodeId): void {
    this.#send(message({ type: MessageType.TimeoutNow, to }));
  }

  // ---------------------------------------------------------------- commit

  /** §5.3/§5.4.2: advance commit to what a majority holds, if that entry is of this term. */
  #maybeCommit(): boolean {
    const index = committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
    if (index <= this.log.committed) return false;
    // Figure 8: an entry of an earlier term on a majority can still be overwritten; only
    // current-term entries are committed by counting, earlier ones ride along.
    if (!this.#bugs.has(SeededBug.CommitPreviousTerm) && this.log.term(index) !== this.term) return false;
    const wasCommittedInTerm = this.#committedInTerm();
    this.log.commitTo(index);
    if (!wasCommittedInTerm && this.#committedInTerm()) this.#releaseReadsBeforeTermCommit();
    return true;
  }

  #committedInTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  /** The driver persisted up to `index` (advance): the leader counts its own copy only now. */
  selfPersisted(index: number): void {
    if (this.role !== Role.Leader) return;
    const self = this.progress.get(this.id);
    if (self?.maybeUpdate(index) && this.#maybeCommit()) this.#bcastAppend();
  }

  reduceUncommittedBytes(ents: readonly Entry[]): void {
    if (this.role !== Role.Leader) return;
    for (const e of ents) this.#uncommittedBytes = Math.max(0, this.#uncommittedBytes - entryBytes(e));
  }

  // ---------------------------------------------------------------- proposals (API)

  propose(entries: Entry[]): Accepted {
    if (this.role === Role.Leader) return this.#appendProposal(entries);
    if (this.lead === NONE) return { ok: false, reason: { code: 'no-leader' } };
    if (!this.#forwardProposals) return { ok: false, reason: { code: 'not-leader', leader: this.lead } };
    this.#send(message({ type: MessageType.Prop, to: this.lead, entries }));
    return { ok: true };
  }

  #appendProposal(entries: Entry[]): Accepted {
    if (!this.progress.has(this.id)) return { ok: false, reason: { code: 'not-leader', leader: NONE } };
    if (this.leadTransferee !== NONE) {
      return { ok: false, reason: { code: 'transferring-leadership', leader: this.leadTransferee } };
    }
    const bytes = entries.reduce((n, e) => n + entryBytes(e), 0);
    if (this.#uncommittedBytes > 0 && this.#uncommittedBytes + bytes > this.limits.maxUncommittedBytes) {
      return { ok: false, reason: { code: 'uncommitted-limit' } };
    }
    let index = this.log.lastIndex();
    const stamped: Entry[] = [];
    for (const e of entries) {
      let entry: Entry = { term: this.term, index: ++index, type: e.type, data: e.data };
      if (e.type === EntryType.ConfChange) {
        const refused = this.#confChangeRefusal(decodeConfChange(e.data));
        if (refused !== undefined) {
          // Forwarded conf changes that cannot apply become no-ops, keeping indices dense.
          entry = { term: this.term, index, type: EntryType.Normal, data: new Uint8Array(0) };
        } else {
          this.#pendingConfIndex = index;
        }
      }
      stamped.push(entry);
    }
    this.#uncommittedBytes += bytes;
    this.log.append(stamped);
    this.#bcastAppend();
    // A single-voter cluster has nobody to wait for: the entry commits once persisted.
    return { ok: true };
  }

  #confChangeRefusal(cc: ConfChange): Accepted | undefined {
    if (this.#pendingConfIndex > this.log.applied) return { ok: false, reason: { code: 'conf-change-pending' } };
    const problem = confChangeProblem(this.confState(), cc);
    if (problem !== undefined) return { ok: false, reason: { code: 'invalid-conf-change', why: problem } };
    return undefined;
  }

  proposeConfChange(cc: ConfChange, data: Uint8Array): Accepted {
    if (this.role === Role.Leader) {
      const refused = this.#confChangeRefusal(cc);
      if (refused !== undefined) return refused;
    }
    return this.propose([{ term: 0, index: 0, type: EntryType.ConfChange, data }]);
  }

  /** The driver applies a committed conf change: membership changes now (see confchange.ts). */
  applyConfChange(cc: ConfChange): ConfState {
    const cs = applyToConfState(this.confState(), cc);
    this.#setMembership(cs);
    if (this.role !== Role.Leader) return this.confState();
    if (!this.isVoter()) {
      // A leader removed from the cluster steps down; the rest elect a new one.
      this.becomeFollower(this.term, NONE);
      return this.confState();
    }
    if (this.leadTransferee !== NONE && !this.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    // The quorum changed: something may be committed now, and new members need the log.
    this.#maybeCommit();
    this.#bcastAppend();
    return this.confState();
  }

  readIndex(context: Uint8Array): Accepted {
    if (this.role === Role.Leader) return this.#leaderReadIndex(context, this.id);
    if (this.lead === NONE) return { ok: false, reason: { code: 'no-leader' } };
    this.#send(message({ type: MessageType.ReadIndex, to: this.lead, context }));
    return { ok: true };
  }

  #leaderReadIndex(context: Uint8Array, from: NodeId): Accepted {
    if (this.#reads.full()) return { ok: false, reason: { code: 'uncommitted-limit' } };
    if (this.#bugs.has(SeededBug.ReadIndexWithoutQuorum)) {
      this.#answerRead(from, context, this.log.committed);
      return { ok: true };
    }
    if (!this.#committedInTerm()) {
      // §6.4 step 1: until its no-op commits, the leader does not know the commit index.
      if (this.#readsBeforeTermCommit.length >= this.limits.maxPendingReads) {
        return { ok: false, reason: { code: 'uncommitted-limit' } };
      }
      this.#readsBeforeTermCommit.push(message({ type: MessageType.ReadIndex, to: this.id, from, context }));
      return { ok: true };
    }
    if (this.voters.length === 1) {
      // Nobody else could have been elected: our commit index is current.
      this.#answerRead(from, context, this.log.committed);
      return { ok: true };
    }
    // The round starts when the driver next collects a Ready (flushReadRound), so every
    // read that arrives in between shares one heartbeat round.
    this.#reads.add({ context, from, index: this.log.committed });
    return { ok: true };
  }

  /** Start a ReadIndex round for the reads waiting since the last one (called per Ready). */
  flushReadRound(): void {
    if (this.role === Role.Leader && this.#reads.needsRound()) this.#startReadRound();
  }

  #startReadRound(): void {
    const round = this.#reads.startRound();
    this.progress.get(this.id)!.ackedReadRound = round;
    this.#heartbeatElapsed = 0;
    this.#bcastHeartbeat();
  }

  #releaseReadsBeforeTermCommit(): void {
    const waiting = this.#readsBeforeTermCommit;
    this.#readsBeforeTermCommit = [];
    for (const m of waiting) this.#leaderReadIndex(m.context!, m.from);
  }

  #answerRead(from: NodeId, context: Uint8Array, index: number): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.#send(message({ type: MessageType.ReadIndexResp, to: from, index, context }));
  }

  #onReadRoundAck(from: NodeId, round: number): void {
    const pr = this.progress.get(from);
    if (pr === undefined || round <= pr.ackedReadRound) return;
    pr.ackedReadRound = round;
    // The highest round a majority has confirmed.
    const confirmed = committedIndex(this.voters, (id) => this.progress.get(id)?.ackedReadRound ?? 0);
    for (const r of this.#reads.confirm(confirmed)) this.#answerRead(r.from, r.context, r.index);
    if (this.#reads.needsRound()) this.#startReadRound();
  }

  transferLeadership(to: NodeId): Accepted {
    if (this.role === Role.Leader) {
      this.#step(message({ type: MessageType.TransferLeader, to: this.id, from: to }));
      return { ok: true };
    }
    if (this.lead === NONE) return { ok: false, reason: { code: 'no-leader' } };
    this.#send(message({ type: MessageType.TransferLeader, to: this.lead, from: to }));
    return { ok: true };
  }

  // ---------------------------------------------------------------- step

  step(m: Message): void {
    if (!this.#stepTerm(m)) return;
    switch (m.type) {
      case MessageType.Hup:
        this.#hup(m.transfer === true);
        return;
      case MessageType.Vote:
      case MessageType.PreVote:
        this.#handleVoteRequest(m);
        return;
      default:
        this.#step(m);
    }
  }

  /** §5.1: compare terms first. Returns false when the message is to be dropped. */
  #stepTerm(m: Message): boolean {
    if (m.term === 0 || m.term === this.term) return true;
    if (m.term > this.term) return this.#stepHigherTerm(m);
    // A message from an older term.
    if (m.type === MessageType.App && this.#bugs.has(SeededBug.AcceptStaleTermAppend)) {
      this.lead = m.from;
      this.#handleAppend({ ...m, term: this.term });
      return false;
    }
    if ((this.#checkQuorum || this.#preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
      // A stale leader cut off for a while: tell it our term so it steps down. Without
      // this, with PreVote, a member with a higher term could never win a (pre)vote
      // against that leader's followers and never learn their term either.
      this.#send(message({ type: MessageType.AppResp, to: m.from }));
    } else if (m.type === MessageType.PreVote) {
      this.#send(message({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true }));
    }
    return false;
  }

  #stepHigherTerm(m: Message): boolean {
    if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
      // Thesis §4.2.3: while we hear from a leader, ignore candidates (a removed or
      // partitioned member must not depose a working leader) — unless the leader itself
      // asked for this election by leadership transfer.
      const inLease = this.#checkQuorum && this.lead !== NONE && this.#electionElapsed < this.#electionTicks;
      if (inLease && m.transfer !== true) return false;
    }
    if (m.type === MessageType.PreVote) return true; // a pre-vote changes no term
    if (m.type === MessageType.PreVoteResp && !m.reject) return true; // we asked with term+1
    const fromLeader = m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap;
    this.becomeFollower(m.term, fromLeader ? m.from : NONE);
    return true;
  }

  #hup(transfer: boolean): void {
    if (this.role === Role.Leader || !this.#promotable()) return;
    if (this.#preVote && !transfer) this.#campaign(true, false);
    else this.#campaign(false, transfer);
  }

  #campaign(pre: boolean, transfer: boolean): void {
    let term: number;
    let type: MessageType;
    if (pre) {
      this.#becomePreCandidate();
      type = MessageType.PreVote;
      term = this.term + 1; // the term we would campaign in
    } else {
      this.#becomeCandidate();
      type = MessageType.Vote;
      term = this.term;
    }
    if (this.#recordVote(this.id, true) === VoteResult.Won) {
      // A single-voter cluster wins on its own vote.
      if (pre) this.#campaign(false, transfer);
      else this.#becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const id of this.voters) {
      if (id === this.id) continue;
      this.#send(message({ type, to: id, term, index, logTerm, ...(transfer ? { transfer: true } : {}) }));
    }
  }

  #recordVote(from: NodeId, granted: boolean): VoteResult {
    if (!this.#votes.has(from)) this.#votes.set(from, granted);
    return tallyVotes(this.voters, this.#votes);
  }

  /** §5.2, §5.4.1: grant at most one vote per term, only to an up-to-date log. */
  #handleVoteRequest(m: Message): void {
    const pre = m.type === MessageType.PreVote;
    const respType = pre ? MessageType.PreVoteResp : MessageType.VoteResp;
    const canVote = this.vote === m.from
      || (this.vote === NONE && this.lead === NONE)
      || (pre && m.term > this.term);
    const upToDate = this.#bugs.has(SeededBug.VoteWithoutLogCheck) || this.log.isUpToDate(m.index, m.logTerm);
    if (canVote && upToDate) {
      // A granted pre-vote answers in the asked term so the pre-candidate counts it.
      this.#send(message({ type: respType, to: m.from, term: m.term }));
      if (!pre) {
        this.#electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.#send(message({ type: respType, to: m.from, term: this.term, reject: true }));
    }
  }

  #stepCandidate(m: Message): void {
    const myResp = this.role === Role.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.App:
      case MessageType.Heartbeat:
      case MessageType.Snap:
        // A leader of our term exists (§5.2): follow it.
        this.becomeFollower(m.term, m.from);
        this.#stepFollower(m);
        return;
      case myResp: {
        const result = this.#recordVote(m.from, !m.reject);
        if (result === VoteResult.Won) {
          if (this.role === Role.PreCandidate) this.#campaign(false, m.transfer === true);
          else {
            this.#becomeLeader();
            this.#bcastAppend();
          }
        } else if (result === VoteResult.Lost) {
          this.becomeFollower(this.term, NONE);
        }
        return;
      }
      default:
        return; // proposals, reads and transfers need a leader; the caller retries
    }
  }

  #stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.Prop:
        if (this.lead !== NONE && this.#forwardProposals) this.#send({ ...m, to: this.lead });
        return;
      case MessageType.App:
        this.#electionElapsed = 0;
        this.lead = m.from;
        this.#handleAppend(m);
        return;
      case MessageType.Heartbeat:
        this.#electionElapsed = 0;
        this.lead = m.from;
        this.log.commitTo(m.commit);
        this.#send(message({ type: MessageType.HeartbeatResp, to: m.from, readRound: m.readRound ?? 0 }));
        return;
      case MessageType.Snap:
        this.#electionElapsed = 0;
        this.lead = m.from;
        this.#handleSnapshot(m);
        return;
      case MessageType.TransferLeader:
        if (this.lead !== NONE) this.#send({ ...m, to: this.lead, term: 0 });
        return;
      case MessageType.TimeoutNow:
        // Thesis §3.10: the leader chose us; campaign now, skipping PreVote.
        this.#hup(true);
        return;
      case MessageType.ReadIndex:
        if (this.lead !== NONE) this.#send({ ...m, to: this.lead });
        return;
      case MessageType.ReadIndexResp:
        this.readStates.push({ index: m.index, context: m.context ?? new Uint8Array(0) });
        return;
      case MessageType.Unreachable:
        if (this.#campaignOnLeaderLoss && m.from === this.lead) this.#onLeaderLost();
        return;
      default:
        return;
    }
  }

  /**
   * The leader's connection is gone. Forgetting it lets our pre-vote requests be granted by
   * members that lost it too (their lease check needs a known leader), and we campaign
   * after 1–LEADER_LOSS_SPREAD_TICKS ticks — spread so two followers seldom split the vote.
   * Safety does not depend on this: it only moves an election earlier, as a short random
   * timeout could; votes stay one per term, persisted.
   */
  #onLeaderLost(): void {
    this.lead = NONE;
    const fireIn = 1 + this.#rng.int(LEADER_LOSS_SPREAD_TICKS);
    this.#electionElapsed = Math.max(this.#electionElapsed, this.#randomizedElectionTimeout - fireIn);
  }

  #handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      // Already have (and committed) everything up to our commit: say so.
      this.#send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.#send(message({ type: MessageType.AppResp, to: m.from, index: lastNew }));
      return;
    }
    // Mismatch at m.index: hint where our log may match, a term at a time (§5.3).
    const hintIndex = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.#send(message({
      type: MessageType.AppResp, to: m.from, index: m.index, reject: true,
      rejectHint: hintIndex, logTerm: this.log.term(hintIndex) ?? 0,
    }));
  }

  #handleSnapshot(m: Message): void {
    const snap = m.snapshot!;
    const { index, term } = snap.metadata;
    if (index <= this.log.committed) {
      this.#send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
      return;
    }
    if (this.log.matchTerm(index, term)) {
      // We already have the entries the snapshot covers: just learn they are committed.
      this.log.commitTo(index);
    } else {
      this.log.restore(snap);
      this.#setMembership(snap.metadata.confState);
    }
    this.#send(message({ type: MessageType.AppResp, to: m.from, index: this.log.lastIndex() }));
  }

  #stepLeader(m: Message): void {
    switch (m.type) {
      case MessageType.Beat:
        this.#bcastHeartbeat();
        return;
      case MessageType.Prop:
        if (m.entries.length <= this.limits.maxEntriesPerProposal) this.#appendProposal(m.entries);
        return;
      case MessageType.ReadIndex:
        this.#leaderReadIndex(m.context ?? new Uint8Array(0), m.from);
        return;
      case MessageType.TransferLeader:
        this.#startTransfer(m.from);
        return;
      default:
        this.#stepLeaderFromFollower(m);
    }
  }

  #stepLeaderFromFollower(m: Message): void {
    const pr = this.progress.get(m.from);
    if (pr === undefined) return; // not (or no longer) a member
    switch (m.type) {
      case MessageType.AppResp:
        pr.recentActive = true;
        this.#handleAppendResponse(m, pr);
        return;
      case MessageType.HeartbeatResp:
        pr.recentActive = true;
        pr.probeSent = false;
        if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirst();
        if (pr.match < this.log.lastIndex()) this.#maybeSendAppend(m.from, true);
        if (m.readRound !== undefined && m.readRound > 0) this.#onReadRoundAck(m.from, m.readRound);
        return;
      case MessageType.SnapStatus:
        if (pr.state !== ProgressState.Snapshot) return;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        pr.probeSent = true; // wait for a heartbeat answer before probing again
        return;
      case MessageType.Unreachable:
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        return;
      default:
        return;
    }
  }

  #handleAppendResponse(m: Message, pr: Progress): void {
    if (m.reject) {
      let hint = m.rejectHint;
      if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm);
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.#maybeSendAppend(m.from, true);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === ProgressState.Probe) pr.becomeReplicate();
    else if (pr.state === ProgressState.Snapshot && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);

    if (this.#maybeCommit()) this.#bcastAppend();
    // A follower we had paused missed commit updates meanwhile: send even if empty.
    else if (wasPaused) this.#maybeSendAppend(m.from, true);
    // Keep the pipeline full while the window allows.
    while (this.#maybeSendAppend(m.from, false)) { /* send until paused or caught up */ }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.#sendTimeoutNow(m.from);
  }

  /** Thesis §3.10: bring the target up to date, then tell it to campaign at once. */
  #startTransfer(target: NodeId): void {
    if (target === this.id || !this.isVoter(target)) return;
    if (this.leadTransferee === target) return;
    this.leadTransferee = target;
    this.#electionElapsed = 0; // the transfer must finish within an election timeout
    const pr = this.progress.get(target)!;
    if (pr.match === this.log.lastIndex()) this.#sendTimeoutNow(target);
    else this.#maybeSendAppend(target, true);
  }
}
