// The floor server of `flotilla bench grpc-floor`: a gRPC endpoint on node:http2 that does
// no work. Every call is answered at once with the same PutResponse (a header only), in
// the shape the store's fast path uses (store/api/fast-unary.ts: one respond, the message,
// the trailers in the same send). It does not even decode the request, so its CPU per call
// is a lower bound on what any Node store built on node:http2 pays to terminate a call.
//
//   node dist/bench/store/grpc-floor-server.js   → prints {"port":N} and serves on 127.0.0.1:N
//
// It lives as long as its parent: it exits when stdin closes (the parent died or is done)
// or on SIGTERM, so a bench can never leave one behind.
import { constants, createServer } from 'node:http2';

/** ResponseHeader{cluster_id 1, member_id 2, revision 5, raft_term 2}, etcd's field numbers 1-4. */
const RESPONSE_HEADER = Buffer.from([0x08, 0x01, 0x10, 0x02, 0x18, 0x05, 0x20, 0x02]);
/** PutResponse{header = 1}: also a valid RangeResponse with no kvs (header is field 1 of both). */
const RESPONSE_MESSAGE = Buffer.concat([Buffer.from([0x0a, RESPONSE_HEADER.length]), RESPONSE_HEADER]);
/** gRPC length prefix: 1 byte "compressed" flag, 4 bytes big-endian length. */
const GRPC_PREFIX_BYTES = 5;
const RESPONSE_FRAME = (() => {
  const b = Buffer.alloc(GRPC_PREFIX_BYTES + RESPONSE_MESSAGE.length);
  b.writeUInt32BE(RESPONSE_MESSAGE.length, 1);
  RESPONSE_MESSAGE.copy(b, GRPC_PREFIX_BYTES);
  return b;
})();

const RESPONSE_HEADERS = Object.freeze({
  [constants.HTTP2_HEADER_STATUS]: constants.HTTP_STATUS_OK,
  [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-encoding': 'identity',
});
const OK_TRAILERS = Object.freeze({ 'grpc-status': '0', 'grpc-message': 'OK' });
/** A call without even a gRPC prefix is answered INTERNAL, so a broken client shows as errors. */
const MALFORMED_TRAILERS = Object.freeze({ 'grpc-status': '13', 'grpc-message': 'floor server: no gRPC message' });
/** Bounds what one call may send before it is reset (the generator sends ~300 bytes). */
const MAX_REQUEST_BYTES = 64 * 1024;

const server = createServer();
server.on('stream', (stream) => {
  let received = 0;
  stream.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_REQUEST_BYTES) stream.close(constants.NGHTTP2_REFUSED_STREAM);
  });
  stream.on('end', () => {
    if (stream.destroyed) return;
    const ok = received >= GRPC_PREFIX_BYTES;
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(ok ? OK_TRAILERS : MALFORMED_TRAILERS));
    stream.end(ok ? RESPONSE_FRAME : undefined);
  });
  stream.on('error', () => {});
});

function exit(): void {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', exit);
process.stdin.on('end', exit).on('error', exit).resume();

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
  process.stdout.write(JSON.stringify({ port: address.port }) + '\n');
});
