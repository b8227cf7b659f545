// Wire encoding of the peer transport: Raft messages as msgpack tuples, inside frames.
//
// Frame = one binary WebSocket message:
//   [0]     u8  kind (FrameKind)
//   [1,5)   u32 little-endian: Batch: message count; Snap*: snapshot stream id
//   [5,..)  body: Batch: one msgpack array of `count` message tuples
//                 SnapHeader: msgpack [message tuple without snapshot data, totalBytes]
//                 SnapChunk: raw snapshot bytes (no msgpack: they are copied once, not re-encoded)
//                 SnapTrailer: msgpack [totalBytes, crc32 of all snapshot bytes]
//                 SnapAck: msgpack [ok, reason]
// The count sits outside msgpack so a frame with too many messages is refused before it
// is decoded. Messages are positional tuples, not maps: no key names on the wire, and the
// decoder rebuilds the exact TypeScript shape (optional fields absent, never `undefined`;
// bytes as plain Uint8Array, never Buffer) whatever msgpackr's own conventions are.
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import type { ConfState, Entry, Message, Snapshot } from '../raft/types.js';
import { EntryType, MessageType } from '../raft/types.js';
import { TransportProtocolError } from './errors.js';
import { ID_MAX_CHARS, REASON_MAX_CHARS } from './limits.js';

export const PROTOCOL_VERSION = 1;
export const FRAME_HEADER_BYTES = 5;

export enum FrameKind {
  Batch = 1,
  SnapHeader = 2,
  SnapChunk = 3,
  SnapTrailer = 4,
  SnapAck = 5,
}

/**
 * Wire codes of message types. Fixed by hand, never derived from enum order, so adding a
 * type to the core cannot silently renumber the protocol.
 */
const TYPE_CODES: ReadonlyMap<MessageType, number> = new Map([
  [MessageType.Hup, 0], [MessageType.Beat, 1], [MessageType.Prop, 2], [MessageType.App, 3],
  [MessageType.AppResp, 4], [MessageType.Vote, 5], [MessageType.VoteResp, 6], [MessageType.PreVote, 7],
  [MessageType.PreVoteResp, 8], [MessageType.Snap, 9], [MessageType.Heartbeat, 10],
  [MessageType.HeartbeatResp, 11], [MessageType.SnapStatus, 12], [MessageType.Unreachable, 13],
  [MessageType.TransferLeader, 14], [MessageType.TimeoutNow, 15], [MessageType.ReadIndex, 16],
  [MessageType.ReadIndexResp, 17],
]);
const TYPES_BY_CODE: readonly MessageType[] = [...TYPE_CODES].sort((a, b) => a[1] - b[1]).map(([t]) => t);

/** Types that only ever travel from a driver into its own core; a peer must not send them. */
export const LOCAL_MESSAGE_TYPES: ReadonlySet<MessageType> = new Set([
  MessageType.Hup, MessageType.Beat, MessageType.SnapStatus, MessageType.Unreachable,
]);

// Presence bits of the optional fields, so absent and present-with-a-value stay distinct.
const HAS_SNAPSHOT = 1;
const HAS_CONTEXT = 2;
const HAS_READ_ROUND = 4;
const HAS_TRANSFER = 8;

// Upper bounds of msgpack sizes, for sizing frames before encoding.
const MP_SCALAR_MAX_BYTES = 9;
const MP_HEADER_MAX_BYTES = 5;
const UTF8_BYTES_PER_UTF16_UNIT_MAX = 3;

const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: false });
// int64 as number: a value beyond 2^53 becomes an unsafe number, which validation refuses.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

type Tuple = unknown[];

function stringBytesMax(s: string): number {
  return MP_HEADER_MAX_BYTES + s.length * UTF8_BYTES_PER_UTF16_UNIT_MAX;
}

/**
 * An upper bound of the bytes `m` takes on the wire inside a batch. Frames are filled by
 * it, and per-peer queues account memory with it (it is dominated by entry data, which is
 * what a queued message keeps alive).
 */
export function messageWireBytesMax(m: Message): number {
  let n = MP_HEADER_MAX_BYTES + 16 * MP_SCALAR_MAX_BYTES + stringBytesMax(m.from) + stringBytesMax(m.to);
  n += MP_HEADER_MAX_BYTES;
  for (const e of m.entries) n += 2 * MP_HEADER_MAX_BYTES + 3 * MP_SCALAR_MAX_BYTES + e.data.byteLength;
  if (m.context !== undefined) n += MP_HEADER_MAX_BYTES + m.context.byteLength;
  if (m.snapshot !== undefined) {
    const cs = m.snapshot.metadata.confState;
    n += 4 * MP_HEADER_MAX_BYTES + 2 * MP_SCALAR_MAX_BYTES + m.snapshot.data.byteLength;
    for (const id of cs.voters) n += stringBytesMax(id);
    for (const id of cs.learners) n += stringBytesMax(id);
  }
  return n;
}

function snapshotTuple(s: Snapshot, withData: boolean): Tuple {
  const cs = s.metadata.confState;
  return [s.metadata.index, s.metadata.term, cs.voters, cs.learners, withData ? s.data : EMPTY_BYTES];
}

const EMPTY_BYTES = new Uint8Array(0);

/** `m` as a positional tuple; `withSnapshotData: false` leaves the snapshot's bytes out (they stream). */
export function messageTuple(m: Message, withSnapshotData = true): Tuple {
  const code = TYPE_CODES.get(m.type);
  if (code === undefined) throw new TransportProtocolError(`cannot encode unknown message type ${String(m.type)}`);
  const entries: Tuple[] = new Array<Tuple>(m.entries.length);
  for (let i = 0; i < m.entries.length; i++) {
    const e = m.entries[i]!;
    entries[i] = [e.term, e.index, e.type, e.data];
  }
  let mask = 0;
  const optional: unknown[] = [];
  if (m.snapshot !== undefined) { mask |= HAS_SNAPSHOT; optional.push(snapshotTuple(m.snapshot, withSnapshotData)); }
  if (m.context !== undefined) { mask |= HAS_CONTEXT; optional.push(m.context); }
  if (m.readRound !== undefined) { mask |= HAS_READ_ROUND; optional.push(m.readRound); }
  if (m.transfer !== undefined) { mask |= HAS_TRANSFER; optional.push(m.transfer); }
  return [code, m.from, m.to, m.term, m.logTerm, m.index, entries, m.commit, m.reject, m.rejectHint, mask, ...optional];
}

// ---- validation of decoded values: the wire is input, never trusted ----

function fail(what: string): never {
  throw new TransportProtocolError(what);
}

function nat(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${what} is not a non-negative safe integer`);
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') fail(`${what} is not a boolean`);
  return v;
}

function id(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length > ID_MAX_CHARS) fail(`${what} is not a string of at most ${ID_MAX_CHARS} chars`);
  return v;
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) fail(`${what} is not an array`);
  return v;
}

/**
 * A fresh Uint8Array with the bytes: msgpackr hands out Buffer views into the frame, and
 * an entry kept in the Raft log would pin the whole frame (or socket read) it came in.
 */
function bytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) fail(`${what} is not binary`);
  const out = new Uint8Array(v.byteLength);
  out.set(v);
  return out;
}

function ids(v: unknown, what: string): string[] {
  return arr(v, what).map((x, i) => id(x, `${what}[${i}]`));
}

/**
 * The entries of one message, their data copied into ONE new buffer with a view per entry.
 * One allocation per message instead of one per entry: allocating an ArrayBuffer per small
 * entry made decoding twice as slow (GC of backing stores). The entries of one App are
 * appended to the log together and compacted together, so sharing their buffer keeps
 * little alive that would otherwise be freed.
 */
function decodeEntries(v: unknown): Entry[] {
  const raw = arr(v, 'entries');
  const tuples = new Array<unknown[]>(raw.length);
  let totalBytes = 0;
  for (let i = 0; i < raw.length; i++) {
    const t = arr(raw[i], `entries[${i}]`);
    if (t.length !== 4) fail(`entries[${i}] has ${t.length} fields, want 4`);
    if (!(t[3] instanceof Uint8Array)) fail(`entries[${i}].data is not binary`);
    totalBytes += t[3].byteLength;
    tuples[i] = t;
  }
  const block = new Uint8Array(totalBytes);
  const entries = new Array<Entry>(raw.length);
  let offset = 0;
  for (let i = 0; i < tuples.length; i++) {
    const t = tuples[i]!;
    const type = t[2];
    if (type !== EntryType.Normal && type !== EntryType.ConfChange) fail(`entries[${i}].type ${String(type)} is unknown`);
    const src = t[3] as Uint8Array;
    block.set(src, offset);
    const data = new Uint8Array(block.buffer, offset, src.byteLength);
    offset += src.byteLength;
    entries[i] = { term: nat(t[0], 'entry term'), index: nat(t[1], 'entry index'), type, data };
  }
  return entries;
}

function decodeSnapshot(v: unknown): Snapshot {
  const t = arr(v, 'snapshot');
  if (t.length !== 5) fail(`snapshot has ${t.length} fields, want 5`);
  const confState: ConfState = { voters: ids(t[2], 'voters'), learners: ids(t[3], 'learners') };
  return {
    metadata: { index: nat(t[0], 'snapshot index'), term: nat(t[1], 'snapshot term'), confState },
    data: bytes(t[4], 'snapshot data'),
  };
}

/** The message a tuple encodes, in exactly the shape the core produced; throws on anything else. */
export function messageFromTuple(v: unknown): Message {
  const t = arr(v, 'message');
  if (t.length < 11) fail(`message has ${t.length} fields, want at least 11`);
  const code = t[0];
  const type = typeof code === 'number' ? TYPES_BY_CODE[code] : undefined;
  if (type === undefined) fail(`message type code ${String(code)} is unknown`);
  const entries = decodeEntries(t[6]);
  const m: Message = {
    type, from: id(t[1], 'from'), to: id(t[2], 'to'), term: nat(t[3], 'term'), logTerm: nat(t[4], 'logTerm'),
    index: nat(t[5], 'index'), entries, commit: nat(t[7], 'commit'), reject: bool(t[8], 'reject'),
    rejectHint: nat(t[9], 'rejectHint'),
  };
  const mask = nat(t[10], 'field mask');
  if (mask > (HAS_SNAPSHOT | HAS_CONTEXT | HAS_READ_ROUND | HAS_TRANSFER)) fail(`field mask ${mask} has unknown bits`);
  let next = 11;
  const take = (): unknown => {
    if (next >= t.length) fail('message is shorter than its field mask says');
    return t[next++];
  };
  if (mask & HAS_SNAPSHOT) m.snapshot = decodeSnapshot(take());
  if (mask & HAS_CONTEXT) m.context = bytes(take(), 'context');
  if (mask & HAS_READ_ROUND) m.readRound = nat(take(), 'readRound');
  if (mask & HAS_TRANSFER) m.transfer = bool(take(), 'transfer');
  if (next !== t.length) fail('message is longer than its field mask says');
  return m;
}

// ---- frames ----

function packFrame(kind: FrameKind, arg: number, body: unknown): Buffer {
  const frame = packr.pack(body, RESERVE_START_SPACE | FRAME_HEADER_BYTES);
  frame[0] = kind;
  frame.writeUInt32LE(arg, 1);
  return frame;
}

/**
 * One batch frame of the first `count` messages. The caller chose `count` so that the
 * sum of messageWireBytesMax fits the frame limit; the assertion keeps that honest.
 */
export function encodeBatch(messages: readonly Message[], frameMaxBytes: number): Buffer {
  const tuples = messages.map((m) => messageTuple(m));
  const frame = packFrame(FrameKind.Batch, messages.length, tuples);
  if (frame.length > frameMaxBytes) {
    throw new Error(`transport invariant broken: batch frame of ${frame.length} bytes exceeds ${frameMaxBytes}`);
  }
  return frame;
}

/** Bytes a batch of messages whose messageWireBytesMax sum to `bodyBytes` may take, framed. */
export function batchFrameBytesMax(bodyBytes: number): number {
  return FRAME_HEADER_BYTES + MP_HEADER_MAX_BYTES + bodyBytes;
}

export function encodeSnapHeader(streamId: number, m: Message, totalBytes: number): Buffer {
  return packFrame(FrameKind.SnapHeader, streamId, [messageTuple(m, false), totalBytes]);
}

export function encodeSnapChunk(streamId: number, chunk: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + chunk.byteLength);
  frame[0] = FrameKind.SnapChunk;
  frame.writeUInt32LE(streamId, 1);
  frame.set(chunk, FRAME_HEADER_BYTES);
  return frame;
}

export function encodeSnapTrailer(streamId: number, totalBytes: number, crc: number): Buffer {
  return packFrame(FrameKind.SnapTrailer, streamId, [totalBytes, crc]);
}

export function encodeSnapAck(streamId: number, ok: boolean, reason: string): Buffer {
  return packFrame(FrameKind.SnapAck, streamId, [ok, reason.slice(0, REASON_MAX_CHARS)]);
}

export type Frame =
  | { kind: FrameKind.Batch; messages: Message[] }
  | { kind: FrameKind.SnapHeader; streamId: number; message: Message; totalBytes: number }
  | { kind: FrameKind.SnapChunk; streamId: number; chunk: Uint8Array }
  | { kind: FrameKind.SnapTrailer; streamId: number; totalBytes: number; crc: number }
  | { kind: FrameKind.SnapAck; streamId: number; ok: boolean; reason: string };

function unpackBody(frame: Uint8Array): unknown {
  try {
    return unpackr.unpack(frame.subarray(FRAME_HEADER_BYTES));
  } catch (err) {
    return fail(`frame body is not one msgpack value: ${(err as Error).message}`);
  }
}

function fixedTuple(v: unknown, n: number, what: string): unknown[] {
  const t = arr(v, what);
  if (t.length !== n) fail(`${what} has ${t.length} fields, want ${n}`);
  return t;
}

/** Decode and validate one inbound frame; throws TransportProtocolError on anything malformed. */
export function decodeFrame(frame: Uint8Array, frameMaxMessages: number): Frame {
  if (frame.byteLength < FRAME_HEADER_BYTES) fail(`frame of ${frame.byteLength} bytes is shorter than its header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const kind = view.getUint8(0);
  const arg = view.getUint32(1, true);
  switch (kind) {
    case FrameKind.Batch: {
      if (arg > frameMaxMessages) fail(`batch of ${arg} messages exceeds frameMaxMessages (${frameMaxMessages})`);
      const tuples = arr(unpackBody(frame), 'batch');
      if (tuples.length !== arg) fail(`batch header says ${arg} messages, body has ${tuples.length}`);
      return { kind, messages: tuples.map(messageFromTuple) };
    }
    case FrameKind.SnapHeader: {
      const t = fixedTuple(unpackBody(frame), 2, 'snapshot header');
      const message = messageFromTuple(t[0]);
      if (message.type !== MessageType.Snap || message.snapshot === undefined) fail('snapshot header without a Snap message');
      return { kind, streamId: arg, message, totalBytes: nat(t[1], 'snapshot totalBytes') };
    }
    case FrameKind.SnapChunk:
      return { kind, streamId: arg, chunk: frame.subarray(FRAME_HEADER_BYTES) };
    case FrameKind.SnapTrailer: {
      const t = fixedTuple(unpackBody(frame), 2, 'snapshot trailer');
      const crc = nat(t[1], 'snapshot crc');
      if (crc > 0xffff_ffff) fail('snapshot crc is wider than 32 bits');
      return { kind, streamId: arg, totalBytes: nat(t[0], 'snapshot trailer totalBytes'), crc };
    }
    case FrameKind.SnapAck: {
      const t = fixedTuple(unpackBody(frame), 2, 'snapshot ack');
      const reason = t[1];
      if (typeof reason !== 'string' || reason.length > REASON_MAX_CHARS) fail('snapshot ack reason is not a short string');
      return { kind, streamId: arg, ok: bool(t[0], 'snapshot ack ok'), reason };
    }
    default:
      return fail(`frame kind ${kind} is unknown`);
  }
}
