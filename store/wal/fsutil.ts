// Small durable-filesystem helpers shared by the WAL and the snapshot files. The rules they
// encode: a file's contents are fsynced before it gets its final name (rename), and the
// directory is fsynced after any create, rename or unlink so the name change itself survives
// a power loss.
import { writevSync } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const TEMP_SUFFIX = '.tmp';

/** fsync a directory so entries created, renamed or removed in it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `buffers` at `position`, continuing after partial writes. */
export async function writeAll(fh: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0);
  let pos = position;
  while (pending.length > 0) {
    const { bytesWritten } = await fh.writev(pending, pos);
    pos += bytesWritten;
    pending = unwritten(pending, bytesWritten, pos);
  }
}

/**
 * writeAll on the calling thread (blocking it for the write). For a small write that must
 * be durable before anything else can happen, this spares the two thread switches of an
 * async write — a thread-pool thread woken to run it, the event loop woken by its
 * completion — which on a loaded machine each wait for a core.
 */
export function writeAllSync(fd: number, buffers: readonly Buffer[], position: number): void {
  let pending = buffers.filter((b) => b.length > 0);
  let pos = position;
  while (pending.length > 0) {
    const bytesWritten = writevSync(fd, pending, pos);
    pos += bytesWritten;
    pending = unwritten(pending, bytesWritten, pos);
  }
}

/** What is left of `pending` after a (possibly partial) write of `bytesWritten` bytes. */
function unwritten(pending: readonly Buffer[], bytesWritten: number, nextPos: number): Buffer[] {
  if (bytesWritten <= 0) throw new Error(`writev wrote ${bytesWritten} bytes at offset ${nextPos}`);
  let skip = bytesWritten;
  const rest: Buffer[] = [];
  for (const b of pending) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}

/**
 * Removes leftovers of writes that crashed before their rename (`*.tmp`); their contents
 * were never given a final name, so nothing durable is lost. Returns the removed names.
 */
export async function removeTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    await unlink(join(dir, name));
    removed.push(join(dir, name));
  }
  if (removed.length > 0) await fsyncDir(dir);
  return removed;
}

/** True when every byte of buf from `from` on is zero (a preallocated, never-written tail). */
const ZEROS = Buffer.alloc(64 * 1024);

export function isZeroFrom(buf: Buffer, from: number): boolean {
  const chunk = ZEROS.length;
  for (let p = from; p < buf.length; p += chunk) {
    const end = Math.min(buf.length, p + chunk);
    if (buf.compare(ZEROS, 0, end - p, p, end) !== 0) return false;
  }
  return true;
}
