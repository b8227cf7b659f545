// Segment files: naming, creation (temp name, fsync, rename, fsync directory) and the scan
// that splits a segment's bytes into valid records and classifies whatever follows them.
//
// Telling a torn tail from corruption: every record's CRC is seeded with its own position,
// so records can be checked independently. When a record fails, the rest of the file is
// searched for any record that validates. If one does, the failure sits before durable
// data and cannot be a torn final write: the segment is refused. If none does, the failure
// is the unfinished tail of the last write, which was never acknowledged (acknowledged
// records were fsynced whole), and the last segment may be truncated there.
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DecodeError, RECORD_HEADER_BYTES, RecordType, decodeSegmentHeader, encodeSegmentHeader, recordAt, sealRecord,
  type RawRecord, type SegmentHeader,
} from './codec.js';
import { WalCorruptError } from './errors.js';
import { TEMP_SUFFIX, fsyncDir, isZeroFrom, writeAll } from './fsutil.js';
import { PREALLOCATE_CHUNK_BYTES } from './limits.js';

const SEGMENT_NAME = /^(\d{16})-(\d{16})\.wal$/;
const INDEX_DIGITS = 16;

/** `<seq>-<firstIndex>.wal`, both zero-padded decimal, so names sort by sequence. */
export function segmentName(seq: number, firstIndex: number): string {
  return `${String(seq).padStart(INDEX_DIGITS, '0')}-${String(firstIndex).padStart(INDEX_DIGITS, '0')}.wal`;
}

export function parseSegmentName(name: string): { seq: number; firstIndex: number } | null {
  const m = SEGMENT_NAME.exec(name);
  if (!m) return null;
  const seq = Number(m[1]);
  const firstIndex = Number(m[2]);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(firstIndex)) return null;
  return { seq, firstIndex };
}

export interface CreatedSegment {
  fh: FileHandle;
  path: string;
  /** Offset just past the header record: where the first append goes. */
  dataEnd: number;
}

/**
 * Creates a segment durably: header (and zero fill) written and fsynced under a temp name,
 * renamed, directory fsynced. A crash leaves either no segment or a complete header.
 */
export async function createSegmentFile(dir: string, header: SegmentHeader): Promise<CreatedSegment> {
  const path = join(dir, segmentName(header.seq, header.firstIndex));
  const tmp = path + TEMP_SUFFIX;
  const buf = encodeSegmentHeader(header);
  sealRecord(buf, 0, header.seq, 0);
  const fh = await open(tmp, 'w');
  try {
    await writeAll(fh, [buf], 0);
    if (header.preallocatedBytes > buf.length) await zeroFill(fh, buf.length, header.preallocatedBytes);
    // A full fsync, not fdatasync: the new file's size and block allocation must be durable too.
    await fh.sync();
    await rename(tmp, path);
    await fsyncDir(dir);
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
  return { fh, path, dataEnd: buf.length };
}

async function zeroFill(fh: FileHandle, from: number, to: number): Promise<void> {
  const zeros = Buffer.alloc(PREALLOCATE_CHUNK_BYTES);
  for (let p = from; p < to; p += zeros.length) {
    await writeAll(fh, [zeros.subarray(0, Math.min(zeros.length, to - p))], p);
  }
}

export type ScannedSegment =
  | { kind: 'ok'; header: SegmentHeader; headerEnd: number; records: RawRecord[]; dataEnd: number; torn: boolean }
  /** The last segment's header itself is incomplete: the segment never held durable data. */
  | { kind: 'header-torn' };

function validRecordAfter(buf: Buffer, from: number, seq: number): RawRecord | null {
  for (let p = from; p + RECORD_HEADER_BYTES <= buf.length; p++) {
    const type = buf[p + 8] as number;
    if (type < RecordType.SegmentHeader || type > RecordType.SnapshotMarker || buf[p + 9] !== 0) continue;
    const r = recordAt(buf, p, seq);
    if (r) return r;
  }
  return null;
}

/**
 * Splits a segment into records. `file` names the segment in errors; `isLast` allows a torn
 * tail. Throws WalCorruptError for anything that cannot be a torn final write.
 */
export function scanSegment(
  buf: Buffer, file: string, seq: number, firstIndex: number, isLast: boolean,
): ScannedSegment {
  const records: RawRecord[] = [];
  let off = 0;
  for (let r = recordAt(buf, 0, seq); r; r = recordAt(buf, off, seq)) {
    records.push(r);
    off = r.end;
  }
  // A zero tail holds no record (every record has a non-zero type byte), so skip the scan:
  // preallocated segments end in megabytes of zeros.
  const zeroTail = isZeroFrom(buf, off);
  if (!zeroTail) {
    const later = validRecordAfter(buf, off + 1, seq);
    if (later) {
      throw new WalCorruptError(file, off,
        `the record here fails its length or CRC check, yet a valid record follows at byte offset ${later.offset}`);
    }
  }
  const first = records[0];
  if (!first) {
    // The header is fsynced before the segment gets its name, so a named segment without one
    // means damage, and is refused, unless the file is empty or all zeros: then it never held
    // any data (a filesystem that lost the write but kept the name) and can go.
    if (isLast && isZeroFrom(buf, 0)) return { kind: 'header-torn' };
    throw new WalCorruptError(file, 0, 'the segment header record is missing or fails its CRC check');
  }
  if (first.type !== RecordType.SegmentHeader) {
    throw new WalCorruptError(file, 0, `the first record has type ${first.type}, not a segment header`);
  }
  let header: SegmentHeader;
  try {
    header = decodeSegmentHeader(first.payload);
  } catch (err) {
    if (err instanceof DecodeError) throw new WalCorruptError(file, 0, `the segment header is malformed: ${err.message}`);
    throw err;
  }
  if (header.seq !== seq || header.firstIndex !== firstIndex) {
    throw new WalCorruptError(file, 0, `the header says sequence ${header.seq} and first index ${header.firstIndex}, ` +
      'which does not match the file name (a renamed or misplaced segment)');
  }
  let torn = false;
  const preallocatedTail = header.preallocatedBytes === buf.length && zeroTail;
  if (off < buf.length && !preallocatedTail) {
    if (!isLast) {
      throw new WalCorruptError(file, off, 'an incomplete record ends a segment that is not the last one ' +
        '(segments are fsynced whole before the next is created)');
    }
    torn = true;
  }
  return { kind: 'ok', header, headerEnd: first.end, records: records.slice(1), dataEnd: off, torn };
}
