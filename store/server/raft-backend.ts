// The etcd v3 API (store/api) over a Raft-replicated member: writes are proposed and
// answered when applied here; linearizable reads wait for a ReadIndex round, serializable
// reads are served from the local state machine at once; watches run on the local state
// machine, which every member keeps current. Requests sent to a follower are served or
// forwarded through Raft, never refused for being on a follower.
import { randomInt } from 'node:crypto';
import * as api from '../api/backend.js';
import { etcdError } from '../api/errors.js';
import * as cv from '../api/local-convert.js';
import { LocalWatchStream } from '../api/local-watch.js';
import type { QuotaRequest } from '../mvcc/store.js';
import type { RequestOp as MvccRequestOp, TxnRequest as MvccTxnRequest } from '../mvcc/types.js';
import { ConfChangeType } from '../raft/types.js';
import { runInSlices } from '../snapshot/index.js';
import { SNAPSHOT_SLICE_MS } from '../wal/limits.js';
import { computeMemberId, raftId } from './members.js';
import type { Member } from './member.js';
import { MEMBER_LIMITS } from './options.js';
import { encodeConfContext } from './request.js';
import { MEMBER_SNAPSHOT_VERSION } from './restore.js';

const STORAGE_VERSION = 'flotilla-mvcc/1';
const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
const LEASE_ID_MASK = (1n << 63n) - 1n;

function isReadOnlyTxn(t: api.TxnRequest): boolean {
  const ro = (ops: api.RequestOp[]) => ops.every((op) => 'range' in op || ('txn' in op && isReadOnlyTxn(op.txn)));
  return ro(t.success) && ro(t.failure);
}

/**
 * What the quota looks at in a txn: its puts (and its nested txns' puts). Built instead of
 * converting the whole txn (compares, ranges) to the engine's form on every write; the
 * API's PutRequest already is a valid engine PutRequest.
 */
export function quotaTxn(t: api.TxnRequest): MvccTxnRequest {
  const puts = (ops: api.RequestOp[]): MvccRequestOp[] => {
    const out: MvccRequestOp[] = [];
    for (const op of ops) {
      if ('put' in op) out.push({ requestPut: op.put });
      else if ('txn' in op) out.push({ requestTxn: quotaTxn(op.txn) });
    }
    return out;
  };
  return { success: puts(t.success), failure: puts(t.failure) };
}

/** etcd's memberBadUrls for a URL that does not parse (and, for an update, for none at all). */
function checkPeerUrls(peerUrls: string[], nonEmpty: boolean): void {
  if (nonEmpty && peerUrls.length === 0) throw etcdError('memberBadUrls');
  for (const u of peerUrls) {
    try {
      new URL(u);
    } catch {
      throw etcdError('memberBadUrls');
    }
  }
}

export class RaftBackend implements api.EtcdBackend {
  readonly #m: Member;
  readonly #quotaBytes: number;
  readonly #timers: NodeJS.Timeout[] = [];
  #syncScheduled = false;

  constructor(member: Member) {
    this.#m = member;
    this.#quotaBytes = member.options.quotaBackendBytes;
    const t1 = setInterval(() => this.#syncWatchers(), MEMBER_LIMITS.watchSyncIntervalMs);
    const t2 = setInterval(() => this.#m.applier.store.progressNotifyTick(), MEMBER_LIMITS.watchProgressNotifyMs);
    this.#timers.push(t1, t2);
  }

  close(): void {
    for (const t of this.#timers) clearInterval(t);
  }

  get #store() {
    return this.#m.applier.store;
  }

  raftTerm(): bigint {
    return BigInt(this.#m.node.term); // every response header: keep it cheap
  }

  currentRevision(): bigint {
    return cv.big(this.#store.currentRevision);
  }

  // ---- KV ------------------------------------------------------------------------------

  async range(req: api.RangeRequest): Promise<api.RangeResponse> {
    if (!req.serializable) await this.#m.linearizableRead();
    return cv.rangeResp(cv.unwrap(this.#store.range(cv.rangeReq(req))));
  }

  /** Not async: the proposal's own promise is the answer (an async wrapper adds a promise and its jobs per write). */
  put(req: api.PutRequest): Promise<api.PutResponse> {
    try {
      return this.#checkQuota({ put: req }) ?? this.#m.propose({ op: 'put', req }) as Promise<api.PutResponse>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async deleteRange(req: api.DeleteRangeRequest): Promise<api.DeleteRangeResponse> {
    return (await this.#m.propose({ op: 'deleteRange', req })) as api.DeleteRangeResponse;
  }

  async txn(req: api.TxnRequest): Promise<api.TxnResponse> {
    if (isReadOnlyTxn(req)) {
      // etcd serves read-only txns without a log entry, after a linearizable read barrier.
      await this.#m.linearizableRead();
      return cv.txnResp(cv.unwrap(this.#store.txn(cv.txnReq(req))));
    }
    const quota = { txn: quotaTxn(req) };
    const refused = this.#store.requestCost(quota) > 0 ? this.#checkQuota(quota) : undefined;
    if (refused !== undefined) await refused;
    return (await this.#m.propose({ op: 'txn', req })) as api.TxnResponse;
  }

  async compact(req: api.CompactionRequest): Promise<api.CompactionResponse> {
    return (await this.#m.propose({ op: 'compact', req })) as api.CompactionResponse;
  }

  /**
   * etcd's quota: refuse while NOSPACE is raised; raise it (through Raft) when a write would
   * not fit. The common answer, "fits", is undefined rather than a resolved promise (no
   * promise and no extra microtask on every write); a refusal is a promise that rejects.
   */
  #checkQuota(req: QuotaRequest): Promise<never> | undefined {
    if (this.#m.applier.noSpace()) return Promise.reject(etcdError('noSpace'));
    if (this.#store.fitsQuota(req, this.#quotaBytes)) return undefined;
    return this.#m.propose({
      op: 'alarm', req: { action: api.AlarmAction.ACTIVATE, memberId: this.#m.id, alarm: api.AlarmType.NOSPACE },
    }).catch(() => {}).then(() => {
      throw etcdError('noSpace');
    });
  }

  // ---- Watch ---------------------------------------------------------------------------

  openWatchStream(onReadable: () => void): api.BackendWatchStream {
    return new LocalWatchStream(this.#store, onReadable, () => this.#kickSync());
  }

  #syncWatchers(): boolean {
    const s = this.#store.watchStats();
    if (s.unsynced === 0 && s.victims === 0) return false;
    const left = this.#store.syncWatchers();
    const moved = this.#store.syncVictims();
    return moved > 0 || left < s.unsynced;
  }

  #kickSync(): void {
    if (this.#syncScheduled) return;
    this.#syncScheduled = true;
    setImmediate(() => {
      this.#syncScheduled = false;
      if (this.#syncWatchers()) this.#kickSync();
    });
  }

  // ---- Leases --------------------------------------------------------------------------

  async leaseGrant(req: api.LeaseGrantRequest): Promise<api.LeaseGrantResponse> {
    if (this.#m.applier.noSpace()) throw etcdError('noSpace');
    // As etcd: a client that sends no ID gets one prefixed with the member's ID bits.
    const random = BigInt(randomInt(2 ** 47 - 1) + 1);
    const id = req.id !== 0n ? req.id : (((this.#m.id & 0xffffn) << 47n) | random) & LEASE_ID_MASK;
    return (await this.#m.propose({ op: 'leaseGrant', req: { id, ttlSeconds: req.ttlSeconds } })) as api.LeaseGrantResponse;
  }

  async leaseRevoke(id: bigint): Promise<api.Revisioned> {
    return (await this.#m.propose({ op: 'leaseRevoke', req: { id } })) as api.Revisioned;
  }

  async leaseRenew(id: bigint): Promise<bigint> {
    if (this.#m.isLearner()) throw etcdError('notSupportedForLearner');
    return (await this.#m.propose({ op: 'leaseRenew', req: { id } })) as bigint;
  }

  async leaseTimeToLive(id: bigint, withKeys: boolean): Promise<api.LeaseTimeToLiveResponse> {
    const r = this.#store.leaseTimeToLive(id, withKeys);
    if (r.ttlSeconds === -1) throw etcdError('leaseNotFound');
    const remaining = (this.#m.isLeader ? this.#m.leaseClock.remainingSeconds(id) : undefined) ?? r.ttlSeconds;
    return {
      revision: cv.big(r.revision), id, ttlSeconds: cv.big(remaining), grantedTtlSeconds: cv.big(r.grantedTtlSeconds),
      keys: r.keys,
    };
  }

  async leaseLeases(): Promise<api.LeaseLeasesResponse> {
    const r = this.#store.leaseLeases();
    return { revision: cv.big(r.revision), ids: r.leases.map((l) => l.id) };
  }

  // ---- Cluster -------------------------------------------------------------------------

  #members(): api.MembersResponse {
    return { revision: 0n, members: this.#m.applier.members.toApi() };
  }

  async memberAdd(peerUrls: string[], isLearner: boolean): Promise<api.MemberAddResponse> {
    checkPeerUrls(peerUrls, false);
    const registry = this.#m.applier.members;
    const id = computeMemberId(peerUrls, this.#m.applier.clusterToken);
    if (registry.get(id)) throw etcdError('memberExist');
    if (registry.all().some((m) => m.peerUrls.some((u) => peerUrls.includes(u)))) throw etcdError('peerUrlExist');
    const reqId = this.#m.nextRequestId();
    await this.#m.proposeConfChange({
      type: isLearner ? ConfChangeType.AddLearner : ConfChangeType.AddNode, nodeId: raftId(id),
      context: encodeConfContext({ id: reqId, memberId: id, name: '', peerUrls, isLearner }),
    }, reqId);
    const member = registry.get(id);
    const out = { id, name: member?.name ?? '', peerUrls, clientUrls: member?.clientUrls ?? [], isLearner };
    return { ...this.#members(), member: out };
  }

  async memberRemove(id: bigint): Promise<api.MembersResponse> {
    const rec = this.#m.applier.members.get(id);
    if (!rec) throw etcdError('memberNotFound');
    const reqId = this.#m.nextRequestId();
    await this.#m.proposeConfChange({
      type: ConfChangeType.RemoveNode, nodeId: raftId(id),
      context: encodeConfContext({
        id: reqId, memberId: id, name: rec.name, peerUrls: rec.peerUrls, isLearner: rec.isLearner,
      }),
    }, reqId);
    return this.#members();
  }

  /**
   * New peer URLs for a member, replicated as an ordinary entry: every member's registry
   * and transport follow it in log order (etcd proposes a ConfChangeUpdateNode, which
   * changes no quorum either). The member keeps its ID.
   */
  async memberUpdate(id: bigint, peerUrls: string[]): Promise<api.MembersResponse> {
    checkPeerUrls(peerUrls, true);
    const registry = this.#m.applier.members;
    if (!registry.get(id)) throw etcdError('memberNotFound');
    if (registry.all().some((m) => m.id !== id && m.peerUrls.some((u) => peerUrls.includes(u)))) {
      throw etcdError('peerUrlExist');
    }
    await this.#m.propose({ op: 'memberUpdate', req: { memberId: id, peerUrls } });
    return this.#members();
  }

  async memberList(linearizable: boolean): Promise<api.MembersResponse> {
    if (linearizable) await this.#m.linearizableRead();
    return this.#members();
  }

  async memberPromote(id: bigint): Promise<api.MembersResponse> {
    const rec = this.#m.applier.members.get(id);
    if (!rec) throw etcdError('memberNotFound');
    if (!rec.isLearner) throw etcdError('memberNotLearner');
    if (this.#m.isLeader) {
      // etcd: a learner may be promoted only once it holds 90% of the leader's log.
      const st = this.#m.node.status();
      const match = st.progress[raftId(id)]?.match ?? 0;
      if (match < st.commit * 0.9) throw etcdError('learnerNotReady');
    }
    const reqId = this.#m.nextRequestId();
    await this.#m.proposeConfChange({
      type: ConfChangeType.AddNode, nodeId: raftId(id),
      context: encodeConfContext({ id: reqId, memberId: id, name: rec.name, peerUrls: rec.peerUrls, isLearner: false }),
    }, reqId);
    return this.#members();
  }

  // ---- Maintenance ---------------------------------------------------------------------

  async alarm(req: api.AlarmRequest): Promise<api.AlarmResponse> {
    if (req.action === api.AlarmAction.GET) return { revision: 0n, alarms: [...this.#m.applier.alarms.values()] };
    return (await this.#m.propose({ op: 'alarm', req })) as api.AlarmResponse;
  }

  async status(): Promise<api.StatusResponse> {
    const st = this.#m.node.status();
    const size = cv.big(this.#store.sizeBytes);
    return {
      revision: 0n, version: api.ETCD_API_VERSION, dbSizeBytes: size, dbSizeInUseBytes: size,
      dbSizeQuotaBytes: cv.big(this.#quotaBytes), leader: this.#m.leader, raftIndex: BigInt(st.commit),
      raftTerm: BigInt(st.term), raftAppliedIndex: BigInt(st.applied), isLearner: this.#m.isLearner(),
      storageVersion: STORAGE_VERSION, alarms: [...this.#m.applier.alarms.values()],
    };
  }

  async defragment(): Promise<api.Revisioned> {
    return { revision: 0n }; // in-memory engine: compaction frees memory at once
  }

  async hash(): Promise<api.HashResponse> {
    return { revision: 0n, hash: this.#store.hash() };
  }

  async hashKV(revision: bigint): Promise<api.HashKVResponse> {
    const r = cv.unwrap(this.#store.hashKV(cv.num(revision)));
    return {
      revision: cv.big(r.revision), hash: r.hash, compactRevision: cv.big(r.compactRevision),
      hashRevision: cv.big(r.hashRevision),
    };
  }

  async snapshot(): Promise<api.BackendSnapshot> {
    // Encoded in slices, like the member's own snapshots: a backup must not stall Raft.
    const revision = this.currentRevision(); // the state the steps captured
    const data = await runInSlices(this.#m.applier.snapshotSteps(), { sliceMs: SNAPSHOT_SLICE_MS });
    const size = data.length;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.length; i += SNAPSHOT_CHUNK_BYTES) yield data.subarray(i, i + SNAPSHOT_CHUNK_BYTES);
    }
    return {
      revision, version: MEMBER_SNAPSHOT_VERSION, sizeBytes: cv.big(size),
      chunks: chunks(),
    };
  }

  async moveLeader(targetId: bigint): Promise<api.Revisioned> {
    if (!this.#m.isLeader) throw etcdError('notLeader');
    if (targetId === this.#m.id) return { revision: 0n };
    if (!this.#m.confState.voters.includes(raftId(targetId))) throw etcdError('badLeaderTransferee');
    this.#m.node.transferLeadership(raftId(targetId));
    const deadline = Date.now() + this.#m.options.electionTimeoutMs * 3;
    while (Date.now() < deadline) {
      if (this.#m.leader === targetId) return { revision: 0n };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw etcdError('timeoutDueToLeaderFail');
  }

  async downgrade(): Promise<api.DowngradeResponse> {
    throw etcdError('notCapable');
  }
}
