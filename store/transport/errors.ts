// Errors of the peer transport. Each has a stable `code` (what programs and log queries
// match on) and a message that says what is wrong and what to do. Expected conditions —
// a peer that is down, a full queue, a snapshot that failed — are values and counters,
// reported through callbacks; these classes are for misconfiguration and broken peers.

export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Options or limits that cannot work (bad URL, inconsistent bounds). */
export class TransportConfigError extends TransportError {
  constructor(message: string) {
    super('FLOTILLA_ERR_TRANSPORT_CONFIG', message);
  }
}

/** An API call in the wrong lifecycle state (start twice, start after close). */
export class TransportStateError extends TransportError {
  constructor(message: string) {
    super('FLOTILLA_ERR_TRANSPORT_STATE', message);
  }
}

export class TransportListenError extends TransportError {
  constructor(host: string, port: number, cause: unknown) {
    super('FLOTILLA_ERR_TRANSPORT_LISTEN',
      `peer transport cannot listen on ${host}:${port}: ${(cause as Error)?.message ?? String(cause)}. ` +
      'Check that no other process holds the port and that the address belongs to this machine.', { cause });
  }
}

/** A frame that does not decode to what the protocol allows. The connection is closed. */
export class TransportProtocolError extends TransportError {
  constructor(message: string) {
    super('FLOTILLA_ERR_TRANSPORT_PROTOCOL', `peer protocol violation: ${message}`);
  }
}

export class FrameTooLargeError extends TransportError {
  constructor(peer: string, limitBytes: number) {
    super('FLOTILLA_ERR_TRANSPORT_FRAME_TOO_LARGE',
      `peer ${peer} sent a frame larger than frameMaxBytes (${limitBytes} bytes); the connection was closed. ` +
      'Every member must run with the same frame limit.');
  }
}

/** Why a listener refused a dialer's handshake; the code travels in the HTTP response. */
export const HandshakeRejectCode = {
  ClusterMismatch: 'FLOTILLA_ERR_TRANSPORT_CLUSTER_MISMATCH',
  VersionMismatch: 'FLOTILLA_ERR_TRANSPORT_VERSION_MISMATCH',
  WrongMember: 'FLOTILLA_ERR_TRANSPORT_WRONG_MEMBER',
  MemberRemoved: 'FLOTILLA_ERR_TRANSPORT_MEMBER_REMOVED',
  Busy: 'FLOTILLA_ERR_TRANSPORT_BUSY',
  BadHandshake: 'FLOTILLA_ERR_TRANSPORT_BAD_HANDSHAKE',
} as const;
export type HandshakeRejectCode = (typeof HandshakeRejectCode)[keyof typeof HandshakeRejectCode];

/** A handshake refused by the listener (logged there) or reported to the dialer (logged here). */
export class HandshakeRejectedError extends TransportError {
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** A snapshot whose bytes did not match the trailer's length or CRC; it is never delivered. */
export class SnapshotCorruptError extends TransportError {
  constructor(peer: string, why: string) {
    super('FLOTILLA_ERR_TRANSPORT_SNAPSHOT_CORRUPT',
      `snapshot from peer ${peer} is corrupt (${why}); it was discarded and the sender told to retry. ` +
      'Repeated corruption points at faulty memory or network hardware on one of the two machines.');
  }
}
