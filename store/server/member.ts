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
  type ConfChange, ConfChangeType, type ConfState, type Entry, EntryType, type HardState, NONE, type Ready,
  type ReadState, type RejectReason, Role, type SoftState,
} from '../raft/types.js';
import type { Snapshotter } from '../snapshot/index.js';
import { PeerTransport } from '../transport/index.js';
import type { WAL } from '../wal/index.js';
import type { Applier } from './applier.js';
import { initialMembers, type OpenedDataDir } from './data-dir.js';
import { LeaseClock } from './lease-clock.js';
import { memberIdOf, raftId } from './members.js';
import { MEMBER_LIMITS, type MemberOptions, hostPort, requestTimeoutMs } from './options.js';
import { decodeConfContext, decodeEnvelope, encodeEnvelope, type ReplicatedRequest } from './request.js';

interface Waiter {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** The encoded envelope, kept to re-propose after a leader change; undefined for conf changes. */
  data?: Uint8Array;
}

interface ReadRound {
  ctx: string;
  waiters: Waiter[];
  sentAtMs: number;
}

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
  #confState: ConfState;
  #soft: SoftState = { leader: NONE, role: Role.Follower };
  #term = 0;
  #lastSnapshotIndex: number;
  #timers: NodeJS.Timeout[] = [];
  #scheduled = false;
  #applyScheduled = false;
  #driving = false;
  #again = false;
  #stopped = false;
  #revoking = new Set<bigint>();
  /** Set when the member has applied everything committed at start: it may then serve. */
  #caughtUp = false;
  #startCommit = 0;
  /** The newest entry applied to the state machine; node.applied catches up at advance(). */
  #appliedIndex = 0;
  /** A commit-only hard state not yet written (see #saveReady). */
  #unsavedHardState: HardState | undefined;
  #hardStateSeenAtTick: HardState | undefined;

  constructor(options: MemberOptions, opened: OpenedDataDir, log: Logger, events: MemberEvents = {}) {
    this.options = options;
    this.log = log;
    this.#events = events;
    this.id = opened.memberId;
    this.raftId = raftId(opened.memberId);
    this.clusterId = opened.clusterId;
    this.applier = opened.applier;
    this.#storage = opened.raftStorage;
    this.#wal = opened.wal;
    this.#snapshotter = opened.snapshotter;
    this.#lastSnapshotIndex = opened.applied;
    this.#confState = opened.raftStorage.initialState().confState;
    const electionTicks = Math.max(2, Math.round(options.electionTimeoutMs / options.heartbeatIntervalMs));
    this.node = new RaftNode({
      id: this.raftId, storage: opened.raftStorage, applied: opened.applied,
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
        this.node.step(m);
        this.#kick();
        this.#kickApply();
      },
      onUnreachable: (id) => this.node.reportUnreachable(id),
      onSnapshotStatus: (id, ok) => {
        this.node.reportSnapshot(id, ok);
        this.#kick();
      },
    });
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
      this.node.tick();
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
      this.#waiters.set(id, { resolve, reject, timer: this.#timeout(id), data });
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
      this.#waiters.set(id, { resolve, reject, timer: this.#timeout(id) });
      this.#kick();
    });
  }

  nextRequestId(): string {
    return `${this.raftId}.${this.#nonce}.${++this.#counter}`;
  }

  #timeout(id: string): NodeJS.Timeout {
    const t = setTimeout(() => {
      const w = this.#waiters.get(id);
      if (!w) return;
      this.#waiters.delete(id);
      w.reject(etcdError(this.#soft.leader === NONE ? 'noLeader' : 'timeout'));
    }, requestTimeoutMs(this.options));
    t.unref();
    return t;
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
    clearTimeout(w.timer);
    if (r.ok) w.resolve(r.value);
    else w.reject(r.error);
  }

  // ------------------------------------------------------------------ reads

  /** Resolves when a read of the local state machine is linearizable (ReadIndex, §6.4). */
  linearizableRead(): Promise<void> {
    if (this.#stopped) return Promise.reject(etcdError('stopped'));
    if (this.#readPending.length >= MEMBER_LIMITS.maxPendingReads) return Promise.reject(etcdError('tooManyRequests'));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve: () => resolve(), reject, timer: setTimeout(() => {
        this.#readPending = this.#readPending.filter((x) => x !== w);
        if (this.#readRound) this.#readRound.waiters = this.#readRound.waiters.filter((x) => x !== w);
        reject(etcdError(this.#soft.leader === NONE ? 'noLeader' : 'timeout'));
      }, requestTimeoutMs(this.options)) };
      w.timer.unref();
      this.#readPending.push(w);
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
    void this.waitApplied(rs.index).then(() => {
      for (const w of r.waiters) {
        clearTimeout(w.timer);
        w.resolve(undefined);
      }
    });
    this.#startReadRound();
  }

  waitApplied(index: number): Promise<void> {
    if (Math.max(this.node.applied, this.#appliedIndex) >= index) return Promise.resolve();
    return new Promise((resolve) => this.#appliedWaiters.push({ index, resolve }));
  }

  #releaseAppliedWaiters(applied: number): void {
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
   * While a Ready waits on disk, a message may commit more entries (a follower's ack, a
   * leader's commit index): apply them at once instead of after that write and the next
   * one (see RaftNode.takeCommittedEntries). Without a Ready outstanding, #drive does it.
   */
  #kickApply(): void {
    if (this.#applyScheduled || !this.#driving) return;
    this.#applyScheduled = true;
    setImmediate(() => {
      this.#applyScheduled = false;
      if (this.#stopped || !this.#driving) return;
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
    if (rd.hardState) this.#term = rd.hardState.term;
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
    await this.#maybeSnapshot(applied);
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
    }, { sync: rd.mustSync || rd.snapshot !== undefined });
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
    await this.#snapshotter.save(rd.snapshot!);
    await this.#saveReady(rd);
    this.#installSnapshot(rd);
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
    this.applier.restore(snap.data);
    this.#confState = snap.metadata.confState;
    this.#lastSnapshotIndex = snap.metadata.index;
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

  #syncPeers(): void {
    const want = this.#peerUrls();
    for (const id of this.transport.peerIds()) if (!want.has(id)) this.transport.removePeer(id);
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
   * This member's snapshot interval: --snapshot-count plus a per-member offset of up to
   * 20%. Encoding a snapshot blocks a member for a while (it grows with history); members
   * that all snapshotted at the same index would stall together and take the quorum with
   * them. Staggered, at most one member pauses at a time.
   */
  #snapshotInterval(): number {
    const spread = Number(this.id % 1000n) / 1000; // deterministic per member, in [0, 1)
    return Math.max(1, Math.round(this.options.snapshotCount * (1 + 0.2 * spread)));
  }

  /**
   * §7: snapshot the state machine and compact the log behind it. Encoding blocks this
   * member; on a follower that costs nothing while the other voters answer, but on the
   * leader every write would wait, and a pause past the peers' ping timeout looks like a
   * dead leader. So a leader that is due hands leadership to its most caught-up follower
   * first (thesis §3.10 transfer: a few milliseconds; proposals are held and retried) and
   * snapshots once it is a follower. Only if no transfer succeeds by twice the interval
   * does the leader snapshot in place.
   */
  async #maybeSnapshot(applied: number): Promise<void> {
    const due = applied - this.#lastSnapshotIndex >= this.#snapshotInterval();
    // Entries applied early (#kickApply) may not be in storage yet; a later Ready snapshots.
    if (!due || applied > this.#storage.lastIndex()) return;
    const overdue = applied - this.#lastSnapshotIndex >= 2 * this.#snapshotInterval();
    if (this.isLeader && this.#confState.voters.length > 1 && !overdue) {
      this.#handOverForSnapshot();
      return;
    }
    const snap = this.#storage.createSnapshot(applied, this.#confState, this.applier.snapshot());
    await this.#snapshotter.save(snap);
    await this.#wal.save({ snapshotMarker: { index: snap.metadata.index, term: snap.metadata.term } });
    this.#lastSnapshotIndex = applied;
    const compactTo = applied - MEMBER_LIMITS.snapshotCatchUpEntries;
    if (compactTo > this.#storage.firstIndex()) {
      this.#storage.compact(compactTo);
      await this.#wal.releaseTo(compactTo);
    }
    this.log.info({ index: applied, compactedTo: Math.max(compactTo, 0) }, 'saved snapshot');
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
    for (const [id] of this.#waiters) this.#settle(id, { ok: false, error: etcdError('stopped') });
    for (const w of [...this.#readPending, ...(this.#readRound?.waiters ?? [])]) {
      clearTimeout(w.timer);
      w.reject(etcdError('stopped'));
    }
    // Let an in-flight Ready finish its fsync before closing the WAL.
    for (let i = 0; i < 100 && this.#driving; i++) await new Promise((r) => setTimeout(r, 10));
    await this.#saveHardState().catch(() => {}); // best effort: the commit index is relearned anyway
    await this.transport.close();
    await this.#wal.close();
  }

  #handOverForSnapshot(): void {
    const st = this.node.status();
    if (st.leadTransferee !== NONE) return; // already under way
    const target = this.#mostCaughtUpVoter();
    if (target === undefined || (st.progress[target]?.match ?? 0) < st.commit) return; // nobody ready yet
    this.log.info({ to: target }, 'handing leadership over before taking a snapshot');
    this.node.transferLeadership(target);
    this.#kick();
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
