// What every service shares: the response header (etcd's header filler), the unary-call
// wrapper (admission, error mapping, in-flight accounting) and the tracker close() uses to
// finish in-flight calls and end open streams.

import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { EtcdBackend } from '../backend.js';
import { encodeHeader, type HeaderFields, type WireHeader } from '../codec.js';
import { EtcdApiError, etcdError, toServiceError, type GrpcServiceError } from '../errors.js';
import { MAX_INFLIGHT_UNARY_CALLS, MAX_REQUEST_BYTES } from '../limits.js';
import { wireBytesOf } from '../proto.js';

/** pino-compatible: (fields, message). */
export interface ApiLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: ApiLogger = Object.freeze({
  debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined,
});

/** An open stream the server can end on close(). */
export interface OpenStream {
  /** End the stream with this error (UNAVAILABLE "server stopped" on close). */
  abort(err: EtcdApiError): void;
}

export type StreamKind = 'watch' | 'keepalive' | 'snapshot';

/** In-flight unary calls and open streams, bounded, so close() can wait for or end them. */
export class CallTracker {
  #closing = false;
  #unary = 0;
  #idle: (() => void)[] = [];
  readonly #streams: Record<StreamKind, Set<OpenStream>> = {
    watch: new Set(), keepalive: new Set(), snapshot: new Set(),
  };

  constructor(readonly streamLimits: Readonly<Record<StreamKind, number>>) {}

  get closing(): boolean {
    return this.#closing;
  }

  get inflightUnary(): number {
    return this.#unary;
  }

  openStreams(kind: StreamKind): number {
    return this.#streams[kind].size;
  }

  /** Admit a unary call, or say why not. */
  beginUnary(): EtcdApiError | null {
    if (this.#closing) return etcdError('stopped');
    if (this.#unary >= MAX_INFLIGHT_UNARY_CALLS) return etcdError('tooManyRequests');
    this.#unary++;
    return null;
  }

  endUnary(): void {
    this.#unary--;
    if (this.#unary === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  /** Admit a stream, or say why not. */
  addStream(kind: StreamKind, s: OpenStream): EtcdApiError | null {
    if (this.#closing) return etcdError('stopped');
    const set = this.#streams[kind];
    if (set.size >= this.streamLimits[kind]) return etcdError('tooManyRequests');
    set.add(s);
    return null;
  }

  removeStream(kind: StreamKind, s: OpenStream): void {
    this.#streams[kind].delete(s);
  }

  /** Refuse new calls and end every open stream. */
  beginClose(): void {
    this.#closing = true;
    for (const set of Object.values(this.#streams)) {
      for (const s of [...set]) s.abort(etcdError('stopped'));
      set.clear();
    }
  }

  /** Resolves true once no unary call is in flight, false if `timeoutMs` passes first. */
  drainUnary(timeoutMs: number): Promise<boolean> {
    if (this.#unary === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

export interface ServiceContext {
  readonly backend: EtcdBackend;
  readonly clusterId: bigint;
  readonly memberId: bigint;
  readonly logger: ApiLogger;
  readonly tracker: CallTracker;
}

/** etcd header.fill: ids and term from this member; a revision the response left 0 is the current one. */
export function header(ctx: ServiceContext, revision: bigint): WireHeader {
  return encodeHeader(headerFields(ctx, revision));
}

/** header()'s fields before the wire conversion (for responses encoded straight to bytes). */
export function headerFields(ctx: ServiceContext, revision: bigint): HeaderFields {
  const b = ctx.backend;
  return {
    clusterId: ctx.clusterId, memberId: ctx.memberId, raftTerm: b.raftTerm(),
    revision: revision !== 0n ? revision : b.currentRevision(),
  };
}

/** Throw etcd's "request is too large" for a write over the size bound (etcd checks its proposal). */
export function checkRequestSize(message: object): void {
  if (wireBytesOf(message) > MAX_REQUEST_BYTES) throw etcdError('requestTooLarge');
}

/** The error a call fails with; a non-etcd error is a bug and is logged. */
export function failure(ctx: ServiceContext, method: string, err: unknown): GrpcServiceError {
  if (!(err instanceof EtcdApiError)) {
    ctx.logger.error({ method, err: err instanceof Error ? err.stack ?? err.message : String(err) },
      'unexpected error serving an etcd API call');
  }
  return toServiceError(err);
}

/** A unary handler: admission, then `fn`, then the reply or etcd's error. */
export function unary<Req extends object>(
  ctx: ServiceContext,
  method: string,
  fn: (req: Req, call: ServerUnaryCall<Req, object>) => Promise<object>,
): handleUnaryCall<Req, object> {
  return (call, callback) => {
    const refused = ctx.tracker.beginUnary();
    if (refused !== null) {
      callback(toServiceError(refused));
      return;
    }
    let p: Promise<object>;
    try {
      p = fn(call.request, call);
    } catch (err) {
      p = Promise.reject(err);
    }
    // One then() (not then/catch/finally: three promises and their jobs per call).
    p.then(
      (resp) => reply(ctx, method, callback, false, resp),
      (err: unknown) => reply(ctx, method, callback, true, err),
    );
  };
}

/** Send the reply or the error; the call stops counting as in flight once it is sent (close() waits for that). */
function reply(ctx: ServiceContext, method: string, callback: sendUnaryData<object>, failed: boolean,
  outcome: unknown): void {
  try {
    if (failed) callback(failure(ctx, method, outcome));
    else callback(null, outcome as object);
  } catch (err) {
    ctx.logger.error({ method, err: String(err) }, 'failed to send a reply');
  } finally {
    ctx.tracker.endUnary();
  }
}
