// The vocabulary of the state machine, shaped after etcd's api/etcdserverpb/rpc.proto and
// api/mvccpb/kv.proto with protobuf-style camelCase names, so the gRPC layer maps fields
// one to one. Enum numbers are the proto numbers. Revisions are JS numbers (int64 in etcd;
// the store asserts they stay safe integers); lease IDs are int64 and need all 64 bits
// (etcd picks random-looking IDs), so they are bigint. 0n means "no lease".

export type LeaseId = bigint;

export const NO_LEASE: LeaseId = 0n;

/**
 * `lease`, or the one shared NO_LEASE when it is 0. A bigint is a heap object of its own,
 * and every put decoded from a request or a snapshot brings a new one: kept per revision,
 * that is one more object for the garbage collector to mark per write in history.
 */
export function sharedLease(lease: bigint): bigint {
  return lease === NO_LEASE ? NO_LEASE : lease;
}

/** mvccpb.KeyValue. Objects handed out by the store are shared and frozen: never mutate. */
export interface KeyValue {
  readonly key: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  readonly value: Uint8Array;
  readonly lease: LeaseId;
}

export enum SortOrder {
  NONE = 0,
  ASCEND = 1,
  DESCEND = 2,
}

export enum SortTarget {
  KEY = 0,
  VERSION = 1,
  CREATE = 2,
  MOD = 3,
  VALUE = 4,
}

/**
 * range_end semantics (etcd): absent/empty = the single key `key`; [0x00] = every key ≥ key;
 * otherwise [key, rangeEnd). prefixRangeEnd(key) from bytes.ts gives the prefix form.
 */
export interface RangeRequest {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  /** 0 or negative: no limit. */
  limit?: number;
  /** 0 or negative: the current revision. */
  revision?: number;
  sortOrder?: SortOrder;
  sortTarget?: SortTarget;
  /** Meaningful to the layer above (local read without ReadIndex); ignored here. */
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResponse {
  /** header.revision: the store's revision when the read ran (not the revision read at). */
  revision: number;
  kvs: KeyValue[];
  more: boolean;
  /** Keys in the range at the revision read, before the mod/create revision filters. */
  count: number;
}

export interface PutRequest {
  key: Uint8Array;
  value?: Uint8Array;
  lease?: LeaseId;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface PutResponse {
  revision: number;
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  revision: number;
  deleted: number;
  prevKvs: KeyValue[];
}

export enum CompareResult {
  EQUAL = 0,
  GREATER = 1,
  LESS = 2,
  NOT_EQUAL = 3,
}

export enum CompareTarget {
  VERSION = 0,
  CREATE = 1,
  MOD = 2,
  VALUE = 3,
  LEASE = 4,
}

/** The field matching `target` is the operand (proto oneof target_union); a missing one is 0/empty. */
export interface Compare {
  result: CompareResult;
  target: CompareTarget;
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  value?: Uint8Array;
  lease?: LeaseId;
}

/** proto oneof: exactly one field is set. */
export type RequestOp =
  | { requestRange: RangeRequest }
  | { requestPut: PutRequest }
  | { requestDeleteRange: DeleteRangeRequest }
  | { requestTxn: TxnRequest };

export interface TxnRequest {
  compare?: Compare[];
  success?: RequestOp[];
  failure?: RequestOp[];
}

export type ResponseOp =
  | { responseRange: RangeResponse }
  | { responsePut: PutResponse }
  | { responseDeleteRange: DeleteRangeResponse }
  | { responseTxn: TxnResponse };

export interface TxnResponse {
  /** Top level: the revision after the txn. Nested txns: 0, as etcd leaves their header empty. */
  revision: number;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  /** etcd waits for the backend to purge; compaction here is synchronous, so it is a no-op. */
  physical?: boolean;
}

export interface CompactionResponse {
  revision: number;
}

export interface LeaseGrantRequest {
  /** Must be non-zero: the layer above picks an ID when the client sends 0 (as etcd's server does). */
  id: LeaseId;
  ttlSeconds: number;
}

export interface LeaseGrantResponse {
  revision: number;
  id: LeaseId;
  /** The TTL granted (raised to minLeaseTtlSeconds if shorter). */
  ttlSeconds: number;
}

export interface LeaseRevokeResponse {
  revision: number;
}

export interface LeaseCheckpoint {
  id: LeaseId;
  remainingTtlSeconds: number;
}

export interface LeaseTimeToLiveResponse {
  revision: number;
  id: LeaseId;
  /**
   * -1 when the lease does not exist (etcd answers TTL -1, not an error). Otherwise the
   * remaining TTL as far as replicated state knows: the last checkpoint, or the granted TTL.
   * The leader's lease clock (outside this module) refines it.
   */
  ttlSeconds: number;
  grantedTtlSeconds: number;
  keys: Uint8Array[];
}

export interface LeaseStatus {
  id: LeaseId;
  grantedTtlSeconds: number;
  /** 0 = never checkpointed (the full TTL applies). */
  remainingTtlSeconds: number;
}

export interface HashKVResponse {
  revision: number;
  hash: number;
  compactRevision: number;
  hashRevision: number;
}

export enum EventType {
  PUT = 0,
  DELETE = 1,
}

/** mvccpb.Event. A DELETE's kv carries only key and modRevision (the tombstone's revision). */
export interface Event {
  readonly type: EventType;
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

export enum WatchFilterType {
  NOPUT = 0,
  NODELETE = 1,
}

export interface WatchCreateRequest {
  key: Uint8Array;
  /** Same encoding as RangeRequest.rangeEnd. */
  rangeEnd?: Uint8Array;
  /** 0/absent: from the next revision. */
  startRevision?: number;
  progressNotify?: boolean;
  filters?: WatchFilterType[];
  prevKv?: boolean;
  /** 0/absent: the stream picks one. */
  watchId?: number;
}

export interface WatchResponse {
  /** -1 for a stream-wide progress notification (etcd clientv3.InvalidWatchID). */
  watchId: number;
  /** header.revision. */
  revision: number;
  created: boolean;
  canceled: boolean;
  /** Set with canceled when the watcher's start revision was compacted. 0 otherwise. */
  compactRevision: number;
  cancelReason: string;
  events: Event[];
}
