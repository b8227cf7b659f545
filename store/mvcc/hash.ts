// Consistency hashes (etcd HashKV / Hash): every member that applied the same log prefix
// must produce the same number, so the hash walks state in a canonical order (key order,
// then revision order within a key) and encodes every field with a fixed layout. CRC-32
// from node:zlib is the only node: import the state machine allows.

import { crc32 } from 'node:zlib';
import type { Revision } from './history.js';
import type { LeaseStatus } from './types.js';

/** main(8) sub(4) tombstone(1) create(8) version(8) lease(8) keyLen(4) valueLen(4) */
const REVISION_HEADER_BYTES = 45;

export class RevisionHasher {
  #crc = 0;
  readonly #buf = new Uint8Array(REVISION_HEADER_BYTES);
  readonly #view = new DataView(this.#buf.buffer);

  get value(): number {
    return this.#crc >>> 0;
  }

  addNumbers(...values: number[]): void {
    for (const v of values) {
      this.#view.setFloat64(0, v);
      this.#crc = crc32(this.#buf.subarray(0, 8), this.#crc);
    }
  }

  addRevision(r: Revision): void {
    const v = this.#view;
    v.setFloat64(0, r.main);
    v.setUint32(8, r.sub);
    v.setUint8(12, r.tombstone ? 1 : 0);
    v.setFloat64(13, r.kv.createRevision);
    v.setFloat64(21, r.kv.version);
    v.setBigInt64(29, r.kv.lease);
    v.setUint32(37, r.kv.key.length);
    v.setUint32(41, r.kv.value.length);
    this.#crc = crc32(this.#buf, this.#crc);
    this.#crc = crc32(r.kv.key, this.#crc);
    if (r.kv.value.length > 0) this.#crc = crc32(r.kv.value, this.#crc);
  }

  addLease(l: LeaseStatus): void {
    const v = this.#view;
    v.setBigInt64(0, l.id);
    v.setFloat64(8, l.grantedTtlSeconds);
    v.setFloat64(16, l.remainingTtlSeconds);
    this.#crc = crc32(this.#buf.subarray(0, 24), this.#crc);
  }
}
