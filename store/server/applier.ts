// The replicated state machine of a member: the MVCC engine, the member registry and the
// alarms, changed only by applying committed requests in log order. Deterministic — every
// member gets the same results — so any member can answer reads and watches.
import * as api from '../api/backend.js';
import { EtcdApiError, etcdError } from '../api/errors.js';
import * as cv from '../api/local-convert.js';
import { invariant } from '../mvcc/errors.js';
import { MvccStore, runSteps } from '../mvcc/index.js';
import { type MemberRecord, MemberRegistry } from './members.js';
import { type ReplicatedRequest, unpackState } from './request.js';
import { stateHeadSteps, stateImagePrefix } from './state-encode.js';

/**
 * Filled in by snapshotSteps/deltaSteps: the bytes of the store's image (or delta) in the
 * state they encode, without the small fields (a member weighs its chain of files by it).
 */
export interface StateImageSize {
  imageBytes: number;
}

export type ApplyResult = { ok: true; value: unknown } | { ok: false; error: EtcdApiError };

interface SavedState {
  mvcc: Uint8Array;
  members: MemberRecord[];
  alarms: api.AlarmMember[];
  recentIds: string[];
  clusterToken: string;
}

/**
 * How many applied request ids are remembered to drop duplicates. A member re-proposes
 * its unanswered requests after a leader change (the forwarded copy may have died with the
 * old leader); the window makes that retry apply at most once. Replicated (in snapshots),
 * so every member drops the same duplicates.
 */
export const DEDUP_WINDOW_REQUESTS = 65536;

function alarmKey(a: api.AlarmMember): string {
  return `${a.memberId}:${a.alarm}`;
}

export class Applier {
  store: MvccStore;
  readonly members = new MemberRegistry();
  readonly alarms = new Map<string, api.AlarmMember>();
  /** The --initial-cluster-token the cluster was bootstrapped with (member IDs hash it). */
  clusterToken = '';
  readonly #recent = new Set<string>();
  /** Ring buffer of the ids in #recent, oldest at #recentHead once full: O(1) per apply. */
  #recentRing: string[] = [];
  #recentHead = 0;
  /** Called when leases are granted, renewed or revoked, so the leader's clock follows. */
  onLease: (event: { kind: 'grant' | 'renew' | 'revoke'; id: bigint; ttlSeconds: number }) => void = () => {};
  /** Called when a member's peer URLs changed, so the transport dials the new ones. */
  onPeersChanged: () => void = () => {};

  constructor() {
    this.store = new MvccStore();
  }

  noSpace(): boolean {
    for (const a of this.alarms.values()) if (a.alarm === api.AlarmType.NOSPACE) return true;
    return false;
  }

  /** Apply one request; `undefined` when it is a duplicate of one already applied. */
  applyOnce(id: string, request: ReplicatedRequest): ApplyResult | undefined {
    if (this.#recent.has(id)) return undefined;
    this.#remember(id);
    return this.apply(request);
  }

  #remember(id: string): void {
    this.#recent.add(id);
    if (this.#recentRing.length < DEDUP_WINDOW_REQUESTS) {
      this.#recentRing.push(id);
      return;
    }
    this.#recent.delete(this.#recentRing[this.#recentHead]!);
    this.#recentRing[this.#recentHead] = id;
    this.#recentHead = (this.#recentHead + 1) % DEDUP_WINDOW_REQUESTS;
  }

  /** The remembered ids, oldest first (the order snapshots keep, so replicas evict alike). */
  recentIds(): string[] {
    return [...this.#recentRing.slice(this.#recentHead), ...this.#recentRing.slice(0, this.#recentHead)];
  }

  apply(request: ReplicatedRequest): ApplyResult {
    try {
      return { ok: true, value: this.#apply(request) };
    } catch (e) {
      if (e instanceof EtcdApiError) return { ok: false, error: e };
      throw e; // anything else is a bug: crash loudly rather than diverge from the other members
    }
  }

  #apply(r: ReplicatedRequest): unknown {
    switch (r.op) {
      case 'put':
        if (this.noSpace()) throw etcdError('noSpace');
        return cv.putResp(cv.unwrap(this.store.put(cv.putReq(r.req))));
      case 'deleteRange':
        return cv.deleteResp(cv.unwrap(this.store.deleteRange(cv.deleteReq(r.req))));
      case 'txn': {
        const req = cv.txnReq(r.req);
        if (this.noSpace() && this.store.requestCost({ txn: req }) > 0) throw etcdError('noSpace');
        return cv.txnResp(cv.unwrap(this.store.txn(req)));
      }
      case 'compact': {
        const res = cv.unwrap(this.store.compact({ revision: cv.num(r.req.revision), physical: r.req.physical }));
        return { revision: cv.big(res.revision) };
      }
      case 'leaseGrant': {
        if (this.noSpace()) throw etcdError('noSpace');
        const res = cv.unwrap(this.store.leaseGrant({ id: r.req.id, ttlSeconds: cv.num(r.req.ttlSeconds) }));
        this.onLease({ kind: 'grant', id: res.id, ttlSeconds: res.ttlSeconds });
        return { revision: cv.big(res.revision), id: res.id, ttlSeconds: cv.big(res.ttlSeconds) };
      }
      case 'leaseRevoke': {
        const res = cv.unwrap(this.store.leaseRevoke(r.req.id));
        this.onLease({ kind: 'revoke', id: r.req.id, ttlSeconds: 0 });
        return { revision: cv.big(res.revision) };
      }
      case 'leaseRenew':
        return this.#renew(r.req.id);
      case 'leaseCheckpoint':
        cv.unwrap(this.store.leaseCheckpoint(r.req.checkpoints));
        return {};
      case 'memberAttributes':
        this.members.setAttributes(r.req.memberId, r.req.name, r.req.clientUrls);
        return {};
      case 'memberUpdate':
        if (!this.members.setPeerUrls(r.req.memberId, r.req.peerUrls)) throw etcdError('memberNotFound');
        this.onPeersChanged();
        return {};
      case 'alarm':
        return this.#alarm(r.req);
    }
  }

  #renew(id: bigint): bigint {
    const ttl = this.store.leaseTimeToLive(id, false);
    if (ttl.ttlSeconds === -1) throw etcdError('leaseNotFound');
    // The renewed lease starts its full TTL again: record it as a checkpoint so a new
    // leader (or a restart) does not count from an older one.
    cv.unwrap(this.store.leaseCheckpoint([{ id, remainingTtlSeconds: ttl.grantedTtlSeconds }]));
    this.onLease({ kind: 'renew', id, ttlSeconds: ttl.grantedTtlSeconds });
    return cv.big(ttl.grantedTtlSeconds);
  }

  #alarm(req: api.AlarmRequest): api.AlarmResponse {
    const a = { memberId: req.memberId, alarm: req.alarm };
    switch (req.action) {
      case api.AlarmAction.ACTIVATE:
        if (req.alarm === api.AlarmType.NONE) return { revision: 0n, alarms: [] };
        this.alarms.set(alarmKey(a), a);
        return { revision: 0n, alarms: [a] };
      case api.AlarmAction.DEACTIVATE: {
        const had = this.alarms.get(alarmKey(a));
        this.alarms.delete(alarmKey(a));
        return { revision: 0n, alarms: had ? [had] : [] };
      }
      default:
        return { revision: 0n, alarms: [...this.alarms.values()] };
    }
  }

  /** The whole replicated state, for a Raft snapshot. */
  snapshot(): Uint8Array {
    return runSteps(this.snapshotSteps());
  }

  /**
   * The whole replicated state as of now, as steps (see MvccStore.snapshotSteps): captured
   * synchronously here, encoded while later requests apply (layout in state-encode.ts).
   */
  snapshotSteps(sizes?: StateImageSize): Generator<void, Uint8Array, void> {
    return this.#stateSteps(undefined, sizes);
  }

  /**
   * What changed since store revision `sinceRev`, as steps captured now like snapshotSteps:
   * the store's delta (snapshot-encode.ts) and every small field whole, in the map
   * snapshotSteps writes, so a restart replays it onto that map (restoreChain). Throws
   * SnapshotDeltaUnavailable, here and not from a step, when compaction dropped revisions
   * after `sinceRev`.
   */
  deltaSteps(sinceRev: number, sizes?: StateImageSize): Generator<void, Uint8Array, void> {
    return this.#stateSteps(sinceRev, sizes);
  }

  #stateSteps(sinceRev: number | undefined, sizes: StateImageSize | undefined): Generator<void, Uint8Array, void> {
    const fields = this.#smallFields();
    let head: Uint8Array | undefined;
    // Both captured now; the small fields are packed first, then the store's image is
    // encoded into one buffer behind them.
    const image = this.store.snapshotSteps({
      ...(sinceRev !== undefined ? { sinceRev } : {}),
      prefix: (size) => {
        invariant(head !== undefined, 'the state head is packed before the store image');
        if (sizes) sizes.imageBytes = size;
        return stateImagePrefix(head, size);
      },
    });
    return (function* stateSteps(): Generator<void, Uint8Array, void> {
      head = yield* stateHeadSteps(fields);
      return yield* image;
    })();
  }

  /** The replicated fields besides the store, whole: full snapshots and deltas both carry them. */
  #smallFields(): Omit<SavedState, 'mvcc'> {
    return {
      members: this.members.toState(), alarms: [...this.alarms.values()], recentIds: this.recentIds(),
      clusterToken: this.clusterToken,
    };
  }

  /** Returns the bytes of the store's image in `data` (see restoreChain). */
  restore(data: Uint8Array): number {
    return this.restoreChain(data, []).baseImageBytes;
  }

  /**
   * restore() of a full snapshot with deltas (deltaSteps' bytes) replayed on top of it in
   * order: the store's image and its deltas (MvccStore.restoreChain), the small fields as
   * the newest file has them (a delta holds them whole).
   */
  restoreChain(full: Uint8Array, deltas: readonly Uint8Array[]): { baseImageBytes: number; deltaImageBytes: number } {
    const base = unpackState<SavedState>(full);
    const newer = deltas.map((d) => unpackState<SavedState>(d));
    const state = newer[newer.length - 1] ?? base;
    this.store.restoreChain(base.mvcc, newer.map((d) => d.mvcc));
    this.members.restore(state.members);
    this.alarms.clear();
    for (const a of state.alarms) this.alarms.set(alarmKey(a), a);
    this.#recentRing = [];
    this.#recentHead = 0;
    this.#recent.clear();
    for (const id of state.recentIds.slice(-DEDUP_WINDOW_REQUESTS)) this.#remember(id);
    this.clusterToken = state.clusterToken;
    return { baseImageBytes: base.mvcc.byteLength, deltaImageBytes: newer.reduce((n, d) => n + d.mvcc.byteLength, 0) };
  }
}
