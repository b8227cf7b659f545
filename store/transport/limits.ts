// Every bound of the peer transport in one place, with its unit in its name. A member may
// pass overrides (tests shrink timeouts and queues); these are the defaults. Limits that
// both ends must agree on (frame and snapshot sizes) must be the same on every member:
// a frame one member may send and another refuses would cost a reconnect per frame.
import { TransportConfigError } from './errors.js';

export interface TransportLimits {
  /** Most bytes in one frame (one WebSocket message), header included; larger inbound frames close the connection. */
  frameMaxBytes: number;
  /** Most Raft messages in one batch frame. */
  frameMaxMessages: number;
  /** Most messages queued for one peer; beyond it the oldest are dropped (Raft tolerates loss). */
  queueMaxMessagesPerPeer: number;
  /** Most estimated bytes (entry data mostly) queued for one peer; beyond it the oldest are dropped. */
  queueMaxBytesPerPeer: number;
  /** Most bytes handed to a socket but not yet written to the kernel; above it we stop writing. */
  socketMaxBufferedBytes: number;
  /** Bytes of snapshot data per chunk frame. Heartbeats interleave between chunks, so this bounds their delay. */
  snapshotChunkBytes: number;
  /** Largest snapshot a member accepts (the receiver allocates this much at most per stream). */
  snapshotMaxBytes: number;
  /** Most snapshot streams being reassembled at once across all inbound connections. */
  snapshotReceiveMaxConcurrent: number;
  /** A snapshot send fails if not acknowledged within base + size / min rate. */
  snapshotTimeoutBaseMs: number;
  /** The slowest transfer rate a snapshot send tolerates, for its deadline. */
  snapshotMinRateBytesPerSecond: number;
  /** First reconnect delay ceiling; doubles per failed attempt. */
  backoffInitialMs: number;
  /** Ceiling of the reconnect delay. */
  backoffMaxMs: number;
  /** A dial (TCP connect + WebSocket upgrade) that takes longer fails. */
  dialTimeoutMs: number;
  /**
   * Interval of WebSocket pings on every connection; a connection whose previous ping is
   * unanswered at the next one is dropped. Must exceed socketMaxBufferedBytes / link rate,
   * or a busy snapshot stream delays the pong past it.
   */
  pingIntervalMs: number;
  /** How long close() waits to flush queued messages and for each connection's close handshake. */
  closeTimeoutMs: number;
  /** Most inbound peer connections one listener holds. */
  inboundMaxConnections: number;
  /** Most bytes in a frame from listener to dialer (only snapshot acknowledgements travel that way). */
  controlFrameMaxBytes: number;
  /** Most removed member ids remembered (their handshakes are refused). */
  removedMembersMax: number;
}

export const DEFAULT_TRANSPORT_LIMITS: Readonly<TransportLimits> = Object.freeze({
  frameMaxBytes: 4 * 1024 * 1024,
  frameMaxMessages: 4096,
  queueMaxMessagesPerPeer: 16_384,
  queueMaxBytesPerPeer: 64 * 1024 * 1024,
  socketMaxBufferedBytes: 8 * 1024 * 1024,
  snapshotChunkBytes: 1024 * 1024,
  snapshotMaxBytes: 2 * 1024 * 1024 * 1024,
  snapshotReceiveMaxConcurrent: 2,
  snapshotTimeoutBaseMs: 10_000,
  snapshotMinRateBytesPerSecond: 1024 * 1024,
  backoffInitialMs: 100,
  backoffMaxMs: 5_000,
  dialTimeoutMs: 5_000,
  pingIntervalMs: 2_000,
  closeTimeoutMs: 2_000,
  inboundMaxConnections: 64,
  controlFrameMaxBytes: 64 * 1024,
  removedMembersMax: 1024,
});

/** Longest member or cluster id accepted in a handshake or message, in UTF-16 code units. */
export const ID_MAX_CHARS = 256;
/** Longest rejection reason carried in a handshake response header or snapshot ack, in characters. */
export const REASON_MAX_CHARS = 512;
/** A repeated warning (dial failures, dropped inbound messages) is logged at most this often per key. */
export const LOG_REPEAT_INTERVAL_MS = 10_000;
/** Most distinct keys the repeated-warning limiter tracks before it forgets the oldest. */
export const LOG_REPEAT_KEYS_MAX = 1024;

/** Defaults with `overrides` applied, checked for consistency. */
export function resolveLimits(overrides: Partial<TransportLimits> = {}): Readonly<TransportLimits> {
  const limits: TransportLimits = { ...DEFAULT_TRANSPORT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof TransportLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TransportConfigError(`transport limit ${key} must be a positive integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  // A chunk travels as one frame, so it must fit in one with room for the frame header.
  if (limits.snapshotChunkBytes + 64 > limits.frameMaxBytes) {
    throw new TransportConfigError(
      `snapshotChunkBytes (${limits.snapshotChunkBytes}) must be at least 64 bytes below frameMaxBytes ` +
      `(${limits.frameMaxBytes}); lower the chunk size or raise the frame limit on every member`);
  }
  if (limits.backoffInitialMs > limits.backoffMaxMs) {
    throw new TransportConfigError(
      `backoffInitialMs (${limits.backoffInitialMs}) must not exceed backoffMaxMs (${limits.backoffMaxMs})`);
  }
  return Object.freeze(limits);
}
