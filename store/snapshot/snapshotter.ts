// Snapshot files in `<dataDir>/snap/`, one per snapshot, named `<term>-<index>.snap`
// (zero-padded decimal), and delta files `<term>-<index>.delta`: what changed since the
// snapshot or delta before it (member.ts decides which to write; the state machine knows
// how to replay one). A restart loads the newest full snapshot plus the chain of deltas
// after it, each naming the index it applies on top of, so a missing or foreign link is
// caught. Every file is saved write-temp, fsync, rename, fsync-directory, so a crash
// leaves either the old set of files or the new complete one. A corrupt newest file is an
// error unless the caller explicitly allows falling back, and even then every skipped
// file is reported in the result.
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Snapshot } from '../raft/types.js';
import { DecodeError, readU64, writeU64 } from '../wal/codec.js';
import { TEMP_SUFFIX, fsyncDir, removeTempFiles, writeAll } from '../wal/fsutil.js';
import {
  MAX_CONF_STATE_MEMBERS, MAX_NODE_ID_BYTES, MAX_SNAPSHOT_DATA_BYTES, MAX_SNAPSHOT_FILES, SNAPSHOT_CRC_STEP_BYTES,
  SNAPSHOT_SLICE_MS,
} from '../wal/limits.js';
import {
  DELTA_MAGIC, SNAPSHOT_FILE_OVERHEAD_BYTES, SnapshotDecodeError, decodeSnapshotFile, snapshotFileHeader,
  snapshotFileTrailerSteps,
} from './codec.js';
import { runInSlices } from './steps.js';
import { SnapshotCorruptError, SnapshotInvalidError, SnapshotNoneValidError, SnapshotTooLargeError } from './errors.js';

export const SNAP_DIR_NAME = 'snap';

/** The largest file a snapshot within the bounds can produce; anything bigger is not ours. */
const MAX_SNAPSHOT_FILE_BYTES = MAX_SNAPSHOT_DATA_BYTES + SNAPSHOT_FILE_OVERHEAD_BYTES +
  2 * MAX_CONF_STATE_MEMBERS * (4 + MAX_NODE_ID_BYTES);

const SNAP_NAME = /^(\d{16})-(\d{16})\.snap$/;
const DELTA_NAME = /^(\d{16})-(\d{16})\.delta$/;
/** A delta's data starts with the u64 index of the link it applies on top of. */
const DELTA_LINK_BYTES = 8;
const DIGITS = 16;

export interface SnapshotFile {
  path: string;
  term: number;
  index: number;
}

/** One link of a delta chain: `data` is what the state machine replays on top of the link before. */
export interface LoadedDelta {
  file: string;
  snapshot: Snapshot;
}

export interface LoadedSnapshot {
  snapshot: Snapshot;
  file: string;
  /** Deltas after `snapshot`, oldest first, each applying on top of the one before; replay them in order. */
  deltas: LoadedDelta[];
  /** Newer files that were corrupt and skipped (only with fallbackOnCorrupt); log these loudly. */
  skipped: { file: string; error: SnapshotCorruptError }[];
}

export interface LoadOptions {
  /**
   * When the newest file is corrupt, load the newest valid older one instead of throwing.
   * Only safe if the WAL still holds the entries after that older snapshot (WAL.open checks).
   */
  fallbackOnCorrupt?: boolean;
}

export interface SnapshotterOptions {
  /** Snapshot files to keep; older ones are deleted after each save. Default MAX_SNAPSHOT_FILES. */
  maxFiles?: number;
}

export function snapshotFileName(term: number, index: number): string {
  return `${String(term).padStart(DIGITS, '0')}-${String(index).padStart(DIGITS, '0')}.snap`;
}

export function deltaFileName(term: number, index: number): string {
  return `${String(term).padStart(DIGITS, '0')}-${String(index).padStart(DIGITS, '0')}.delta`;
}

/** `dataBytes`: the file's data, when it holds more than `s.data` (a delta's link). */
function checkSnapshot(s: Snapshot, dataBytes = s.data.byteLength): void {
  const { index, term, confState } = s.metadata;
  if (!Number.isSafeInteger(index) || index < 1 || !Number.isSafeInteger(term) || term < 1) {
    throw new SnapshotInvalidError(`index ${index} and term ${term} must be positive integers`);
  }
  if (dataBytes > MAX_SNAPSHOT_DATA_BYTES) {
    throw new SnapshotTooLargeError(dataBytes, MAX_SNAPSHOT_DATA_BYTES);
  }
  const ids = [...confState.voters, ...confState.learners];
  if (confState.voters.length > MAX_CONF_STATE_MEMBERS || confState.learners.length > MAX_CONF_STATE_MEMBERS) {
    throw new SnapshotInvalidError(`the ConfState has more than MAX_CONF_STATE_MEMBERS (${MAX_CONF_STATE_MEMBERS}) members`);
  }
  if (ids.some((id) => Buffer.byteLength(id, 'utf8') > MAX_NODE_ID_BYTES)) {
    throw new SnapshotInvalidError(`a member id is longer than MAX_NODE_ID_BYTES (${MAX_NODE_ID_BYTES})`);
  }
}

export class Snapshotter {
  readonly dir: string;
  readonly #maxFiles: number;

  constructor(dir: string, options: SnapshotterOptions = {}) {
    this.dir = dir;
    this.#maxFiles = options.maxFiles ?? MAX_SNAPSHOT_FILES;
    if (!Number.isSafeInteger(this.#maxFiles) || this.#maxFiles < 1) {
      throw new SnapshotInvalidError(`maxFiles must be a positive integer, got ${this.#maxFiles}`);
    }
  }

  /**
   * Writes the snapshot durably, then deletes the oldest files beyond maxFiles and every
   * delta it supersedes. Returns its path. The CRC is computed in slices (steps.ts), so
   * the event loop stays responsive.
   */
  async save(snapshot: Snapshot): Promise<string> {
    checkSnapshot(snapshot);
    const path = join(this.dir, snapshotFileName(snapshot.metadata.term, snapshot.metadata.index));
    await this.#write(path, snapshotFileHeader(snapshot.metadata, snapshot.data.byteLength), [snapshot.data]);
    await this.#prune(snapshot.metadata.index);
    return path;
  }

  /**
   * Writes a delta durably: `snapshot.data` is what changed since the link at `previousIndex`
   * (the newest full snapshot or delta saved), to be replayed on top of it in order. The
   * file's data is the link's index, then `snapshot.data`, written as they are: a delta can
   * be as large as the state, and copying it behind the link would block the event loop.
   */
  async saveDelta(snapshot: Snapshot, previousIndex: number): Promise<string> {
    const { index, term } = snapshot.metadata;
    if (!Number.isSafeInteger(previousIndex) || previousIndex < 1 || previousIndex >= index) {
      throw new SnapshotInvalidError(`a delta at ${index} cannot apply on top of index ${previousIndex}`);
    }
    const link = Buffer.alloc(DELTA_LINK_BYTES);
    writeU64(link, 0, previousIndex);
    const dataBytes = DELTA_LINK_BYTES + snapshot.data.byteLength;
    checkSnapshot(snapshot, dataBytes);
    const path = join(this.dir, deltaFileName(term, index));
    await this.#write(path, snapshotFileHeader(snapshot.metadata, dataBytes, DELTA_MAGIC), [link, snapshot.data]);
    return path;
  }

  async #write(path: string, header: Buffer, data: readonly Uint8Array[]): Promise<void> {
    const trailer = await runInSlices(snapshotFileTrailerSteps(header, data, SNAPSHOT_CRC_STEP_BYTES),
      { sliceMs: SNAPSHOT_SLICE_MS });
    await mkdir(this.dir, { recursive: true });
    await fsyncDir(dirname(this.dir));
    const tmp = path + TEMP_SUFFIX;
    const fh = await open(tmp, 'w');
    try {
      const parts = data.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength));
      await writeAll(fh, [header, ...parts, trailer], 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await fsyncDir(this.dir);
  }

  /** Deletes the oldest full snapshots beyond maxFiles and the deltas at or before `newestFull`. */
  async #prune(newestFull: number): Promise<void> {
    const files = await this.list();
    const doomed = files.slice(0, Math.max(0, files.length - this.#maxFiles));
    for (const d of await this.listDeltas()) if (d.index <= newestFull) doomed.push(d);
    for (const f of doomed) await unlink(f.path);
    if (doomed.length > 0) await fsyncDir(this.dir);
  }

  /** Full snapshot files, oldest first (by index, then term). Removes leftover temp files. */
  async list(): Promise<SnapshotFile[]> {
    return this.#listMatching(SNAP_NAME);
  }

  /** Delta files, oldest first (by index, then term). */
  async listDeltas(): Promise<SnapshotFile[]> {
    return this.#listMatching(DELTA_NAME);
  }

  async #listMatching(pattern: RegExp): Promise<SnapshotFile[]> {
    let names: string[];
    try {
      await removeTempFiles(this.dir);
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const files: SnapshotFile[] = [];
    for (const name of names) {
      const m = pattern.exec(name);
      if (m) files.push({ path: join(this.dir, name), term: Number(m[1]), index: Number(m[2]) });
    }
    return files.sort((a, b) => a.index - b.index || a.term - b.term);
  }

  /** Reads and checks one snapshot file; throws SnapshotCorruptError naming it if it is damaged. */
  async load(file: SnapshotFile): Promise<Snapshot> {
    return this.#read(file, undefined);
  }

  /**
   * Reads and checks one delta file: its snapshot's data is the delta itself, and
   * `previousIndex` the link it applies on top of. Throws SnapshotCorruptError naming it.
   */
  async loadDelta(file: SnapshotFile): Promise<{ snapshot: Snapshot; previousIndex: number }> {
    const raw = await this.#read(file, DELTA_MAGIC);
    const d = raw.data;
    if (d.byteLength < DELTA_LINK_BYTES) throw new SnapshotCorruptError(file.path, 'the delta has no link index');
    const previousIndex = readU64(Buffer.from(d.buffer, d.byteOffset, DELTA_LINK_BYTES), 0);
    const data = new Uint8Array(d.buffer, d.byteOffset + DELTA_LINK_BYTES, d.byteLength - DELTA_LINK_BYTES);
    return { snapshot: { metadata: raw.metadata, data }, previousIndex };
  }

  async #read(file: SnapshotFile, magic: Buffer | undefined): Promise<Snapshot> {
    const size = (await stat(file.path)).size;
    if (size > MAX_SNAPSHOT_FILE_BYTES) {
      throw new SnapshotCorruptError(file.path, `the file is ${size} bytes, larger than any snapshot the store writes`);
    }
    const fh = await open(file.path, 'r');
    let buf: Buffer;
    try {
      buf = Buffer.allocUnsafe(size);
      let got = 0;
      for (let n = -1; got < size && n !== 0; got += n) n = (await fh.read(buf, got, size - got, got)).bytesRead;
      buf = buf.subarray(0, got);
    } finally {
      await fh.close();
    }
    let snapshot: Snapshot;
    try {
      snapshot = decodeSnapshotFile(buf, magic);
    } catch (err) {
      if (err instanceof SnapshotDecodeError || err instanceof DecodeError) {
        throw new SnapshotCorruptError(file.path, err.message);
      }
      throw err;
    }
    if (snapshot.metadata.index !== file.index || snapshot.metadata.term !== file.term) {
      throw new SnapshotCorruptError(file.path, `it holds index ${snapshot.metadata.index} term ` +
        `${snapshot.metadata.term}, which does not match its name (a renamed or misplaced file)`);
    }
    return snapshot;
  }

  /**
   * The newest full snapshot and the chain of deltas after it, or null if there is none. A
   * corrupt newest file or chain link throws SnapshotCorruptError unless `fallbackOnCorrupt`
   * (then the chain stops before it, or an older snapshot is used); if every full snapshot
   * is corrupt it always throws.
   */
  async loadNewest(options: LoadOptions = {}): Promise<LoadedSnapshot | null> {
    const files = (await this.list()).reverse();
    const deltas = await this.listDeltas();
    const skipped: LoadedSnapshot['skipped'] = [];
    for (const file of files) {
      let snapshot: Snapshot;
      try {
        snapshot = await this.load(file);
      } catch (err) {
        if (!(err instanceof SnapshotCorruptError) || !options.fallbackOnCorrupt) throw err;
        skipped.push({ file: file.path, error: err });
        continue;
      }
      const after = deltas.filter((d) => d.index > file.index);
      return { snapshot, file: file.path, deltas: await this.#chain(file.index, after, skipped, options), skipped };
    }
    if (skipped.length > 0) throw new SnapshotNoneValidError(skipped.map((s) => s.file));
    if (deltas.length > 0) {
      throw new SnapshotCorruptError(deltas[0]!.path, 'there is no full snapshot for it to apply on top of');
    }
    return null;
  }

  /** The deltas that chain onto the snapshot at `baseIndex`, each onto the one before, in order. */
  async #chain(baseIndex: number, files: SnapshotFile[], skipped: LoadedSnapshot['skipped'], o: LoadOptions,
  ): Promise<LoadedDelta[]> {
    const out: LoadedDelta[] = [];
    let previous = baseIndex;
    for (const file of files) {
      try {
        const d = await this.loadDelta(file);
        if (d.previousIndex !== previous) {
          throw new SnapshotCorruptError(file.path, `it applies on top of index ${d.previousIndex}, but the chain ` +
            `before it ends at ${previous} (a delta file is missing, or the file belongs to another chain)`);
        }
        out.push({ file: file.path, snapshot: d.snapshot });
        previous = file.index;
      } catch (err) {
        if (!(err instanceof SnapshotCorruptError) || !o.fallbackOnCorrupt) throw err;
        skipped.push({ file: file.path, error: err });
        break; // nothing after a broken link can be replayed
      }
    }
    return out;
  }
}
