// Loads the .proto files of store/api/proto at run time with @grpc/proto-loader.
//
// 64-bit integers: decoded as decimal strings (`longs: String`), which hold every int64 and
// uint64 exactly; codec.ts turns them into bigint for the backend and back into strings on
// the way out. Not `Number` (exact only below 2^53: lease IDs, member and cluster IDs use
// all 64 bits), and not protobufjs's `BigInt` option, which only decodes — its encoder
// (Long.fromValue) does not accept bigint, so strings are the one form exact both ways.
//
// The files are found from the compiled module's location (dist/store/api/proto.js →
// store/api/proto/), so the build does not need to copy them; a module run from the source
// tree finds them beside itself.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSync, type MethodDefinition, type Options, type PackageDefinition } from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { decodeDeleteRangeRequest, decodePutRequest, decodeRangeRequest, decodeTxnRequest } from './kv-decode.js';

function findProtoDir(): string {
  const candidates = [new URL('../../../store/api/proto/', import.meta.url), new URL('./proto/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(`${dir}etcdserverpb/rpc.proto`)) return dir;
  }
  throw new Error(`etcd .proto files not found (looked in ${candidates.map((c) => fileURLToPath(c)).join(', ')}): ` +
    'run from a checkout that has store/api/proto/');
}

export const PROTO_DIR = findProtoDir();

export const PROTO_FILES = ['etcdserverpb/rpc.proto'];

export const LOADER_OPTIONS: Options = Object.freeze({
  keepCase: true,
  longs: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
});

export const SERVICE_NAMES = ['KV', 'Watch', 'Lease', 'Cluster', 'Maintenance', 'Auth'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Size on the wire of a decoded request, recorded by the server's deserializers. */
const WIRE_BYTES = Symbol('flotilla.wireBytes');

export function wireBytesOf(message: object): number {
  return (message as { [WIRE_BYTES]?: number })[WIRE_BYTES] ?? 0;
}

/** Requests decoded by hand (kv-decode.ts), by service and method; protobufjs is their fallback. */
const HAND_DECODERS: Readonly<Record<string, (buf: Buffer, fallback: (buf: Buffer) => object) => object>> = {
  'KV.Range': decodeRangeRequest, 'KV.Put': decodePutRequest, 'KV.DeleteRange': decodeDeleteRangeRequest,
  'KV.Txn': decodeTxnRequest,
};

let cached: PackageDefinition | undefined;

/** The package definition as proto-loader builds it (clients use it unchanged). */
export function loadEtcdPackage(): PackageDefinition {
  cached ??= loadSync(PROTO_FILES, LOADER_OPTIONS);
  return cached;
}

/**
 * Service definitions for the server: the same methods, with deserializers that record the
 * request's wire size on the decoded object (for etcd's max-request-bytes check).
 */
export function serverServiceDefinitions(): Record<ServiceName, ServiceDefinition> {
  const pkg = loadEtcdPackage();
  const out = {} as Record<ServiceName, ServiceDefinition>;
  for (const name of SERVICE_NAMES) {
    const service = pkg[`etcdserverpb.${name}`] as unknown as Record<string, MethodDefinition<object, object>>;
    const methods: Record<string, MethodDefinition<object, object>> = {};
    for (const [method, d] of Object.entries(service)) {
      const hand = HAND_DECODERS[`${name}.${method}`];
      const generic = d.requestDeserialize;
      const decode = hand === undefined ? generic : (buf: Buffer): object => hand(buf, generic);
      const encode = d.responseSerialize;
      methods[method] = {
        ...d,
        requestDeserialize: (buf: Buffer): object => {
          const message = decode(buf);
          // Assigned, not defined non-enumerable: Object.defineProperty per call cost more than
          // decoding a put. A symbol key stays out of Object.keys, for...in and JSON anyway.
          (message as { [WIRE_BYTES]?: number })[WIRE_BYTES] = buf.length;
          return message;
        },
        // A handler may answer with the message's bytes already encoded (watch-encode.ts, kv-encode.ts).
        responseSerialize: (v: object): Buffer => (Buffer.isBuffer(v) ? v : encode(v)),
      };
    }
    out[name] = methods as unknown as ServiceDefinition;
  }
  return out;
}
