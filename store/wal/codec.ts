// Binary layout of WAL records. Hand-rolled rather than msgpackr because the hot path is
// "copy each entry's bytes once into the output buffer": a fixed little-endian layout does
// exactly that with no per-entry object or type tags, decodes without a schema library,
// and stays byte-for-byte stable across dependency upgrades (the format outlives them).
//
// Record frame (12-byte header, then the payload):
//   [0,4)  u32 CRC-32 of bytes [4, 12+length), seeded with the record's position (below)
//   [4,8)  u32 payload length
//   [8]    u8  record type (RecordType)
//   [9,12) reserved, zero
// The CRC seed is CRC-32 of (u64 segment sequence, u64 byte offset of the record), so a
// record copied from another offset or another segment fails its check, and records can be
// validated independently of each other (which lets open tell a torn tail from corruption).
// Integers are little-endian; u64 holds a JS safe integer (< 2^53).
import { crc32 } from 'node:zlib';
import type { Entry, HardState } from '../raft/types.js';
import { EntryType } from '../raft/types.js';
import { MAX_METADATA_FIELD_BYTES, MAX_VOTE_BYTES, RECORD_PAYLOAD_CEILING_BYTES } from './limits.js';

export const RECORD_HEADER_BYTES = 12;

export enum RecordType {
  /** First record of every segment: identity, metadata and the log state at the roll. */
  SegmentHeader = 1,
  /** A batch of contiguous entries; on replay it replaces any entries at or after its first index. */
  Entries = 2,
  HardState = 3,
  /**
   * A snapshot at (index, term) was saved; replay can start there. It carries the writer's
   * §7 decision (keep the log after it, or discard the log) because replay may not know the
   * term at that index once the segments holding it are released.
   */
  SnapshotMarker = 4,
}

const MAX_RECORD_TYPE = RecordType.SnapshotMarker;
const TWO_POW_32 = 0x1_0000_0000;
const SEGMENT_MAGIC = Buffer.from('FLOTWAL1', 'ascii');

export const ENTRIES_PAYLOAD_FIXED_BYTES = 12;
export const ENTRY_OVERHEAD_BYTES = 13;
export const HARD_STATE_FIXED_BYTES = 20;
/** A marker inside a segment header: index, term. */
export const SNAPSHOT_MARKER_BYTES = 16;
/** A SnapshotMarker record: index, term, flags (bit 0: the marker discarded the log). */
export const MARKER_RECORD_PAYLOAD_BYTES = 17;
const MARKER_RESETS_LOG = 1;
const SEGMENT_HEADER_FIXED_BYTES = SEGMENT_MAGIC.length + 32 + 4 + 4 + 1;

/** Where a snapshot was saved; `SnapshotMetadata` fits this shape. */
export interface SnapshotMarker {
  index: number;
  term: number;
}

/** Opaque identity bytes stored in every segment header and checked across segments. */
export interface WalMetadata {
  clusterId: Uint8Array;
  memberId: Uint8Array;
}

export interface SegmentHeader {
  seq: number;
  /** The next log index expected when this segment was created (lastIndex + 1). */
  firstIndex: number;
  /** Term of entry firstIndex - 1 (0 when there is none). */
  prevTerm: number;
  /** Size the file was zero-filled to at creation, 0 if it was not preallocated. */
  preallocatedBytes: number;
  metadata: WalMetadata;
  hardState: HardState | null;
  snapshotMarker: SnapshotMarker | null;
}

/** Thrown by decoders; the caller knows the file and offset and turns it into WalCorruptError. */
export class DecodeError extends Error {}

export function writeU64(buf: Buffer, off: number, n: number): void {
  buf.writeUInt32LE(n % TWO_POW_32, off);
  buf.writeUInt32LE(Math.floor(n / TWO_POW_32), off + 4);
}

export function readU64(buf: Buffer, off: number): number {
  const hi = buf.readUInt32LE(off + 4);
  // 2^53 - 1 has 21 bits in the high word; more would not round-trip through a JS number.
  if (hi > 0x1f_ffff) throw new DecodeError(`u64 at payload offset ${off} exceeds 2^53`);
  return hi * TWO_POW_32 + buf.readUInt32LE(off);
}

const seedScratch = Buffer.alloc(16);

/** CRC seed for a record at `offset` of segment `seq`. */
export function positionSeed(seq: number, offset: number): number {
  writeU64(seedScratch, 0, seq);
  writeU64(seedScratch, 8, offset);
  return crc32(seedScratch);
}

/** Writes the CRC of the framed record at `recOff` of `buf`, which will sit at `fileOffset` of segment `seq`. */
export function sealRecord(buf: Buffer, recOff: number, seq: number, fileOffset: number): void {
  const length = buf.readUInt32LE(recOff + 4);
  const body = buf.subarray(recOff + 4, recOff + RECORD_HEADER_BYTES + length);
  buf.writeUInt32LE(crc32(body, positionSeed(seq, fileOffset)), recOff);
}

export interface RawRecord {
  type: RecordType;
  /** Byte offset of the record's header in the file. */
  offset: number;
  /** Offset just past the record. */
  end: number;
  payload: Buffer;
}

/**
 * The record at `off` if it is wholly inside `buf` and its CRC holds, else null. Cheap checks
 * (type, reserved bytes, length) come first so scanning garbage for records stays fast.
 */
export function recordAt(buf: Buffer, off: number, seq: number): RawRecord | null {
  if (buf.length - off < RECORD_HEADER_BYTES) return null;
  const type = buf[off + 8] as number;
  if (type < 1 || type > MAX_RECORD_TYPE) return null;
  if (buf[off + 9] !== 0 || buf[off + 10] !== 0 || buf[off + 11] !== 0) return null;
  const length = buf.readUInt32LE(off + 4);
  if (length > RECORD_PAYLOAD_CEILING_BYTES || length > buf.length - off - RECORD_HEADER_BYTES) return null;
  const end = off + RECORD_HEADER_BYTES + length;
  if (crc32(buf.subarray(off + 4, end), positionSeed(seq, off)) !== buf.readUInt32LE(off)) return null;
  return { type, offset: off, end, payload: buf.subarray(off + RECORD_HEADER_BYTES, end) };
}

/** Frames a record header at `off` (CRC left zero until sealRecord); returns the payload offset. */
export function writeFrame(buf: Buffer, off: number, type: RecordType, payloadBytes: number): number {
  buf.writeUInt32LE(0, off);
  buf.writeUInt32LE(payloadBytes, off + 4);
  buf[off + 8] = type;
  buf[off + 9] = 0;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  return off + RECORD_HEADER_BYTES;
}

/** Writes entries[from, to) as an Entries payload at `off`; returns the offset after it. */
export function writeEntriesPayload(
  buf: Buffer, off: number, entries: readonly Entry[], from: number, to: number,
): number {
  writeU64(buf, off, (entries[from] as Entry).index);
  buf.writeUInt32LE(to - from, off + 8);
  let p = off + ENTRIES_PAYLOAD_FIXED_BYTES;
  for (let i = from; i < to; i++) {
    const e = entries[i] as Entry;
    writeU64(buf, p, e.term);
    buf[p + 8] = e.type;
    buf.writeUInt32LE(e.data.byteLength, p + 9);
    buf.set(e.data, p + ENTRY_OVERHEAD_BYTES);
    p += ENTRY_OVERHEAD_BYTES + e.data.byteLength;
  }
  return p;
}

export function hardStatePayloadBytes(vote: Buffer): number {
  return HARD_STATE_FIXED_BYTES + vote.length;
}

export function writeHardStatePayload(buf: Buffer, off: number, hs: HardState, vote: Buffer): number {
  writeU64(buf, off, hs.term);
  writeU64(buf, off + 8, hs.commit);
  buf.writeUInt32LE(vote.length, off + 16);
  vote.copy(buf, off + HARD_STATE_FIXED_BYTES);
  return off + HARD_STATE_FIXED_BYTES + vote.length;
}

export function writeMarkerPayload(buf: Buffer, off: number, m: SnapshotMarker): number {
  writeU64(buf, off, m.index);
  writeU64(buf, off + 8, m.term);
  return off + SNAPSHOT_MARKER_BYTES;
}

/** A framed, unsealed SegmentHeader record (seal it with sealRecord(buf, 0, seq, 0)). */
export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  const vote = h.hardState ? Buffer.from(h.hardState.vote, 'utf8') : Buffer.alloc(0);
  const payloadBytes = SEGMENT_HEADER_FIXED_BYTES + h.metadata.clusterId.byteLength +
    h.metadata.memberId.byteLength + (h.hardState ? hardStatePayloadBytes(vote) : 0) +
    (h.snapshotMarker ? SNAPSHOT_MARKER_BYTES : 0);
  const buf = Buffer.alloc(RECORD_HEADER_BYTES + payloadBytes);
  let p = writeFrame(buf, 0, RecordType.SegmentHeader, payloadBytes);
  p += SEGMENT_MAGIC.copy(buf, p);
  writeU64(buf, p, h.seq);
  writeU64(buf, p + 8, h.firstIndex);
  writeU64(buf, p + 16, h.prevTerm);
  writeU64(buf, p + 24, h.preallocatedBytes);
  p += 32;
  for (const field of [h.metadata.clusterId, h.metadata.memberId]) {
    buf.writeUInt32LE(field.byteLength, p);
    buf.set(field, p + 4);
    p += 4 + field.byteLength;
  }
  buf[p++] = (h.hardState ? 1 : 0) | (h.snapshotMarker ? 2 : 0);
  if (h.hardState) p = writeHardStatePayload(buf, p, h.hardState, vote);
  if (h.snapshotMarker) p = writeMarkerPayload(buf, p, h.snapshotMarker);
  return buf;
}

/** Sequential, bounds-checked reads over one payload. */
class Reader {
  #buf: Buffer;
  #pos = 0;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }
  #need(n: number): void {
    if (this.#buf.length - this.#pos < n) {
      throw new DecodeError(`payload ends early: needs ${n} more bytes at payload offset ${this.#pos}`);
    }
  }
  u8(): number {
    this.#need(1);
    return this.#buf[this.#pos++] as number;
  }
  u32(): number {
    this.#need(4);
    const v = this.#buf.readUInt32LE(this.#pos);
    this.#pos += 4;
    return v;
  }
  u64(): number {
    this.#need(8);
    const v = readU64(this.#buf, this.#pos);
    this.#pos += 8;
    return v;
  }
  /** A view (not a copy) of the next n bytes. */
  view(n: number): Buffer {
    this.#need(n);
    const v = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }
  /** A copy of the next n bytes, so decoded values do not pin the whole segment in memory. */
  copy(n: number): Uint8Array {
    const out = new Uint8Array(n);
    out.set(this.view(n));
    return out;
  }
  end(): void {
    if (this.#pos !== this.#buf.length) {
      throw new DecodeError(`${this.#buf.length - this.#pos} unexpected bytes after the payload's fields`);
    }
  }
}

function readHardState(r: Reader): HardState {
  const term = r.u64();
  const commit = r.u64();
  const voteBytes = r.u32();
  if (voteBytes > MAX_VOTE_BYTES) throw new DecodeError(`vote of ${voteBytes} bytes exceeds MAX_VOTE_BYTES`);
  return { term, commit, vote: r.view(voteBytes).toString('utf8') };
}

export function decodeHardState(payload: Buffer): HardState {
  const r = new Reader(payload);
  const hs = readHardState(r);
  r.end();
  return hs;
}

export function writeMarkerRecordPayload(buf: Buffer, off: number, m: SnapshotMarker, resetsLog: boolean): number {
  writeMarkerPayload(buf, off, m);
  buf[off + SNAPSHOT_MARKER_BYTES] = resetsLog ? MARKER_RESETS_LOG : 0;
  return off + MARKER_RECORD_PAYLOAD_BYTES;
}

export function decodeMarkerRecord(payload: Buffer): { marker: SnapshotMarker; resetsLog: boolean } {
  const r = new Reader(payload);
  const marker = { index: r.u64(), term: r.u64() };
  const flags = r.u8();
  if (flags > MARKER_RESETS_LOG) throw new DecodeError(`unknown snapshot marker flags ${flags}`);
  r.end();
  return { marker, resetsLog: flags === MARKER_RESETS_LOG };
}

export interface DecodedEntries {
  firstIndex: number;
  entries: Entry[];
}

export function decodeEntries(payload: Buffer): DecodedEntries {
  const r = new Reader(payload);
  const firstIndex = r.u64();
  const count = r.u32();
  if (firstIndex < 1) throw new DecodeError('entries batch starts at index 0');
  if (count === 0) throw new DecodeError('entries batch is empty');
  if (count * ENTRY_OVERHEAD_BYTES > payload.length) throw new DecodeError(`entry count ${count} exceeds the payload`);
  const entries: Entry[] = new Array<Entry>(count);
  for (let i = 0; i < count; i++) {
    const term = r.u64();
    const type = r.u8();
    if (type !== EntryType.Normal && type !== EntryType.ConfChange) throw new DecodeError(`unknown entry type ${type}`);
    const data = r.copy(r.u32());
    entries[i] = { index: firstIndex + i, term, type, data };
  }
  r.end();
  return { firstIndex, entries };
}

export function decodeSegmentHeader(payload: Buffer): SegmentHeader {
  const r = new Reader(payload);
  if (!r.view(SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
    throw new DecodeError('segment header magic is not FLOTWAL1 (not a Flotilla WAL, or a newer format)');
  }
  const seq = r.u64();
  const firstIndex = r.u64();
  const prevTerm = r.u64();
  const preallocatedBytes = r.u64();
  const fields: Uint8Array[] = [];
  for (let i = 0; i < 2; i++) {
    const n = r.u32();
    if (n > MAX_METADATA_FIELD_BYTES) throw new DecodeError(`metadata field of ${n} bytes exceeds MAX_METADATA_FIELD_BYTES`);
    fields.push(r.copy(n));
  }
  const flags = r.u8();
  if (flags > 3) throw new DecodeError(`unknown segment header flags ${flags}`);
  const hardState = flags & 1 ? readHardState(r) : null;
  const snapshotMarker = flags & 2 ? { index: r.u64(), term: r.u64() } : null;
  r.end();
  const metadata = { clusterId: fields[0] as Uint8Array, memberId: fields[1] as Uint8Array };
  return { seq, firstIndex, prevTerm, preallocatedBytes, metadata, hardState, snapshotMarker };
}
