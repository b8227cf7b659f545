// The KV service's unary calls served straight on grpc-js's HTTP/2 server, the other calls
// (streams, other services, anything unusual) left to grpc-js.
//
// Why: grpc-js answers a unary call in two trips — HEADERS and DATA once the handler
// returns, the trailers (grpc-status) only from the DATA write's callback, a turn of the
// event loop later and in a separate socket write — and wraps each call in interceptor,
// channelz and listener machinery. Clients wait for the trailers, so every KV call paid one
// more loop turn and syscall than needed. Here a call is answered with one respond + end
// whose trailers follow in the same send, through the same handler (admission, errors,
// etcd's messages) that grpc-js would have called.
import { constants, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { MethodDefinition, Server, ServerUnaryCall, ServiceError, UntypedServiceImplementation } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';

/** One method served here: its wire codec and its (grpc-js style) unary handler. */
interface FastMethod {
  decode(buf: Buffer): object;
  encode(message: object): Buffer;
  handler: (call: ServerUnaryCall<object, object>, cb: (err: ServiceError | null, resp?: object) => void) => void;
}

/** gRPC's length-prefixed message: 1 byte compressed flag, 4 bytes big-endian length. */
const PREFIX_BYTES = 5;

/** grpc-js's response headers, so a client sees the same either way. */
const RESPONSE_HEADERS = Object.freeze({
  [constants.HTTP2_HEADER_STATUS]: constants.HTTP_STATUS_OK,
  [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-encoding': 'identity',
});
const RESPOND_OPTIONS = Object.freeze({ waitForTrailers: true });
const OK_TRAILERS = Object.freeze({ 'grpc-status': String(GrpcStatus.OK), 'grpc-message': 'OK' });

/** The fast path's methods, by HTTP/2 path, from a service's definition and implementation. */
export function fastMethods(
  definition: Record<string, MethodDefinition<object, object>>, impl: UntypedServiceImplementation,
): Map<string, FastMethod> {
  const out = new Map<string, FastMethod>();
  for (const [name, d] of Object.entries(definition)) {
    const handler = impl[name];
    if (d.requestStream || d.responseStream || typeof handler !== 'function') continue;
    out.set(d.path, { decode: d.requestDeserialize, encode: d.responseSerialize, handler: handler as FastMethod['handler'] });
  }
  return out;
}

/** Only a plain gRPC call takes the fast path; grpc-js handles (and refuses) the rest. */
function plainGrpc(headers: IncomingHttpHeaders): boolean {
  const type = headers[constants.HTTP2_HEADER_CONTENT_TYPE];
  const encoding = headers['grpc-encoding'];
  return typeof type === 'string' && type.startsWith('application/grpc')
    && (encoding === undefined || encoding === 'identity');
}

/**
 * Route the given methods' streams on `server`'s HTTP/2 servers to the fast path. Returns
 * false (and changes nothing) if grpc-js's internals are not as expected: calls then all go
 * through grpc-js, as before.
 */
export function installFastUnary(server: Server, methods: Map<string, FastMethod>, maxReceiveBytes: number): boolean {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return false;
  const h2s = [...servers.keys()] as Http2Server[];
  if (h2s.some((h2) => h2.listeners('stream').length !== 1)) return false;
  for (const h2 of h2s) {
    const grpcHandler = h2.listeners('stream')[0] as (...args: unknown[]) => void;
    h2.removeListener('stream', grpcHandler);
    h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest: unknown[]) => {
      const path = headers[constants.HTTP2_HEADER_PATH];
      const m = typeof path === 'string' ? methods.get(path) : undefined;
      if (m === undefined || !plainGrpc(headers)) {
        grpcHandler(stream, headers, ...rest);
        return;
      }
      serveUnary(stream, m, maxReceiveBytes);
    });
  }
  return true;
}

/** As grpc-js: a stream error is followed by 'close'; nothing to answer. */
function ignoreError(): void {}

/** The OK trailers, once the response's DATA has gone out ('wantTrailers' fires once per stream). */
function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

// Listeners are added with on(), not once(): each of these events fires at most once per
// stream, and once() costs a wrapper and a bound function per stream.
function serveUnary(stream: ServerHttp2Stream, m: FastMethod, maxReceiveBytes: number): void {
  stream.on('error', ignoreError);
  const chunks: Buffer[] = [];
  let bytes = 0;
  let declared = -1; // the message prefix's length, read once the prefix has arrived
  let refused = false;
  stream.on('data', (chunk: Buffer) => {
    if (refused) return;
    chunks.push(chunk);
    bytes += chunk.length;
    if (declared < 0 && bytes >= PREFIX_BYTES) {
      declared = (chunks.length === 1 ? chunk : Buffer.concat(chunks)).readUInt32BE(1);
    }
    // The declared size, or what actually arrived (a body longer than its prefix says): both bounded.
    const size = Math.max(declared, bytes - PREFIX_BYTES);
    if (size > maxReceiveBytes) {
      refused = true;
      chunks.length = 0;
      sendError(stream, GrpcStatus.RESOURCE_EXHAUSTED,
        `Received message larger than max (${size} vs ${maxReceiveBytes})`);
    }
  });
  stream.on('end', () => {
    if (refused) return;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
    if (body.length < PREFIX_BYTES || body[0] !== 0 || body.readUInt32BE(1) !== body.length - PREFIX_BYTES) {
      sendError(stream, GrpcStatus.INTERNAL, 'a unary call must carry exactly one uncompressed request message');
      return;
    }
    let request: object;
    try {
      request = m.decode(body.subarray(PREFIX_BYTES));
    } catch (e) {
      sendError(stream, GrpcStatus.INTERNAL, `Error deserializing request: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    m.handler({ request } as ServerUnaryCall<object, object>, (err, resp) => {
      if (err) sendError(stream, err.code ?? GrpcStatus.UNKNOWN, err.details ?? err.message);
      else sendMessage(stream, m.encode(resp ?? {}));
    });
  });
}

/** HEADERS, DATA and the trailers in one send. */
function sendMessage(stream: ServerHttp2Stream, message: Buffer): void {
  if (stream.destroyed || stream.closed) return; // the client gave up (RST_STREAM)
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, PREFIX_BYTES);
  try {
    stream.respond(RESPONSE_HEADERS, RESPOND_OPTIONS);
    stream.on('wantTrailers', sendOkTrailers);
    stream.end(frame);
  } catch {
    stream.destroy(); // the session went away between the check and the write
  }
}

/** A trailers-only response, as grpc-js sends for an error before any message. */
function sendError(stream: ServerHttp2Stream, code: number, details: string): void {
  if (stream.destroyed || stream.closed) return;
  try {
    stream.respond({
      [constants.HTTP2_HEADER_STATUS]: constants.HTTP_STATUS_OK,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto',
      'grpc-status': String(code), 'grpc-message': encodeURI(details),
    }, { endStream: true });
  } catch {
    stream.destroy();
  }
}
