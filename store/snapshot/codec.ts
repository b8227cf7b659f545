// Snapshot file layout (little-endian; u64 holds a JS safe integer):
//   "FLOTSNP1"  8-byte magic (the trailing digit is the format version); "FLOTDLT1" for a
//               delta file (snapshotter.ts), whose data starts with the u64 index of the
//               snapshot or delta it applies on top of
//   u64 index, u64 term
//   u32 voter count, then per voter: u32 length + UTF-8 id
//   u32 learner count, then per learner: u32 length + UTF-8 id
//   u64 data length, then the data bytes
//   u32 CRC-32 of every byte before it
// The CRC covers the whole file, so any flipped byte, truncation or appended garbage fails it.
import { crc32 } from 'node:zlib';
import type { ConfState, Snapshot, SnapshotMetadata } from '../raft/types.js';
import { MAX_CONF_STATE_MEMBERS, MAX_NODE_ID_BYTES, MAX_SNAPSHOT_DATA_BYTES } from '../wal/limits.js';
import { readU64, writeU64 } from '../wal/codec.js';

const MAGIC = Buffer.from('FLOTSNP1', 'ascii');
/** A delta file: same layout, so a delta can never be mistaken for a full snapshot (or back). */
export const DELTA_MAGIC = Buffer.from('FLOTDLT1', 'ascii');
const CRC_BYTES = 4;

export class SnapshotDecodeError extends Error {}

function encodeIds(ids: readonly string[]): Buffer {
  const parts = ids.map((id) => Buffer.from(id, 'utf8'));
  const buf = Buffer.alloc(4 + parts.reduce((n, p) => n + 4 + p.length, 0));
  buf.writeUInt32LE(parts.length, 0);
  let off = 4;
  for (const p of parts) {
    buf.writeUInt32LE(p.length, off);
    p.copy(buf, off + 4);
    off += 4 + p.length;
  }
  return buf;
}

/** Everything before the data: magic, index, term, members and the data length (`dataBytes`). */
export function snapshotFileHeader(metadata: SnapshotMetadata, dataBytes: number, magic: Buffer = MAGIC): Buffer {
  const fixed = Buffer.alloc(MAGIC.length + 16);
  magic.copy(fixed, 0);
  writeU64(fixed, MAGIC.length, metadata.index);
  writeU64(fixed, MAGIC.length + 8, metadata.term);
  const dataLength = Buffer.alloc(8);
  writeU64(dataLength, 0, dataBytes);
  return Buffer.concat([fixed, encodeIds(metadata.confState.voters), encodeIds(metadata.confState.learners),
    dataLength]);
}

/**
 * The CRC trailer of the header and the data (given in parts, written in this order),
 * computed `stepBytes` of data at a time with a yield in between (a CRC over hundreds of
 * megabytes takes long enough to delay heartbeats).
 */
export function* snapshotFileTrailerSteps(header: Buffer, data: readonly Uint8Array[], stepBytes: number,
): Generator<void, Buffer, void> {
  let crc = crc32(header);
  // Node 20's crc32 returns 0, not the seed, for a view of an empty ArrayBuffer: skip empty data.
  for (const part of data) {
    for (let at = 0; at < part.byteLength; at += stepBytes) {
      const end = Math.min(part.byteLength, at + stepBytes);
      crc = crc32(Buffer.from(part.buffer, part.byteOffset + at, end - at), crc);
      yield;
    }
  }
  const trailer = Buffer.alloc(CRC_BYTES);
  trailer.writeUInt32LE(crc, 0);
  return trailer;
}

export function decodeSnapshotFile(buf: Buffer, magic: Buffer = MAGIC): Snapshot {
  if (buf.length < MAGIC.length + 16 + 4 + 4 + 8 + CRC_BYTES) throw new SnapshotDecodeError(`file is only ${buf.length} bytes`);
  const body = buf.subarray(0, buf.length - CRC_BYTES);
  if (crc32(body) !== buf.readUInt32LE(body.length)) {
    throw new SnapshotDecodeError('CRC mismatch (the file was damaged or cut short after it was written)');
  }
  let off = 0;
  const need = (n: number): void => {
    if (body.length - off < n) throw new SnapshotDecodeError(`ends early at byte ${off}`);
  };
  need(MAGIC.length);
  if (!body.subarray(0, MAGIC.length).equals(magic)) {
    throw new SnapshotDecodeError(`magic is not ${magic.toString('ascii')}`);
  }
  off = MAGIC.length;
  const u64 = (): number => {
    need(8);
    off += 8;
    return readU64(body, off - 8);
  };
  const u32 = (): number => {
    need(4);
    off += 4;
    return body.readUInt32LE(off - 4);
  };
  const ids = (): string[] => {
    const n = u32();
    if (n > MAX_CONF_STATE_MEMBERS) throw new SnapshotDecodeError(`${n} members exceeds MAX_CONF_STATE_MEMBERS`);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = u32();
      if (len > MAX_NODE_ID_BYTES) throw new SnapshotDecodeError(`member id of ${len} bytes exceeds MAX_NODE_ID_BYTES`);
      need(len);
      out.push(body.toString('utf8', off, off + len));
      off += len;
    }
    return out;
  };
  const index = u64();
  const term = u64();
  const confState: ConfState = { voters: ids(), learners: ids() };
  const dataLength = u64();
  if (dataLength > MAX_SNAPSHOT_DATA_BYTES || dataLength !== body.length - off) {
    throw new SnapshotDecodeError(`data length ${dataLength} does not match the ${body.length - off} bytes present`);
  }
  // A view, not a copy: snapshots can be large and the file buffer is not used for anything else.
  const data = new Uint8Array(body.buffer, body.byteOffset + off, dataLength);
  return { metadata: { index, term, confState }, data };
}

export const SNAPSHOT_FILE_OVERHEAD_BYTES = MAGIC.length + 16 + 8 + 8 + CRC_BYTES;
