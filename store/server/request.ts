// What a member replicates through Raft: one request per log entry, encoded with msgpackr
// (bigints kept exact), puts and txns in their own binary layouts (put-codec.ts,
// txn-codec.ts). Every member applies the same requests in log order to its MVCC engine
// (applier.ts); the member that proposed one answers its client with the result.
import { Packr } from 'msgpackr';
import type * as api from '../api/backend.js';
import { PUT_LAYOUT_V1, PUT_MARKER, decodePutEntry, encodePutEntry } from './put-codec.js';
import { decodeTxnEntry, encodeTxnEntry } from './txn-codec.js';

export type ReplicatedRequest =
  | { op: 'put'; req: api.PutRequest }
  | { op: 'deleteRange'; req: api.DeleteRangeRequest }
  | { op: 'txn'; req: api.TxnRequest }
  | { op: 'compact'; req: api.CompactionRequest }
  | { op: 'leaseGrant'; req: { id: bigint; ttlSeconds: bigint } }
  | { op: 'leaseRevoke'; req: { id: bigint } }
  /** A keep-alive: replicated so every member (and the next leader) knows the renewal. */
  | { op: 'leaseRenew'; req: { id: bigint } }
  /** The leader's remaining TTLs, so they survive a leader change (etcd's lease checkpoint). */
  | { op: 'leaseCheckpoint'; req: { checkpoints: { id: bigint; remainingTtlSeconds: number }[] } }
  /** A member publishes its name and client URLs once started (etcd's attribute publish). */
  | { op: 'memberAttributes'; req: { memberId: bigint; name: string; clientUrls: string[] } }
  /** etcdctl member update: a member's new peer URLs (its ID, derived from the old ones, stays). */
  | { op: 'memberUpdate'; req: { memberId: bigint; peerUrls: string[] } }
  | { op: 'alarm'; req: api.AlarmRequest };

export interface Envelope {
  /** Unique per proposal: "<member hex>.<boot nonce>.<counter>". */
  id: string;
  request: ReplicatedRequest;
}

/** Context carried by a ConfChange entry: who the member is and how peers reach it. */
export interface ConfChangeContext {
  /** The proposal that asked for it (empty for bootstrap). */
  id: string;
  memberId: bigint;
  name: string;
  peerUrls: string[];
  isLearner: boolean;
  /** Bootstrap entries carry the cluster token, so any member can derive new member IDs. */
  clusterToken?: string;
}

// bigint values travel as msgpack int64/uint64 and come back as bigint (msgpackr's default).
const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeEnvelope(e: Envelope): Uint8Array {
  if (e.request.op === 'put') return encodePutEntry(e.id, e.request.req) ?? packr.pack(e);
  if (e.request.op === 'txn') return encodeTxnEntry(e.id, e.request.req) ?? packr.pack(e);
  return packr.pack(e);
}

export function decodeEnvelope(data: Uint8Array): Envelope {
  if (data[0] === PUT_MARKER) {
    if (data[1] === PUT_LAYOUT_V1) {
      const { id, req } = decodePutEntry(data);
      return { id, request: { op: 'put', req } };
    }
    const { id, req } = decodeTxnEntry(data);
    return { id, request: { op: 'txn', req } };
  }
  const e = packr.unpack(data) as Envelope;
  if (typeof e?.id !== 'string' || typeof e.request?.op !== 'string') {
    throw new Error('malformed replicated request in the Raft log');
  }
  return e;
}

export function encodeConfContext(c: ConfChangeContext): Uint8Array {
  return packr.pack(c);
}

export function decodeConfContext(data: Uint8Array | undefined): ConfChangeContext | undefined {
  if (data === undefined || data.length === 0) return undefined;
  return packr.unpack(data) as ConfChangeContext;
}

export function packState(v: unknown): Uint8Array {
  return packr.pack(v);
}

export function unpackState<T>(data: Uint8Array): T {
  return packr.unpack(data) as T;
}
