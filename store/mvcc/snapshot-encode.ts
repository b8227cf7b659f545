// Encodes a captured SnapshotImage (snapshot.ts) in bounded steps, straight into one
// buffer of the exact size: a first pass adds up the sizes, a second writes every row
// with a small msgpack writer. No per-revision arrays, no chunk buffers, no final join: a
// snapshot of hundreds of megabytes costs one allocation, and the garbage collector (whose
// pauses a large history already lengthens) gets next to nothing to do.
//
// The writer picks the same forms msgpackr does (its pack.js with useRecords off), so the
// bytes equal packing the whole layout with msgpackr at once; snapshot.test.ts checks it.
//
// With `sinceRev`, the steps encode a delta instead: only the revisions after sinceRev,
// read from the revision log, so its cost follows what changed, not the history held
// (layout in snapshot.ts; decodeSnapshotChain replays it on top of the state at sinceRev).

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
    // The check before the call: a message built on every call would cost more than the write.
    if (!(Number.isSafeInteger(n) && n >= 0)) invariant(false, `snapshot field ${n} is not a non-negative integer`);
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
    // Most keys have no lease: eight zero bytes are cheaper to write than a bigint is to convert.
    if (v === 0n) this.bytes.fill(0, this.pos, this.pos + 8);
    else this.#view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  /** A revision's FIELDS_PER_REVISION fields (revisionBytes sizes them): full snapshots and deltas alike. */
  revision(r: Revision): void {
    this.uint(r.main);
    this.uint(r.sub);
    this.uint(r.tombstone ? 1 : 0);
    this.uint(r.kv.createRevision);
    this.uint(r.kv.version);
    this.bin(r.kv.value);
    this.int64(r.kv.lease);
  }
}

/** The layout version of a delta; a delta's top level has DELTA_FIELDS entries, a full snapshot's 5. */
export const SNAPSHOT_DELTA_FORMAT_VERSION = 1;
const DELTA_FIELDS = 6;
const FIELDS_PER_DELTA_REVISION = 8;

/**
 * A delta since a revision cannot be encoded: compaction dropped revisions after it from the
 * revision log. Expected (a compaction moved past the last snapshot): take a full one instead.
 */
export class SnapshotDeltaUnavailable extends Error {
  readonly code = 'FLOTILLA_ERR_SNAPSHOT_DELTA_UNAVAILABLE';
  constructor(sinceRev: number, logBase: number, currentRev: number) {
    super(`no delta since revision ${sinceRev}: the revision log holds ${logBase}..${currentRev}`);
    this.name = 'SnapshotDeltaUnavailable';
  }
}

export interface EncodeOptions {
  /**
   * Encode a delta: the revisions after this revision (the state a previous snapshot held),
   * the compaction point and the leases. encodeSnapshotSteps throws SnapshotDeltaUnavailable
   * if compaction dropped any of those revisions.
   */
  sinceRev?: number;
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
 * What the steps encode is fixed by the time this returns (a delta's revisions are taken
 * from the log now), so the caller may run other steps before these and still get the state
 * as of this call. Throws SnapshotDeltaUnavailable here, not from a step.
 */
export function encodeSnapshotSteps(img: SnapshotImage, o: EncodeOptions = {}): Generator<void, Uint8Array, void> {
  if (o.sinceRev !== undefined) return encodeDeltaSteps(img, o.sinceRev, deltaChanges(img, o.sinceRev), o);
  return encodeFullSteps(img, o);
}

function* encodeFullSteps(img: SnapshotImage, o: EncodeOptions): Generator<void, Uint8Array, void> {
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
      w.revision(revs[i]!);
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

function deltaRevisionBytes(r: Revision): number {
  return binBytes(r.kv.key.length) + revisionBytes(r);
}

/**
 * The changes a delta since `sinceRev` holds — every revision after it up to the image's, in
 * order — taken from the revision log now, before a later compaction can drop them. One
 * flat list: it lives until the delta is written, and a member takes it on its event loop.
 */
function deltaChanges(img: SnapshotImage, sinceRev: number): Revision[] {
  const log = img.log;
  if (sinceRev > img.currentRev || sinceRev < 1 || (sinceRev < img.currentRev && log.base > sinceRev + 1)) {
    throw new SnapshotDeltaUnavailable(sinceRev, log.base, img.currentRev);
  }
  const changes: Revision[] = [];
  for (let main = sinceRev + 1; main <= img.currentRev; main++) {
    const record = log.get(main);
    if (record === undefined) invariant(false, `revision log lacks ${main}`); // no message built per revision
    for (const r of record) changes.push(r);
  }
  return changes;
}

/**
 * The delta (layout in snapshot.ts) of `changes`, sized and written like the full
 * snapshot, yielding every `stepRevisions` revisions.
 */
function* encodeDeltaSteps(img: SnapshotImage, sinceRev: number, changes: readonly Revision[], o: EncodeOptions,
): Generator<void, Uint8Array, void> {
  const step = o.stepRevisions ?? SNAPSHOT_STEP_REVISIONS;
  const head = packItems([SNAPSHOT_DELTA_FORMAT_VERSION, sinceRev, img.currentRev, img.compactRev]);
  const leases = new Uint8Array(packr.pack(img.leases));
  let size = arrayHeaderBytes(DELTA_FIELDS) + head.length +
    arrayHeaderBytes(FIELDS_PER_DELTA_REVISION * changes.length) + leases.length;
  let inStep = 0;
  for (const r of changes) {
    size += deltaRevisionBytes(r);
    if (++inStep >= step) {
      inStep = 0;
      yield;
    }
  }
  const prefix = o.prefix?.(size) ?? new Uint8Array(0);
  const raw = Buffer.allocUnsafeSlow(prefix.length + size); // every byte is written below (checked at the end)
  const w = new Writer(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), 0);
  w.raw(prefix);
  w.arrayHeader(DELTA_FIELDS);
  w.raw(head);
  w.arrayHeader(FIELDS_PER_DELTA_REVISION * changes.length);
  for (const r of changes) {
    w.bin(r.kv.key);
    w.revision(r);
    if (++inStep >= step) {
      inStep = 0;
      yield;
    }
  }
  w.raw(leases);
  invariant(w.pos === w.bytes.length, `snapshot delta encoder wrote ${w.pos} of ${w.bytes.length} bytes`);
  return w.bytes;
}
