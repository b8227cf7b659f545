// One store member: drives the pure Raft core with real time, disk and network.
//
// The Ready loop (types.ts `Ready`): send `messages` → start persisting entries and hard
// state with one fsync (WAL group commit) → apply committed entries and answer ReadIndex
// while that write is on disk → send `messagesAfterPersist` → advance. (A snapshot from
// the leader is persisted and installed before anything after it is applied.) While one
// Ready waits on fsync, new proposals and messages accumulate in the core and the next
// Ready carries them all: batching falls out of the loop. Entries that a message commits
// meanwhile are applied at once (#kickApply), not after that write.
import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { etcdError, type EtcdApiError } from '../api/errors.js';
import { decodeConfChange } from '../raft/confchange.js';
import type { MemoryStorage } from '../raft/memory-storage.js';
import { RaftNode } from '../raft/node.js';
import {
  type ConfChange, ConfChangeType, type ConfState, type Entry, EntryType, type HardState, type Message, MessageType,
  NONE, type Ready,
  type ReadState, type RejectReason, Role, type SoftState, type Storage,
} from '../raft/types.js';
import { SnapshotDeltaUnavailable } from '../mvcc/snapshot-encode.js';
import { MAX_SNAPSHOT_DELTAS, SNAPSHOT_CHAIN_MAX_STATE_RATIO } from '../snapshot/limits.js';
import { SlicedWorkAborted, type Snapshotter, runInSlices } from '../snapshot/index.js';
import { PeerTransport } from '../transport/index.js';
import type { WAL, WalStats } from '../wal/index.js';
import { SNAPSHOT_SLICE_MS } from '../wal/limits.js';
import type { Applier, StateImageSize } from './applier.js';
import { initialMembers, type OpenedDataDir } from './data-dir.js';
import { LeaseClock } from './lease-clock.js';
import { memberIdOf, raftId } from './members.js';
import { nextSnapshotIndex } from './snapshot-schedule.js';
import { MEMBER_LIMITS, type MemberOptions, hostPort, requestTimeoutMs } from './options.js';
import { decodeConfContext, decodeEnvelope, encodeEnvelope, type ReplicatedRequest } from './request.js';
import { StallMonitor } from './stall-monitor.js';

interface Waiter {
  resolve(v: unknown): void;
  reject(e: Error): void;
  /**
   * When it fails with a timeout (#expireRequests). Every request gets the same timeout, so
   * waiters queued in arrival order are in deadline order too: no timer per request.
   */
  deadlineMs: number;
  /** The encoded envelope, kept to re-propose after a leader change; undefined for conf changes. */
  data?: Uint8Array;
}

interface ReadRound {
  ctx: string;
  waiters: Waiter[];
  sentAtMs: number;
}

/**
 * The snapshot files this member's next delta would extend: the newest link's Raft index and
 * store revision, and the bytes written since the last full snapshot.
 */
interface SnapshotChain {
  index: number;
  rev: number;
  /**
   * Bytes of the store's image in the full snapshot and in the deltas: what a restart
   * replays. Without the applier's small fields, which each file carries whole (the dedup
   * window's ids alone are ~2 MB) and a restart reads only from the newest.
   */
  baseBytes: number;
  deltaBytes: number;
  deltas: number;
}

/** A snapshot on its way to disk: a full one, or a delta on top of `chain`. */
interface SnapshotJob {
  index: number;
  confState: ConfState;
  rev: number;
  steps: Generator<void, Uint8Array, void>;
  chain: SnapshotChain | undefined;
  /** For a full image (no chain): why (member.ts #fullBecause), for the log. */
  fullBecause: string | undefined;
  /** Filled in by the steps: the store's part of the bytes (SnapshotChain). */
  sizes: StateImageSize;
}

const EMPTY_DATA = new Uint8Array(0);

export interface MemberEvents {
  onLeaderChange?(leader: bigint, term: number): void;
  onRemoved?(): void;
  onFatal?(err: unknown): void;
}

export class Member {
  readonly id: bigint;
  readonly raftId: string;
  readonly clusterId: bigint;
  readonly options: MemberOptions;
  readonly log: Logger;
  readonly applier: Applier;
  readonly node: RaftNode;
  readonly leaseClock = new LeaseClock();
  readonly transport: PeerTransport;
  readonly #storage: MemoryStorage;
  readonly #wal: WAL;
  readonly #snapshotter: Snapshotter;
  readonly #events: MemberEvents;
  readonly #nonce = randomBytes(4).toString('hex');
  #counter = 0;
  #queue: { id: string; data: Uint8Array }[] = [];
  readonly #waiters = new Map<string, Waiter>();
  #readPending: Waiter[] = [];
  #readRound: ReadRound | undefined;
  #appliedWaiters: { index: number; resolve(): void }[] = [];
  /** Reads whose ReadIndex round answered, waiting for that index to apply; rounds in index order. */
  #readsAwaitingApply: { index: number; waiters: Waiter[] }[] = [];
  #confState: ConfState;
  #soft: SoftState = { leader: NONE, role: Role.Follower };
  #term = 0;
  #lastSnapshotIndex: number;
  /** The snapshot being taken in the background (#maybeSnapshot), if any. */
  #snapshotting: Promise<void> | undefined;
  /** Chains every snapshot write to disk, ours and the leader's (§7), so they never interleave. */
  #snapshotDisk: Promise<unknown> = Promise.resolve();
  /** Why the term may move next, for the log line when it does (see #noteMessage). */
  #termCause = 'start';
  #leaderContactAtMs = Date.now();
  /** What the background snapshot is doing, for the stall log. */
  #snapshotPhase = 'idle';
  /** What the next delta snapshot applies on top of; undefined: the next snapshot is full. */
  #chain: SnapshotChain | undefined;
  /**
   * False while the Raft storage's snapshot is a delta's (no image a follower could install):
   * the leader then answers 'temporarily-unavailable' and takes a full snapshot (#fullWanted).
   */
  #snapshotSendable = true;
  #fullWanted = false;
  readonly #stalls: StallMonitor;
  #timers: NodeJS.Timeout[] = [];
  #scheduled = false;
  #applyScheduled = false;
  #driving = false;
  #again = false;
  #stopped = false;
  #revoking = new Set<bigint>();
  /** Peers that left the membership, still connected for MEMBER_LIMITS.removedPeerLingerMs (#syncPeers). */
  readonly #leavingPeers = new Set<string>();
  /** Set when the member has applied everything committed at start: it may then serve. */
  #caughtUp = false;
  #startCommit = 0;
  /** The newest entry applied to the state machine; node.applied catches up at advance(). */
  #appliedIndex: number;
  /** A commit-only hard state not yet written (see #saveReady). */
  #unsavedHardState: HardState | undefined;
  #hardStateSeenAtTick: HardState | undefined;

  constructor(options: MemberOptions, opened: OpenedDataDir, log: Logger, events: MemberEvents = {}) {
    this.options = options;
    this.log = log;
    this.#stalls = new StallMonitor(options.heartbeatIntervalMs, log,
      () => ({ snapshot: this.#snapshotPhase, leader: this.isLeader }));
    this.#events = events;
    this.id = opened.memberId;
    this.raftId = raftId(opened.memberId);
    this.clusterId = opened.clusterId;
    this.applier = opened.applier;
    this.#storage = opened.raftStorage;
    this.#wal = opened.wal;
    this.#snapshotter = opened.snapshotter;
    this.#lastSnapshotIndex = opened.applied;
    this.#appliedIndex = opened.applied;
    this.#chain = opened.snapshotChain === undefined ? undefined : { ...opened.snapshotChain };
    this.#snapshotSendable = opened.snapshotSendable;
    this.#confState = opened.raftStorage.initialState().confState;
    const electionTicks = Math.max(2, Math.round(options.electionTimeoutMs / options.heartbeatIntervalMs));
    this.node = new RaftNode({
      id: this.raftId, storage: this.#raftStorageView(opened.raftStorage), applied: opened.applied,
      rng: { int: (n: number) => randomInt(n) }, electionTicks, heartbeatTicks: 1, campaignOnLeaderLoss: true,
    });
    this.#startCommit = this.node.status().commit;
    this.applier.onLease = (e) => {
      if (e.kind === 'revoke') {
        this.leaseClock.forget(e.id);
        this.#revoking.delete(e.id);
      } else {
        this.leaseClock.restart(e.id, e.ttlSeconds);
      }
    };
    this.applier.onPeersChanged = () => this.#syncPeers();
    const listen = hostPort(options.listenPeerUrls[0]!, '--listen-peer-urls');
    this.transport = new PeerTransport({
      selfId: this.raftId, clusterId: options.initialClusterToken, listen, peers: this.#peerUrls(),
      logger: log.child({ component: 'transport' }),
      onMessage: (m) => {
        if (this.#stopped) return;
        this.#noteMessage(m);
        this.node.step(m);
        // Apply first: both run in the next check phase, in this order, so entries this message
        // committed are applied (their clients answered) before #drive spends the turn writing
        // the Ready's messages — the commit index to the followers — to the sockets.
        this.#kickApply();
        this.#kick();
      },
      onUnreachable: (id) => {
        if (id === this.#soft.leader) this.#termCause = `the transport lost the connection to leader ${id}`;
        this.node.reportUnreachable(id);
      },
      onSnapshotStatus: (id, ok) => {
        this.node.reportSnapshot(id, ok);
        this.#kick();
      },
    });
  }

  /** The storage the Raft core reads: ours, except that a delta's snapshot is never handed out to send. */
  #raftStorageView(s: MemoryStorage): Storage {
    return {
      initialState: () => s.initialState(),
      entries: (lo, hi, maxSizeBytes) => s.entries(lo, hi, maxSizeBytes),
      term: (i) => s.term(i),
      firstIndex: () => s.firstIndex(),
      lastIndex: () => s.lastIndex(),
      snapshot: () => {
        if (this.#snapshotSendable) return s.snapshot();
        if (!this.#fullWanted) {
          this.#fullWanted = true;
          this.log.info({ index: s.snapshot().metadata.index }, 'a follower needs a snapshot: taking a full one');
          setImmediate(() => this.#maybeSnapshot());
        }
        return 'temporarily-unavailable';
      },
    };
  }

  /** Peer URLs of every other member we know, from the replicated registry and the flags. */
  #peerUrls(): Map<string, string> {
    const m = new Map<string, string>();
    for (const rec of this.applier.members.all()) {
      if (rec.id !== this.id && rec.peerUrls[0]) m.set(raftId(rec.id), rec.peerUrls[0]);
    }
    if (m.size === 0 && this.applier.members.all().length === 0) {
      // Before anything is applied (a new member), the flags say where the peers are.
      for (const [name, id] of initialMembers(this.options).ids) {
        const url = this.options.initialCluster.get(name)?.[0];
        if (id !== this.id && url) m.set(raftId(id), url);
      }
    }
    return m;
  }

  async start(): Promise<void> {
    await this.transport.start();
    this.#stalls.start();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.#fatal(e);
        }
      }, ms);
      this.#timers.push(t);
    };
    every(this.options.heartbeatIntervalMs, () => {
      this.#stalls.tick();
      const role = this.node.role;
      this.node.tick();
      if (role === Role.Follower && this.node.role !== Role.Follower) {
        this.#termCause = `election timeout: nothing from leader for ${Date.now() - this.#leaderContactAtMs} ms`;
      }
      this.#kick();
      // Only once a commit-only hard state waited a whole tick (the member is idle): under
      // load the next entries carry it, and a write here would put one more write (and an
      // fdatasync in a separate trip) in front of theirs.
      if (this.#unsavedHardState && this.#unsavedHardState === this.#hardStateSeenAtTick) {
        this.#saveHardState().catch((e: unknown) => this.#fatal(e));
      }
      this.#hardStateSeenAtTick = this.#unsavedHardState;
    });
    every(MEMBER_LIMITS.readIndexRetryMs, () => this.#retryReadRound(MEMBER_LIMITS.readIndexRetryMs));
    every(MEMBER_LIMITS.requestExpiryCheckMs, () => this.#expireRequests());
    every(MEMBER_LIMITS.leaseExpiryCheckMs, () => this.#expireLeases());
    every(this.options.leaseCheckpointIntervalMs, () => this.#checkpointLeases());
    this.#kick();
  }

  // ------------------------------------------------------------------ state

  get leader(): bigint {
    return this.#soft.leader === NONE ? 0n : memberIdOf(this.#soft.leader);
  }

  get isLeader(): boolean {
    return this.#soft.role === Role.Leader;
  }

  get term(): number {
    return this.#term;
  }

  get confState(): ConfState {
    return this.#confState;
  }

  /** Ready to serve: a leader is known and everything committed at start is applied. */
  get ready(): boolean {
    return !this.#stopped && this.#soft.leader !== NONE && this.#caughtUp;
  }

  /** The WAL's counters (fsyncs, commit groups), for /metrics. */
  walStats(): WalStats {
    return this.#wal.stats();
  }

  isLearner(): boolean {
    return this.#confState.learners.includes(this.raftId);
  }

  // ------------------------------------------------------------------ proposals

  /** Replicate a request; resolves with its result once this member applied it. */
  propose(request: ReplicatedRequest): Promise<unknown> {
    if (this.#stopped) return Promise.reject(etcdError('stopped'));
    const full = this.#queue.length >= MEMBER_LIMITS.maxQueuedProposals
      || this.#waiters.size >= MEMBER_LIMITS.maxPendingProposals;
    if (full) {
      return Promise.reject(etcdError('tooManyRequests'));
    }
    const id = `${this.raftId}.${this.#nonce}.${++this.#counter}`;
    const data = encodeEnvelope({ id, request });
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject, deadlineMs: this.#deadline(), data });
      this.#queue.push({ id, data });
      this.#kick();
    });
  }

  /** Propose a membership change; resolves once applied here. */
  proposeConfChange(cc: ConfChange, id: string): Promise<unknown> {
    if (this.#stopped) return Promise.reject(etcdError('stopped'));
    return new Promise((resolve, reject) => {
      const accepted = this.node.proposeConfChange(cc);
      if (!accepted.ok) {
        reject(rejectionError(accepted.reason));
        return;
      }
      this.#waiters.set(id, { resolve, reject, deadlineMs: this.#deadline() });
      this.#kick();
    });
  }

  nextRequestId(): string {
    return `${this.raftId}.${this.#nonce}.${++this.#counter}`;
  }

  #deadline(): number {
    return Date.now() + requestTimeoutMs(this.options);
  }

  /** Fail the proposals and reads whose deadline passed (etcd: "request timed out"). */
  #expireRequests(): void {
    const now = Date.now();
    const error = () => etcdError(this.#soft.leader === NONE ? 'noLeader' : 'timeout');
    for (const [id, w] of this.#waiters) {
      if (w.deadlineMs > now) break; // the rest are younger
      this.#waiters.delete(id);
      w.reject(error());
    }
    const keep = (w: Waiter): boolean => {
      if (w.deadlineMs > now) return true;
      w.reject(error());
      return false;
    };
    if ((this.#readPending[0]?.deadlineMs ?? now + 1) <= now) this.#readPending = this.#readPending.filter(keep);
    const round = this.#readRound;
    if (round && (round.waiters[0]?.deadlineMs ?? now + 1) <= now) round.waiters = round.waiters.filter(keep);
    for (const group of this.#readsAwaitingApply) {
      if (group.waiters.length === 0) continue;
      if ((group.waiters[0]?.deadlineMs ?? now) > now) break; // later groups are younger
      group.waiters = group.waiters.filter(keep);
    }
  }

  #flushProposals(): void {
    if (this.#queue.length === 0) return;
    // Without a leader, hold proposals (until their timeout) instead of failing them:
    // clients see a pause during an election, as with etcd.
    if (this.#soft.leader === NONE && this.node.leader === NONE) return;
    const batch = this.#queue;
    this.#queue = [];
    const accepted = this.node.proposeBatch(batch.map((b) => b.data));
    if (accepted.ok) return;
    if (accepted.reason.code === 'no-leader' || accepted.reason.code === 'transferring-leadership') {
      this.#queue = batch.concat(this.#queue); // try again when a leader is known
      return;
    }
    for (const b of batch) this.#settle(b.id, { ok: false, error: rejectionError(accepted.reason) });
  }

  #settle(id: string, r: { ok: true; value: unknown } | { ok: false; error: EtcdApiError }): void {
    const w = this.#waiters.get(id);
    if (!w) return;
    this.#waiters.delete(id);
    if (r.ok) w.resolve(r.value);
    else w.reject(r.error);
  }

  // ------------------------------------------------------------------ reads

  /** Resolves when a read of the local state machine is linearizable (ReadIndex, §6.4). */
  linearizableRead(): Promise<void> {
    if (this.#stopped) return Promise.reject(etcdError('stopped'));
    if (this.#readPending.length >= MEMBER_LIMITS.maxPendingReads) return Promise.reject(etcdError('tooManyRequests'));
    return new Promise<void>((resolve, reject) => {
      this.#readPending.push({ resolve: () => resolve(), reject, deadlineMs: this.#deadline() });
      if (!this.#readRound) this.#startReadRound();
    });
  }

  /** All reads that arrived since the last round share one ReadIndex request. */
  #startReadRound(): void {
    if (this.#readPending.length === 0) return;
    const ctx = `${this.#nonce}.r${++this.#counter}`;
    this.#readRound = { ctx, waiters: this.#readPending, sentAtMs: Date.now() };
    this.#readPending = [];
    // A refusal (no leader yet) is retried by #retryReadRound.
    this.node.readIndex(new TextEncoder().encode(ctx));
    this.#kick();
  }

  /** Ask again for a round older than `minAgeMs` (its request or answer may be lost). */
  #retryReadRound(minAgeMs: number): void {
    const r = this.#readRound;
    if (!r || Date.now() - r.sentAtMs < minAgeMs) return;
    this.#readRound = undefined;
    this.#readPending = r.waiters.concat(this.#readPending);
    this.#startReadRound();
  }

  #onReadState(rs: ReadState): void {
    const r = this.#readRound;
    if (!r || new TextDecoder().decode(rs.context) !== r.ctx) return;
    this.#readRound = undefined;
    if (Math.max(this.node.applied, this.#appliedIndex) >= rs.index) {
      for (const w of r.waiters) w.resolve(undefined);
    } else {
      this.#readsAwaitingApply.push({ index: rs.index, waiters: r.waiters });
    }
    this.#startReadRound();
  }

  waitApplied(index: number): Promise<void> {
    if (Math.max(this.node.applied, this.#appliedIndex) >= index) return Promise.resolve();
    return new Promise((resolve) => this.#appliedWaiters.push({ index, resolve }));
  }

  #releaseAppliedWaiters(applied: number): void {
    let done = 0;
    for (const group of this.#readsAwaitingApply) {
      if (group.index > applied) break;
      for (const w of group.waiters) w.resolve(undefined);
      done++;
    }
    if (done > 0) this.#readsAwaitingApply.splice(0, done);
    if (this.#appliedWaiters.length === 0) return;
    const keep: { index: number; resolve(): void }[] = [];
    for (const w of this.#appliedWaiters) {
      if (w.index <= applied) w.resolve();
      else keep.push(w);
    }
    this.#appliedWaiters = keep;
  }

  // ------------------------------------------------------------------ the Ready loop

  #kick(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drive();
    });
  }

  /**
   * A message may commit entries (a follower's ack, a leader's commit index): apply them at
   * once (see RaftNode.takeCommittedEntries) — while a Ready waits on disk, instead of after
   * that write and the next one; without one, ahead of the Ready that would carry them,
   * whose messages are written first.
   */
  #kickApply(): void {
    if (this.#applyScheduled) return;
    this.#applyScheduled = true;
    setImmediate(() => {
      this.#applyScheduled = false;
      if (this.#stopped) return;
      try {
        this.#applyCommitted(this.node.takeCommittedEntries());
      } catch (e) {
        this.#fatal(e);
      }
    });
  }

  #applyCommitted(ents: readonly Entry[]): void {
    const last = ents[ents.length - 1];
    if (!last) return;
    for (const e of ents) this.#applyEntry(e);
    this.#appliedIndex = last.index;
    this.node.appliedTo(ents);
    this.#releaseAppliedWaiters(last.index);
    if (!this.#caughtUp && last.index >= this.#startCommit) this.#caughtUp = true;
  }

  async #drive(): Promise<void> {
    if (this.#driving) {
      this.#again = true;
      return;
    }
    this.#driving = true;
    try {
      do {
        this.#again = false;
        this.#flushProposals();
        while (!this.#stopped && this.node.hasReady()) {
          await this.#handleReady(this.node.ready());
          this.#flushProposals(); // proposals that came during that Ready's write join the next one
        }
      } while (this.#again && !this.#stopped);
    } catch (e) {
      this.#fatal(e);
    } finally {
      this.#driving = false;
    }
  }

  async #handleReady(rd: Ready): Promise<void> {
    if (rd.softState) this.#onSoftState(rd.softState);
    if (rd.hardState) this.#onTerm(rd.hardState.term);
    this.transport.send(rd.messages);
    this.transport.flush();
    if (rd.snapshot) {
      await this.#persistAndInstallSnapshot(rd);
      this.#applyReady(rd);
    } else {
      // Committed entries are durable on a quorum already, so they are applied (and their
      // clients answered) while this Ready's own entries are on their way to disk, as etcd
      // does: the apply overlaps the fsync instead of waiting one more disk round for it.
      const saving = this.#saveReady(rd);
      await Promise.resolve(); // one microtask: the WAL issues its write before the apply runs
      this.#applyReady(rd);
      await saving;
    }
    this.#storage.append(rd.entries);
    if (rd.hardState) this.#storage.setHardState(rd.hardState);
    this.transport.send(rd.messagesAfterPersist);
    this.transport.flush();
    this.node.advance(rd);
    const applied = this.node.applied;
    this.#releaseAppliedWaiters(applied);
    if (!this.#caughtUp && applied >= this.#startCommit) this.#caughtUp = true;
    this.#maybeSnapshot();
  }

  /**
   * Entries, hard state and snapshot marker with one write; fsynced when the Ready says so.
   * A hard state whose only change is the commit index needs no fsync (a restarted member
   * learns the commit index again from the leader), so it is not written on its own: it
   * rides along with the next write, or #saveHardState writes it within a heartbeat.
   */
  #saveReady(rd: Ready): Promise<void> {
    if (rd.entries.length === 0 && !rd.snapshot && !rd.mustSync) {
      if (rd.hardState) this.#unsavedHardState = rd.hardState;
      return Promise.resolve();
    }
    const hardState = rd.hardState ?? this.#unsavedHardState;
    this.#unsavedHardState = undefined;
    return this.#wal.save({
      ...(hardState ? { hardState } : {}),
      ...(rd.entries.length > 0 ? { entries: rd.entries } : {}),
      ...(rd.snapshot ? { snapshotMarker: { index: rd.snapshot.metadata.index, term: rd.snapshot.metadata.term } }
        : {}),
    }, {
      sync: rd.mustSync || rd.snapshot !== undefined,
      // Nothing to send alongside (a follower: its ack waits for this write): a small write may
      // block this thread rather than pay the thread pool's two wake-ups (SaveOptions.inline).
      // Not while a snapshot file is being written: a durable write can wait behind that file's
      // fsync (tens of MiB for a full image), and inline that wait stalls ticks and clients.
      inline: rd.messages.length === 0 && this.#snapshotPhase !== 'writing',
    });
  }

  /** Write a commit-only hard state that no later Ready carried (heartbeat tick, stop). */
  #saveHardState(): Promise<void> {
    const hardState = this.#unsavedHardState;
    if (!hardState) return Promise.resolve();
    this.#unsavedHardState = undefined;
    return this.#wal.save({ hardState }, { sync: true }); // idle: the fsync costs nobody anything
  }

  /** §7 on a follower: the snapshot is durable and installed before anything after it applies. */
  async #persistAndInstallSnapshot(rd: Ready): Promise<void> {
    await this.#onSnapshotDisk(async () => {
      await this.#snapshotter.save(rd.snapshot!);
      await this.#saveReady(rd);
      this.#installSnapshot(rd);
    });
  }

  #onSnapshotDisk<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#snapshotDisk.then(fn);
    this.#snapshotDisk = run.catch(() => undefined);
    return run;
  }

  /** Apply committed entries, serve ReadIndex answers, and release reads waiting on them. */
  #applyReady(rd: Ready): void {
    for (const e of rd.committedEntries) this.#applyEntry(e);
    const last = rd.committedEntries[rd.committedEntries.length - 1];
    if (last) {
      this.#appliedIndex = last.index;
      this.#releaseAppliedWaiters(last.index);
    }
    for (const rs of rd.readStates) this.#onReadState(rs);
  }

  #installSnapshot(rd: Ready): void {
    const snap = rd.snapshot!;
    this.#storage.applySnapshot(snap);
    const imageBytes = this.applier.restore(snap.data);
    this.#confState = snap.metadata.confState;
    this.#lastSnapshotIndex = snap.metadata.index;
    this.#appliedIndex = snap.metadata.index;
    // The file saved for it is a full snapshot: later deltas chain onto it.
    this.#chain = { index: snap.metadata.index, rev: this.applier.store.currentRevision,
      baseBytes: imageBytes, deltaBytes: 0, deltas: 0 };
    this.#snapshotSendable = true;
    this.#syncPeers();
    if (this.isLeader) this.leaseClock.startFrom(this.applier.store, this.options.electionTimeoutMs);
    this.log.info({ index: snap.metadata.index, term: snap.metadata.term }, 'installed snapshot from leader');
  }

  #applyEntry(e: Entry): void {
    if (e.type === EntryType.ConfChange) {
      this.#applyConfChange(decodeConfChange(e.data));
      return;
    }
    if (e.data.length === 0) return; // a new leader's no-op (§8)
    const env = decodeEnvelope(e.data);
    const result = this.applier.applyOnce(env.id, env.request);
    if (result) this.#settle(env.id, result);
  }

  #applyConfChange(cc: ConfChange): void {
    const ctx = decodeConfContext(cc.context);
    this.#confState = this.node.applyConfChange(cc);
    const members = this.applier.members;
    const id = memberIdOf(cc.nodeId);
    if (ctx?.clusterToken) this.applier.clusterToken = ctx.clusterToken;
    if (cc.type === ConfChangeType.RemoveNode) {
      members.remove(id);
    } else {
      const old = members.get(id);
      members.upsert({
        id, name: ctx?.name ?? old?.name ?? '', peerUrls: ctx?.peerUrls ?? old?.peerUrls ?? [],
        clientUrls: old?.clientUrls ?? [], isLearner: cc.type === ConfChangeType.AddLearner,
      });
    }
    this.#syncPeers();
    if (ctx?.id) this.#settle(ctx.id, { ok: true, value: members.toApi() });
    if (cc.type === ConfChangeType.RemoveNode && id === this.id) {
      this.log.warn('this member was removed from the cluster; stopping');
      this.#events.onRemoved?.();
    }
  }

  /**
   * Dial every member we know; drop a member that left, a moment later. Messages already
   * produced for it still go out meanwhile — above all the append that tells a removed
   * member its removal committed: the leader applies the removal (#kickApply) as soon as a
   * quorum holds it, possibly before that append is sent, and a removed member that never
   * learns the commit never stops (etcd's removed members likewise hear it from peers).
   */
  #syncPeers(): void {
    const want = this.#peerUrls();
    for (const id of this.transport.peerIds()) {
      if (want.has(id) || this.#leavingPeers.has(id)) continue;
      this.#leavingPeers.add(id);
      setTimeout(() => {
        this.#leavingPeers.delete(id);
        if (!this.#stopped && !this.#peerUrls().has(id)) this.transport.removePeer(id);
      }, MEMBER_LIMITS.removedPeerLingerMs).unref();
    }
    for (const [id, url] of want) this.transport.addPeer(id, url);
  }

  #onSoftState(s: SoftState): void {
    const leaderChanged = s.leader !== this.#soft.leader;
    const becameLeader = s.role === Role.Leader && this.#soft.role !== Role.Leader;
    this.#soft = s;
    if (becameLeader) this.leaseClock.startFrom(this.applier.store, this.options.electionTimeoutMs);
    if (!leaderChanged) return;
    this.log.info({ leader: s.leader || null, role: s.role, term: this.node.term }, 'leader changed');
    this.#events.onLeaderChange?.(this.leader, this.node.term);
    if (s.leader === NONE) return;
    // Proposals forwarded to a leader that is gone are lost: propose them again. The
    // applier's dedup window makes a proposal that did commit apply only once.
    const queued = new Set(this.#queue.map((q) => q.id));
    for (const [id, w] of this.#waiters) if (w.data && !queued.has(id)) this.#queue.push({ id, data: w.data });
    this.#retryReadRound(0); // the old leader will not answer it
  }

  /**
   * §7: snapshot the state machine and compact the log behind it — in the background, on
   * every member alike, the leader included. The state at the applied index is captured
   * now (MvccStore.snapshotSteps: references, not copies), then encoded, checksummed
   * and written in slices between which this member keeps ticking, heartbeating, applying
   * and answering (etcd likewise snapshots off its Raft loop). Earlier the encoding blocked
   * the event loop for seconds, so a due leader handed leadership away first: one leader
   * change per snapshot.
   *
   * Most snapshots are deltas: what changed since the previous file (Applier.deltaSteps), so their
   * cost follows the write rate, not the history held — without compaction a full image
   * grows with every write, and encoding and writing it took seconds and hundreds of MiB.
   * A full image is taken first, when compaction passed the chain's end, when the chain is
   * long or mostly dead weight (#fullBecause), and when a follower needs one sent (§7).
   */
  #maybeSnapshot(): void {
    if (this.#snapshotting !== undefined || this.#stopped) return;
    const index = this.#appliedIndex;
    // Entries applied early (#kickApply) may not be in storage yet; a later Ready snapshots.
    if (index > this.#storage.lastIndex()) return;
    const due = nextSnapshotIndex({ lastIndex: this.#lastSnapshotIndex, count: this.options.snapshotCount,
      members: [...this.#confState.voters, ...this.#confState.learners], self: this.raftId });
    if (index < due && !this.#fullWanted) return;
    let fullBecause = this.#fullBecause();
    let chain = fullBecause !== undefined ? undefined : this.#chain;
    let steps: Generator<void, Uint8Array, void>;
    const sizes = { imageBytes: 0 };
    try {
      // The state at `index`, captured now.
      steps = chain ? this.applier.deltaSteps(chain.rev, sizes) : this.applier.snapshotSteps(sizes);
    } catch (e) {
      if (!(e instanceof SnapshotDeltaUnavailable)) throw e;
      // #fullBecause saw the compaction point; the revision log is the last word on what a delta can hold.
      chain = this.#chain = undefined;
      fullBecause = 'compacted past the chain';
      steps = this.applier.snapshotSteps(sizes);
    }
    const job: SnapshotJob = {
      index, chain, fullBecause, rev: this.applier.store.currentRevision, steps, sizes,
      confState: { voters: [...this.#confState.voters], learners: [...this.#confState.learners] },
    };
    this.#snapshotting = this.#snapshotInBackground(job)
      .catch((e: unknown) => {
        if (e instanceof SlicedWorkAborted) this.log.info({ index, reason: e.message }, 'snapshot abandoned');
        else this.#fatal(e);
      })
      .finally(() => {
        this.#snapshotting = undefined;
        this.#snapshotPhase = 'idle';
        if (this.#fullWanted && !this.#stopped) setImmediate(() => this.#maybeSnapshot());
      });
  }

  /** Why the next snapshot must be a full image rather than a delta on the chain; undefined: a delta will do. */
  #fullBecause(): string | undefined {
    const c = this.#chain;
    if (c === undefined) return 'no chain';
    if (this.#fullWanted) return 'a follower needs one';
    if (c.deltas >= MAX_SNAPSHOT_DELTAS) return 'chain long';
    // Compaction dropped revisions after the chain's end: no delta can describe the change.
    if (this.applier.store.compactRevision > c.rev + 1) return 'compacted past the chain';
    // Compaction also turned much of what the files hold into dead weight a restart replays.
    if (c.baseBytes + c.deltaBytes > SNAPSHOT_CHAIN_MAX_STATE_RATIO * this.applier.store.sizeBytes) return 'chain heavy';
    return undefined;
  }

  async #snapshotInBackground(job: SnapshotJob): Promise<void> {
    const { index, chain } = job;
    const startMs = performance.now();
    const slices = { sliceMs: SNAPSHOT_SLICE_MS, abort: () => this.#snapshotObsolete(index) };
    this.#snapshotPhase = chain ? 'encoding a delta' : 'encoding';
    const data = await runInSlices(job.steps, slices);
    const encodedMs = performance.now() - startMs;
    this.#snapshotPhase = 'waiting for the disk';
    await this.#onSnapshotDisk(async () => {
      const obsolete = this.#snapshotObsolete(index);
      if (obsolete !== undefined) throw new SlicedWorkAborted(obsolete);
      const snap = this.#storage.createSnapshot(index, job.confState, chain ? EMPTY_DATA : data);
      this.#snapshotSendable = !chain;
      // Cleared only now: a follower asking while this full image was encoded must not get another one.
      if (!chain) this.#fullWanted = false;
      this.#snapshotPhase = 'writing';
      if (chain) await this.#snapshotter.saveDelta({ ...snap, data }, chain.index);
      else await this.#snapshotter.save(snap);
      this.#chain = chain
        ? { ...chain, index, rev: job.rev, deltaBytes: chain.deltaBytes + job.sizes.imageBytes,
          deltas: chain.deltas + 1 }
        : { index, rev: job.rev, baseBytes: job.sizes.imageBytes, deltaBytes: 0, deltas: 0 };
      this.#snapshotPhase = 'compacting';
      // Crash safety (etcd's order): the file is durable before the WAL names it, and the
      // WAL record is durable before any segment behind it is deleted (releaseTo checks).
      await this.#wal.save({ snapshotMarker: { index, term: snap.metadata.term } });
      this.#lastSnapshotIndex = index;
      const compactTo = index - MEMBER_LIMITS.snapshotCatchUpEntries;
      if (compactTo > this.#storage.firstIndex()) {
        this.#storage.compact(compactTo);
        await this.#wal.releaseTo(compactTo);
      }
      this.log.info({ index, kind: chain ? 'delta' : 'full', ...(chain ? {} : { because: job.fullBecause }),
        bytes: data.byteLength, compactedTo: Math.max(compactTo, 0), encodeMs: Math.round(encodedMs),
        totalMs: Math.round(performance.now() - startMs) }, 'saved snapshot');
    });
  }

  /** Why a snapshot at `index` is no longer worth finishing, if it is not. */
  #snapshotObsolete(index: number): string | undefined {
    if (this.#stopped) return 'the member is stopping';
    const installed = this.#storage.snapshot().metadata.index;
    return installed >= index ? `a snapshot at ${installed} was installed meanwhile` : undefined;
  }

  // ------------------------------------------------------------------ diagnostics

  /** Remember what may explain the next term change: a higher term, or a transfer (§3.10). */
  #noteMessage(m: Message): void {
    if (m.term > this.node.term) this.#termCause = `${m.type} from ${m.from} with term ${m.term}`;
    else if (m.type === MessageType.TimeoutNow) this.#termCause = `leadership transfer to us from ${m.from}`;
    if (m.from === this.#soft.leader) this.#leaderContactAtMs = Date.now();
  }

  #onTerm(term: number): void {
    if (term === this.#term) return;
    if (this.#term !== 0) this.log.warn({ from: this.#term, to: term, cause: this.#termCause }, 'term changed');
    this.#term = term;
  }

  // ------------------------------------------------------------------ leases (leader only)

  #expireLeases(): void {
    if (!this.isLeader) return;
    for (const id of this.leaseClock.expired(MEMBER_LIMITS.maxLeaseRevokesPerCheck)) {
      if (this.#revoking.has(id)) continue;
      this.#revoking.add(id);
      this.propose({ op: 'leaseRevoke', req: { id } }).catch(() => this.#revoking.delete(id));
    }
  }

  #checkpointLeases(): void {
    if (!this.isLeader) return;
    const checkpoints = this.leaseClock.checkpoints(MEMBER_LIMITS.maxLeaseCheckpointsPerEntry);
    if (checkpoints.length > 0) this.propose({ op: 'leaseCheckpoint', req: { checkpoints } }).catch(() => {});
  }

  // ------------------------------------------------------------------ shutdown

  /** Graceful stop: hand leadership over first (etcd does the same), then close. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    if (this.isLeader && this.#confState.voters.length > 1) await this.#transferLeadershipAway();
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#stalls.stop();
    for (const [id] of this.#waiters) this.#settle(id, { ok: false, error: etcdError('stopped') });
    const reads = [...this.#readPending, ...(this.#readRound?.waiters ?? []),
      ...this.#readsAwaitingApply.flatMap((g) => g.waiters)];
    for (const w of reads) w.reject(etcdError('stopped'));
    // Let an in-flight Ready finish its fsync, and a snapshot its write, before closing the WAL.
    for (let i = 0; i < 100 && this.#driving; i++) await new Promise((r) => setTimeout(r, 10));
    await this.#snapshotting;
    await this.#saveHardState().catch(() => {}); // best effort: the commit index is relearned anyway
    await this.transport.close();
    await this.#wal.close();
  }

  #mostCaughtUpVoter(): string | undefined {
    const st = this.node.status();
    return this.#confState.voters
      .filter((v) => v !== this.raftId)
      .sort((a, b) => (st.progress[b]?.match ?? 0) - (st.progress[a]?.match ?? 0))[0];
  }

  async #transferLeadershipAway(): Promise<void> {
    const target = this.#mostCaughtUpVoter();
    if (!target) return;
    this.node.transferLeadership(target);
    this.#kick();
    const deadline = Date.now() + MEMBER_LIMITS.leaderTransferTimeoutMs;
    while (Date.now() < deadline && this.isLeader) await new Promise((r) => setTimeout(r, 10));
    this.log.info({ to: target, done: !this.isLeader }, 'leadership transfer on shutdown');
  }

  #fatal(e: unknown): void {
    this.log.fatal({ err: e }, 'member failed; stopping to avoid serving from a broken state');
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#stalls.stop();
    this.#events.onFatal?.(e);
  }
}

export function rejectionError(reason: RejectReason): EtcdApiError {
  switch (reason.code) {
    case 'no-leader':
      return etcdError('noLeader');
    case 'not-leader':
      return etcdError('notLeader');
    case 'transferring-leadership':
      return etcdError('leaderChanged');
    case 'uncommitted-limit':
      return etcdError('tooManyRequests');
    case 'conf-change-pending':
      return etcdError('unhealthy');
    case 'invalid-conf-change':
      return etcdError('memberNotFound');
    case 'learner':
      return etcdError('notSupportedForLearner');
  }
}
