// Protobuf wire primitives for the responses the server encodes straight to bytes
// (watch-encode.ts, kv-encode.ts), and the response header every one of them starts with.
//
// Proto3 wire format: fields at their default (0, false, '', empty bytes) are left out, as
// Go's encoder does; int64/uint64 are varints of the 64-bit two's complement, so negatives
// take 10 bytes.

import type { KeyValue } from './backend.js';
import type { HeaderFields } from './codec.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Every tag used is below 128: one byte. */
export const TAG_BYTES = 1;

/** A field's tag: (field number << 3) | wire type (0 varint, 2 length-delimited). */
export function varintTag(field: number): number {
  return field << 3;
}

export function lenTag(field: number): number {
  return (field << 3) | 2;
}

/** ResponseHeader (etcdserverpb) and KeyValue (mvccpb) fields. */
const Tag = {
  HeaderClusterId: varintTag(1), HeaderMemberId: varintTag(2), HeaderRevision: varintTag(3),
  HeaderRaftTerm: varintTag(4),
  KvKey: lenTag(1), KvCreateRevision: varintTag(2), KvModRevision: varintTag(3), KvVersion: varintTag(4),
  KvValue: lenTag(5), KvLease: varintTag(6),
} as const;

export function varintLen(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

export function varint64Len(v: bigint): number {
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
export function int64FieldLen(v: bigint): number {
  return v === 0n ? 0 : TAG_BYTES + varint64Len(v);
}

export function bytesFieldLen(n: number): number {
  return n === 0 ? 0 : TAG_BYTES + varintLen(n) + n;
}

/** A nested message's bytes (tag, length, body), written even when empty. */
export function messageFieldLen(bodyLen: number): number {
  return TAG_BYTES + varintLen(bodyLen) + bodyLen;
}

export class Out {
  pos: number;
  constructor(readonly buf: Buffer, start = 0) {
    this.pos = start;
  }

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

  int64Field(tag: number, v: bigint): void {
    if (v === 0n) return;
    this.buf[this.pos++] = tag;
    this.varint64(v);
  }

  boolField(tag: number, v: boolean): void {
    if (!v) return;
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = 1;
  }

  bytesField(tag: number, b: Uint8Array): void {
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
  open(tag: number, len: number): void {
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

/** A ResponseHeader's body length. */
export function headerLen(h: HeaderFields): number {
  return idFields(h).length + int64FieldLen(h.revision) + int64FieldLen(h.raftTerm);
}

/** The header as field `tag` (always present, as the generic encoder sent it), body length `len`. */
export function writeHeader(o: Out, tag: number, h: HeaderFields, len: number): void {
  o.open(tag, len);
  o.bytes(idFields(h));
  o.int64Field(Tag.HeaderRevision, h.revision);
  o.int64Field(Tag.HeaderRaftTerm, h.raftTerm);
}

/** A nested response's header: only its revision (as etcd's txn responses carry). */
export function revisionHeaderLen(revision: bigint): number {
  return int64FieldLen(revision);
}

export function writeRevisionHeader(o: Out, tag: number, revision: bigint, len: number): void {
  o.open(tag, len);
  o.int64Field(Tag.HeaderRevision, revision);
}

export function kvLen(kv: KeyValue): number {
  return bytesFieldLen(kv.key.length) + int64FieldLen(kv.createRevision) + int64FieldLen(kv.modRevision)
    + int64FieldLen(kv.version) + bytesFieldLen(kv.value.length) + int64FieldLen(kv.lease);
}

export function writeKv(o: Out, tag: number, kv: KeyValue, len: number): void {
  o.open(tag, len);
  o.bytesField(Tag.KvKey, kv.key);
  o.int64Field(Tag.KvCreateRevision, kv.createRevision);
  o.int64Field(Tag.KvModRevision, kv.modRevision);
  o.int64Field(Tag.KvVersion, kv.version);
  o.bytesField(Tag.KvValue, kv.value);
  o.int64Field(Tag.KvLease, kv.lease);
}
