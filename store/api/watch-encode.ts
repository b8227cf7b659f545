// Watch responses straight to etcdserverpb.WatchResponse bytes. The watch stream sends one
// response per event batch, and the generic path (a plain object, protobufjs fromObject with
// Long parsing of the header's 64-bit IDs, then its encoder) cost the leader more than
// writing the bytes does. The Buffer goes to grpc-js as it is: proto.ts gives every server
// method a response serializer that passes Buffers through.
//
// Proto3 wire format: fields at their default (0, false, '', empty bytes) are left out, as
// Go's encoder does; int64/uint64 are varints of the 64-bit two's complement, so negatives
// take 10 bytes. A decoder reads the same message either way (the tests decode with the
// generated protobufjs code).

import type { Event, KeyValue, WatchResponse } from './backend.js';
import type { HeaderFields } from './codec.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TEXT = new TextEncoder();

/** Field tags: (field number << 3) | wire type (0 varint, 2 length-delimited). */
const Tag = {
  HeaderClusterId: (1 << 3) | 0, HeaderMemberId: (2 << 3) | 0, HeaderRevision: (3 << 3) | 0,
  HeaderRaftTerm: (4 << 3) | 0,
  KvKey: (1 << 3) | 2, KvCreateRevision: (2 << 3) | 0, KvModRevision: (3 << 3) | 0, KvVersion: (4 << 3) | 0,
  KvValue: (5 << 3) | 2, KvLease: (6 << 3) | 0,
  EventType: (1 << 3) | 0, EventKv: (2 << 3) | 2, EventPrevKv: (3 << 3) | 2,
  Header: (1 << 3) | 2, WatchId: (2 << 3) | 0, Created: (3 << 3) | 0, Canceled: (4 << 3) | 0,
  CompactRevision: (5 << 3) | 0, CancelReason: (6 << 3) | 2, Fragment: (7 << 3) | 0, Events: (11 << 3) | 2,
} as const;
type Tag = (typeof Tag)[keyof typeof Tag];

/** Every tag above is below 128: one byte. */
const TAG_BYTES = 1;

function varintLen(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function varint64Len(v: bigint): number {
  if (v >= 0n && v <= MAX_SAFE) return varintLen(Number(v));
  let u = BigInt.asUintN(64, v);
  let len = 1;
  while (u >= 128n) {
    u >>= 7n;
    len++;
  }
  return len;
}

/** A scalar field's bytes, 0 when it is at its default (and so left out). */
function int64FieldLen(v: bigint): number {
  return v === 0n ? 0 : TAG_BYTES + varint64Len(v);
}

function bytesFieldLen(n: number): number {
  return n === 0 ? 0 : TAG_BYTES + varintLen(n) + n;
}

class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(n: number): void {
    const buf = this.buf;
    while (n >= 128) {
      buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    buf[this.pos++] = n;
  }

  varint64(v: bigint): void {
    if (v >= 0n && v <= MAX_SAFE) {
      this.varint(Number(v));
      return;
    }
    let u = BigInt.asUintN(64, v);
    while (u >= 128n) {
      this.buf[this.pos++] = Number(u & 127n) | 128;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  int64Field(tag: Tag, v: bigint): void {
    if (v === 0n) return;
    this.buf[this.pos++] = tag;
    this.varint64(v);
  }

  boolField(tag: Tag, v: boolean): void {
    if (!v) return;
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = 1;
  }

  bytesField(tag: Tag, b: Uint8Array): void {
    if (b.length === 0) return;
    this.buf[this.pos++] = tag;
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Bytes already in wire form. */
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A nested message's tag and length; its fields follow. */
  open(tag: Tag, len: number): void {
    this.buf[this.pos++] = tag;
    this.varint(len);
  }
}

/**
 * The header's ID fields, encoded once per (cluster, member): they do not change, and as
 * random 64-bit values they are the dearest varints (10 bigint steps each).
 */
let idsMemo: { clusterId: bigint; memberId: bigint; bytes: Buffer } | undefined;

function idFields(h: HeaderFields): Buffer {
  if (idsMemo !== undefined && idsMemo.clusterId === h.clusterId && idsMemo.memberId === h.memberId) {
    return idsMemo.bytes;
  }
  const o = new Out(Buffer.alloc(int64FieldLen(h.clusterId) + int64FieldLen(h.memberId)));
  o.int64Field(Tag.HeaderClusterId, h.clusterId);
  o.int64Field(Tag.HeaderMemberId, h.memberId);
  idsMemo = { clusterId: h.clusterId, memberId: h.memberId, bytes: o.buf };
  return o.buf;
}

function kvLen(kv: KeyValue): number {
  return bytesFieldLen(kv.key.length) + int64FieldLen(kv.createRevision) + int64FieldLen(kv.modRevision)
    + int64FieldLen(kv.version) + bytesFieldLen(kv.value.length) + int64FieldLen(kv.lease);
}

function writeKv(o: Out, tag: Tag, kv: KeyValue, len: number): void {
  o.open(tag, len);
  o.bytesField(Tag.KvKey, kv.key);
  o.int64Field(Tag.KvCreateRevision, kv.createRevision);
  o.int64Field(Tag.KvModRevision, kv.modRevision);
  o.int64Field(Tag.KvVersion, kv.version);
  o.bytesField(Tag.KvValue, kv.value);
  o.int64Field(Tag.KvLease, kv.lease);
}

/** An event's body length; its kv lengths go to `kvLens` (kv, then prev_kv), to be written without recounting. */
function eventLen(e: Event, kvLens: number[]): number {
  const kv = kvLen(e.kv);
  kvLens.push(kv);
  let n = (e.type === 0 ? 0 : TAG_BYTES + varintLen(e.type)) + TAG_BYTES + varintLen(kv) + kv;
  if (e.prevKv !== undefined) {
    const prev = kvLen(e.prevKv);
    kvLens.push(prev);
    n += TAG_BYTES + varintLen(prev) + prev;
  }
  return n;
}

/**
 * etcdserverpb.WatchResponse for `r` with `events` (the response's own, or one fragment of
 * them) under header `h`.
 */
export function encodeWatchResponse(h: HeaderFields, r: WatchResponse, events: readonly Event[],
  fragment: boolean): Buffer {
  const ids = idFields(h);
  const hLen = ids.length + int64FieldLen(h.revision) + int64FieldLen(h.raftTerm);
  const reason = r.cancelReason === '' ? undefined : TEXT.encode(r.cancelReason);
  const kvLens: number[] = [];
  const evLens: number[] = [];
  let size = TAG_BYTES + varintLen(hLen) + hLen + int64FieldLen(r.watchId) + (r.created ? 2 : 0)
    + (r.canceled ? 2 : 0) + int64FieldLen(r.compactRevision) + bytesFieldLen(reason?.length ?? 0)
    + (fragment ? 2 : 0);
  for (const e of events) {
    const n = eventLen(e, kvLens);
    evLens.push(n);
    size += TAG_BYTES + varintLen(n) + n;
  }
  const o = new Out(Buffer.allocUnsafe(size));
  o.open(Tag.Header, hLen);
  o.bytes(ids);
  o.int64Field(Tag.HeaderRevision, h.revision);
  o.int64Field(Tag.HeaderRaftTerm, h.raftTerm);
  o.int64Field(Tag.WatchId, r.watchId);
  o.boolField(Tag.Created, r.created);
  o.boolField(Tag.Canceled, r.canceled);
  o.int64Field(Tag.CompactRevision, r.compactRevision);
  if (reason !== undefined) o.bytesField(Tag.CancelReason, reason);
  o.boolField(Tag.Fragment, fragment);
  let k = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Event;
    o.open(Tag.Events, evLens[i] as number);
    if (e.type !== 0) {
      o.buf[o.pos++] = Tag.EventType;
      o.varint(e.type);
    }
    writeKv(o, Tag.EventKv, e.kv, kvLens[k++] as number);
    if (e.prevKv !== undefined) writeKv(o, Tag.EventPrevKv, e.prevKv, kvLens[k++] as number);
  }
  if (o.pos !== size) throw new Error(`watch response encoded to ${o.pos} bytes, sized ${size}`);
  return o.buf;
}
