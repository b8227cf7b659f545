// Watch streams: the apiserver answers `?watch=true` with a chunked body of newline-delimited JSON
// events (client-go: watch.StreamWatcher over a json framer). Chunk boundaries are arbitrary, so the
// decoder buffers bytes and cuts at '\n' (0x0A never occurs inside a multi-byte UTF-8 sequence,
// so cutting bytes is safe). An ERROR event ends the stream with an ApiError made of its Status,
// as the reflector turns it into an error (apierrors.FromObject).
import type { IncomingMessage } from 'node:http';
import type { Status, WatchEvent, WatchEventType } from '../api/index.js';
import { AbortedError, ApiError, ConnectionError, SizeLimitError, WatchDecodeError } from './errors.js';
import { MAX_WATCH_LINE_BYTES } from './limits.js';

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Splits a byte stream into lines, each at most `maxLineBytes` long. */
export class LineDecoder {
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #pendingBytes = 0;

  constructor(maxLineBytes: number = MAX_WATCH_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds a chunk; returns the complete lines it finished (without '\n'), empty lines dropped. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      this.#checkLength(nl - start);
      const piece = Buffer.from(chunk.buffer, chunk.byteOffset + start, nl - start);
      const line = this.#parts.length === 0 ? piece.toString('utf8') : Buffer.concat([...this.#parts, piece]).toString('utf8');
      this.#parts = [];
      this.#pendingBytes = 0;
      if (line.trim() !== '') lines.push(line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.#checkLength(chunk.length - start);
      // Copy: the caller may reuse its chunk's memory.
      this.#parts.push(Buffer.from(chunk.subarray(start)));
      this.#pendingBytes += chunk.length - start;
    }
    return lines;
  }

  /** Ends the stream: a final unterminated line is returned if it is not blank. */
  end(): string | undefined {
    const rest = Buffer.concat(this.#parts).toString('utf8');
    this.#parts = [];
    this.#pendingBytes = 0;
    return rest.trim() === '' ? undefined : rest;
  }

  #checkLength(moreBytes: number): void {
    if (this.#pendingBytes + moreBytes > this.#maxLineBytes) {
      throw new SizeLimitError(`watch event longer than ${this.#maxLineBytes} bytes (MAX_WATCH_LINE_BYTES)`);
    }
  }
}

/** Parses one line into a watch event; anything else is a WatchDecodeError. */
export function parseWatchEvent<T>(line: string): WatchEvent<T> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new WatchDecodeError(`watch stream carried a line that is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null) throw new WatchDecodeError('watch event is not a JSON object');
  const ev = v as { type?: unknown; object?: unknown };
  if (typeof ev.type !== 'string' || !EVENT_TYPES.has(ev.type)) {
    throw new WatchDecodeError(`watch event has unknown type ${JSON.stringify(ev.type)}`);
  }
  if (typeof ev.object !== 'object' || ev.object === null || Array.isArray(ev.object)) {
    throw new WatchDecodeError(`watch event ${ev.type} has no object`);
  }
  return { type: ev.type as WatchEventType, object: ev.object as T };
}

/** Decodes NDJSON watch events from arbitrary chunks (several per chunk, or one across many). */
export class WatchDecoder<T = unknown> {
  readonly #lines: LineDecoder;
  constructor(maxLineBytes: number = MAX_WATCH_LINE_BYTES) {
    this.#lines = new LineDecoder(maxLineBytes);
  }
  push(chunk: Uint8Array): WatchEvent<T>[] {
    return this.#lines.push(chunk).map((l) => parseWatchEvent<T>(l));
  }
  end(): WatchEvent<T> | undefined {
    const rest = this.#lines.end();
    return rest === undefined ? undefined : parseWatchEvent<T>(rest);
  }
}

/** Throws the ApiError an ERROR event carries; returns other events unchanged. */
export function checkWatchEvent<T>(ev: WatchEvent<T>): WatchEvent<T> {
  if (ev.type !== 'ERROR') return ev;
  const s = ev.object as unknown as Partial<Status>;
  const code = typeof s.code === 'number' ? s.code : 500;
  throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: s.message ?? '',
    reason: s.reason ?? '', code, ...(s.details !== undefined ? { details: s.details } : {}) });
}

/** Opens the HTTP response of a watch; rejects with ApiError for a non-2xx answer. */
export type WatchOpener = (signal: AbortSignal) => Promise<IncomingMessage>;

/**
 * One watch: iterate it with `for await`; it ends when the server ends the stream (timeoutSeconds),
 * when close() is called or the loop breaks; it throws ApiError for an ERROR event or refusal,
 * ConnectionError when the connection breaks, WatchDecodeError / SizeLimitError for a bad stream.
 */
export class WatchStream<T> implements AsyncIterable<WatchEvent<T>> {
  readonly #open: WatchOpener;
  readonly #abort = new AbortController();
  readonly #deadlineMs: number | undefined;
  readonly #parent: AbortSignal | undefined;
  readonly #onParentAbort = (): void => this.close();
  #started = false;

  constructor(open: WatchOpener, deadlineMs?: number, signal?: AbortSignal) {
    this.#open = open;
    this.#deadlineMs = deadlineMs;
    this.#parent = signal;
    if (signal !== undefined) {
      // Removed again in close(): a long-lived parent (an informer's stop signal) outlives many watches.
      if (signal.aborted) this.#abort.abort();
      else signal.addEventListener('abort', this.#onParentAbort, { once: true });
    }
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  close(): void {
    this.#parent?.removeEventListener('abort', this.#onParentAbort);
    if (!this.#abort.signal.aborted) this.#abort.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.#started) throw new WatchDecodeError('a WatchStream can be iterated once');
    this.#started = true;
    return this.#events();
  }

  async *#events(): AsyncGenerator<WatchEvent<T>> {
    const timer = this.#deadlineMs === undefined ? undefined : setTimeout(() => this.close(), this.#deadlineMs);
    try {
      if (this.closed) return;
      let res: IncomingMessage;
      try {
        res = await this.#open(this.#abort.signal);
      } catch (e) {
        if (this.closed && (e instanceof AbortedError || e instanceof ConnectionError)) return;
        throw e;
      }
      const decoder = new WatchDecoder<T>();
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          for (const ev of decoder.push(chunk)) yield checkWatchEvent(ev);
        }
      } catch (e) {
        if (this.closed) return;
        if (e instanceof ApiError || e instanceof WatchDecodeError || e instanceof SizeLimitError) throw e;
        throw new ConnectionError(`watch stream broke: ${(e as Error).message}`, { cause: e });
      }
      const last = decoder.end();
      if (last !== undefined) yield checkWatchEvent(last);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      this.close();
    }
  }
}
