// Watch responses straight to etcdserverpb.WatchResponse bytes. The watch stream sends one
// response per event batch, and the generic path (a plain object, protobufjs fromObject with
// Long parsing of the header's 64-bit IDs, then its encoder) cost the leader more than
// writing the bytes does. The Buffer goes to grpc-js as it is: proto.ts gives every server
// method a response serializer that passes Buffers through.
//
// The wire primitives (defaults left out, as Go's encoder does) are in wire.ts. A decoder
// reads the same message either way (the tests decode with the generated protobufjs code).

import type { Event, WatchResponse } from './backend.js';
import type { HeaderFields } from './codec.js';
import {
  TAG_BYTES, Out, bytesFieldLen, headerLen, int64FieldLen, kvLen, lenTag, varintLen, varintTag, writeHeader, writeKv,
} from './wire.js';

const TEXT = new TextEncoder();

/** WatchResponse and Event fields. */
const Tag = {
  EventType: varintTag(1), EventKv: lenTag(2), EventPrevKv: lenTag(3),
  Header: lenTag(1), WatchId: varintTag(2), Created: varintTag(3), Canceled: varintTag(4),
  CompactRevision: varintTag(5), CancelReason: lenTag(6), Fragment: varintTag(7), Events: lenTag(11),
} as const;

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
  const hLen = headerLen(h);
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
  writeHeader(o, Tag.Header, h, hLen);
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
