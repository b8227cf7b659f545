// What the etcd v3 gRPC layer needs from a store member. The gRPC services decode a request,
// validate it as etcd's v3rpc layer does, call one of these methods and encode the answer;
// a backend never sees protobuf. Two implementations plug in: local-backend.ts (one
// member, no Raft, for tests and etcdctl today) and the Raft-replicated member later.
//
// Representation, the same everywhere:
//   - bytes are Uint8Array (a request's may be a Buffer view: copy what you keep);
//   - every protobuf int64/uint64 is a bigint (revisions, counts, lease IDs, member and
//     cluster IDs, Raft indexes): lease and member IDs use all 64 bits, so a JS number
//     cannot hold them, and one representation for all 64-bit fields avoids mixing;
//   - enums are their protobuf numbers;
//   - request objects come fully populated (proto3 defaults: 0n, false, empty bytes).
// Expected refusals are thrown (rejected) as EtcdApiError from errors.ts, never returned.

/** The etcd API version this layer speaks (StatusResponse.version). */
export const ETCD_API_VERSION = '3.5.0';

export enum SortOrder { NONE = 0, ASCEND = 1, DESCEND = 2 }
export enum SortTarget { KEY = 0, VERSION = 1, CREATE = 2, MOD = 3, VALUE = 4 }
export enum CompareResult { EQUAL = 0, GREATER = 1, LESS = 2, NOT_EQUAL = 3 }
export enum CompareTarget { VERSION = 0, CREATE = 1, MOD = 2, VALUE = 3, LEASE = 4 }
export enum EventType { PUT = 0, DELETE = 1 }
export enum WatchFilterType { NOPUT = 0, NODELETE = 1 }
export enum AlarmType { NONE = 0, NOSPACE = 1, CORRUPT = 2 }
export enum AlarmAction { GET = 0, ACTIVATE = 1, DEACTIVATE = 2 }
export enum DowngradeAction { VALIDATE = 0, ENABLE = 1, CANCEL = 2 }

/** mvccpb.KeyValue. */
export interface KeyValue {
  key: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  value: Uint8Array;
  lease: bigint;
}

/** mvccpb.Event. */
export interface Event {
  type: EventType;
  kv: KeyValue;
  prevKv?: KeyValue;
}

/**
 * Every response's header revision. 0n means "not set": the server fills in the current
 * revision, as etcd's header filler does.
 */
export interface Revisioned {
  revision: bigint;
}

/** rangeEnd: empty = the single key; [0x00] = every key >= key; else [key, rangeEnd). */
export interface RangeRequest {
  key: Uint8Array;
  rangeEnd: Uint8Array;
  limit: bigint;
  revision: bigint;
  sortOrder: SortOrder;
  sortTarget: SortTarget;
  serializable: boolean;
  keysOnly: boolean;
  countOnly: boolean;
  minModRevision: bigint;
  maxModRevision: bigint;
  minCreateRevision: bigint;
  maxCreateRevision: bigint;
}

export interface RangeResponse extends Revisioned {
  kvs: KeyValue[];
  more: boolean;
  count: bigint;
}

export interface PutRequest {
  key: Uint8Array;
  value: Uint8Array;
  lease: bigint;
  prevKv: boolean;
  ignoreValue: boolean;
  ignoreLease: boolean;
}

export interface PutResponse extends Revisioned {
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: Uint8Array;
  rangeEnd: Uint8Array;
  prevKv: boolean;
}

export interface DeleteRangeResponse extends Revisioned {
  deleted: bigint;
  prevKvs: KeyValue[];
}

/** The operand is the field matching `target` (proto oneof target_union). */
export interface Compare {
  result: CompareResult;
  target: CompareTarget;
  key: Uint8Array;
  rangeEnd: Uint8Array;
  version: bigint;
  createRevision: bigint;
  modRevision: bigint;
  value: Uint8Array;
  lease: bigint;
}

/** proto oneof RequestOp.request; `empty` is an op with no member set (etcd refuses it). */
export type RequestOp =
  | { range: RangeRequest }
  | { put: PutRequest }
  | { deleteRange: DeleteRangeRequest }
  | { txn: TxnRequest }
  | { empty: true };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export type ResponseOp =
  | { range: RangeResponse }
  | { put: PutResponse }
  | { deleteRange: DeleteRangeResponse }
  | { txn: TxnResponse };

export interface TxnResponse extends Revisioned {
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: bigint;
  physical: boolean;
}

export type CompactionResponse = Revisioned;

export interface WatchCreateRequest {
  key: Uint8Array;
  rangeEnd: Uint8Array;
  startRevision: bigint;
  progressNotify: boolean;
  filters: WatchFilterType[];
  prevKv: boolean;
  watchId: bigint;
  fragment: boolean;
}

/** One watch response as the backend produces it (the server adds header and fragments). */
export interface WatchResponse extends Revisioned {
  /** -1n for a stream-wide progress notification or a refused create. */
  watchId: bigint;
  created: boolean;
  canceled: boolean;
  compactRevision: bigint;
  cancelReason: string;
  events: Event[];
}

/**
 * One client watch stream. Responses (created, canceled, events, progress) queue inside the
 * backend, bounded there, and the server drains them with poll() when `onReadable` fires
 * and whenever the client connection can take more: a slow client slows its own stream.
 */
export interface BackendWatchStream {
  /**
   * Create a watcher; its `created` response (or created+canceled with a reason) is queued.
   * Returns the watch ID, or -1n if the create was refused.
   */
  create(req: WatchCreateRequest): bigint;
  /** Cancel a watcher; queues a `canceled` response. False if no such watcher (nothing queued). */
  cancel(watchId: bigint): boolean;
  /** Queue a progress notification (watch ID -1) once every watcher is caught up. */
  requestProgress(): void;
  /** Take up to `max` queued responses, in order. */
  poll(max: number): WatchResponse[];
  /** Cancel every watcher of the stream and drop what is queued. Idempotent. */
  close(): void;
}

export interface LeaseGrantRequest {
  /** 0n: the backend picks the ID. */
  id: bigint;
  ttlSeconds: bigint;
}

export interface LeaseGrantResponse extends Revisioned {
  id: bigint;
  ttlSeconds: bigint;
}

export interface LeaseTimeToLiveResponse extends Revisioned {
  id: bigint;
  ttlSeconds: bigint;
  grantedTtlSeconds: bigint;
  keys: Uint8Array[];
}

export interface LeaseLeasesResponse extends Revisioned {
  ids: bigint[];
}

export interface Member {
  id: bigint;
  /** Empty until the member has started. */
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface MembersResponse extends Revisioned {
  members: Member[];
}

export interface MemberAddResponse extends MembersResponse {
  member: Member;
}

export interface AlarmRequest {
  action: AlarmAction;
  memberId: bigint;
  alarm: AlarmType;
}

export interface AlarmMember {
  memberId: bigint;
  alarm: AlarmType;
}

export interface AlarmResponse extends Revisioned {
  alarms: AlarmMember[];
}

export interface StatusResponse extends Revisioned {
  version: string;
  dbSizeBytes: bigint;
  dbSizeInUseBytes: bigint;
  dbSizeQuotaBytes: bigint;
  /** 0n: no leader known (the server then reports "etcdserver: no leader" in errors). */
  leader: bigint;
  raftIndex: bigint;
  raftTerm: bigint;
  raftAppliedIndex: bigint;
  isLearner: boolean;
  storageVersion: string;
  /** Active alarms, as etcd lists them. */
  alarms: AlarmMember[];
}

export interface HashResponse extends Revisioned {
  /** uint32. */
  hash: number;
}

export interface HashKVResponse extends Revisioned {
  /** uint32. */
  hash: number;
  compactRevision: bigint;
  hashRevision: bigint;
}

/** A point-in-time copy of the member's state, streamed to the client in chunks. */
export interface BackendSnapshot {
  /** The store revision the snapshot holds (sent in the first response's header). */
  revision: bigint;
  /** Storage format version string (SnapshotResponse.version). */
  version: string;
  /** Total bytes `chunks` will yield. */
  sizeBytes: bigint;
  chunks: AsyncIterable<Uint8Array>;
}

export interface DowngradeRequest {
  action: DowngradeAction;
  version: string;
}

export interface DowngradeResponse extends Revisioned {
  version: string;
}

export interface EtcdBackend {
  /** Current Raft term, for every response header. */
  raftTerm(): bigint;
  /** Current store revision, for headers whose response did not set one. */
  currentRevision(): bigint;

  range(req: RangeRequest): Promise<RangeResponse>;
  put(req: PutRequest): Promise<PutResponse>;
  deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse>;
  txn(req: TxnRequest): Promise<TxnResponse>;
  compact(req: CompactionRequest): Promise<CompactionResponse>;

  /** `onReadable` is called (never re-entrantly inside a backend call) when responses queue. */
  openWatchStream(onReadable: () => void): BackendWatchStream;

  leaseGrant(req: LeaseGrantRequest): Promise<LeaseGrantResponse>;
  /** Throws leaseNotFound. */
  leaseRevoke(id: bigint): Promise<Revisioned>;
  /** Restart the lease's TTL; returns it. Throws leaseNotFound. */
  leaseRenew(id: bigint): Promise<bigint>;
  /** Throws leaseNotFound (the server answers TTL -1 for it, as etcd does). */
  leaseTimeToLive(id: bigint, withKeys: boolean): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(): Promise<LeaseLeasesResponse>;

  memberAdd(peerUrls: string[], isLearner: boolean): Promise<MemberAddResponse>;
  memberRemove(id: bigint): Promise<MembersResponse>;
  memberUpdate(id: bigint, peerUrls: string[]): Promise<MembersResponse>;
  memberList(linearizable: boolean): Promise<MembersResponse>;
  memberPromote(id: bigint): Promise<MembersResponse>;

  alarm(req: AlarmRequest): Promise<AlarmResponse>;
  status(): Promise<StatusResponse>;
  defragment(): Promise<Revisioned>;
  hash(): Promise<HashResponse>;
  hashKV(revision: bigint): Promise<HashKVResponse>;
  snapshot(): Promise<BackendSnapshot>;
  moveLeader(targetId: bigint): Promise<Revisioned>;
  downgrade(req: DowngradeRequest): Promise<DowngradeResponse>;
}
