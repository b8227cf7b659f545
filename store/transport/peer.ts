// The outbound side of one peer: a persistent WebSocket this member dials, a bounded queue
// of messages for the peer, batching into frames, reconnect with backoff, and at most one
// snapshot stream at a time. Traffic on this connection flows dialer → listener only (the
// listener answers nothing but snapshot acknowledgements); the peer's traffic to us comes
// on the connection it dials. See transport.ts for why connections are one-directional.
import { WebSocket } from 'ws';
import type { Message, NodeId } from '../raft/types.js';
import { backoffDelayMs } from './backoff.js';
import { batchFrameBytesMax, decodeFrame, encodeBatch, FrameKind, FRAME_HEADER_BYTES, messageWireBytesMax }
  from './codec.js';
import type { HandshakeRejectedError } from './errors.js';
import { TransportProtocolError } from './errors.js';
import { dialHeaders, rejectionFromResponse, STREAM_PATH } from './handshake.js';
import type { TransportLimits } from './limits.js';
import type { RepeatLimiter, TransportLogger } from './logger.js';
import type { OutboundCounters } from './metrics.js';
import { newOutboundCounters } from './metrics.js';
import { MessageQueue } from './queue.js';
import { SnapshotSendCursor } from './snapshot-stream.js';
import { closeSocket, describeCloseCode, keepAlive, zeroMask } from './socket.js';

export interface PeerContext {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly limits: Readonly<TransportLimits>;
  readonly logger: TransportLogger;
  readonly repeat: RepeatLimiter;
  readonly random: () => number;
  onUnreachable(id: NodeId): void;
  onSnapshotStatus(id: NodeId, ok: boolean): void;
  nextStreamId(): number;
  corruptSnapshotChunk?: ((to: NodeId, chunkIndex: number) => boolean) | undefined;
}

interface OutboundSnapshot {
  streamId: number;
  message: Message;
  /** Set once a connection is open and the stream has begun; a new connection never resumes one. */
  cursor: SnapshotSendCursor | undefined;
  deadline: NodeJS.Timeout;
  startedAtMs: number;
}

type State = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

export class OutboundPeer {
  readonly id: NodeId;
  readonly counters: OutboundCounters = newOutboundCounters();
  readonly #ctx: PeerContext;
  readonly #queue: MessageQueue;
  #url: URL;
  #state: State = 'idle';
  #ws: WebSocket | undefined;
  /** Bumped per connection, so callbacks of a dead connection cannot touch the live one's accounting. */
  #generation = 0;
  #attempt = 0;
  #everConnected = false;
  #draining = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #stopKeepAlive: (() => void) | undefined;
  #flushScheduled = false;
  /** Bytes handed to the socket and not yet written to the kernel. */
  #inflightBytes = 0;
  #snapshot: OutboundSnapshot | undefined;
  #rejection: HandshakeRejectedError | undefined;
  #lastError: Error | undefined;
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(id: NodeId, url: URL, ctx: PeerContext) {
    this.id = id;
    this.#url = url;
    this.#ctx = ctx;
    this.#queue = new MessageQueue(ctx.limits.queueMaxMessagesPerPeer, ctx.limits.queueMaxBytesPerPeer);
  }

  get url(): URL {
    return this.#url;
  }

  get connected(): boolean {
    return this.#state === 'open';
  }

  get queueLength(): number {
    return this.#queue.length;
  }

  get queueBytes(): number {
    return this.#queue.bytes;
  }

  start(): void {
    if (this.#state === 'idle') this.#dial();
  }

  /** Queue `m`; the queue drops its oldest messages when full. Never blocks, never throws. */
  enqueue(m: Message): void {
    const dropped = this.#queue.push(m, messageWireBytesMax(m));
    if (dropped > 0) {
      this.counters.messagesDropped += dropped;
      this.#warnRepeated('queue-full', 'peer queue full; dropped the oldest messages (Raft retries them)', {
        queueMessages: this.#queue.length, queueBytes: this.#queue.bytes, droppedTotal: this.counters.messagesDropped,
      });
    }
    this.#scheduleFlush();
  }

  /** Stream the snapshot in `m`; exactly one onSnapshotStatus follows, never synchronously. */
  enqueueSnapshot(m: Message): void {
    const size = m.snapshot?.data.byteLength ?? 0;
    const refuse = this.#snapshot !== undefined
      ? `a snapshot (stream ${this.#snapshot.streamId}) is already being sent to this peer`
      : size > this.#ctx.limits.snapshotMaxBytes ? `snapshot of ${size} bytes exceeds snapshotMaxBytes` : undefined;
    if (refuse !== undefined || this.#state === 'closed') {
      this.counters.snapshotsFailed++;
      this.#ctx.logger.warn({ peer: this.id, bytes: size }, `snapshot send refused: ${refuse ?? 'transport closed'}`);
      setImmediate(() => this.#ctx.onSnapshotStatus(this.id, false));
      return;
    }
    const { snapshotTimeoutBaseMs: base, snapshotMinRateBytesPerSecond: rate } = this.#ctx.limits;
    const timeoutMs = base + Math.ceil((size / rate) * 1000);
    const streamId = this.#ctx.nextStreamId();
    const deadline = setTimeout(() => this.#snapshotTimedOut(streamId, timeoutMs), timeoutMs);
    deadline.unref();
    this.#snapshot = { streamId, message: m, cursor: undefined, deadline, startedAtMs: Date.now() };
    if (this.#state === 'open') this.#beginSnapshot();
  }

  /** Point at a new URL; an open connection to the old one is dropped and redialled. */
  updateUrl(url: URL): void {
    if (url.href === this.#url.href) return;
    this.#url = url;
    this.#attempt = 0;
    if (this.#state === 'backoff') {
      clearTimeout(this.#reconnectTimer);
      this.#dial();
    } else {
      this.#ws?.terminate();
    }
  }

  /** Flush what is queued (bounded by closeTimeoutMs), fail any snapshot, close the connection. */
  close(code = 1001, reason = 'member shutting down'): Promise<void> {
    this.#closing ??= this.#close(code, reason);
    return this.#closing;
  }

  async #close(code: number, reason: string): Promise<void> {
    // Let the caller's synchronous code finish first: callbacks below must not re-enter it.
    await Promise.resolve();
    const timeoutMs = this.#ctx.limits.closeTimeoutMs;
    if (this.#state === 'open' && (this.#queue.length > 0 || this.#inflightBytes > 0)) {
      this.#draining = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
        this.#scheduleFlush();
      });
      this.#drained = undefined;
    }
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    this.#stopKeepAlive?.();
    this.counters.messagesDropped += this.#queue.clear();
    this.#finishSnapshot(false, 'transport closing');
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws !== undefined) await closeSocket(ws, code, reason, timeoutMs);
  }

  #dial(): void {
    this.#state = 'connecting';
    this.#rejection = undefined;
    this.#lastError = undefined;
    const { limits } = this.#ctx;
    const ws = new WebSocket(new URL(STREAM_PATH, this.#url), {
      headers: dialHeaders(this.#ctx.clusterId, this.#ctx.selfId, this.id),
      handshakeTimeout: limits.dialTimeoutMs,
      maxPayload: limits.controlFrameMaxBytes,
      perMessageDeflate: false,
      followRedirects: false,
      skipUTF8Validation: true,
      generateMask: zeroMask,
    });
    this.#ws = ws;
    const generation = ++this.#generation;
    ws.on('unexpected-response', (_req, res) => {
      this.#rejection = rejectionFromResponse(this.id, res.statusCode ?? 0, res.headers);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => this.#onOpen(ws, generation));
    ws.on('message', (data, isBinary) => this.#onControlFrame(ws, data as Buffer, isBinary));
    ws.on('error', (err) => {
      this.#lastError = err;
    });
    ws.on('close', (code, reason) => this.#onClose(ws, code, reason.toString()));
  }

  #onOpen(ws: WebSocket, generation: number): void {
    if (ws !== this.#ws || generation !== this.#generation || this.#state === 'closed') {
      ws.terminate();
      return;
    }
    this.#state = 'open';
    this.#inflightBytes = 0;
    this.counters.connects++;
    if (this.#everConnected) this.counters.reconnects++;
    this.#everConnected = true;
    this.#attempt = 0;
    this.#ctx.repeat.reset(`dial:${this.id}`);
    this.#ctx.logger.info({ peer: this.id, url: this.#url.href }, 'connected to peer');
    this.#stopKeepAlive = keepAlive(ws, this.#ctx.limits.pingIntervalMs, () => {
      this.#ctx.logger.warn({ peer: this.id, pingIntervalMs: this.#ctx.limits.pingIntervalMs },
        'peer did not answer a ping in time; dropping the connection');
      ws.terminate();
    });
    if (this.#snapshot !== undefined) this.#beginSnapshot();
    this.#scheduleFlush();
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    this.#generation++;
    this.#inflightBytes = 0;
    this.#stopKeepAlive?.();
    this.#stopKeepAlive = undefined;
    this.#drained?.();
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    if (wasOpen) {
      this.#ctx.logger.warn({ peer: this.id, code, reason, meaning: describeCloseCode(code) }, 'lost connection to peer');
    } else {
      this.counters.dialFailures++;
      this.#logDialFailure();
    }
    this.#finishSnapshot(false, wasOpen ? 'connection lost during the snapshot stream' : 'peer unreachable');
    this.#ctx.onUnreachable(this.id);
    this.#scheduleReconnect();
  }

  #logDialFailure(): void {
    const rejection = this.#rejection;
    if (rejection !== undefined) {
      this.counters.handshakeRejects++;
      const skipped = this.#ctx.repeat.allow(`reject:${this.id}:${rejection.code}`);
      if (skipped >= 0) {
        this.#ctx.logger.error({ peer: this.id, err: rejection, code: rejection.code, repeatsSkipped: skipped },
          rejection.message);
      }
      return;
    }
    this.#warnRepeated('dial', 'cannot reach peer; retrying with backoff', {
      url: this.#url.href, error: this.#lastError?.message, failures: this.counters.dialFailures,
    }, `dial:${this.id}`);
  }

  #scheduleReconnect(): void {
    const { backoffInitialMs, backoffMaxMs } = this.#ctx.limits;
    const delayMs = backoffDelayMs(this.#attempt++, backoffInitialMs, backoffMaxMs, this.#ctx.random);
    this.#state = 'backoff';
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state === 'backoff') this.#dial();
    }, delayMs);
    this.#reconnectTimer.unref();
  }

  /**
   * Write what is queued now instead of on the next turn of the event loop: the driver
   * calls it once a Ready's messages are all queued, so replication starts before the
   * driver spends the rest of the turn applying entries.
   */
  flushNow(): void {
    if (this.#queue.length > 0) this.#flush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#state !== 'open') return;
    this.#flushScheduled = true;
    // setImmediate, not a microtask: everything the driver sends in this turn of the event
    // loop (a whole Ready's messages) lands in one frame.
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Write frames while the socket has room: batches and snapshot frames take turns. */
  #flush(): void {
    const ws = this.#ws;
    // A socket we already began closing (terminate() on a URL change or a dead ping) would
    // fail the writes; keep the messages queued for the next connection instead.
    if (this.#state !== 'open' || ws === undefined || ws.readyState !== WebSocket.OPEN) return;
    const maxBuffered = this.#ctx.limits.socketMaxBufferedBytes;
    while (this.#inflightBytes < maxBuffered) {
      let wrote = false;
      if (this.#queue.length > 0) wrote = this.#writeBatch(ws) || this.#queue.length > 0;
      const cursor = this.#snapshot?.cursor;
      if (cursor !== undefined && !cursor.done && !this.#draining && this.#inflightBytes < maxBuffered) {
        const frame = cursor.next();
        if (frame !== undefined) {
          const dataBytes = frame[0] === FrameKind.SnapChunk ? frame.length - FRAME_HEADER_BYTES : 0;
          this.#write(ws, frame, 0, () => {
            this.counters.snapshotBytesSent += dataBytes;
          });
          wrote = true;
        }
      }
      if (!wrote) break;
    }
    if (this.#queue.length === 0 && this.#inflightBytes === 0) this.#drained?.();
  }

  /** Encode the longest prefix of the queue that fits one frame; false if nothing was written. */
  #writeBatch(ws: WebSocket): boolean {
    const { frameMaxBytes, frameMaxMessages } = this.#ctx.limits;
    const budget = frameMaxBytes - batchFrameBytesMax(0);
    let count = 0;
    let bodyBytes = 0;
    while (count < this.#queue.length && count < frameMaxMessages) {
      const size = this.#queue.sizeAt(count);
      if (bodyBytes + size > budget) break;
      bodyBytes += size;
      count++;
    }
    if (count === 0) {
      // One message larger than a frame can never be sent; Raft will resend its content in smaller pieces.
      const bytes = this.#queue.sizeAt(0);
      const [m] = this.#queue.take(1);
      this.counters.messagesDropped++;
      this.#ctx.logger.error({ peer: this.id, type: m?.type, bytes, frameMaxBytes },
        'message larger than frameMaxBytes dropped; lower raft maxMessageBytes or the request size limit');
      return false;
    }
    const messages = this.#queue.take(count);
    this.#write(ws, encodeBatch(messages, frameMaxBytes), count);
    return true;
  }

  #write(ws: WebSocket, frame: Buffer, messages: number, onWritten?: () => void): void {
    const generation = this.#generation;
    this.#inflightBytes += frame.length;
    ws.send(frame, { binary: true }, (err) => {
      if (generation === this.#generation) this.#inflightBytes -= frame.length;
      if (err !== undefined && err !== null) {
        // The connection died with the frame unwritten: its messages are lost (Raft resends).
        this.counters.messagesDropped += messages;
        return;
      }
      this.counters.framesSent++;
      this.counters.bytesSent += frame.length;
      this.counters.messagesSent += messages;
      onWritten?.();
      if (generation === this.#generation) this.#scheduleFlush();
      if (this.#queue.length === 0 && this.#inflightBytes === 0) this.#drained?.();
    });
  }

  #beginSnapshot(): void {
    const s = this.#snapshot;
    if (s === undefined || s.cursor !== undefined) return;
    const corrupt = this.#ctx.corruptSnapshotChunk;
    s.cursor = new SnapshotSendCursor(s.streamId, s.message, this.#ctx.limits.snapshotChunkBytes,
      corrupt === undefined ? undefined : (i) => corrupt(this.id, i));
    this.#ctx.logger.info({ peer: this.id, streamId: s.streamId, bytes: s.cursor.totalBytes }, 'sending snapshot');
    this.#scheduleFlush();
  }

  #onControlFrame(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (ws !== this.#ws) return;
    try {
      if (!isBinary) throw new TransportProtocolError('text frame from listener');
      const frame = decodeFrame(data, 0);
      if (frame.kind !== FrameKind.SnapAck) throw new TransportProtocolError(`frame kind ${frame.kind} from listener`);
      const s = this.#snapshot;
      if (s === undefined || s.streamId !== frame.streamId) {
        this.#ctx.logger.warn({ peer: this.id, streamId: frame.streamId }, 'snapshot ack for a stream no longer sent');
        return;
      }
      if (frame.ok && s.cursor?.done !== true) throw new TransportProtocolError('positive snapshot ack before the trailer');
      this.#finishSnapshot(frame.ok, frame.ok ? 'acknowledged' : `peer refused it: ${frame.reason}`);
    } catch (err) {
      if (!(err instanceof TransportProtocolError)) throw err;
      this.#ctx.logger.error({ peer: this.id, err, code: err.code }, `${err.message}; dropping the connection`);
      ws.terminate();
    }
  }

  #snapshotTimedOut(streamId: number, timeoutMs: number): void {
    const s = this.#snapshot;
    if (s === undefined || s.streamId !== streamId) return;
    const started = s.cursor !== undefined;
    this.#finishSnapshot(false, `not acknowledged within ${timeoutMs} ms`);
    // The receiver holds a half-built stream; a fresh connection is the simplest way to reset it.
    if (started) this.#ws?.terminate();
  }

  /** The one place a snapshot send ends: counters, log, and the driver's callback. */
  #finishSnapshot(ok: boolean, why: string): void {
    const s = this.#snapshot;
    if (s === undefined) return;
    this.#snapshot = undefined;
    clearTimeout(s.deadline);
    const fields = {
      peer: this.id, streamId: s.streamId, bytes: s.message.snapshot?.data.byteLength ?? 0,
      chunks: s.cursor?.chunksSent ?? 0, durationMs: Date.now() - s.startedAtMs,
    };
    if (ok) {
      this.counters.snapshotsSent++;
      this.#ctx.logger.info(fields, 'snapshot delivered');
    } else {
      this.counters.snapshotsFailed++;
      this.#ctx.logger.warn(fields, `snapshot send failed: ${why}`);
    }
    this.#ctx.onSnapshotStatus(this.id, ok);
  }

  #warnRepeated(kind: string, message: string, fields: Record<string, unknown>, key = `${kind}:${this.id}`): void {
    const skipped = this.#ctx.repeat.allow(key);
    if (skipped >= 0) this.#ctx.logger.warn({ peer: this.id, ...fields, repeatsSkipped: skipped }, message);
  }
}
