// Container logs in the CRI log format the kubelet reads from /var/log/pods (cri-api's
// "CRI logging" design): one record per line, `<RFC3339Nano UTC> <stdout|stderr> <F|P> <msg>\n`.
// A line longer than CRI_LOG_LINE_MAX_BYTES is cut into P (partial) records ending with an F
// record, as containerd does. The file is rotated once (to `<file>.1`) at a size bound, like
// the kubelet's containerLogMaxSize with containerLogMaxFiles = 2.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CRI_LOG_LINE_MAX_BYTES, LOG_FOLLOW_POLL_MS, LOG_TAIL_LINES_MAX } from './limits.js';
import type { ReadLogsOptions } from './types.js';

export type LogStream = 'stdout' | 'stderr';

/** RFC 3339 with nine fraction digits, fixed width so records sort as text (JS clocks have ms). */
export function criTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatCriRecord(ms: number, stream: LogStream, partial: boolean, message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${criTimestamp(ms)} ${stream} ${partial ? 'P' : 'F'} `), message, Buffer.from('\n')]);
}

export interface CriRecord {
  time: string;
  stream: LogStream;
  partial: boolean;
  message: string;
}

/** Parses one record (without its newline); undefined if it is not CRI format. */
export function parseCriRecord(line: string): CriRecord | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s.exec(line);
  if (m === null) return undefined;
  return { time: m[1] ?? '', stream: m[2] as LogStream, partial: m[3] === 'P', message: m[4] ?? '' };
}

/** Appends CRI records to one container's log file, rotating once. Writes are synchronous and small. */
export class CriLogWriter {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  #fd: number;
  #size: number;

  constructor(path: string, maxBytes: number, now: () => number = Date.now) {
    this.path = path;
    this.#maxBytes = maxBytes;
    this.#now = now;
    this.#fd = fs.openSync(path, 'a', 0o640);
    this.#size = fs.fstatSync(this.#fd).size;
  }

  /** Adds a chunk of the stream's output; complete lines are written, the rest waits for more. */
  write(stream: LogStream, chunk: Buffer): void {
    let rest = chunk;
    for (;;) {
      const nl = rest.indexOf(0x0a);
      if (nl < 0) break;
      this.#emit(stream, Buffer.concat([...this.#pending[stream], rest.subarray(0, nl)]), false);
      this.#pending[stream] = [];
      rest = rest.subarray(nl + 1);
    }
    if (rest.length > 0) this.#pending[stream].push(rest);
    let pendingBytes = this.#pending[stream].reduce((n, b) => n + b.length, 0);
    while (pendingBytes >= CRI_LOG_LINE_MAX_BYTES) {
      const all = Buffer.concat(this.#pending[stream]);
      this.#emit(stream, all.subarray(0, CRI_LOG_LINE_MAX_BYTES), true);
      this.#pending[stream] = [all.subarray(CRI_LOG_LINE_MAX_BYTES)];
      pendingBytes -= CRI_LOG_LINE_MAX_BYTES;
    }
  }

  /** The stream ended: a last line without newline is still written, as a full record. */
  flush(stream: LogStream): void {
    const all = Buffer.concat(this.#pending[stream]);
    this.#pending[stream] = [];
    if (all.length > 0) this.#emit(stream, all, false);
  }

  /** Writes a line of our own (the simulated runtime's notice, a runtime message). */
  line(stream: LogStream, message: string): void {
    this.#emit(stream, Buffer.from(message), false);
  }

  close(): void {
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
  }

  #emit(stream: LogStream, message: Buffer, partial: boolean): void {
    if (this.#fd < 0) return;
    const record = formatCriRecord(this.#now(), stream, partial, message);
    if (this.#size > 0 && this.#size + record.length > this.#maxBytes) this.#rotate();
    fs.writeSync(this.#fd, record);
    this.#size += record.length;
  }

  #rotate(): void {
    fs.closeSync(this.#fd);
    fs.renameSync(this.path, `${this.path}.1`);
    this.#fd = fs.openSync(this.path, 'a', 0o640);
    this.#size = 0;
  }
}

async function readOrEmpty(path: string): Promise<Buffer> {
  return fsp.readFile(path).catch(() => Buffer.alloc(0));
}

async function inodeOf(path: string): Promise<number | undefined> {
  return (await fsp.stat(path).catch(() => undefined))?.ino;
}

/** Offset of the start of the last `lines` records of buf. */
function tailOffset(buf: Buffer, lines: number): number {
  const n = Math.min(Math.max(0, Math.floor(lines)), LOG_TAIL_LINES_MAX);
  if (n === 0) return buf.length;
  let pos = buf.length > 0 && buf[buf.length - 1] === 0x0a ? buf.length - 1 : buf.length;
  for (let count = 1; ; count++) {
    const nl = pos > 0 ? buf.lastIndexOf(0x0a, pos - 1) : -1;
    if (nl < 0) return 0;
    if (count === n) return nl + 1;
    pos = nl;
  }
}

async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const fh = await fsp.open(path, 'r').catch(() => undefined);
  if (fh === undefined) return Buffer.alloc(0);
  try {
    const buf = Buffer.alloc(Math.max(0, to - from));
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * A container's log: the rotated file then the current one, from `sinceBytes` or the last
 * `tail` records; with `follow`, new bytes until `running()` turns false and all is read.
 */
export async function* readCriLog(path: string, opts: ReadLogsOptions, running: () => boolean,
  pollMs: number = LOG_FOLLOW_POLL_MS): AsyncGenerator<Buffer> {
  let ino = await inodeOf(path);
  const current = await readOrEmpty(path);
  const all = Buffer.concat([await readOrEmpty(`${path}.1`), current]);
  let start = Math.min(all.length, Math.max(0, opts.sinceBytes ?? 0));
  if (opts.tail !== undefined) start = Math.max(start, tailOffset(all, opts.tail));
  if (start < all.length) yield all.subarray(start);
  if (opts.follow !== true) return;
  let offset = current.length;
  for (;;) {
    const done = !running();
    const nowIno = await inodeOf(path);
    if (nowIno !== ino && ino !== undefined && (await inodeOf(`${path}.1`)) === ino) {
      // Rotated since the last look: the rest of the old file first, then the new one from 0.
      const size = (await fsp.stat(`${path}.1`)).size;
      const rest = await readRange(`${path}.1`, offset, size);
      if (rest.length > 0) yield rest;
      offset = 0;
    }
    ino = nowIno;
    const size = (await fsp.stat(path).catch(() => undefined))?.size ?? 0;
    if (size > offset) {
      const chunk = await readRange(path, offset, size);
      offset += chunk.length;
      if (chunk.length > 0) yield chunk;
    }
    if (done) return;
    await sleep(pollMs);
  }
}
