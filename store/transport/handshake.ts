// The handshake rides on the WebSocket upgrade request: the dialer's identity travels in
// headers, and the listener either upgrades or answers with a plain HTTP error. Refusing
// before the upgrade means a member of another cluster never gets a WebSocket at all, and
// it saves a round trip on every (re)connect.
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NodeId } from '../raft/types.js';
import { HandshakeRejectCode, HandshakeRejectedError } from './errors.js';
import { ID_MAX_CHARS, REASON_MAX_CHARS } from './limits.js';
import { PROTOCOL_VERSION } from './codec.js';

export const STREAM_PATH = '/raft/stream';
export const HEALTH_PATH = '/raft/health';

export const Header = {
  ClusterId: 'flotilla-cluster-id',
  MemberId: 'flotilla-member-id',
  TargetId: 'flotilla-target-id',
  ProtocolVersion: 'flotilla-protocol-version',
  RejectCode: 'flotilla-reject-code',
  RejectReason: 'flotilla-reject-reason',
} as const;

/** Ids travel percent-encoded: header values must be Latin-1 without control characters. */
export function dialHeaders(clusterId: string, selfId: NodeId, targetId: NodeId): Record<string, string> {
  return {
    [Header.ClusterId]: encodeURIComponent(clusterId),
    [Header.MemberId]: encodeURIComponent(selfId),
    [Header.TargetId]: encodeURIComponent(targetId),
    [Header.ProtocolVersion]: String(PROTOCOL_VERSION),
  };
}

export interface Rejection {
  code: HandshakeRejectCode;
  status: number;
  reason: string;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (typeof v !== 'string') return undefined;
  try {
    return decodeURIComponent(v);
  } catch {
    return undefined;
  }
}

export interface ListenerIdentity {
  selfId: NodeId;
  clusterId: string;
  isRemoved(id: NodeId): boolean;
}

/** The dialer's member id if its upgrade request may proceed, else why not. */
export function checkDialer(path: string | undefined, headers: IncomingHttpHeaders, me: ListenerIdentity):
  { ok: true; memberId: NodeId } | { ok: false; rejection: Rejection } {
  const reject = (code: HandshakeRejectCode, status: number, reason: string) =>
    ({ ok: false as const, rejection: { code, status, reason } });
  if (path !== STREAM_PATH) return reject(HandshakeRejectCode.BadHandshake, 404, `no peer stream at ${path ?? '?'}`);
  const version = headers[Header.ProtocolVersion];
  if (version !== String(PROTOCOL_VERSION)) {
    return reject(HandshakeRejectCode.VersionMismatch, 400,
      `protocol version ${String(version)} is not supported by member ${me.selfId} (speaks ${PROTOCOL_VERSION}); ` +
      'upgrade the older member');
  }
  const cluster = header(headers, Header.ClusterId);
  if (cluster !== me.clusterId) {
    return reject(HandshakeRejectCode.ClusterMismatch, 403,
      `cluster id mismatch: dialer is in cluster "${cluster ?? '?'}", member ${me.selfId} is in cluster ` +
      `"${me.clusterId}"; the dialer is configured for another cluster: check its cluster id and peer URLs`);
  }
  const memberId = header(headers, Header.MemberId);
  if (memberId === undefined || memberId.length === 0 || memberId.length > ID_MAX_CHARS) {
    return reject(HandshakeRejectCode.BadHandshake, 400, 'missing or invalid member id header');
  }
  const target = header(headers, Header.TargetId);
  if (target !== me.selfId || memberId === me.selfId) {
    return reject(HandshakeRejectCode.WrongMember, 409,
      `dialer ${memberId} wanted member "${target ?? '?'}" but reached member ${me.selfId}; a peer URL is wrong`);
  }
  if (me.isRemoved(memberId)) {
    return reject(HandshakeRejectCode.MemberRemoved, 410,
      `member ${memberId} was removed from the cluster; it must not rejoin with the same id`);
  }
  return { ok: true, memberId };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 503: 'Service Unavailable',
};

/** Answer a refused upgrade with an HTTP error whose headers carry the code and reason, then close. */
export function writeRejection(socket: Duplex, r: Rejection): void {
  const body = `${r.code}: ${r.reason}\n`;
  const response = [
    `HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `${Header.RejectCode}: ${r.code}`,
    `${Header.RejectReason}: ${encodeURIComponent(r.reason.slice(0, REASON_MAX_CHARS))}`,
    '', body,
  ].join('\r\n');
  socket.end(response);
}

/** The rejection a listener answered with, as the dialer sees it. */
export function rejectionFromResponse(peerId: NodeId, status: number, headers: IncomingHttpHeaders):
  HandshakeRejectedError {
  const code = header(headers, Header.RejectCode) ?? HandshakeRejectCode.BadHandshake;
  const reason = (header(headers, Header.RejectReason) ?? `HTTP ${status} without a reason`).slice(0, REASON_MAX_CHARS);
  return new HandshakeRejectedError(code, status, `peer ${peerId} refused our connection (HTTP ${status}): ${reason}`);
}
