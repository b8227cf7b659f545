// The vocabulary of the consensus core: log entries, messages, persistent state and
// the Ready batch the core hands to its driver. Everything here is plain data so the
// driver can persist it (WAL), send it (peer transport) or keep it in a simulation.

/** A member's identity. The store maps etcd's 64-bit member IDs to hex strings. */
export type NodeId = string;

/** "No node": no vote cast, no leader known. */
export const NONE: NodeId = '';

export enum EntryType {
  /** Application data; an empty Normal entry is the no-op a new leader appends (§8). */
  Normal = 0,
  /** A membership change, encoded as a ConfChange; takes effect when applied. */
  ConfChange = 1,
}

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

export enum ConfChangeType {
  /** Add a voter, or promote an existing learner to voter. */
  AddNode = 0,
  RemoveNode = 1,
  /** Add a non-voting member that receives the log but is not counted in quorums. */
  AddLearner = 2,
}

export interface ConfChange {
  type: ConfChangeType;
  nodeId: NodeId;
  /** Opaque to the core (the store puts the member's peer URLs here). */
  context?: Uint8Array;
}

/** The membership the core believes in: who votes and who only learns. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

/** State that must be durable before the core's after-persist messages leave (§5.1, Figure 2). */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  /** The application's state machine image at metadata.index. */
  data: Uint8Array;
}

export enum MessageType {
  /** Local: a member's election timer fired (or a forced campaign). */
  Hup = 'Hup',
  /** Local: the leader's heartbeat timer fired. */
  Beat = 'Beat',
  /** A client proposal; followers forward it to the leader. */
  Prop = 'Prop',
  App = 'App',
  AppResp = 'AppResp',
  Vote = 'Vote',
  VoteResp = 'VoteResp',
  PreVote = 'PreVote',
  PreVoteResp = 'PreVoteResp',
  Snap = 'Snap',
  Heartbeat = 'Heartbeat',
  HeartbeatResp = 'HeartbeatResp',
  /** Local: the driver reports a snapshot to `from` was delivered or failed. */
  SnapStatus = 'SnapStatus',
  /** Local: the driver reports `from` is unreachable (transport failure). */
  Unreachable = 'Unreachable',
  /** Ask the leader to hand leadership to `from`'s chosen target (carried in `from`). */
  TransferLeader = 'TransferLeader',
  /** Leader to transfer target: start an election now, skipping PreVote (thesis §3.10). */
  TimeoutNow = 'TimeoutNow',
  ReadIndex = 'ReadIndex',
  ReadIndexResp = 'ReadIndexResp',
}

/**
 * One message between members. A flat shape (as in etcd's raftpb.Message) so the peer
 * transport serialises it without per-type code; which fields matter depends on `type`.
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** App: term of the entry at `index`. Vote/PreVote: candidate's last log term. */
  logTerm: number;
  /** App: index of the entry before `entries`. AppResp: the responder's match (or hint). */
  index: number;
  entries: Entry[];
  commit: number;
  /** AppResp / VoteResp: the request was refused. */
  reject: boolean;
  /** AppResp reject: the follower's last index, for fast back-off (§5.3). */
  rejectHint: number;
  snapshot?: Snapshot;
  /** ReadIndex: the client's request id. */
  context?: Uint8Array;
  /** Heartbeat/HeartbeatResp: the ReadIndex round this heartbeat confirms (§6.4). */
  readRound?: number;
  /** Vote/Hup: this campaign was requested by leadership transfer (thesis §3.10). */
  transfer?: boolean;
}

/** The outcome of a ReadIndex request: reads at or after `index` are linearizable. */
export interface ReadState {
  index: number;
  context: Uint8Array;
}

export enum Role {
  Follower = 'follower',
  PreCandidate = 'pre-candidate',
  Candidate = 'candidate',
  Leader = 'leader',
}

/** Volatile state the driver may show or act on (e.g. redirect clients to the leader). */
export interface SoftState {
  leader: NodeId;
  role: Role;
}

/**
 * Everything the driver must do, in this order:
 *  1. send `messages` (they do not depend on this Ready being durable — the leader's
 *     replication may run in parallel with its own disk write, thesis §10.2.1);
 *  2. persist `snapshot`, `entries` and `hardState` (one fsync covers them all);
 *  3. send `messagesAfterPersist` (votes and acknowledgements that promise durability);
 *  4. apply `snapshot` then `committedEntries` to the state machine, serve `readStates`;
 *  5. call `advance(ready)`.
 * Step 4 may run while step 2's write is on disk: committed entries are already durable on
 * a quorum (a `snapshot` must be persisted and installed first, though).
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  messagesAfterPersist: Message[];
  readStates: ReadState[];
  /** True when entries or hardState (term/vote) must be fsynced before step 3. */
  mustSync: boolean;
}

/** Why a proposal, conf change, read or transfer was not accepted. A value, not an exception. */
export type RejectReason =
  | { code: 'not-leader'; leader: NodeId }
  | { code: 'no-leader' }
  | { code: 'transferring-leadership'; leader: NodeId }
  | { code: 'uncommitted-limit' }
  | { code: 'conf-change-pending' }
  | { code: 'invalid-conf-change'; why: string }
  | { code: 'learner' };

export type Accepted = { ok: true } | { ok: false; reason: RejectReason };

/**
 * The read-only view of durable state the core needs (etcd's Storage). The driver writes
 * to it after persisting a Ready; the core only reads. Indices are Raft log indices.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most `maxSizeBytes` of data but always at least one. */
  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] | 'compacted' | 'unavailable';
  /** Term of entry i; 'compacted' if i is before the snapshot, 'unavailable' past the end. */
  term(i: number): number | 'compacted' | 'unavailable';
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot | 'temporarily-unavailable';
}

/** A seeded random source; the only randomness the core sees (election timeouts). */
export interface Rng {
  /** An integer in [0, n). */
  int(n: number): number;
}

/**
 * Classic Raft bugs the core can be switched to re-introduce, so the simulator proves
 * it catches them. Never enabled outside tests and `flotilla chaos sim --bug`.
 */
export enum SeededBug {
  /** Count replicas to commit an entry from a previous term (the paper's Figure 8, §5.4.2). */
  CommitPreviousTerm = 'commit-previous-term',
  /** Grant a vote without the candidate's-log-is-up-to-date check (§5.4.1). */
  VoteWithoutLogCheck = 'vote-without-log-check',
  /** Send votes and append acknowledgements before term, vote and entries are durable. */
  ReplyBeforePersist = 'reply-before-persist',
  /** Hand entries to the state machine before they are committed. */
  ApplyBeforeCommit = 'apply-before-commit',
  /** Answer ReadIndex from the local commit index without a quorum round (§6.4). */
  ReadIndexWithoutQuorum = 'read-index-without-quorum',
  /** Accept AppendEntries from a leader of an older term (§5.1). */
  AcceptStaleTermAppend = 'accept-stale-term-append',
}

export interface Config {
  id: NodeId;
  /** Overrides of the defaults in limits.ts. */
  limits?: Partial<import('./limits.js').RaftLimits>;
  storage: Storage;
  rng: Rng;
  /** Ticks without hearing from a leader before campaigning; randomized in [n, 2n). */
  electionTicks: number;
  /** Leader heartbeat interval in ticks; must be well below electionTicks. */
  heartbeatTicks: number;
  /** Index already applied to the state machine (restart); committed entries start after it. */
  applied?: number;
  /** PreVote (thesis §9.6). Default true. */
  preVote?: boolean;
  /** CheckQuorum (thesis §6.2): leaders step down without quorum contact. Default true. */
  checkQuorum?: boolean;
  /** Followers forward proposals to the leader instead of rejecting. Default true. */
  forwardProposals?: boolean;
  /**
   * When the driver reports the leader unreachable (reportUnreachable — e.g. its socket
   * closed because the process died), forget it and campaign within a few ticks instead of
   * a whole election timeout. PreVote still needs a majority that lost the leader too.
   * Default false.
   */
  campaignOnLeaderLoss?: boolean;
  /** Re-introduce classic bugs (tests and the simulator only). */
  seededBugs?: ReadonlySet<SeededBug>;
}
