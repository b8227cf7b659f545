// Wire ↔ backend translation. Decoded messages (proto-loader: keepCase, longs as decimal
// strings, defaults on, bytes as Buffer) become the fully populated backend.ts objects with
// bigint for every 64-bit field; backend answers become plain objects the encoder accepts
// (64-bit values as numbers or decimal strings, which protobufjs encodes exactly; the header
// IDs as 32-bit halves, which it takes without parsing).

import {
  type Compare, type DeleteRangeRequest, type Event, type KeyValue, type Member, type PutRequest,
  type RangeRequest, type RangeResponse, type RequestOp, type ResponseOp, type TxnRequest, type TxnResponse,
  type WatchCreateRequest, type DeleteRangeResponse, type PutResponse, type WatchFilterType,
} from './backend.js';
import { ID_BITS_MEMO_ENTRIES } from './limits.js';

/** A decoded int64/uint64 (proto-loader gives strings; a hand-built message may give numbers). */
export type WireLong = string | number | bigint | null | undefined;
type WireBytes = Uint8Array | null | undefined;

const EMPTY = new Uint8Array(0);

export function long(v: WireLong): bigint {
  // '0' is what defaults:true gives every unset field: most fields of most requests.
  if (v === null || v === undefined || v === '' || v === '0') return 0n;
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** A message field that is set (proto-loader leaves unset ones null or absent). */
export function present<T>(v: T | null | undefined): v is T {
  return v !== null && v !== undefined;
}

export function bytes(v: WireBytes): Uint8Array {
  return v ?? EMPTY;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * 64-bit out: a number when it is exact (protobufjs encodes a number without parsing, and
 * revisions, versions and counts always are), else the decimal string it encodes exactly.
 */
export function str(v: bigint): string | number {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v.toString();
}

// ---- Requests ------------------------------------------------------------------------

export interface WireRangeRequest {
  key?: WireBytes; range_end?: WireBytes; limit?: WireLong; revision?: WireLong;
  sort_order?: number; sort_target?: number; serializable?: boolean; keys_only?: boolean; count_only?: boolean;
  min_mod_revision?: WireLong; max_mod_revision?: WireLong; min_create_revision?: WireLong;
  max_create_revision?: WireLong;
}

export function decodeRange(w: WireRangeRequest): RangeRequest {
  return {
    key: bytes(w.key), rangeEnd: bytes(w.range_end), limit: long(w.limit), revision: long(w.revision),
    sortOrder: w.sort_order ?? 0, sortTarget: w.sort_target ?? 0, serializable: w.serializable === true,
    keysOnly: w.keys_only === true, countOnly: w.count_only === true,
    minModRevision: long(w.min_mod_revision), maxModRevision: long(w.max_mod_revision),
    minCreateRevision: long(w.min_create_revision), maxCreateRevision: long(w.max_create_revision),
  };
}

export interface WirePutRequest {
  key?: WireBytes; value?: WireBytes; lease?: WireLong; prev_kv?: boolean; ignore_value?: boolean;
  ignore_lease?: boolean;
}

export function decodePut(w: WirePutRequest): PutRequest {
  return {
    key: bytes(w.key), value: bytes(w.value), lease: long(w.lease), prevKv: w.prev_kv === true,
    ignoreValue: w.ignore_value === true, ignoreLease: w.ignore_lease === true,
  };
}

export interface WireDeleteRangeRequest {
  key?: WireBytes; range_end?: WireBytes; prev_kv?: boolean;
}

export function decodeDeleteRange(w: WireDeleteRangeRequest): DeleteRangeRequest {
  return { key: bytes(w.key), rangeEnd: bytes(w.range_end), prevKv: w.prev_kv === true };
}

export interface WireCompare {
  result?: number; target?: number; key?: WireBytes; range_end?: WireBytes;
  version?: WireLong; create_revision?: WireLong; mod_revision?: WireLong; value?: WireBytes; lease?: WireLong;
}

export function decodeCompare(w: WireCompare): Compare {
  return {
    result: w.result ?? 0, target: w.target ?? 0, key: bytes(w.key), rangeEnd: bytes(w.range_end),
    version: long(w.version), createRevision: long(w.create_revision), modRevision: long(w.mod_revision),
    value: bytes(w.value), lease: long(w.lease),
  };
}

export interface WireRequestOp {
  request_range?: WireRangeRequest | null;
  request_put?: WirePutRequest | null;
  request_delete_range?: WireDeleteRangeRequest | null;
  request_txn?: WireTxnRequest | null;
}

export interface WireTxnRequest {
  compare?: WireCompare[] | null; success?: WireRequestOp[] | null; failure?: WireRequestOp[] | null;
}

/** Recursion depth is that of the message protobufjs already decoded (bounded by its size). */
export function decodeRequestOp(w: WireRequestOp): RequestOp {
  if (present(w.request_range)) return { range: decodeRange(w.request_range) };
  if (present(w.request_put)) return { put: decodePut(w.request_put) };
  if (present(w.request_delete_range)) {
    return { deleteRange: decodeDeleteRange(w.request_delete_range) };
  }
  if (present(w.request_txn)) return { txn: decodeTxn(w.request_txn) };
  return { empty: true };
}

export function decodeTxn(w: WireTxnRequest): TxnRequest {
  return {
    compare: (w.compare ?? []).map(decodeCompare),
    success: (w.success ?? []).map(decodeRequestOp),
    failure: (w.failure ?? []).map(decodeRequestOp),
  };
}

export interface WireWatchCreateRequest {
  key?: WireBytes; range_end?: WireBytes; start_revision?: WireLong; progress_notify?: boolean;
  filters?: number[] | null; prev_kv?: boolean; watch_id?: WireLong; fragment?: boolean;
}

export function decodeWatchCreate(w: WireWatchCreateRequest): WatchCreateRequest {
  return {
    key: bytes(w.key), rangeEnd: bytes(w.range_end), startRevision: long(w.start_revision),
    progressNotify: w.progress_notify === true, filters: (w.filters ?? []) as WatchFilterType[],
    prevKv: w.prev_kv === true, watchId: long(w.watch_id), fragment: w.fragment === true,
  };
}

// ---- Responses -----------------------------------------------------------------------

export interface HeaderFields {
  clusterId: bigint;
  memberId: bigint;
  revision: bigint;
  raftTerm: bigint;
}

/** A 64-bit value as the low and high 32 bits (two's complement), which protobufjs reads as a Long. */
export interface WireLongBits {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
}

export interface WireHeader {
  cluster_id: string | number | WireLongBits; member_id: string | number | WireLongBits;
  revision: string | number; raft_term: string | number;
}

/** The IDs in wire form, by value: a member has one of each, so this stays tiny (bounded anyway). */
const idBits = new Map<bigint, WireLongBits>();

/**
 * A uint64 ID out. Random 64-bit IDs are almost never exact as numbers, and as decimal
 * strings every response paid for Long.fromString (a digit-by-digit multiply loop) in
 * protobufjs; as bits it takes them without parsing (Long.fromValue → fromBits).
 */
export function id64(v: bigint): number | WireLongBits {
  if (v >= 0n && v <= MAX_SAFE) return Number(v);
  let bits = idBits.get(v);
  if (bits === undefined) {
    if (idBits.size >= ID_BITS_MEMO_ENTRIES) idBits.clear();
    const u = BigInt.asUintN(64, v);
    const low = Number(BigInt.asIntN(32, u));
    bits = Object.freeze({ low, high: Number(BigInt.asIntN(32, u >> 32n)), unsigned: true });
    idBits.set(v, bits);
  }
  return bits;
}

export function encodeHeader(h: HeaderFields): WireHeader {
  return {
    cluster_id: id64(h.clusterId), member_id: id64(h.memberId), revision: str(h.revision), raft_term: str(h.raftTerm),
  };
}

/** Headers of the responses nested in a txn carry only a revision (as etcd's do). */
function nestedHeader(revision: bigint): Partial<WireHeader> {
  return { revision: str(revision) };
}

export interface WireKeyValue {
  key: Uint8Array; create_revision: string | number; mod_revision: string | number; version: string | number;
  value: Uint8Array; lease: string | number;
}

export function encodeKv(kv: KeyValue): WireKeyValue {
  return {
    key: kv.key, create_revision: str(kv.createRevision), mod_revision: str(kv.modRevision),
    version: str(kv.version), value: kv.value, lease: str(kv.lease),
  };
}

export function encodeEvent(e: Event): object {
  return e.prevKv === undefined
    ? { type: e.type, kv: encodeKv(e.kv) }
    : { type: e.type, kv: encodeKv(e.kv), prev_kv: encodeKv(e.prevKv) };
}

// The KV responses' bodies as plain objects for protobufjs. The server sends kv-encode.ts's
// bytes instead; these stay the reference its tests compare against.

export function encodeRangeBody(r: RangeResponse): object {
  return { kvs: r.kvs.map(encodeKv), more: r.more, count: str(r.count) };
}

export function encodePutBody(r: PutResponse): object {
  return r.prevKv === undefined ? {} : { prev_kv: encodeKv(r.prevKv) };
}

export function encodeDeleteBody(r: DeleteRangeResponse): object {
  return { deleted: str(r.deleted), prev_kvs: r.prevKvs.map(encodeKv) };
}

function encodeResponseOp(op: ResponseOp): object {
  if ('range' in op) return { response_range: { header: nestedHeader(op.range.revision), ...encodeRangeBody(op.range) } };
  if ('put' in op) return { response_put: { header: nestedHeader(op.put.revision), ...encodePutBody(op.put) } };
  if ('deleteRange' in op) {
    const d = op.deleteRange;
    return { response_delete_range: { header: nestedHeader(d.revision), ...encodeDeleteBody(d) } };
  }
  return { response_txn: { header: nestedHeader(op.txn.revision), ...encodeTxnBody(op.txn) } };
}

export function encodeTxnBody(r: TxnResponse): object {
  return { succeeded: r.succeeded, responses: r.responses.map(encodeResponseOp) };
}

export function encodeMember(m: Member): object {
  return { ID: str(m.id), name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner };
}
