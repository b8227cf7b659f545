// WAL.open's disk work: list segments, read and check each, replay them, then repair a
// torn tail. Repairs (truncating the last segment, removing a header-less last segment)
// happen only after the whole WAL replayed cleanly, so a refused WAL is left untouched.
import { open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotMarker } from './codec.js';
import { WalCorruptError, WalNotFoundError } from './errors.js';
import { fsyncDir, removeTempFiles } from './fsutil.js';
import { MAX_SEGMENT_FILE_BYTES } from './limits.js';
import { Replayer, type ReplayOutcome } from './replay.js';
import { parseSegmentName, scanSegment } from './segment.js';

/** Something open repaired or noticed; returned so the caller can log it. Never an error. */
export type WalWarning =
  /** The last record of the last segment was incomplete (a write interrupted by a crash) and was cut off. */
  | { code: 'torn-tail-truncated'; file: string; offsetBytes: number; droppedBytes: number }
  /** The last segment had no complete header (a crash while it was being created) and was removed. */
  | { code: 'torn-segment-removed'; file: string; sizeBytes: number }
  /** A temp file left by a crashed segment creation was removed. */
  | { code: 'temp-file-removed'; file: string };

export interface SegmentRef {
  seq: number;
  firstIndex: number;
  path: string;
}

export interface OpenedSegments {
  segments: SegmentRef[];
  /** The last segment, opened for appending. */
  fh: FileHandle;
  /** Where the next record goes in the last segment. */
  appendOffset: number;
  /** Offset just past the last segment's header. */
  headerEnd: number;
  outcome: ReplayOutcome;
  warnings: WalWarning[];
}

async function listSegments(dir: string, warnings: WalWarning[]): Promise<SegmentRef[]> {
  let names: string[];
  try {
    for (const file of await removeTempFiles(dir)) warnings.push({ code: 'temp-file-removed', file });
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new WalNotFoundError(dir);
    throw err;
  }
  const segments: SegmentRef[] = [];
  for (const name of names) {
    const parsed = parseSegmentName(name);
    if (parsed) segments.push({ ...parsed, path: join(dir, name) });
    else if (name.endsWith('.wal')) throw new WalCorruptError(join(dir, name), 0, 'the file name is not <seq>-<index>.wal');
  }
  if (segments.length === 0) throw new WalNotFoundError(dir);
  segments.sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1] as SegmentRef;
    const cur = segments[i] as SegmentRef;
    if (cur.seq !== prev.seq + 1) {
      throw new WalCorruptError(cur.path, 0, `segment sequence ${prev.seq + 1} is missing before this one`);
    }
  }
  return segments;
}

async function readSegment(path: string): Promise<Buffer> {
  const size = (await stat(path)).size;
  if (size > MAX_SEGMENT_FILE_BYTES) {
    throw new WalCorruptError(path, MAX_SEGMENT_FILE_BYTES, `the file is ${size} bytes, larger than any segment the WAL writes`);
  }
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

type Repair =
  | { kind: 'truncate'; path: string; offset: number; sizeBytes: number }
  | { kind: 'remove'; path: string; sizeBytes: number };

export async function openSegments(dir: string, fromSnapshot: SnapshotMarker | undefined): Promise<OpenedSegments> {
  const warnings: WalWarning[] = [];
  const segments = await listSegments(dir, warnings);
  const replayer = new Replayer();
  let repair: Repair | null = null;
  let appendOffset = 0;
  let headerEnd = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as SegmentRef;
    const isLast = i === segments.length - 1;
    const buf = await readSegment(seg.path);
    const scanned = scanSegment(buf, seg.path, seg.seq, seg.firstIndex, isLast);
    if (scanned.kind === 'header-torn') {
      if (i === 0) throw new WalCorruptError(seg.path, 0, 'the only segment has no valid header record');
      repair = { kind: 'remove', path: seg.path, sizeBytes: buf.length };
      break;
    }
    replayer.beginSegment(scanned.header, seg.path);
    for (const rec of scanned.records) replayer.record(rec, seg.path);
    appendOffset = scanned.dataEnd;
    headerEnd = scanned.headerEnd;
    if (scanned.torn) repair = { kind: 'truncate', path: seg.path, offset: scanned.dataEnd, sizeBytes: buf.length };
  }
  const outcome = replayer.finish(fromSnapshot);
  if (repair?.kind === 'remove') {
    await unlink(repair.path);
    await fsyncDir(dir);
    segments.pop();
    warnings.push({ code: 'torn-segment-removed', file: repair.path, sizeBytes: repair.sizeBytes });
  }
  const last = segments[segments.length - 1] as SegmentRef;
  const fh = await open(last.path, 'r+');
  try {
    if (repair?.kind === 'truncate') {
      await fh.truncate(repair.offset);
      await fh.sync();
      warnings.push({ code: 'torn-tail-truncated', file: repair.path, offsetBytes: repair.offset,
        droppedBytes: repair.sizeBytes - repair.offset });
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  return { segments, fh, appendOffset, headerEnd, outcome, warnings };
}
