// A put's log entry in a fixed binary layout instead of msgpack. Puts are most of the log,
// and every member decodes every entry: msgpackr's generic map, string and bigint handling
// cost each member a few percent of its CPU per put. Txns have their layout in txn-codec.ts
// (same marker, byte [1] tells them apart); other requests stay msgpack.
//
// Layout (big-endian):
//   [0]  0xc1  msgpack's one never-used byte: no msgpack entry starts with it
//   [1]  1     the put layout's version
//   [2]  flags bit 0 prevKv, bit 1 ignoreValue, bit 2 ignoreLease
//   [3]  id length in bytes (ids are short ASCII: "<member hex>.<nonce>.<counter>")
//   [4]  lease, int64
//   [12] key length, uint32
//   [16] id, key, value (the value runs to the end)
import type * as api from '../api/backend.js';

export const PUT_MARKER = 0xc1;
export const PUT_LAYOUT_V1 = 1;
const HEADER_BYTES = 16;
export const MAX_ID_BYTES = 255;
const FLAG_PREV_KV = 1;
const FLAG_IGNORE_VALUE = 2;
const FLAG_IGNORE_LEASE = 4;
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** The entry for a put, or undefined if its id or lease does not fit the layout (then msgpack is used). */
export function encodePutEntry(id: string, req: api.PutRequest): Uint8Array | undefined {
  const idBytes = Buffer.from(id, 'utf8');
  if (idBytes.length > MAX_ID_BYTES || req.lease < INT64_MIN || req.lease > INT64_MAX) return undefined;
  const out = new Uint8Array(HEADER_BYTES + idBytes.length + req.key.length + req.value.length);
  const view = new DataView(out.buffer);
  out[0] = PUT_MARKER;
  out[1] = PUT_LAYOUT_V1;
  out[2] = (req.prevKv ? FLAG_PREV_KV : 0) | (req.ignoreValue ? FLAG_IGNORE_VALUE : 0)
    | (req.ignoreLease ? FLAG_IGNORE_LEASE : 0);
  out[3] = idBytes.length;
  view.setBigInt64(4, req.lease);
  view.setUint32(12, req.key.length);
  let p = HEADER_BYTES;
  out.set(idBytes, p);
  p += idBytes.length;
  out.set(req.key, p);
  p += req.key.length;
  out.set(req.value, p);
  return out;
}

/** Decode an entry encodePutEntry wrote; key and value are views into `data`. */
export function decodePutEntry(data: Uint8Array): { id: string; req: api.PutRequest } {
  if (data.length < HEADER_BYTES || data[0] !== PUT_MARKER || data[1] !== PUT_LAYOUT_V1) {
    throw new Error('malformed put entry in the Raft log');
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const flags = data[2]!;
  const idEnd = HEADER_BYTES + data[3]!;
  const keyEnd = idEnd + view.getUint32(12);
  if (keyEnd > data.length) throw new Error('malformed put entry in the Raft log: lengths past its end');
  return {
    id: Buffer.from(data.buffer, data.byteOffset + HEADER_BYTES, data[3]!).toString('utf8'),
    req: {
      key: data.subarray(idEnd, keyEnd), value: data.subarray(keyEnd), lease: view.getBigInt64(4),
      prevKv: (flags & FLAG_PREV_KV) !== 0, ignoreValue: (flags & FLAG_IGNORE_VALUE) !== 0,
      ignoreLease: (flags & FLAG_IGNORE_LEASE) !== 0,
    },
  };
}
