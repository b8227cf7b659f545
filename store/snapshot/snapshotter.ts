// Snapshot files in `<dataDir>/snap/`, one per snapshot, named `<term>-<index>.snap`
// (zero-padded decimal). Saved write-temp, fsync, rename, fsync-directory, so a crash
// leaves either the old set of files or the new complete one. Loading picks the newest by
// index; a corrupt newest file is an error unless the caller explicitly allows falling
// back, and even then every skipped file is reported in the result.
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Snapshot } from '../raft/types.js';
import { DecodeError } from '../wal/codec.js';
import { TEMP_SUFFIX, fsyncDir, removeTempFiles, writeAll } from '../wal/fsutil.js';
import {
  MAX_CONF_STATE_MEMBERS, MAX_NODE_ID_BYTES, MAX_SNAPSHOT_DATA_BYTES, MAX_SNAPSHOT_FILES, SNAPSHOT_CRC_STEP_BYTES,
  SNAPSHOT_SLICE_MS,
} from '../wal/limits.js';
import {
  SNAPSHOT_FILE_OVERHEAD_BYTES, SnapshotDecodeError, decodeSnapshotFile, snapshotFileHeader, snapshotFileTrailerSteps,
} from './codec.js';
import { runInSlices } from './steps.js';
import { SnapshotCorruptError, SnapshotInvalidError, SnapshotNoneValidError, SnapshotTooLargeError } from './errors.js';

export const SNAP_DIR_NAME = 'snap';

/** The largest file a snapshot within the bounds can produce; anything bigger is not ours. */
const MAX_SNAPSHOT_FILE_BYTES = MAX_SNAPSHOT_DATA_BYTES + SNAPSHOT_FILE_OVERHEAD_BYTES +
  2 * MAX_CONF_STATE_MEMBERS * (4 + MAX_NODE_ID_BYTES);

const SNAP_NAME = /^(\d{16})-(\d{16})\.snap$/;
const DIGITS = 16;

export interface SnapshotFile {
  path: string;
  term: number;
  index: number;
}

export interface LoadedSnapshot {
  snapshot: Snapshot;
  file: string;
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

function checkSnapshot(s: Snapshot): void {
  const { index, term, confState } = s.metadata;
  if (!Number.isSafeInteger(index) || index < 1 || !Number.isSafeInteger(term) || term < 1) {
    throw new SnapshotInvalidError(`index ${index} and term ${term} must be positive integers`);
  }
  if (s.data.byteLength > MAX_SNAPSHOT_DATA_BYTES) {
    throw new SnapshotTooLargeError(s.data.byteLength, MAX_SNAPSHOT_DATA_BYTES);
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
   * Writes the snapshot durably, then deletes the oldest files beyond maxFiles. Returns its
   * path. The CRC is computed in slices (steps.ts), so the event loop stays responsive.
   */
  async save(snapshot: Snapshot): Promise<string> {
    checkSnapshot(snapshot);
    const header = snapshotFileHeader(snapshot);
    const trailer = await runInSlices(snapshotFileTrailerSteps(header, snapshot.data, SNAPSHOT_CRC_STEP_BYTES),
      { sliceMs: SNAPSHOT_SLICE_MS });
    const data = Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength);
    await mkdir(this.dir, { recursive: true });
    await fsyncDir(dirname(this.dir));
    const path = join(this.dir, snapshotFileName(snapshot.metadata.term, snapshot.metadata.index));
    const tmp = path + TEMP_SUFFIX;
    const fh = await open(tmp, 'w');
    try {
      await writeAll(fh, [header, data, trailer], 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await fsyncDir(this.dir);
    await this.#prune();
    return path;
  }

  async #prune(): Promise<void> {
    const files = await this.list();
    const doomed = files.slice(0, Math.max(0, files.length - this.#maxFiles));
    for (const f of doomed) await unlink(f.path);
    if (doomed.length > 0) await fsyncDir(this.dir);
  }

  /** Snapshot files, oldest first (by index, then term). Removes leftover temp files. */
  async list(): Promise<SnapshotFile[]> {
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
      const m = SNAP_NAME.exec(name);
      if (m) files.push({ path: join(this.dir, name), term: Number(m[1]), index: Number(m[2]) });
    }
    return files.sort((a, b) => a.index - b.index || a.term - b.term);
  }

  /** Reads and checks one snapshot file; throws SnapshotCorruptError naming it if it is damaged. */
  async load(file: SnapshotFile): Promise<Snapshot> {
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
      snapshot = decodeSnapshotFile(buf);
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
   * The newest snapshot, or null if there is none. A corrupt newest file throws
   * SnapshotCorruptError unless `fallbackOnCorrupt`; if every file is corrupt it always throws.
   */
  async loadNewest(options: LoadOptions = {}): Promise<LoadedSnapshot | null> {
    const files = (await this.list()).reverse();
    const skipped: LoadedSnapshot['skipped'] = [];
    for (const file of files) {
      try {
        return { snapshot: await this.load(file), file: file.path, skipped };
      } catch (err) {
        if (!(err instanceof SnapshotCorruptError) || !options.fallbackOnCorrupt) throw err;
        skipped.push({ file: file.path, error: err });
      }
    }
    if (skipped.length > 0) throw new SnapshotNoneValidError(skipped.map((s) => s.file));
    return null;
  }
}
