// Counters of the transport as plain numbers. The member process reads them through
// PeerTransport.metrics() from prom-client collect callbacks; nothing here knows about
// Prometheus, so tests and benches read the same numbers.
import type { NodeId } from '../raft/types.js';

/** What we sent to one peer over our outbound connection. */
export interface OutboundCounters {
  messagesSent: number;
  /** Dropped on our side: queue overflow, oversize, lost in a dropped connection, or peer removed. */
  messagesDropped: number;
  bytesSent: number;
  framesSent: number;
  /** Connections established (the first one included). */
  connects: number;
  /** Connections established after a previous one was lost or failed. */
  reconnects: number;
  dialFailures: number;
  handshakeRejects: number;
  snapshotsSent: number;
  snapshotsFailed: number;
  snapshotBytesSent: number;
}

/** What one peer sent us over its connection to our listener. */
export interface InboundCounters {
  messagesReceived: number;
  bytesReceived: number;
  framesReceived: number;
  /** Decoded but not delivered: local-only type, wrong `from`, or not addressed to us. */
  messagesRefused: number;
  snapshotsReceived: number;
  snapshotsRejected: number;
}

export interface PeerMetrics extends OutboundCounters, InboundCounters {
  connected: boolean;
  queueMessages: number;
  queueBytes: number;
}

export interface TransportMetrics {
  peers: Record<NodeId, PeerMetrics>;
  /** send() of a message to a member that is not a peer. */
  droppedUnknownPeer: number;
  /** send() of a local-only message type (Hup, Beat, SnapStatus, Unreachable): a driver bug. */
  droppedLocalType: number;
  /** send() after close(). */
  droppedClosed: number;
  /** Handshakes this listener refused (wrong cluster, wrong member, removed, busy, bad). */
  handshakesRefused: number;
  /** Inbound connections closed for a malformed or oversize frame. */
  protocolErrors: number;
  inboundConnections: number;
}

export function newOutboundCounters(): OutboundCounters {
  return {
    messagesSent: 0, messagesDropped: 0, bytesSent: 0, framesSent: 0, connects: 0, reconnects: 0,
    dialFailures: 0, handshakeRejects: 0, snapshotsSent: 0, snapshotsFailed: 0, snapshotBytesSent: 0,
  };
}

export function newInboundCounters(): InboundCounters {
  return {
    messagesReceived: 0, bytesReceived: 0, framesReceived: 0, messagesRefused: 0,
    snapshotsReceived: 0, snapshotsRejected: 0,
  };
}
