// The bytes Maintenance.Snapshot streams, i.e. the file `etcdctl snapshot save` writes.
//
// etcd streams its bbolt database file and then 32 bytes of SHA-256 over it. Clients rely on
// that shape: etcdctl refuses a snapshot whose size modulo 512 is not 32 ("sha256 checksum
// not found"), because a bbolt file is a whole number of 512-byte multiples. A backend's
// snapshot is opaque bytes of any length, so the server wraps it in an envelope padded to a
// multiple of 512:
//
//   [0, 512)            header: "FLOTSNAP", envelope version (uint32 BE), payload length
//                       (uint64 BE), backend version string length (uint16 BE) and UTF-8
//                       bytes, zeros
//   [512, 512+n)        the backend's snapshot payload
//   up to a 512 multiple  zeros
//   last 32 bytes       SHA-256 of everything before (appended by the server, as etcd does)
//
// readSnapshotFile() checks all of it and returns the payload, for a restore.

import { createHash } from 'node:crypto';

export const SNAPSHOT_FILE_MAGIC = 'FLOTSNAP';
export const SNAPSHOT_FILE_VERSION = 1;
/** etcd clients find the checksum by size modulo this. */
export const SNAPSHOT_ALIGN_BYTES = 512;
export const SNAPSHOT_HEADER_BYTES = 512;
export const SNAPSHOT_SHA256_BYTES = 32;
const VERSION_AT = 22;
const MAX_VERSION_BYTES = SNAPSHOT_HEADER_BYTES - VERSION_AT;

export class SnapshotFileError extends Error {
  readonly code = 'FLOTILLA_ERR_SNAPSHOT_FILE';
  constructor(message: string) {
    super(`not a valid Flotilla snapshot file: ${message}`);
    this.name = 'SnapshotFileError';
  }
}

function paddingFor(payloadBytes: bigint): bigint {
  const rem = payloadBytes % BigInt(SNAPSHOT_ALIGN_BYTES);
  return rem === 0n ? 0n : BigInt(SNAPSHOT_ALIGN_BYTES) - rem;
}

/** Bytes of the envelope (without the trailing checksum) around a payload of this size. */
export function envelopeSizeBytes(payloadBytes: bigint): bigint {
  return BigInt(SNAPSHOT_HEADER_BYTES) + payloadBytes + paddingFor(payloadBytes);
}

export function envelopeHeader(payloadBytes: bigint, version: string): Uint8Array {
  const v = Buffer.from(version, 'utf8');
  if (v.length > MAX_VERSION_BYTES) throw new RangeError(`snapshot version string longer than ${MAX_VERSION_BYTES} bytes`);
  const h = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  h.write(SNAPSHOT_FILE_MAGIC, 0, 'latin1');
  h.writeUInt32BE(SNAPSHOT_FILE_VERSION, 8);
  h.writeBigUInt64BE(payloadBytes, 12);
  h.writeUInt16BE(v.length, 20);
  v.copy(h, VERSION_AT);
  return h;
}

/** The envelope as a byte stream: header, the payload chunks as they come, padding. */
export async function* envelopeChunks(
  payload: AsyncIterable<Uint8Array>, payloadBytes: bigint, version: string,
): AsyncGenerator<Uint8Array> {
  yield envelopeHeader(payloadBytes, version);
  let seen = 0n;
  for await (const chunk of payload) {
    seen += BigInt(chunk.length);
    if (seen > payloadBytes) throw new Error(`snapshot payload longer than the ${payloadBytes} bytes announced`);
    yield chunk;
  }
  if (seen !== payloadBytes) throw new Error(`snapshot payload of ${seen} bytes, ${payloadBytes} announced`);
  const pad = paddingFor(payloadBytes);
  if (pad > 0n) yield new Uint8Array(Number(pad));
}

export interface SnapshotFile {
  /** The backend's version string (SnapshotResponse.version). */
  version: string;
  payload: Uint8Array;
}

/** Check a saved snapshot (checksum, header, padding) and return what the backend produced. */
export function readSnapshotFile(file: Uint8Array): SnapshotFile {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (b.length < SNAPSHOT_HEADER_BYTES + SNAPSHOT_SHA256_BYTES ||
    b.length % SNAPSHOT_ALIGN_BYTES !== SNAPSHOT_SHA256_BYTES) {
    throw new SnapshotFileError(`size ${b.length} is not a 512-byte multiple plus a 32-byte checksum`);
  }
  const body = b.subarray(0, b.length - SNAPSHOT_SHA256_BYTES);
  const sha = createHash('sha256').update(body).digest();
  if (!sha.equals(b.subarray(body.length))) throw new SnapshotFileError('SHA-256 checksum mismatch');
  if (body.toString('latin1', 0, 8) !== SNAPSHOT_FILE_MAGIC) throw new SnapshotFileError('bad magic');
  const fileVersion = body.readUInt32BE(8);
  if (fileVersion !== SNAPSHOT_FILE_VERSION) throw new SnapshotFileError(`unknown envelope version ${fileVersion}`);
  const payloadBytes = body.readBigUInt64BE(12);
  const versionBytes = body.readUInt16BE(20);
  if (versionBytes > MAX_VERSION_BYTES) throw new SnapshotFileError('version string overflows the header');
  if (envelopeSizeBytes(payloadBytes) !== BigInt(body.length)) {
    throw new SnapshotFileError(`payload length ${payloadBytes} does not match the file size`);
  }
  const end = SNAPSHOT_HEADER_BYTES + Number(payloadBytes);
  return {
    version: body.toString('utf8', VERSION_AT, VERSION_AT + versionBytes),
    payload: new Uint8Array(body.subarray(SNAPSHOT_HEADER_BYTES, end)),
  };
}
