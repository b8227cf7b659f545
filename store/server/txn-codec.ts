// A txn's log entry in a fixed binary layout instead of msgpack. The apiserver writes every
// object through a Txn (create: compare create_revision = 0 + put; update: compare
// mod_revision + put; both with a range on failure), so in a scheduling run nearly every
// entry is a txn. msgpackr's generic map/bigint handling for it cost each member ~8% of its
// CPU (the leader encodes it, every member decodes it). A txn this layout cannot hold (a
// nested txn, an empty op, a bigint outside int64, more than 65535 compares or ops, an
// enum outside 0..255) stays msgpack.
//
// Layout (big-endian), sharing put-codec's marker:
//   [0] 0xc1  [1] 2 (the txn layout's version)  [2] id length  [3] id bytes
//   u16 compares, each: u8 result, u8 target, i64 version, createRevision, modRevision, lease,
//                       bytes key, rangeEnd, value
//   u16 success ops, then u16 failure ops, each a u8 kind then:
//     range (1):       u8 sortOrder, u8 sortTarget, u8 flags (serializable, keysOnly, countOnly),
//                      i64 limit, revision, minMod, maxMod, minCreate, maxCreate; bytes key, rangeEnd
//     put (2):         u8 flags (prevKv, ignoreValue, ignoreLease), i64 lease; bytes key, value
//     deleteRange (3): u8 flags (prevKv); bytes key, rangeEnd
//   where "bytes" is a u32 length then the bytes. Decoded bytes are views into the entry.
import type * as api from '../api/backend.js';
import { INT64_MAX, INT64_MIN, MAX_ID_BYTES, PUT_MARKER } from './put-codec.js';

export const TXN_LAYOUT_V1 = 2;
const MAX_COUNT = 0xffff;
const MAX_ENUM = 0xff;
const OP_RANGE = 1;
const OP_PUT = 2;
const OP_DELETE = 3;
// Fixed bytes per item, not counting its byte fields' contents.
const COMPARE_FIXED = 2 + 4 * 8 + 3 * 4;
const RANGE_FIXED = 1 + 3 + 6 * 8 + 2 * 4;
const PUT_FIXED = 1 + 1 + 8 + 2 * 4;
const DELETE_FIXED = 1 + 1 + 2 * 4;

const fitsInt64 = (v: bigint): boolean => typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX;
const fitsEnum = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= MAX_ENUM;

/** Encoded size of one op, or -1 if the layout cannot hold it. */
function opSize(op: api.RequestOp): number {
  if ('put' in op) {
    const p = op.put;
    return fitsInt64(p.lease) ? PUT_FIXED + p.key.length + p.value.length : -1;
  }
  if ('range' in op) {
    const r = op.range;
    const ok = fitsEnum(r.sortOrder) && fitsEnum(r.sortTarget) && fitsInt64(r.limit) && fitsInt64(r.revision)
      && fitsInt64(r.minModRevision) && fitsInt64(r.maxModRevision) && fitsInt64(r.minCreateRevision)
      && fitsInt64(r.maxCreateRevision);
    return ok ? RANGE_FIXED + r.key.length + r.rangeEnd.length : -1;
  }
  if ('deleteRange' in op) return DELETE_FIXED + op.deleteRange.key.length + op.deleteRange.rangeEnd.length;
  return -1; // a nested txn or an empty op: msgpack
}

/** Encoded size of the ops and compares (with their counts), or -1 if the layout cannot hold them. */
function bodySize(req: api.TxnRequest): number {
  if (req.compare.length > MAX_COUNT || req.success.length > MAX_COUNT || req.failure.length > MAX_COUNT) return -1;
  let n = 3 * 2;
  for (const c of req.compare) {
    if (!fitsEnum(c.result) || !fitsEnum(c.target) || !fitsInt64(c.version) || !fitsInt64(c.createRevision)
      || !fitsInt64(c.modRevision) || !fitsInt64(c.lease)) return -1;
    n += COMPARE_FIXED + c.key.length + c.rangeEnd.length + c.value.length;
  }
  for (const ops of [req.success, req.failure]) {
    for (const op of ops) {
      const s = opSize(op);
      if (s < 0) return -1;
      n += s;
    }
  }
  return n;
}

/** Writes into one preallocated entry; `p` is the cursor. */
class Writer {
  p = 0;
  readonly view: DataView;
  constructor(readonly out: Uint8Array) {
    this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  u8(v: number): void { this.out[this.p++] = v; }
  u16(v: number): void { this.view.setUint16(this.p, v); this.p += 2; }
  i64(v: bigint): void { this.view.setBigInt64(this.p, v); this.p += 8; }
  bytes(b: Uint8Array): void {
    this.view.setUint32(this.p, b.length);
    this.out.set(b, this.p + 4);
    this.p += 4 + b.length;
  }
}

function writeOp(w: Writer, op: api.RequestOp): void {
  if ('put' in op) {
    const p = op.put;
    w.u8(OP_PUT);
    w.u8((p.prevKv ? 1 : 0) | (p.ignoreValue ? 2 : 0) | (p.ignoreLease ? 4 : 0));
    w.i64(p.lease);
    w.bytes(p.key);
    w.bytes(p.value);
  } else if ('range' in op) {
    const r = op.range;
    w.u8(OP_RANGE);
    w.u8(r.sortOrder);
    w.u8(r.sortTarget);
    w.u8((r.serializable ? 1 : 0) | (r.keysOnly ? 2 : 0) | (r.countOnly ? 4 : 0));
    for (const v of [r.limit, r.revision, r.minModRevision, r.maxModRevision, r.minCreateRevision,
      r.maxCreateRevision]) w.i64(v);
    w.bytes(r.key);
    w.bytes(r.rangeEnd);
  } else if ('deleteRange' in op) {
    w.u8(OP_DELETE);
    w.u8(op.deleteRange.prevKv ? 1 : 0);
    w.bytes(op.deleteRange.key);
    w.bytes(op.deleteRange.rangeEnd);
  }
}

/** The entry for a txn, or undefined if the layout cannot hold it (then msgpack is used). */
export function encodeTxnEntry(id: string, req: api.TxnRequest): Uint8Array | undefined {
  const idBytes = Buffer.from(id, 'utf8');
  if (idBytes.length > MAX_ID_BYTES) return undefined;
  const body = bodySize(req);
  if (body < 0) return undefined;
  const w = new Writer(new Uint8Array(3 + idBytes.length + body));
  w.u8(PUT_MARKER);
  w.u8(TXN_LAYOUT_V1);
  w.u8(idBytes.length);
  w.out.set(idBytes, w.p);
  w.p += idBytes.length;
  w.u16(req.compare.length);
  for (const c of req.compare) {
    w.u8(c.result);
    w.u8(c.target);
    w.i64(c.version);
    w.i64(c.createRevision);
    w.i64(c.modRevision);
    w.i64(c.lease);
    w.bytes(c.key);
    w.bytes(c.rangeEnd);
    w.bytes(c.value);
  }
  for (const ops of [req.success, req.failure]) {
    w.u16(ops.length);
    for (const op of ops) writeOp(w, op);
  }
  return w.out;
}

/** Reads one entry; every read is bounds-checked so a damaged entry throws instead of applying garbage. */
class Reader {
  p: number;
  readonly view: DataView;
  constructor(readonly data: Uint8Array, start: number) {
    this.p = start;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  #need(n: number): void {
    if (this.p + n > this.data.length) throw new Error('malformed txn entry in the Raft log: lengths past its end');
  }
  u8(): number { this.#need(1); return this.data[this.p++]!; }
  u16(): number { this.#need(2); const v = this.view.getUint16(this.p); this.p += 2; return v; }
  i64(): bigint { this.#need(8); const v = this.view.getBigInt64(this.p); this.p += 8; return v; }
  bytes(): Uint8Array {
    this.#need(4);
    const n = this.view.getUint32(this.p);
    this.p += 4;
    this.#need(n);
    this.p += n;
    return this.data.subarray(this.p - n, this.p);
  }
}

function readOp(r: Reader): api.RequestOp {
  const kind = r.u8();
  if (kind === OP_PUT) {
    const flags = r.u8();
    const lease = r.i64();
    const key = r.bytes();
    return { put: { key, value: r.bytes(), lease, prevKv: (flags & 1) !== 0, ignoreValue: (flags & 2) !== 0,
      ignoreLease: (flags & 4) !== 0 } };
  }
  if (kind === OP_RANGE) {
    const sortOrder = r.u8() as api.SortOrder;
    const sortTarget = r.u8() as api.SortTarget;
    const flags = r.u8();
    const limit = r.i64();
    const revision = r.i64();
    const minModRevision = r.i64();
    const maxModRevision = r.i64();
    const minCreateRevision = r.i64();
    const maxCreateRevision = r.i64();
    const key = r.bytes();
    return { range: { key, rangeEnd: r.bytes(), limit, revision, sortOrder, sortTarget,
      serializable: (flags & 1) !== 0, keysOnly: (flags & 2) !== 0, countOnly: (flags & 4) !== 0,
      minModRevision, maxModRevision, minCreateRevision, maxCreateRevision } };
  }
  if (kind === OP_DELETE) {
    const prevKv = (r.u8() & 1) !== 0;
    const key = r.bytes();
    return { deleteRange: { key, rangeEnd: r.bytes(), prevKv } };
  }
  throw new Error(`malformed txn entry in the Raft log: op kind ${kind}`);
}

function readOps(r: Reader): api.RequestOp[] {
  const n = r.u16();
  const ops: api.RequestOp[] = [];
  for (let i = 0; i < n; i++) ops.push(readOp(r));
  return ops;
}

/** Decode an entry encodeTxnEntry wrote. */
export function decodeTxnEntry(data: Uint8Array): { id: string; req: api.TxnRequest } {
  if (data.length < 3 || data[0] !== PUT_MARKER || data[1] !== TXN_LAYOUT_V1) {
    throw new Error('malformed txn entry in the Raft log');
  }
  const r = new Reader(data, 3);
  const idLen = data[2]!;
  r.p += idLen;
  if (r.p > data.length) throw new Error('malformed txn entry in the Raft log: lengths past its end');
  const id = Buffer.from(data.buffer, data.byteOffset + 3, idLen).toString('utf8');
  const nCompare = r.u16();
  const compare: api.Compare[] = [];
  for (let i = 0; i < nCompare; i++) {
    const result = r.u8() as api.CompareResult;
    const target = r.u8() as api.CompareTarget;
    const version = r.i64();
    const createRevision = r.i64();
    const modRevision = r.i64();
    const lease = r.i64();
    const key = r.bytes();
    const rangeEnd = r.bytes();
    compare.push({ result, target, key, rangeEnd, version, createRevision, modRevision, value: r.bytes(), lease });
  }
  const success = readOps(r);
  const failure = readOps(r);
  if (r.p !== data.length) throw new Error('malformed txn entry in the Raft log: bytes after its end');
  return { id, req: { compare, success, failure } };
}
