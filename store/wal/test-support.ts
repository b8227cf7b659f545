// Helpers shared by the WAL and snapshot tests: temp directories on the real disk, entry
// builders, file surgery (truncate, flip a byte) and a model of what replay must return.
import { copyFile, mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, HardState } from '../raft/types.js';
import { EntryType } from '../raft/types.js';
import type { SnapshotMarker, WalMetadata } from './codec.js';
import type { SaveRequest } from './log-state.js';

export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `flotilla-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const META: WalMetadata = {
  clusterId: Uint8Array.from([0xc1, 0x05]),
  memberId: Uint8Array.from([0x0a, 0x0b, 0x0c]),
};

/** An entry whose bytes depend on index, term and salt, so a replaced entry is told apart. */
export function entry(index: number, term: number, sizeBytes = 16, salt = 0): Entry {
  const data = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) data[i] = (index * 31 + term * 7 + salt * 13 + i) & 0xff;
  return { index, term, type: index % 5 === 0 ? EntryType.ConfChange : EntryType.Normal, data };
}

export function entries(from: number, to: number, term: number, sizeBytes = 16, salt = 0): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term, sizeBytes, salt));
  return out;
}

export async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) await copyFile(join(from, name), join(to, name));
}

export async function truncateFile(path: string, sizeBytes: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(sizeBytes);
  } finally {
    await fh.close();
  }
}

export async function flipByte(path: string, offset: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, offset);
    b[0] = (b[0] as number) ^ 0x5a;
    await fh.write(b, 0, 1, offset);
  } finally {
    await fh.close();
  }
}

export async function appendBytes(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'a');
  try {
    await fh.write(bytes);
  } finally {
    await fh.close();
  }
}

export interface ExpectedReplay {
  entries: Entry[];
  hardState: HardState;
  snapshotMarker: SnapshotMarker | null;
}

/**
 * What replay must produce, written as plainly as possible: the log as an array, entries
 * replacing from their first index, and §7's rule for snapshot markers.
 */
export class ModelLog {
  anchor: SnapshotMarker = { index: 0, term: 0 };
  log: Entry[] = [];
  hardState: HardState = { term: 0, vote: '', commit: 0 };
  marker: SnapshotMarker | null = null;

  get lastIndex(): number {
    return this.anchor.index + this.log.length;
  }

  clone(): ModelLog {
    const m = new ModelLog();
    m.anchor = { ...this.anchor };
    m.log = this.log.slice();
    m.hardState = { ...this.hardState };
    m.marker = this.marker ? { ...this.marker } : null;
    return m;
  }

  termAt(i: number): number | undefined {
    if (i === this.anchor.index) return this.anchor.term;
    return this.log[i - this.anchor.index - 1]?.term;
  }

  applyMarker(m: SnapshotMarker): void {
    if (this.termAt(m.index) !== m.term) {
      this.anchor = { ...m };
      this.log = [];
    }
    this.marker = { ...m };
  }

  applyEntries(es: readonly Entry[]): void {
    if (es.length === 0) return;
    this.log.length = (es[0] as Entry).index - this.anchor.index - 1;
    this.log.push(...es);
  }

  /** Applies a save's parts in WAL record order; `parts` limits how many records land (a crash). */
  apply(req: SaveRequest, parts = Infinity): void {
    let n = 0;
    if (req.snapshotMarker && n++ < parts) this.applyMarker(req.snapshotMarker);
    if (req.entries && req.entries.length > 0 && n++ < parts) this.applyEntries(req.entries);
    if (req.hardState && n++ < parts) this.hardState = { ...req.hardState };
  }

  expected(): ExpectedReplay {
    const base = this.marker?.index ?? 0;
    return { entries: this.log.filter((e) => e.index > base), hardState: { ...this.hardState },
      snapshotMarker: this.marker ? { ...this.marker } : null };
  }
}

/** A fast-check seed: FLOTILLA_FC_SEED if set (to reproduce a failure), else fresh. */
export function fcSeed(): number {
  const fromEnv = process.env['FLOTILLA_FC_SEED'];
  return fromEnv !== undefined ? Number(fromEnv) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
}
