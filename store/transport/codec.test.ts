// The wire codec: random Messages survive encode → frame → decode exactly (fast-check; the
// seed is printed and replays with FC_SEED), and malformed frames are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { pack } from 'msgpackr';
import type { Message } from '../raft/types.js';
import { EntryType, MessageType } from '../raft/types.js';
import {
  batchFrameBytesMax, decodeFrame, encodeBatch, encodeSnapAck, encodeSnapHeader, encodeSnapTrailer, FrameKind,
  messageTuple, messageWireBytesMax,
} from './codec.js';
import { TransportProtocolError } from './errors.js';
import { DEFAULT_TRANSPORT_LIMITS } from './limits.js';
import { msg } from './testing.js';

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;
test.after(() => console.log(`codec properties ran with FC_SEED=${seed}`));

const { frameMaxBytes, frameMaxMessages } = DEFAULT_TRANSPORT_LIMITS;

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 48 }),
  // A view into a larger buffer (non-zero byteOffset), as the core's entries may be.
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 48 }), fc.nat(8))
    .map(([a, off]) => a.subarray(Math.min(off, a.length))),
);
const idArb = fc.string({ unit: 'grapheme', maxLength: 12 });
const natArb = fc.oneof(fc.nat(1000), fc.maxSafeNat());
// Plain objects only: fast-check may otherwise build null-prototype records, which no core produces.
const plain = { noNullPrototype: true } as const;
const entryArb = fc.record({
  term: natArb, index: natArb, type: fc.constantFrom(EntryType.Normal, EntryType.ConfChange), data: bytesArb,
}, plain);
const snapshotArb = fc.record({
  metadata: fc.record({
    index: natArb, term: natArb,
    confState: fc.record({
      voters: fc.array(idArb, { maxLength: 5 }), learners: fc.array(idArb, { maxLength: 3 }),
    }, plain),
  }, plain),
  data: bytesArb,
}, plain);
const required = ['type', 'from', 'to', 'term', 'logTerm', 'index', 'entries', 'commit', 'reject', 'rejectHint'] as const;
const messageArb: fc.Arbitrary<Message> = fc.record({
  type: fc.constantFrom(...Object.values(MessageType)),
  from: idArb, to: idArb, term: natArb, logTerm: natArb, index: natArb,
  entries: fc.array(entryArb, { maxLength: 6 }),
  commit: natArb, reject: fc.boolean(), rejectHint: natArb,
  snapshot: snapshotArb, context: bytesArb, readRound: natArb, transfer: fc.boolean(),
}, { requiredKeys: [...required], ...plain });

function roundTrip(messages: Message[]): Message[] {
  const frame = decodeFrame(encodeBatch(messages, frameMaxBytes), frameMaxMessages);
  assert.equal(frame.kind, FrameKind.Batch);
  return frame.messages;
}

test('property: any batch of Messages round-trips exactly through a frame', () => {
  fc.assert(fc.property(fc.array(messageArb, { maxLength: 20 }), (messages) => {
    const decoded = roundTrip(messages);
    assert.deepStrictEqual(decoded, messages);
    for (const m of decoded) {
      // Exact shape: plain Uint8Array (never Buffer) and no optional key present as undefined.
      for (const e of m.entries) assert.equal(Object.getPrototypeOf(e.data), Uint8Array.prototype);
      for (const k of ['snapshot', 'context', 'readRound', 'transfer'] as const) {
        assert.equal(k in m, m[k] !== undefined, `${k} presence`);
      }
    }
  }), { seed, numRuns: 300 });
});

test('property: a frame is never larger than the size estimate it was planned with', () => {
  fc.assert(fc.property(fc.array(messageArb, { minLength: 1, maxLength: 20 }), (messages) => {
    const planned = batchFrameBytesMax(messages.reduce((n, m) => n + messageWireBytesMax(m), 0));
    assert.ok(encodeBatch(messages, frameMaxBytes).length <= planned);
  }), { seed, numRuns: 300 });
});

test('Buffer bytes decode as plain Uint8Array with the same content', () => {
  const m = msg(MessageType.App, 'a', 'b', {
    entries: [{ term: 1, index: 1, type: EntryType.Normal, data: Buffer.from('hello') }],
    context: Buffer.from([1, 2]),
  });
  const [d] = roundTrip([m]);
  assert.equal(Object.getPrototypeOf(d!.entries[0]!.data), Uint8Array.prototype);
  assert.deepEqual([...d!.entries[0]!.data], [...Buffer.from('hello')]);
  assert.equal(Object.getPrototypeOf(d!.context), Uint8Array.prototype);
});

test('an optional field set to undefined arrives absent (msgpackr alone would keep the key)', () => {
  const m = { ...msg(MessageType.Heartbeat, 'a', 'b'), snapshot: undefined, context: undefined, readRound: 7 };
  const [d] = roundTrip([m]);
  assert.deepStrictEqual(d, { ...msg(MessageType.Heartbeat, 'a', 'b'), readRound: 7 });
  assert.equal('snapshot' in d!, false);
});

test('decoded bytes do not share memory with the frame (an entry must not pin its frame)', () => {
  const data = new Uint8Array(100).fill(9);
  const frame = encodeBatch([msg(MessageType.App, 'a', 'b', { entries: [{ term: 1, index: 1, type: 0, data }] })],
    frameMaxBytes);
  const out = decodeFrame(frame, frameMaxMessages);
  assert.equal(out.kind, FrameKind.Batch);
  if (out.kind !== FrameKind.Batch) return;
  assert.notEqual(out.messages[0]!.entries[0]!.data.buffer, frame.buffer);
  assert.equal(out.messages[0]!.entries[0]!.data.byteLength, 100);
});

test('snapshot header, trailer and ack frames round-trip', () => {
  const m = msg(MessageType.Snap, 'a', 'b', {
    snapshot: { metadata: { index: 9, term: 2, confState: { voters: ['a', 'b'], learners: [] } }, data: new Uint8Array(5) },
  });
  const h = decodeFrame(encodeSnapHeader(7, m, 5), frameMaxMessages);
  assert.deepStrictEqual(h, {
    kind: FrameKind.SnapHeader, streamId: 7, totalBytes: 5,
    message: { ...m, snapshot: { ...m.snapshot!, data: new Uint8Array(0) } },
  });
  assert.deepStrictEqual(decodeFrame(encodeSnapTrailer(7, 5, 0xffff_ffff), frameMaxMessages),
    { kind: FrameKind.SnapTrailer, streamId: 7, totalBytes: 5, crc: 0xffff_ffff });
  assert.deepStrictEqual(decodeFrame(encodeSnapAck(7, false, 'busy'), frameMaxMessages),
    { kind: FrameKind.SnapAck, streamId: 7, ok: false, reason: 'busy' });
});

function frameOf(kind: number, arg: number, body: unknown): Buffer {
  const head = Buffer.alloc(5);
  head[0] = kind;
  head.writeUInt32LE(arg, 1);
  return Buffer.concat([head, pack(body)]);
}

test('malformed frames are refused with FLOTILLA_ERR_TRANSPORT_PROTOCOL', () => {
  const good = messageTuple(msg(MessageType.App, 'a', 'b'));
  const withField = (i: number, v: unknown) => Object.assign([...good], { [i]: v });
  const cases: [string, Uint8Array][] = [
    ['short', Buffer.from([1, 0])],
    ['unknown kind', frameOf(99, 0, [])],
    ['count mismatch', frameOf(FrameKind.Batch, 2, [good])],
    ['count over the limit', frameOf(FrameKind.Batch, frameMaxMessages + 1, [good])],
    ['unknown type code', frameOf(FrameKind.Batch, 1, [withField(0, 99)])],
    ['negative term', frameOf(FrameKind.Batch, 1, [withField(3, -1)])],
    ['fractional index', frameOf(FrameKind.Batch, 1, [withField(5, 1.5)])],
    ['term beyond 2^53', frameOf(FrameKind.Batch, 1, [withField(3, 2n ** 60n)])],
    ['string as bytes', frameOf(FrameKind.Batch, 1, [withField(6, [[1, 1, 0, 'x']])])],
    ['unknown mask bit', frameOf(FrameKind.Batch, 1, [withField(10, 16)])],
    ['mask promises a missing field', frameOf(FrameKind.Batch, 1, [withField(10, 2)])],
    ['extra trailing field', frameOf(FrameKind.Batch, 1, [[...good, 1]])],
    ['truncated msgpack', frameOf(FrameKind.Batch, 1, [good]).subarray(0, 12)],
    ['trailing garbage', Buffer.concat([frameOf(FrameKind.Batch, 1, [good]), Buffer.from([1])])],
    ['header of a non-Snap', frameOf(FrameKind.SnapHeader, 1, [good, 0])],
    ['crc wider than 32 bits', frameOf(FrameKind.SnapTrailer, 1, [0, 2 ** 33])],
    ['id too long', frameOf(FrameKind.Batch, 1, [withField(1, 'x'.repeat(300))])],
  ];
  for (const [name, frame] of cases) {
    assert.throws(() => decodeFrame(frame, frameMaxMessages), (err: unknown) =>
      err instanceof TransportProtocolError && err.code === 'FLOTILLA_ERR_TRANSPORT_PROTOCOL', name);
  }
});
