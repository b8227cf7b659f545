// The Watch service (etcd v3rpc watch.go): one bidirectional stream per client carrying
// many watchers. Requests go straight to the backend's watch stream; responses queue there
// (bounded) and are pulled from it only as fast as the client connection takes them, so a
// slow reader holds back its own stream and nothing else.
//
// As in etcd: an empty key means "\0" (the smallest key); a negative start revision is
// answered created+canceled with the compaction error; a cancel of an unknown watch ID gets
// no answer; the client half-closing its side does not end the stream; a `fragment`
// watcher's large responses are split.

import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { BackendWatchStream, Event, WatchResponse } from '../backend.js';
import { decodeWatchCreate, long, present, type WireLong, type WireWatchCreateRequest } from '../codec.js';
import { EtcdErrors, toServiceError, type EtcdApiError } from '../errors.js';
import { WATCH_FRAGMENT_BYTES, WATCH_POLL_BATCH_RESPONSES } from '../limits.js';
import { encodeWatchResponse } from '../watch-encode.js';
import { headerFields, type OpenStream, type ServiceContext } from './common.js';

export interface WireWatchRequest {
  create_request?: WireWatchCreateRequest | null;
  cancel_request?: { watch_id?: WireLong } | null;
  progress_request?: object | null;
}

/** Protobuf framing allowance per event on top of its keys and values (an overestimate). */
const EVENT_OVERHEAD_BYTES = 64;

function eventBytes(e: Event): number {
  let n = EVENT_OVERHEAD_BYTES + e.kv.key.length + e.kv.value.length;
  if (e.prevKv !== undefined) n += EVENT_OVERHEAD_BYTES + e.prevKv.key.length + e.prevKv.value.length;
  return n;
}

/**
 * etcd sendFragments: split a response's events so each part stays under the bound (a
 * single event is never split); every part but the last has fragment = true. Sizes are
 * estimated from keys and values plus a fixed framing allowance.
 */
export function fragmentEvents(events: Event[], maxBytes: number): Event[][] {
  const parts: Event[][] = [];
  let cur: Event[] = [];
  let size = 0;
  for (const e of events) {
    const n = eventBytes(e);
    if (cur.length > 0 && size + n >= maxBytes) {
      parts.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(e);
    size += n;
  }
  parts.push(cur);
  return parts;
}

class WatchSession implements OpenStream {
  readonly #ctx: ServiceContext;
  readonly #call: ServerDuplexStream<WireWatchRequest, Buffer>;
  #stream: BackendWatchStream | null = null;
  /** Responses made here (not by the backend) waiting to be written. */
  readonly #local: Buffer[] = [];
  readonly #fragmenting = new Set<bigint>();
  #scheduled = false;
  #paused = false;
  #done = false;

  constructor(ctx: ServiceContext, call: ServerDuplexStream<WireWatchRequest, Buffer>) {
    this.#ctx = ctx;
    this.#call = call;
  }

  start(): void {
    const refused = this.#ctx.tracker.addStream('watch', this);
    if (refused !== null) {
      this.#done = true;
      this.#call.emit('error', toServiceError(refused));
      return;
    }
    this.#stream = this.#ctx.backend.openWatchStream(() => this.#schedule());
    this.#call.on('data', (w: WireWatchRequest) => this.#onRequest(w));
    this.#call.on('cancelled', () => this.#finish());
    this.#call.on('error', () => this.#finish());
    this.#call.on('close', () => this.#finish());
  }

  abort(err: EtcdApiError): void {
    if (this.#done) return;
    this.#finish();
    this.#call.emit('error', toServiceError(err));
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#stream?.close();
    this.#ctx.tracker.removeStream('watch', this);
  }

  #onRequest(w: WireWatchRequest): void {
    const stream = this.#stream;
    if (this.#done || stream === null) return;
    if (present(w.create_request)) {
      const req = decodeWatchCreate(w.create_request);
      if (req.key.length === 0) req.key = new Uint8Array([0]);
      if (req.startRevision < 0n) {
        const refusal: WatchResponse = {
          revision: 0n, watchId: -1n, created: true, canceled: true, compactRevision: 0n,
          cancelReason: EtcdErrors.compacted.message, events: [],
        };
        this.#local.push(encodeWatchResponse(headerFields(this.#ctx, 0n), refusal, refusal.events, false));
        this.#schedule();
        return;
      }
      const id = stream.create(req);
      if (id !== -1n && req.fragment) this.#fragmenting.add(id);
    } else if (present(w.cancel_request)) {
      const id = long(w.cancel_request.watch_id);
      if (stream.cancel(id)) this.#fragmenting.delete(id);
    } else if (present(w.progress_request)) {
      stream.requestProgress();
    }
    // Anything else (an empty request) is ignored, as etcd does.
  }

  #schedule(): void {
    if (this.#scheduled || this.#done) return;
    this.#scheduled = true;
    setImmediate(() => this.#pump());
  }

  /** Write one batch; go on later if more may be queued, or after 'drain' if the client is slow. */
  #pump(): void {
    this.#scheduled = false;
    const stream = this.#stream;
    if (this.#done || this.#paused || stream === null) return;
    const messages = this.#local.splice(0);
    const batch = stream.poll(WATCH_POLL_BATCH_RESPONSES);
    for (const r of batch) messages.push(...this.#encode(r));
    let ok = true;
    for (const m of messages) ok = this.#call.write(m) && ok;
    if (!ok) {
      this.#paused = true;
      this.#call.once('drain', () => {
        this.#paused = false;
        this.#schedule();
      });
      return;
    }
    if (batch.length === WATCH_POLL_BATCH_RESPONSES) this.#schedule();
  }

  /** Straight to protobuf bytes (watch-encode.ts); the Watch method's serializer passes them through. */
  #encode(r: WatchResponse): Buffer[] {
    if (r.canceled) this.#fragmenting.delete(r.watchId);
    const h = headerFields(this.#ctx, r.revision);
    if (!this.#fragmenting.has(r.watchId) || r.events.length < 2) {
      return [encodeWatchResponse(h, r, r.events, false)];
    }
    const parts = fragmentEvents(r.events, WATCH_FRAGMENT_BYTES);
    return parts.map((events, i) => encodeWatchResponse(h, r, events, i < parts.length - 1));
  }
}

export function watchService(ctx: ServiceContext): UntypedServiceImplementation {
  return {
    Watch: (call: ServerDuplexStream<WireWatchRequest, Buffer>) => new WatchSession(ctx, call).start(),
  };
}
