// The server side of one `kubectl port-forward` connection: the portforward.k8s.io protocol (v1)
// over SPDY/3.1, as the kubelet's streaming server speaks it (pkg/kubelet/cri/streaming/portforward,
// httpstream.go). For each local connection kubectl opens an `error` stream, closes its own side of
// it, then opens a `data` stream; both carry the headers `streamtype`, `port` and `requestid`. The
// two streams of one requestid make a pair: the server relays the data stream's bytes to the pod's
// port and back, writes any failure as text on the error stream, and ends with FIN on both (kubectl
// waits for the error stream's end before it closes the local connection; text on it makes kubectl
// print the error and stop forwarding, as with Kubernetes).
//
// The session owns the framing, the pairing, the bounds and the backpressure; where the bytes go is
// a `Relay` the caller dials (handlers/portforward.ts: a WebSocket to the pod's kubelet).
import {
  type Frame, FrameDecoder, FrameEncoder, GOAWAY_STATUS, headerValue, RST_STATUS, SpdyProtocolError,
} from './frames.js';

/** The byte pipe to kubectl: a WebSocket tunnel or an upgraded socket. */
export interface Transport {
  send(bytes: Buffer): void;
  /** Bytes handed to `send` and not yet written out. */
  readonly bufferedBytes: number;
  pause(): void;
  resume(): void;
  close(): void;
}

/** One forwarded connection towards the pod. */
export interface Relay {
  /** Client bytes for the pod; false when the relay is full (the session stops reading the client). */
  write(bytes: Buffer): boolean;
  /** The client will send nothing more (FIN on its data stream). */
  end(): void;
  /** Tear down at once. */
  close(): void;
}

export interface RelayEvents {
  /** Bytes from the pod; returns false when the client's transport is full: call `paused` then. */
  data(bytes: Buffer): boolean;
  /** Register a callback for when the transport has room again. */
  whenDrained(resume: () => void): void;
  /** The relay has room again after `write` returned false. */
  writable(): void;
  /** The relay is over; `error` is the text for the error stream ('' when all went well). */
  done(error: string): void;
}

export type DialRelay = (port: number, events: RelayEvents) => Relay;

export interface SessionLimits {
  streamsPerSessionMax: number;
  frameMaxBytes: number;
  headerBlockMaxBytes: number;
  receiveQueueMaxBytes: number;
  sendBufferMaxBytes: number;
  streamPairingTimeoutMs: number;
  errorMessageMaxBytes: number;
}

interface StreamState {
  id: number;
  kind: 'error' | 'data';
  /** We sent FIN (or the stream was reset). */
  localFin: boolean;
  pair: Pair;
}

interface Pair {
  requestId: string;
  error?: StreamState;
  data?: StreamState;
  port?: string;
  relay?: Relay;
  /** Client bytes that came before the pair was complete. */
  early: Buffer[];
  earlyBytes: number;
  clientEnded: boolean;
  timer?: NodeJS.Timeout;
  done: boolean;
}

export class PortForwardSession {
  readonly #t: Transport;
  readonly #dial: DialRelay;
  readonly #l: SessionLimits;
  readonly #enc = new FrameEncoder();
  readonly #dec: FrameDecoder;
  readonly #streams = new Map<number, StreamState>();
  readonly #pairs = new Map<string, Pair>();
  /** Why the client's transport is paused (a full relay, a long receive queue); read again when empty. */
  readonly #holds = new Set<unknown>();
  readonly #drainWaiters = new Set<() => void>();
  #chain: Promise<void> = Promise.resolve();
  #queuedBytes = 0;
  #lastClientStreamId = 0;
  #closed = false;
  #onClose: (() => void) | undefined;

  constructor(t: Transport, dial: DialRelay, limits: SessionLimits, onClose?: () => void) {
    this.#t = t;
    this.#dial = dial;
    this.#l = limits;
    this.#dec = new FrameDecoder(limits);
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Forwarded connections in progress. */
  get pairs(): number {
    return this.#pairs.size;
  }

  /** Bytes from the client. Frames are handled in order; header blocks inflate asynchronously. */
  receive(chunk: Buffer): void {
    if (this.#closed) return;
    let raws;
    try {
      raws = this.#dec.push(chunk);
    } catch (e) {
      return this.#fail(e as Error);
    }
    for (const raw of raws) {
      const size = raw.payload.length + 8;
      this.#queuedBytes += size;
      this.#chain = this.#chain.then(async () => {
        if (this.#closed) return;
        const f = await this.#dec.decode(raw);
        if (f !== undefined && !this.#closed) this.#handle(f);
      }).catch((e: Error) => this.#fail(e)).finally(() => {
        this.#queuedBytes -= size;
        if (this.#queuedBytes < this.#l.receiveQueueMaxBytes) this.#release('queue');
      });
    }
    if (this.#queuedBytes >= this.#l.receiveQueueMaxBytes) this.#hold('queue');
  }

  /** The transport's send buffer went below the limit: resume the relays that paused for it. */
  drained(): void {
    const waiters = [...this.#drainWaiters];
    this.#drainWaiters.clear();
    for (const w of waiters) w();
  }

  /** Ends everything: the client went away, or the apiserver shuts down. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pairs.values()) {
      clearTimeout(p.timer);
      p.relay?.close();
    }
    this.#pairs.clear();
    this.#streams.clear();
    this.#drainWaiters.clear();
    this.#dec.close();
    this.#t.close();
    this.#onClose?.();
  }

  #fail(e: Error): void {
    if (this.#closed) return;
    if (e instanceof SpdyProtocolError) {
      this.#send({ type: 'goAway', lastGoodStreamId: this.#lastClientStreamId, status: GOAWAY_STATUS.protocolError });
    }
    this.close();
  }

  #send(f: Frame): boolean {
    if (this.#closed) return false;
    this.#t.send(this.#enc.encode(f));
    return this.#t.bufferedBytes < this.#l.sendBufferMaxBytes;
  }

  #hold(key: unknown): void {
    if (this.#holds.size === 0) this.#t.pause();
    this.#holds.add(key);
  }

  #release(key: unknown): void {
    if (!this.#holds.delete(key) || this.#holds.size > 0 || this.#closed) return;
    this.#t.resume();
  }

  #handle(f: Frame): void {
    switch (f.type) {
      case 'synStream': return this.#onSynStream(f);
      case 'data': return this.#onData(f.streamId, f.data, f.fin);
      case 'rstStream': {
        const s = this.#streams.get(f.streamId);
        if (s === undefined) return;
        s.localFin = true;
        return this.#finish(s.pair, '');
      }
      case 'ping':
        // Odd ids are the client's (§2.6.5): answer with the same frame. Even ones would be answers to us.
        if (f.id % 2 === 1) this.#send(f);
        return;
      case 'goAway':
        return this.close();
      default:
        return; // SETTINGS, WINDOW_UPDATE (no flow control, as spdystream), HEADERS, SYN_REPLY: nothing to do.
    }
  }

  #onSynStream(f: Extract<Frame, { type: 'synStream' }>): void {
    const reset = (status: number): void => void this.#send({ type: 'rstStream', streamId: f.streamId, status });
    // §2.3.2: client stream ids are odd and increase.
    if (f.streamId % 2 === 0 || f.streamId <= this.#lastClientStreamId) return reset(RST_STATUS.protocolError);
    this.#lastClientStreamId = f.streamId;
    if (this.#streams.size >= this.#l.streamsPerSessionMax) return reset(RST_STATUS.refusedStream);
    const kind = headerValue(f.headers, 'streamtype');
    if (kind !== 'error' && kind !== 'data') return reset(RST_STATUS.protocolError);
    // Clients before requestid paired streams by id: the data stream is the error stream's id + 2.
    const requestId = headerValue(f.headers, 'requestid') ?? String(kind === 'error' ? f.streamId : f.streamId - 2);
    let pair = this.#pairs.get(requestId);
    if (pair?.[kind] !== undefined) return reset(RST_STATUS.protocolError);
    if (pair === undefined) {
      pair = { requestId, early: [], earlyBytes: 0, clientEnded: false, done: false };
      const p = pair;
      p.timer = setTimeout(() => this.#finish(p, `timed out waiting for the ${p.error ? 'data' : 'error'} stream ` +
        `of request ${requestId}`), this.#l.streamPairingTimeoutMs);
      this.#pairs.set(requestId, pair);
    }
    const s: StreamState = { id: f.streamId, kind, localFin: false, pair };
    pair[kind] = s;
    pair.port ??= headerValue(f.headers, 'port');
    this.#streams.set(f.streamId, s);
    // spdystream ignores DATA on a stream until it has its SYN_REPLY: reply first, always.
    this.#send({ type: 'synReply', streamId: f.streamId, fin: false, headers: new Map() });
    if (f.fin) this.#onData(f.streamId, Buffer.alloc(0), true);
    if (pair.error !== undefined && pair.data !== undefined) this.#start(pair);
  }

  #onData(streamId: number, data: Buffer, fin: boolean): void {
    const s = this.#streams.get(streamId);
    // Data for a stream already finished (or never opened): nobody wants it any more.
    if (s === undefined || s.kind === 'error') return;
    const p = s.pair;
    if (data.length > 0) {
      if (p.relay !== undefined) {
        if (!p.relay.write(data)) this.#hold(p);
      } else {
        p.early.push(data);
        p.earlyBytes += data.length;
        if (p.earlyBytes > this.#l.sendBufferMaxBytes) {
          return this.#finish(p, `more than ${this.#l.sendBufferMaxBytes} bytes arrived before the error stream`);
        }
      }
    }
    if (fin) {
      p.clientEnded = true;
      p.relay?.end();
    }
  }

  #start(p: Pair): void {
    clearTimeout(p.timer);
    const port = Number(p.port);
    if (!/^\d+$/.test(p.port ?? '') || port < 1 || port > 65535) {
      return this.#finish(p, p.port === undefined ? 'the port header is missing' : `invalid port "${p.port}"`);
    }
    const data = p.data!;
    p.relay = this.#dial(port, {
      data: (bytes) => !p.done && !data.localFin && this.#send({ type: 'data', streamId: data.id, fin: false, data: bytes }),
      whenDrained: (resume) => this.#drainWaiters.add(resume),
      writable: () => this.#release(p),
      done: (error) => this.#finish(p, error),
    });
    for (const b of p.early) if (!p.relay.write(b)) this.#hold(p);
    p.early = [];
    p.earlyBytes = 0;
    if (p.clientEnded) p.relay.end();
  }

  /** Ends a pair: the error text (if any) on the error stream, then FIN on both streams. */
  #finish(p: Pair, error: string): void {
    if (p.done || this.#closed) return;
    p.done = true;
    clearTimeout(p.timer);
    this.#release(p);
    if (error !== '' && p.error !== undefined && !p.error.localFin) {
      const text = Buffer.from(error, 'utf8').subarray(0, this.#l.errorMessageMaxBytes);
      this.#send({ type: 'data', streamId: p.error.id, fin: false, data: text });
    }
    for (const s of [p.data, p.error]) {
      if (s === undefined) continue;
      if (!s.localFin) this.#send({ type: 'data', streamId: s.id, fin: true, data: Buffer.alloc(0) });
      s.localFin = true;
      this.#streams.delete(s.id);
    }
    this.#pairs.delete(p.requestId);
    p.relay?.close();
  }
}
