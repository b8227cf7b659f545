// The KV service's responses (Range, Put, DeleteRange, Txn) straight to etcdserverpb bytes.
// Every unary KV call answered with a plain object went through protobufjs fromObject (a
// Message and a Long per 64-bit field, the header IDs among them) and then its encoder:
// garbage per call that the bytes themselves do not need. Sizes are computed first, then
// the message is written once into a buffer of exactly that size.
//
// Nested messages are length-prefixed, so their lengths are computed before anything is
// written and kept in `Sizes` in the order the writer needs them (each message before its
// children). The headers are always present, as the generic encoder sent them; a txn's
// nested responses carry only a revision in theirs (as etcd's do).

import type { DeleteRangeResponse, KeyValue, PutResponse, RangeResponse, ResponseOp, TxnResponse } from './backend.js';
import type { HeaderFields } from './codec.js';
import {
  Out, headerLen, int64FieldLen, kvLen, lenTag, messageFieldLen, revisionHeaderLen, varintTag, writeHeader, writeKv,
  writeRevisionHeader,
} from './wire.js';

/** Field tags of the KV responses (header = 1 in each) and of ResponseOp's oneof. */
const Tag = {
  Header: lenTag(1),
  RangeKvs: lenTag(2), RangeMore: varintTag(3), RangeCount: varintTag(4),
  PutPrevKv: lenTag(2),
  DeleteDeleted: varintTag(2), DeletePrevKvs: lenTag(3),
  TxnSucceeded: varintTag(2), TxnResponses: lenTag(3),
  OpRange: lenTag(1), OpPut: lenTag(2), OpDeleteRange: lenTag(3), OpTxn: lenTag(4),
} as const;

/** Nested message lengths, recorded while sizing and read back in the same order while writing. */
class Sizes {
  readonly lens: number[] = [];
  at = 0;

  /** A slot for a message whose length is known only after its children's. */
  reserve(): number {
    this.lens.push(0);
    return this.lens.length - 1;
  }

  next(): number {
    return this.lens[this.at++] as number;
  }
}

function kvsLen(kvs: readonly KeyValue[], s: Sizes): number {
  let n = 0;
  for (const kv of kvs) {
    const len = kvLen(kv);
    s.lens.push(len);
    n += messageFieldLen(len);
  }
  return n;
}

function writeKvs(o: Out, tag: number, kvs: readonly KeyValue[], s: Sizes): void {
  for (const kv of kvs) writeKv(o, tag, kv, s.next());
}

function rangeBodyLen(r: RangeResponse, s: Sizes): number {
  return kvsLen(r.kvs, s) + (r.more ? 2 : 0) + int64FieldLen(r.count);
}

function writeRangeBody(o: Out, r: RangeResponse, s: Sizes): void {
  writeKvs(o, Tag.RangeKvs, r.kvs, s);
  o.boolField(Tag.RangeMore, r.more);
  o.int64Field(Tag.RangeCount, r.count);
}

function putBodyLen(r: PutResponse, s: Sizes): number {
  if (r.prevKv === undefined) return 0;
  const len = kvLen(r.prevKv);
  s.lens.push(len);
  return messageFieldLen(len);
}

function writePutBody(o: Out, r: PutResponse, s: Sizes): void {
  if (r.prevKv !== undefined) writeKv(o, Tag.PutPrevKv, r.prevKv, s.next());
}

function deleteBodyLen(r: DeleteRangeResponse, s: Sizes): number {
  return int64FieldLen(r.deleted) + kvsLen(r.prevKvs, s);
}

function writeDeleteBody(o: Out, r: DeleteRangeResponse, s: Sizes): void {
  o.int64Field(Tag.DeleteDeleted, r.deleted);
  writeKvs(o, Tag.DeletePrevKvs, r.prevKvs, s);
}

/** Recursion depth is that of the txn the client sent (bounded by its size). */
function txnBodyLen(r: TxnResponse, s: Sizes): number {
  let n = r.succeeded ? 2 : 0;
  for (const op of r.responses) {
    const slot = s.reserve();
    const len = responseOpLen(op, s);
    s.lens[slot] = len;
    n += messageFieldLen(len);
  }
  return n;
}

function writeTxnBody(o: Out, r: TxnResponse, s: Sizes): void {
  o.boolField(Tag.TxnSucceeded, r.succeeded);
  for (const op of r.responses) {
    o.open(Tag.TxnResponses, s.next());
    writeResponseOp(o, op, s);
  }
}

/** A ResponseOp's body: its one field, the nested response (revision-only header, then body). */
function responseOpLen(op: ResponseOp, s: Sizes): number {
  const slot = s.reserve();
  let inner: number;
  if ('range' in op) inner = messageFieldLen(revisionHeaderLen(op.range.revision)) + rangeBodyLen(op.range, s);
  else if ('put' in op) inner = messageFieldLen(revisionHeaderLen(op.put.revision)) + putBodyLen(op.put, s);
  else if ('deleteRange' in op) {
    inner = messageFieldLen(revisionHeaderLen(op.deleteRange.revision)) + deleteBodyLen(op.deleteRange, s);
  } else inner = messageFieldLen(revisionHeaderLen(op.txn.revision)) + txnBodyLen(op.txn, s);
  s.lens[slot] = inner;
  return messageFieldLen(inner);
}

function writeNested(o: Out, tag: number, revision: bigint, len: number): void {
  o.open(tag, len);
  writeRevisionHeader(o, Tag.Header, revision, revisionHeaderLen(revision));
}

function writeResponseOp(o: Out, op: ResponseOp, s: Sizes): void {
  const inner = s.next();
  if ('range' in op) {
    writeNested(o, Tag.OpRange, op.range.revision, inner);
    writeRangeBody(o, op.range, s);
  } else if ('put' in op) {
    writeNested(o, Tag.OpPut, op.put.revision, inner);
    writePutBody(o, op.put, s);
  } else if ('deleteRange' in op) {
    writeNested(o, Tag.OpDeleteRange, op.deleteRange.revision, inner);
    writeDeleteBody(o, op.deleteRange, s);
  } else {
    writeNested(o, Tag.OpTxn, op.txn.revision, inner);
    writeTxnBody(o, op.txn, s);
  }
}

/** Header `h`, then the body: sized, then written into a buffer of exactly that size. */
function encode<R>(h: HeaderFields, r: R, bodyLen: (r: R, s: Sizes) => number,
  writeBody: (o: Out, r: R, s: Sizes) => void, what: string): Buffer {
  const s = new Sizes();
  const hLen = headerLen(h);
  const size = messageFieldLen(hLen) + bodyLen(r, s);
  const o = new Out(Buffer.allocUnsafe(size));
  writeHeader(o, Tag.Header, h, hLen);
  writeBody(o, r, s);
  if (o.pos !== size) throw new Error(`${what} response encoded to ${o.pos} bytes, sized ${size}`);
  return o.buf;
}

export function encodeRangeResponse(h: HeaderFields, r: RangeResponse): Buffer {
  return encode(h, r, rangeBodyLen, writeRangeBody, 'range');
}

export function encodePutResponse(h: HeaderFields, r: PutResponse): Buffer {
  return encode(h, r, putBodyLen, writePutBody, 'put');
}

export function encodeDeleteRangeResponse(h: HeaderFields, r: DeleteRangeResponse): Buffer {
  return encode(h, r, deleteBodyLen, writeDeleteBody, 'delete range');
}

export function encodeTxnResponse(h: HeaderFields, r: TxnResponse): Buffer {
  return encode(h, r, txnBodyLen, writeTxnBody, 'txn');
}
