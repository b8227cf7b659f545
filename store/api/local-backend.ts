// An EtcdBackend over the in-memory MVCC engine for a single member with no Raft: every
// request applies at once, this member is always the leader, leases expire by a local
// timer, and the member list is this member. It is what lets the API be tested with real
// etcdctl before the replicated member exists; that member will implement the same
// interface. Beyond the engine it adds what etcd's server adds: server-chosen lease IDs,
// the lease clock, the space quota with its NOSPACE alarm, and the watch sync timers.

import * as api from './backend.js';
import { ETCD_API_VERSION } from './backend.js';
import { etcdError } from './errors.js';
import {
  LOCAL_DEFAULT_QUOTA_BYTES, LOCAL_LEASE_EXPIRY_CHECK_MS, LOCAL_MAX_LEASE_REVOKES_PER_CHECK,
  LOCAL_WATCH_PROGRESS_NOTIFY_MS, LOCAL_WATCH_SYNC_MS,
} from './limits.js';
import { MvccStore, type MvccLimits, type QuotaRequest } from '../mvcc/index.js';
import { SNAPSHOT_FORMAT_VERSION } from '../mvcc/limits.js';
import * as cv from './local-convert.js';
import { LocalWatchStream } from './local-watch.js';

export interface LocalBackendOptions {
  memberId: bigint;
  /** Member name (etcd --name). */
  name: string;
  peerUrls: string[];
  /** May be set later (setClientUrls) once the server knows its port. */
  clientUrls?: string[];
  /** Space quota (etcd --quota-backend-bytes; default 2 GiB like etcd). */
  quotaBytes?: number;
  mvccLimits?: Partial<MvccLimits>;
  /** Progress-notify interval (etcd --experimental-watch-progress-notify-interval, 10 min). */
  progressNotifyIntervalMs?: number;
  /** Clock for lease expiry, in ms. */
  now?: () => number;
}

/** Status.storageVersion and SnapshotResponse.version: the engine's snapshot format, not etcd's bbolt. */
export const SNAPSHOT_STORAGE_VERSION = `flotilla-mvcc/${SNAPSHOT_FORMAT_VERSION}`;

const LEASE_ID_SUFFIX_MASK = (1n << 48n) - 1n;
const LEASE_ID_MASK = (1n << 63n) - 1n;

interface LeaseClock {
  ttlSeconds: number;
  expiresAtMs: number;
}

export class LocalBackend implements api.EtcdBackend {
  readonly store: MvccStore;
  readonly #opts: LocalBackendOptions;
  readonly #now: () => number;
  readonly #quotaBytes: number;
  readonly #leases = new Map<bigint, LeaseClock>();
  readonly #alarms = new Map<string, api.AlarmMember>();
  readonly #timers: NodeJS.Timeout[] = [];
  #clientUrls: string[];
  #peerUrls: string[];
  #leaseIdSuffix: bigint;
  /** Stands in for the Raft index: one per applied change request. */
  #appliedIndex = 0n;
  #syncScheduled = false;
  #closed = false;
  /** This member's NOSPACE alarm key, built once: every write checks it (a bigint to decimal each time otherwise). */
  readonly #noSpaceKey: string;

  constructor(options: LocalBackendOptions) {
    this.#opts = options;
    this.#now = options.now ?? Date.now;
    this.#quotaBytes = options.quotaBytes ?? LOCAL_DEFAULT_QUOTA_BYTES;
    this.#clientUrls = options.clientUrls ?? [];
    this.#peerUrls = options.peerUrls;
    this.#noSpaceKey = `${options.memberId}:${api.AlarmType.NOSPACE}`;
    this.store = new MvccStore({ limits: options.mvccLimits });
    // etcd idutil: member-ID prefix, time-seeded counter.
    this.#leaseIdSuffix = (BigInt(this.#now()) & ((1n << 40n) - 1n)) << 8n;
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(LOCAL_WATCH_SYNC_MS, () => this.#syncWatchers());
    every(LOCAL_LEASE_EXPIRY_CHECK_MS, () => this.expireLeases());
    every(options.progressNotifyIntervalMs ?? LOCAL_WATCH_PROGRESS_NOTIFY_MS, () => this.store.progressNotifyTick());
  }

  setClientUrls(urls: string[]): void {
    this.#clientUrls = [...urls];
  }

  /** Stop the timers. Open watch streams stay usable until closed by the server. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }

  raftTerm(): bigint {
    return 1n;
  }

  currentRevision(): bigint {
    return cv.big(this.store.currentRevision);
  }

  // ---- KV ------------------------------------------------------------------------------

  async range(req: api.RangeRequest): Promise<api.RangeResponse> {
    return cv.rangeResp(cv.unwrap(this.store.range(cv.rangeReq(req))));
  }

  async put(req: api.PutRequest): Promise<api.PutResponse> {
    const r = cv.putReq(req);
    this.#checkQuota({ put: r });
    return this.#applied(cv.putResp(cv.unwrap(this.store.put(r))));
  }

  async deleteRange(req: api.DeleteRangeRequest): Promise<api.DeleteRangeResponse> {
    return this.#applied(cv.deleteResp(cv.unwrap(this.store.deleteRange(cv.deleteReq(req)))));
  }

  async txn(req: api.TxnRequest): Promise<api.TxnResponse> {
    const r = cv.txnReq(req);
    if (this.store.requestCost({ txn: r }) > 0) this.#checkQuota({ txn: r });
    return this.#applied(cv.txnResp(cv.unwrap(this.store.txn(r))));
  }

  async compact(req: api.CompactionRequest): Promise<api.CompactionResponse> {
    const r = cv.unwrap(this.store.compact({ revision: cv.num(req.revision), physical: req.physical }));
    return this.#applied({ revision: cv.big(r.revision) });
  }

  // ---- Watch ---------------------------------------------------------------------------

  openWatchStream(onReadable: () => void): api.BackendWatchStream {
    return new LocalWatchStream(this.store, onReadable, () => this.#kickSync());
  }

  /** Catch up watchers behind the current revision and retry held batches (etcd's sync loops). */
  #syncWatchers(): boolean {
    const before = this.store.watchStats();
    if (before.unsynced === 0 && before.victims === 0) return false;
    const left = this.store.syncWatchers();
    const moved = this.store.syncVictims();
    return moved > 0 || left < before.unsynced;
  }

  /** Sync again soon (not only on the timer) while it makes progress. */
  #kickSync(): void {
    if (this.#syncScheduled || this.#closed) return;
    this.#syncScheduled = true;
    setImmediate(() => {
      this.#syncScheduled = false;
      if (this.#syncWatchers()) this.#kickSync();
    });
  }

  // ---- Leases --------------------------------------------------------------------------

  async leaseGrant(req: api.LeaseGrantRequest): Promise<api.LeaseGrantResponse> {
    this.#checkQuota({ leaseGrant: { id: req.id, ttlSeconds: cv.num(req.ttlSeconds) } });
    const id = req.id === 0n ? this.#newLeaseId() : req.id;
    const r = cv.unwrap(this.store.leaseGrant({ id, ttlSeconds: cv.num(req.ttlSeconds) }));
    this.#leases.set(id, { ttlSeconds: r.ttlSeconds, expiresAtMs: this.#now() + r.ttlSeconds * 1000 });
    return this.#applied({ revision: cv.big(r.revision), id: r.id, ttlSeconds: cv.big(r.ttlSeconds) });
  }

  async leaseRevoke(id: bigint): Promise<api.Revisioned> {
    const r = cv.unwrap(this.store.leaseRevoke(id));
    this.#leases.delete(id);
    return this.#applied({ revision: cv.big(r.revision) });
  }

  async leaseRenew(id: bigint): Promise<bigint> {
    const clock = this.#leases.get(id);
    if (clock === undefined) throw etcdError('leaseNotFound');
    const now = this.#now();
    if (now >= clock.expiresAtMs) {
      this.#revokeExpired(id);
      throw etcdError('leaseNotFound');
    }
    clock.expiresAtMs = now + clock.ttlSeconds * 1000;
    return cv.big(clock.ttlSeconds);
  }

  async leaseTimeToLive(id: bigint, withKeys: boolean): Promise<api.LeaseTimeToLiveResponse> {
    const clock = this.#leases.get(id);
    const r = this.store.leaseTimeToLive(id, withKeys);
    if (clock === undefined || r.ttlSeconds === -1) throw etcdError('leaseNotFound');
    const remainingSeconds = Math.max(0, Math.trunc((clock.expiresAtMs - this.#now()) / 1000));
    return {
      revision: cv.big(r.revision), id, ttlSeconds: cv.big(remainingSeconds),
      grantedTtlSeconds: cv.big(r.grantedTtlSeconds), keys: r.keys,
    };
  }

  async leaseLeases(): Promise<api.LeaseLeasesResponse> {
    const r = this.store.leaseLeases();
    return { revision: cv.big(r.revision), ids: r.leases.map((l) => l.id) };
  }

  /** Revoke leases whose TTL ran out (etcd's lessor does this every 500 ms, rate-limited). */
  expireLeases(): number {
    const now = this.#now();
    let revoked = 0;
    for (const [id, clock] of this.#leases) {
      if (revoked >= LOCAL_MAX_LEASE_REVOKES_PER_CHECK) break;
      if (clock.expiresAtMs > now) continue;
      this.#revokeExpired(id);
      revoked++;
    }
    return revoked;
  }

  #revokeExpired(id: bigint): void {
    this.#leases.delete(id);
    const r = this.store.leaseRevoke(id);
    if (r.ok) this.#appliedIndex++;
  }

  #newLeaseId(): bigint {
    const prefix = (this.#opts.memberId & 0xffffn) << 48n;
    for (;;) {
      this.#leaseIdSuffix = (this.#leaseIdSuffix + 1n) & LEASE_ID_SUFFIX_MASK;
      const id = (prefix | this.#leaseIdSuffix) & LEASE_ID_MASK;
      if (id !== 0n && !this.#leases.has(id)) return id;
    }
  }

  // ---- Cluster -------------------------------------------------------------------------

  #self(): api.Member {
    return {
      id: this.#opts.memberId, name: this.#opts.name, peerUrls: [...this.#peerUrls], clientUrls: [...this.#clientUrls],
      isLearner: false,
    };
  }

  #members(): api.MembersResponse {
    return { revision: 0n, members: [this.#self()] };
  }

  /** Membership changes need Raft; a lone member without it cannot make them. */
  async memberAdd(): Promise<api.MemberAddResponse> {
    throw etcdError('notCapable');
  }

  async memberRemove(id: bigint): Promise<api.MembersResponse> {
    throw etcdError(id === this.#opts.memberId ? 'notCapable' : 'memberNotFound');
  }

  async memberUpdate(id: bigint, peerUrls: string[]): Promise<api.MembersResponse> {
    if (id !== this.#opts.memberId) throw etcdError('memberNotFound');
    this.#peerUrls = [...peerUrls];
    return this.#members();
  }

  async memberList(): Promise<api.MembersResponse> {
    return this.#members();
  }

  async memberPromote(id: bigint): Promise<api.MembersResponse> {
    throw etcdError(id === this.#opts.memberId ? 'memberNotLearner' : 'memberNotFound');
  }

  // ---- Maintenance ---------------------------------------------------------------------

  /** etcd quota: refuse while NOSPACE is raised; raise it when a request would not fit. */
  #checkQuota(req: QuotaRequest): void {
    if (this.#alarms.has(this.#noSpaceKey)) throw etcdError('noSpace');
    if (this.store.fitsQuota(req, this.#quotaBytes)) return;
    this.#alarms.set(this.#noSpaceKey, { memberId: this.#opts.memberId, alarm: api.AlarmType.NOSPACE });
    throw etcdError('noSpace');
  }

  async alarm(req: api.AlarmRequest): Promise<api.AlarmResponse> {
    const key = `${req.memberId}:${req.alarm}`;
    switch (req.action) {
      case api.AlarmAction.GET:
        return { revision: 0n, alarms: [...this.#alarms.values()] };
      case api.AlarmAction.ACTIVATE: {
        if (req.alarm === api.AlarmType.NONE) return { revision: 0n, alarms: [] };
        const a = { memberId: req.memberId, alarm: req.alarm };
        this.#alarms.set(key, a);
        return { revision: 0n, alarms: [a] };
      }
      case api.AlarmAction.DEACTIVATE: {
        const a = this.#alarms.get(key);
        this.#alarms.delete(key);
        return { revision: 0n, alarms: a === undefined ? [] : [a] };
      }
      default:
        return { revision: 0n, alarms: [] };
    }
  }

  async status(): Promise<api.StatusResponse> {
    const size = cv.big(this.store.sizeBytes);
    return {
      revision: 0n, version: ETCD_API_VERSION, dbSizeBytes: size, dbSizeInUseBytes: size,
      dbSizeQuotaBytes: cv.big(this.#quotaBytes), leader: this.#opts.memberId, raftIndex: this.#appliedIndex,
      raftTerm: this.raftTerm(), raftAppliedIndex: this.#appliedIndex, isLearner: false,
      storageVersion: SNAPSHOT_STORAGE_VERSION, alarms: [...this.#alarms.values()],
    };
  }

  async defragment(): Promise<api.Revisioned> {
    return { revision: 0n }; // nothing to reclaim: compaction frees memory at once
  }

  async hash(): Promise<api.HashResponse> {
    return { revision: 0n, hash: this.store.hash() };
  }

  async hashKV(revision: bigint): Promise<api.HashKVResponse> {
    const r = cv.unwrap(this.store.hashKV(cv.num(revision)));
    return {
      revision: cv.big(r.revision), hash: r.hash, compactRevision: cv.big(r.compactRevision),
      hashRevision: cv.big(r.hashRevision),
    };
  }

  async snapshot(): Promise<api.BackendSnapshot> {
    const data = this.store.snapshot();
    async function* once(): AsyncGenerator<Uint8Array> {
      yield data;
    }
    return {
      revision: this.currentRevision(), version: SNAPSHOT_STORAGE_VERSION, sizeBytes: cv.big(data.length),
      chunks: once(),
    };
  }

  async moveLeader(targetId: bigint): Promise<api.Revisioned> {
    if (targetId === this.#opts.memberId) return { revision: 0n }; // already the leader
    throw etcdError('badLeaderTransferee');
  }

  async downgrade(): Promise<api.DowngradeResponse> {
    throw etcdError('notCapable');
  }

  #applied<T>(resp: T): T {
    this.#appliedIndex++;
    return resp;
  }
}
