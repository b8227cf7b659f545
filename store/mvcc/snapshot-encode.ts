// Encodes a captured SnapshotImage (snapshot.ts) in bounded steps, straight into one
// buffer of the exact size: a first pass adds up the sizes, a second writes every row
// with a small msgpack writer. No per-revision arrays, no chunk buffers, no final join: a
// snapshot of hundreds of megabytes costs one allocation, and the garbage collector (whose
// pauses a large history already lengthens) gets next to nothing to do.
//
// The writer picks the same forms msgpackr does (its pack.js with useRecords off), so the
// bytes equal packing the whole layout with msgpackr at once; snapshot.test.ts checks it.

import { Packr } from 'msgpackr';
import type { Revision } from './history.js';
import { invariant } from './errors.js';
import { SNAPSHOT_FORMAT_VERSION, SNAPSHOT_STEP_REVISIONS } from './limits.js';
import type { SnapshotImage } from './snapshot.js';

const packr = new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: false });

const TOP_LEVEL_FIELDS = 5;
const FIELDS_PER_REVISION = 7;
/** A lease id: msgpackr writes every bigint that fits as int 64 (0xd3 + 8 bytes). */
const INT64_BYTES = 9;

/** Bytes of a msgpack array header for n elements (fixarray, array 16, array 32). */
function arrayHeaderBytes(n: number): number {
  return n < 16 ? 1 : n < 0x1_0000 ? 3 : 5;
}

/** Bytes of a non-negative integer: fixint, uint 8/16/32, or (msgpackr) a float 64 beyond 32 bits. */
function uintBytes(n: number): number {
  if (n >>> 0 !== n) return 9;
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : 5;
}

function binBytes(length: number): number {
  return (length < 0x100 ? 2 : length < 0x1_0000 ? 3 : 5) + length;
}

function revisionBytes(r: Revision): number {
  return uintBytes(r.main) + uintBytes(r.sub) + 1 + uintBytes(r.kv.createRevision) + uintBytes(r.kv.version) +
    binBytes(r.kv.value.length) + INT64_BYTES;
}

class Writer {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  pos: number;

  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }

  /** A tag byte and n as a big-endian 16-bit number when it fits (tag16), else 32-bit (tag32). */
  #tagged(tag16: number, tag32: number, n: number): void {
    if (n < 0x1_0000) {
      this.bytes[this.pos++] = tag16;
      this.#view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      this.bytes[this.pos++] = tag32;
      this.#view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }

  arrayHeader(n: number): void {
    if (n < 16) this.bytes[this.pos++] = 0x90 | n;
    else this.#tagged(0xdc, 0xdd, n);
  }

  uint(n: number): void {
    invariant(Number.isSafeInteger(n) && n >= 0, `snapshot field ${n} is not a non-negative integer`);
    const b = this.bytes;
    if (n >>> 0 !== n) {
      b[this.pos++] = 0xcb;
      this.#view.setFloat64(this.pos, n);
      this.pos += 8;
    } else if (n < 0x80) {
      b[this.pos++] = n;
    } else if (n < 0x100) {
      b[this.pos++] = 0xcc;
      b[this.pos++] = n;
    } else {
      this.#tagged(0xcd, 0xce, n);
    }
  }

  bin(v: Uint8Array): void {
    const n = v.length;
    if (n < 0x100) {
      this.bytes[this.pos++] = 0xc4;
      this.bytes[this.pos++] = n;
    } else {
      this.#tagged(0xc5, 0xc6, n);
    }
    this.raw(v);
  }

  int64(v: bigint): void {
    this.bytes[this.pos++] = 0xd3;
    this.#view.setBigInt64(this.pos, v);
    this.pos += 8;
  }
}

export interface EncodeOptions {
  /** Revisions sized or written between two yields. */
  stepRevisions?: number;
  /** Bytes to place before the snapshot in the same buffer, given the snapshot's size (an envelope's header). */
  prefix?: (snapshotBytes: number) => Uint8Array;
}

/** msgpack of `items` without the array's own header: the bytes of the items in a row. */
function packItems(items: unknown[]): Uint8Array {
  const packed = packr.pack(items);
  return new Uint8Array(packed.subarray(arrayHeaderBytes(items.length))); // a copy: msgpackr reuses its buffer
}

/**
 * The image as snapshot bytes (the layout in snapshot.ts), yielding after about
 * `stepRevisions` revisions of either pass so the caller can let other work run between.
 */
export function* encodeSnapshotSteps(img: SnapshotImage, o: EncodeOptions = {}): Generator<void, Uint8Array, void> {
  const step = o.stepRevisions ?? SNAPSHOT_STEP_REVISIONS;
  const head = packItems([SNAPSHOT_FORMAT_VERSION, img.currentRev, img.compactRev]);
  const leases = new Uint8Array(packr.pack(img.leases));
  let size = arrayHeaderBytes(TOP_LEVEL_FIELDS) + head.length + arrayHeaderBytes(img.keys.length) + leases.length;
  let inStep = 0;
  for (let k = 0; k < img.keys.length; k++) {
    const revs = img.revs[k]!;
    const n = img.counts[k]!;
    size += arrayHeaderBytes(1 + FIELDS_PER_REVISION * n) + binBytes(img.keys[k]!.length);
    for (let i = 0; i < n; i++) size += revisionBytes(revs[i]!);
    if ((inStep += n) >= step) {
      inStep = 0;
      yield;
    }
  }
  const prefix = o.prefix?.(size) ?? new Uint8Array(0);
  // Not zero-filled: every byte is written below (checked at the end), and zeroing hundreds
  // of megabytes at once would stall the event loop.
  const raw = Buffer.allocUnsafeSlow(prefix.length + size);
  const w = new Writer(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), 0);
  w.raw(prefix);
  w.arrayHeader(TOP_LEVEL_FIELDS);
  w.raw(head);
  w.arrayHeader(img.keys.length);
  for (let k = 0; k < img.keys.length; k++) {
    const revs = img.revs[k]!;
    const n = img.counts[k]!;
    w.arrayHeader(1 + FIELDS_PER_REVISION * n);
    w.bin(img.keys[k]!);
    for (let i = 0; i < n; i++) {
      const r = revs[i]!;
      w.uint(r.main);
      w.uint(r.sub);
      w.uint(r.tombstone ? 1 : 0);
      w.uint(r.kv.createRevision);
      w.uint(r.kv.version);
      w.bin(r.kv.value);
      w.int64(r.kv.lease);
    }
    if ((inStep += n) >= step) {
      inStep = 0;
      yield;
    }
  }
  w.raw(leases);
  invariant(w.pos === w.bytes.length, `snapshot encoder wrote ${w.pos} of ${w.bytes.length} bytes`);
  return w.bytes;
}
