// The applier's replicated state as snapshot bytes: one msgpack map (unpackState reads it)
// of the small fields — members, alarms, the dedup window's request ids, the cluster token —
// then `mvcc`, the store's image as a bin 32 whose header goes in front of the store's own
// bytes in the same buffer (MvccStore.snapshotSteps' prefix). Full snapshots and deltas
// share the layout; a delta's `mvcc` is the store's delta.
//
// The small fields are packed in steps too: the request ids alone are 65,536 strings
// (DEDUP_WINDOW_REQUESTS, ~1.8 MB), and packing them at once took ~90 ms of a loaded
// leader's event loop in the middle of every snapshot, a stall its clients all waited out.
import { invariant } from '../mvcc/errors.js';
import { packState } from './request.js';

/** Array items (request ids) packed between two yields: a few hundred microseconds of work. */
export const STATE_STEP_ITEMS = 4096;

/** msgpack type bytes (the msgpack spec): fixmap, map 16, fixarray, array 16, array 32, bin 32. */
const FIXMAP = 0x80;
const MAP16 = 0xde;
const FIXARRAY = 0x90;
const ARRAY16 = 0xdc;
const ARRAY32 = 0xdd;
const BIN32 = 0xc6;

function mapHeader(entries: number): Uint8Array {
  invariant(entries < 0x1_0000, `a state map of ${entries} entries`);
  return entries < 16 ? Uint8Array.of(FIXMAP | entries) : Uint8Array.of(MAP16, entries >> 8, entries & 0xff);
}

/** The header msgpackr writes for an array of n items. */
function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(FIXARRAY | n);
  if (n < 0x1_0000) return Uint8Array.of(ARRAY16, n >> 8, n & 0xff);
  const h = new Uint8Array(5);
  h[0] = ARRAY32;
  new DataView(h.buffer).setUint32(1, n);
  return h;
}

/** packState(v) as a copy of its own: the packer writes every result into one buffer it reuses. */
function packed(v: unknown): Uint8Array {
  return new Uint8Array(packState(v));
}

/** packState(items) without the array's header, `stepItems` items at a time, yielding between. */
function* packArraySteps(items: readonly unknown[], stepItems: number): Generator<void, Uint8Array[], void> {
  const parts = [arrayHeader(items.length)];
  for (let at = 0; at < items.length; at += stepItems) {
    if (at > 0) yield;
    const chunk = items.slice(at, at + stepItems);
    parts.push(packed(chunk).subarray(arrayHeader(chunk.length).length));
  }
  return parts;
}

/**
 * The bytes before the store's image: the map header (the small fields and `mvcc`), every
 * small field as packState packs it — a long array in steps — and the key `mvcc`. The
 * fields must not change while the steps run (the applier hands over copies).
 */
export function* stateHeadSteps(fields: Readonly<Record<string, unknown>>, stepItems = STATE_STEP_ITEMS,
): Generator<void, Uint8Array, void> {
  const entries = Object.entries(fields);
  invariant(!('mvcc' in fields), 'the store image is not a small field');
  const parts = [mapHeader(entries.length + 1)];
  for (const [key, value] of entries) {
    parts.push(packed(key));
    if (Array.isArray(value) && value.length > stepItems) parts.push(...yield* packArraySteps(value, stepItems));
    else parts.push(packed(value));
  }
  parts.push(packed('mvcc'));
  return Buffer.concat(parts);
}

/** The head followed by the bin 32 header of a store image of `size` bytes: the store encoder's prefix. */
export function stateImagePrefix(head: Uint8Array, size: number): Uint8Array {
  invariant(size <= 0xffff_ffff, `store snapshot of ${size} bytes does not fit a msgpack bin 32`);
  const out = new Uint8Array(head.length + 5);
  out.set(head);
  out[head.length] = BIN32;
  new DataView(out.buffer).setUint32(head.length + 1, size);
  return out;
}
