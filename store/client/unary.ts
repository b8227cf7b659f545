// Unary gRPC calls straight over node:http2, for the store client's requests (Range, Txn, Put,
// ...). grpc-js spent about 75 µs of client CPU per call on its layers (interceptors, resolving
// and load-balancing calls, channelz, a stack trace captured per call): as much again as the
// HTTP/2 stream itself, and on the apiserver's write path that is two calls per pod. Streams
// (Watch, LeaseKeepAlive) stay on grpc-js; they are few and long-lived.
//
// The wire format is gRPC's (PROTOCOL-HTTP2.md): a POST to /package.Service/Method with
// content-type application/grpc, the request as one length-prefixed message, the answer as one
// length-prefixed message and a grpc-status trailer (or a trailers-only answer for an error).
// Failures carry the status codes grpc-js gives for the same failure, so the callers' retry
// rules (see retryable() in client.ts) mean the same thing; works against real etcd too.
import * as http2 from 'node:http2';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { installCheapAsyncBind } from './async-bind.js';

/** gRPC's message prefix: a compressed flag byte and a 4-byte big-endian length. */
const MESSAGE_PREFIX_BYTES = 5;

const {
  NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY,
} = http2.constants;

/** A failed call, shaped like grpc-js's ServiceError (code, details) for the client's retry rules. */
export class GrpcCallError extends Error {
  constructor(readonly code: GrpcStatus, readonly details: string) {
    super(`${code} ${GrpcStatus[code]}: ${details}`);
    this.name = 'GrpcCallError';
  }
}

export type AnyMethod = MethodDefinition<object, object>;

/** gRPC's mapping of an HTTP status without grpc-status (PROTOCOL-HTTP2.md, "HTTP to gRPC Status Code Mapping"). */
function fromHttpStatus(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: return GrpcStatus.UNAUTHENTICATED;
    case 403: return GrpcStatus.PERMISSION_DENIED;
    case 404: return GrpcStatus.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return GrpcStatus.UNAVAILABLE;
    default: return GrpcStatus.UNKNOWN;
  }
}

/** What grpc-js reports for a stream reset before any status arrived (subchannel-call.ts). */
function fromRstCode(rstCode: number, connectionDropped: boolean): GrpcCallError {
  if (connectionDropped) return new GrpcCallError(GrpcStatus.UNAVAILABLE, 'Connection dropped');
  switch (rstCode) {
    case NGHTTP2_REFUSED_STREAM: return new GrpcCallError(GrpcStatus.UNAVAILABLE, 'Stream refused by server');
    case NGHTTP2_CANCEL: return new GrpcCallError(GrpcStatus.CANCELLED, 'Call cancelled');
    case NGHTTP2_ENHANCE_YOUR_CALM:
      return new GrpcCallError(GrpcStatus.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded');
    case NGHTTP2_INADEQUATE_SECURITY:
      return new GrpcCallError(GrpcStatus.PERMISSION_DENIED, 'Protocol not secure enough');
    default: return new GrpcCallError(GrpcStatus.INTERNAL, `Received RST_STREAM with code ${rstCode}`);
  }
}

function decodeGrpcMessage(raw: string | string[] | undefined): string {
  const s = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // not percent-encoded after all: as sent
  }
}

/** The single message of a unary answer's body. */
function singleMessage(body: Buffer): Buffer | GrpcCallError {
  if (body.length < MESSAGE_PREFIX_BYTES) return new GrpcCallError(GrpcStatus.UNIMPLEMENTED, 'No message received');
  if (body[0] !== 0) return new GrpcCallError(GrpcStatus.INTERNAL, 'Received a compressed message it did not ask for');
  const len = body.readUInt32BE(1);
  if (body.length !== MESSAGE_PREFIX_BYTES + len) {
    return new GrpcCallError(GrpcStatus.INTERNAL, `Unary answer of ${body.length} bytes does not hold one message of ${len}`);
  }
  return body.subarray(MESSAGE_PREFIX_BYTES);
}

/** One HTTP/2 connection to one endpoint (host:port, plain text), reopened after it fails or is told to go away. */
export class UnaryChannel {
  #session: http2.ClientHttp2Session | undefined;
  #closed = false;

  constructor(readonly authority: string, private readonly maxReceiveBytes: number) {
    installCheapAsyncBind(); // each request() binds a function (see async-bind.ts)
  }

  #connection(): http2.ClientHttp2Session {
    const live = this.#session;
    if (live !== undefined && !live.closed && !live.destroyed) return live;
    // maxSessionMemory: node's default (10 MB) would reset a large LIST page; the bound on what
    // we accept is maxReceiveBytes per answer (grpc-js sets the same).
    const s = http2.connect(`http://${this.authority}`, { maxSessionMemory: Number.MAX_SAFE_INTEGER });
    // Calls hold their own deadline timers; an idle connection must not keep the process alive.
    s.unref();
    const forget = (): void => {
      if (this.#session === s) this.#session = undefined;
    };
    s.on('error', forget); // its streams fail on their own; without a listener the error would be thrown
    s.on('goaway', () => {
      // The server is going away: new calls open a new connection; this one closes when its calls end.
      forget();
      s.close();
    });
    s.on('close', forget);
    this.#session = s;
    return s;
  }

  /** One call; the deadline is absolute (ms since the epoch). Rejects with GrpcCallError. */
  call<T>(m: AnyMethod, req: object, deadlineMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#closed) return reject(new GrpcCallError(GrpcStatus.CANCELLED, 'Channel closed'));
      let payload: Buffer;
      try {
        payload = m.requestSerialize(req);
      } catch (e) {
        return reject(new GrpcCallError(GrpcStatus.INTERNAL, `Request serialization failed: ${(e as Error).message}`));
      }
      const timeoutMs = Math.max(1, Math.ceil(deadlineMs - Date.now()));
      let session: http2.ClientHttp2Session;
      let stream: http2.ClientHttp2Stream;
      try {
        session = this.#connection();
        stream = session.request({
          ':method': 'POST', ':path': m.path, 'content-type': 'application/grpc', te: 'trailers',
          'grpc-timeout': `${timeoutMs}m`,
        });
      } catch (e) {
        return reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, `No connection established: ${(e as Error).message}`));
      }
      this.#exchange(stream, session, payload, timeoutMs, m, resolve as (v: unknown) => void, reject);
    });
  }

  #exchange(stream: http2.ClientHttp2Stream, session: http2.ClientHttp2Session, payload: Buffer, timeoutMs: number,
    m: AnyMethod, resolve: (v: unknown) => void, reject: (e: GrpcCallError) => void): void {
    const chunks: Buffer[] = [];
    let received = 0;
    let outcome: GrpcCallError | undefined; // decided before the stream closed (deadline, too large)
    let grpcStatus: number | undefined;
    let grpcMessage = '';
    let httpStatus = 0;
    const statusFrom = (h: http2.IncomingHttpHeaders): void => {
      const st = h['grpc-status'];
      if (st === undefined) return;
      grpcStatus = Number(st);
      grpcMessage = decodeGrpcMessage(h['grpc-message']);
    };
    const timer = setTimeout(() => {
      outcome ??= new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded');
      stream.close(NGHTTP2_CANCEL);
    }, timeoutMs);
    stream.on('response', (h) => {
      httpStatus = Number(h[':status'] ?? 0);
      statusFrom(h); // a trailers-only answer
    });
    stream.on('trailers', statusFrom);
    stream.on('data', (c: Buffer) => {
      received += c.length;
      if (received > this.maxReceiveBytes + MESSAGE_PREFIX_BYTES) {
        outcome ??= new GrpcCallError(GrpcStatus.RESOURCE_EXHAUSTED,
          `Received message larger than max (${received} vs. ${this.maxReceiveBytes})`);
        stream.close(NGHTTP2_CANCEL);
        return;
      }
      chunks.push(c);
    });
    stream.on('error', () => undefined); // 'close' follows and decides
    stream.on('close', () => {
      clearTimeout(timer);
      if (outcome !== undefined) return reject(outcome);
      if (grpcStatus === undefined) {
        if (httpStatus !== 0 && httpStatus !== 200) {
          return reject(new GrpcCallError(fromHttpStatus(httpStatus), `Received HTTP status code ${httpStatus}`));
        }
        return reject(fromRstCode(stream.rstCode ?? 0, session.destroyed || session.closed));
      }
      if (grpcStatus !== GrpcStatus.OK) return reject(new GrpcCallError(grpcStatus as GrpcStatus, grpcMessage));
      const msg = singleMessage(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
      if (msg instanceof GrpcCallError) return reject(msg);
      try {
        resolve(m.responseDeserialize(msg));
      } catch (e) {
        reject(new GrpcCallError(GrpcStatus.INTERNAL, `Response deserialization failed: ${(e as Error).message}`));
      }
    });
    const frame = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES + payload.length);
    frame[0] = 0;
    frame.writeUInt32BE(payload.length, 1);
    payload.copy(frame, MESSAGE_PREFIX_BYTES);
    stream.end(frame);
  }

  close(): void {
    this.#closed = true;
    this.#session?.close();
    this.#session = undefined;
  }
}
