// The inbound side: one HTTP server per member that upgrades peers' stream requests to
// WebSockets (after checking their handshake headers), serves GET /raft/health, decodes
// frames, reassembles snapshot streams and hands messages to the core.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Message, NodeId } from '../raft/types.js';
import { decodeFrame, encodeSnapAck, FrameKind, LOCAL_MESSAGE_TYPES } from './codec.js';
import type { Frame } from './codec.js';
import { FrameTooLargeError, HandshakeRejectCode, HandshakeRejectedError, SnapshotCorruptError, TransportListenError,
  TransportProtocolError } from './errors.js';
import { checkDialer, header, Header, HEALTH_PATH, writeRejection } from './handshake.js';
import type { ListenerIdentity, Rejection } from './handshake.js';
import type { TransportLimits } from './limits.js';
import type { RepeatLimiter, TransportLogger } from './logger.js';
import type { InboundCounters } from './metrics.js';
import { SnapshotAssembler } from './snapshot-stream.js';
import type { ReceiveSlots } from './snapshot-stream.js';
import { closeReason, closeSocket, keepAlive } from './socket.js';

export interface ListenerContext extends ListenerIdentity {
  readonly limits: Readonly<TransportLimits>;
  readonly logger: TransportLogger;
  readonly repeat: RepeatLimiter;
  readonly stats: { handshakesRefused: number; protocolErrors: number };
  onMessage(m: Message): void;
  /** Counters of what `id` sent us; created on first use. */
  inboundCounters(id: NodeId): InboundCounters;
  /** The last connection from `id` closed. */
  released(id: NodeId): void;
  health(): Record<string, unknown>;
  snapshotChunkReceived?: ((from: NodeId, chunkIndex: number) => void) | undefined;
}

export class PeerListener {
  readonly #ctx: ListenerContext;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #connections = new Map<NodeId, InboundConnection>();
  /** Sockets between the upgrade request and the WebSocket, destroyed if we close meanwhile. */
  readonly #upgrading = new Set<Duplex>();
  readonly #slots: ReceiveSlots;
  #closing = false;

  constructor(ctx: ListenerContext) {
    this.#ctx = ctx;
    this.#slots = { active: 0, max: ctx.limits.snapshotReceiveMaxConcurrent };
    this.#server = createServer((req, res) => this.#onRequest(req, res));
    // A dialer that stalls mid-handshake must not hold a socket for long.
    this.#server.headersTimeout = ctx.limits.dialTimeoutMs;
    this.#server.requestTimeout = ctx.limits.dialTimeoutMs;
    this.#wss = new WebSocketServer({
      noServer: true,
      // ws refuses a longer frame from its length header, before buffering it, and closes with 1009.
      maxPayload: ctx.limits.frameMaxBytes,
      perMessageDeflate: false,
      skipUTF8Validation: true,
      clientTracking: false,
    });
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new TransportListenError(host, port, err));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (err) => this.#ctx.logger.error({ err }, 'peer listener error'));
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  connectedFrom(): NodeId[] {
    return [...this.#connections.keys()];
  }

  /** Drop the connection from `id` (the member was removed). */
  closeFrom(id: NodeId, code: number, reason: string): void {
    this.#connections.get(id)?.close(code, reason);
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const socket of this.#upgrading) socket.destroy();
    const closed = [...this.#connections.values()].map((c) => c.close(1001, 'member shutting down'));
    const serverClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await Promise.all(closed);
    await serverClosed;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url?.split('?')[0];
    if (req.method === 'GET' && path === HEALTH_PATH) {
      const body = JSON.stringify(this.#ctx.health());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`no such peer endpoint; try GET ${HEALTH_PATH}\n`);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A reset during the handshake is the dialer's problem; it must not crash us.
    socket.on('error', () => socket.destroy());
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const check = checkDialer(req.url?.split('?')[0], req.headers, this.#ctx);
    if (!check.ok) {
      this.#refuse(socket, check.rejection, req);
      return;
    }
    const { memberId } = check;
    if (this.#connections.size >= this.#ctx.limits.inboundMaxConnections && !this.#connections.has(memberId)) {
      this.#refuse(socket, { code: HandshakeRejectCode.Busy, status: 503,
        reason: `member ${this.#ctx.selfId} holds ${this.#connections.size} peer connections, the most allowed` }, req);
      return;
    }
    this.#upgrading.add(socket);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#upgrading.delete(socket);
      if (this.#closing) {
        ws.terminate();
        return;
      }
      this.#accept(ws, memberId, `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`);
    });
  }

  #refuse(socket: Duplex, r: Rejection, req: IncomingMessage): void {
    this.#ctx.stats.handshakesRefused++;
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const claimedMember = header(req.headers, Header.MemberId);
    const err = new HandshakeRejectedError(r.code, r.status, `refused a peer connection from ${remote}: ${r.reason}`);
    const skipped = this.#ctx.repeat.allow(`refuse:${req.socket.remoteAddress ?? '?'}:${claimedMember ?? '?'}:${r.code}`);
    if (skipped >= 0) {
      this.#ctx.logger.error({ err, code: r.code, remote, claimedMember, repeatsSkipped: skipped }, err.message);
    }
    writeRejection(socket, r);
  }

  #accept(ws: WebSocket, memberId: NodeId, remote: string): void {
    // One connection per member: a new one means the dialer reconnected and the old one is
    // half-open (its end is gone), so the old one goes.
    this.#connections.get(memberId)?.close(4000, 'replaced by a newer connection from the same member');
    const conn = new InboundConnection(ws, memberId, this.#ctx, this.#slots);
    this.#connections.set(memberId, conn);
    this.#ctx.logger.info({ peer: memberId, remote }, 'peer connected');
    ws.on('close', (code, reason) => {
      conn.dispose();
      this.#ctx.logger.info({ peer: memberId, code, reason: reason.toString() }, 'peer disconnected');
      if (this.#connections.get(memberId) === conn) {
        this.#connections.delete(memberId);
        this.#ctx.released(memberId);
      }
    });
  }
}

/** One peer's connection to us: decode, check, deliver. */
class InboundConnection {
  readonly #ws: WebSocket;
  readonly #memberId: NodeId;
  readonly #ctx: ListenerContext;
  readonly #counters: InboundCounters;
  readonly #assembler: SnapshotAssembler;
  readonly #stopKeepAlive: () => void;
  /** Set after a protocol error or once we started closing: later frames are dropped unread. */
  #ignoreInput = false;

  constructor(ws: WebSocket, memberId: NodeId, ctx: ListenerContext, slots: ReceiveSlots) {
    this.#ws = ws;
    this.#memberId = memberId;
    this.#ctx = ctx;
    this.#counters = ctx.inboundCounters(memberId);
    this.#assembler = new SnapshotAssembler(ctx.limits.snapshotMaxBytes, slots);
    ws.on('message', (data, isBinary) => this.#onFrame(data as Buffer, isBinary));
    ws.on('error', (err) => this.#onError(err));
    this.#stopKeepAlive = keepAlive(ws, ctx.limits.pingIntervalMs, () => {
      ctx.logger.warn({ peer: memberId }, 'peer did not answer a ping in time; dropping its connection');
      ws.terminate();
    });
  }

  close(code: number, reason: string): Promise<void> {
    // Frames still in flight after we decided to close are not delivered: the core may be
    // shutting down, and a snapshot completing now would be acknowledged to no one.
    this.#ignoreInput = true;
    this.#assembler.abort();
    return closeSocket(this.#ws, code, reason, this.#ctx.limits.closeTimeoutMs);
  }

  dispose(): void {
    this.#stopKeepAlive();
    this.#assembler.abort();
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    if (this.#ignoreInput) return;
    this.#counters.framesReceived++;
    this.#counters.bytesReceived += data.length;
    try {
      if (!isBinary) throw new TransportProtocolError('text frame');
      this.#handle(decodeFrame(data, this.#ctx.limits.frameMaxMessages));
    } catch (err) {
      // Only the peer's malformed input is handled here; a throw from the core is a bug and propagates.
      if (!(err instanceof TransportProtocolError)) throw err;
      this.#ignoreInput = true;
      this.#ctx.stats.protocolErrors++;
      this.#ctx.logger.error({ peer: this.#memberId, err, code: err.code }, `${err.message}; closing the connection`);
      this.#ws.close(1008, closeReason(err.message));
    }
  }

  #handle(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Batch:
        for (const m of frame.messages) this.#deliver(m);
        return;
      case FrameKind.SnapHeader: {
        // Refuse a misaddressed snapshot before its bytes arrive, not after.
        const refused = this.#refusal(frame.message);
        if (refused !== undefined) this.#assembler.refuse(frame.streamId);
        const started = refused === undefined
          ? this.#assembler.header(frame.streamId, frame.message, frame.totalBytes)
          : { ok: false as const, reason: refused };
        if (!started.ok) {
          this.#counters.snapshotsRejected++;
          this.#ctx.logger.warn({ peer: this.#memberId, streamId: frame.streamId }, `snapshot refused: ${started.reason}`);
          this.#ack(frame.streamId, false, started.reason);
        }
        return;
      }
      case FrameKind.SnapChunk: {
        const index = this.#assembler.chunk(frame.streamId, frame.chunk);
        if (index >= 0) this.#ctx.snapshotChunkReceived?.(this.#memberId, index);
        return;
      }
      case FrameKind.SnapTrailer:
        this.#finishSnapshot(frame.streamId, frame.totalBytes, frame.crc);
        return;
      case FrameKind.SnapAck:
        throw new TransportProtocolError('snapshot ack sent to a listener');
    }
  }

  #finishSnapshot(streamId: number, totalBytes: number, crc: number): void {
    const out = this.#assembler.trailer(streamId, totalBytes, crc);
    if (out.ok === 'ignored') return;
    if (out.ok === false) {
      this.#counters.snapshotsRejected++;
      const err = new SnapshotCorruptError(this.#memberId, out.reason);
      this.#ctx.logger.error({ peer: this.#memberId, streamId, err, code: err.code }, err.message);
      this.#ack(streamId, false, out.reason);
      return;
    }
    // Sender and addressee were checked at the header (#refusal); the bytes are now verified.
    this.#counters.snapshotsReceived++;
    this.#counters.messagesReceived++;
    this.#ctx.logger.info({ peer: this.#memberId, streamId, bytes: totalBytes }, 'snapshot received');
    this.#ctx.onMessage(out.message);
    this.#ack(streamId, true, '');
  }

  /** Why `m` must not reach the core, if it must not. */
  #refusal(m: Message): string | undefined {
    // Hup/Beat would trip the core's invariants; SnapStatus/Unreachable would be lies about the sender.
    if (LOCAL_MESSAGE_TYPES.has(m.type)) return `local-only message type ${m.type}`;
    if (m.from !== this.#memberId) return `message from ${m.from} on the connection of member ${this.#memberId}`;
    if (m.to !== this.#ctx.selfId) return `message addressed to ${m.to}`;
    return undefined;
  }

  #deliver(m: Message): void {
    const refused = this.#refusal(m);
    if (refused !== undefined) {
      this.#counters.messagesRefused++;
      const skipped = this.#ctx.repeat.allow(`refused:${this.#memberId}`);
      if (skipped >= 0) {
        this.#ctx.logger.warn({ peer: this.#memberId, type: m.type, repeatsSkipped: skipped }, `dropped inbound message: ${refused}`);
      }
      return;
    }
    this.#counters.messagesReceived++;
    this.#ctx.onMessage(m);
  }

  #ack(streamId: number, ok: boolean, reason: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(encodeSnapAck(streamId, ok, reason), { binary: true }, () => {
      // A failed ack means the connection is gone; the sender reports the failure from its side.
    });
  }

  #onError(err: Error & { code?: string }): void {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.#ctx.stats.protocolErrors++;
      const tooLarge = new FrameTooLargeError(this.#memberId, this.#ctx.limits.frameMaxBytes);
      this.#ctx.logger.error({ peer: this.#memberId, err: tooLarge, code: tooLarge.code }, tooLarge.message);
      return;
    }
    if (err.code?.startsWith('WS_ERR_') === true) this.#ctx.stats.protocolErrors++;
    this.#ctx.logger.warn({ peer: this.#memberId, err, code: err.code }, `peer connection error: ${err.message}`);
  }
}
