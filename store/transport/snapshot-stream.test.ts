// Snapshot streams without sockets: the sender's frames fed straight into a receiver.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '../raft/types.js';
import { MessageType } from '../raft/types.js';
import { decodeFrame, FrameKind } from './codec.js';
import { TransportProtocolError } from './errors.js';
import { SnapshotAssembler, SnapshotSendCursor } from './snapshot-stream.js';
import type { ReceiveSlots } from './snapshot-stream.js';
import { msg } from './testing.js';

function snap(bytes: number): Message {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31) & 0xff;
  return msg(MessageType.Snap, 'a', 'b', {
    snapshot: { metadata: { index: 10, term: 2, confState: { voters: ['a', 'b'], learners: ['c'] } }, data },
  });
}

/** Run every frame of `cursor` through `asm`; returns the trailer outcome and the chunk count. */
function pump(cursor: SnapshotSendCursor, asm: SnapshotAssembler) {
  let chunks = 0;
  for (let frame = cursor.next(); frame !== undefined; frame = cursor.next()) {
    const f = decodeFrame(frame, 1);
    if (f.kind === FrameKind.SnapHeader) {
      assert.deepEqual(asm.header(f.streamId, f.message, f.totalBytes), { ok: true });
    }
    else if (f.kind === FrameKind.SnapChunk) assert.equal(asm.chunk(f.streamId, f.chunk), chunks++);
    else if (f.kind === FrameKind.SnapTrailer) return { out: asm.trailer(f.streamId, f.totalBytes, f.crc), chunks };
  }
  throw new Error('no trailer');
}

test('a snapshot streams in chunks and reassembles exactly', () => {
  for (const size of [0, 1, 1000, 1024, 1025, 10_000]) {
    const m = snap(size);
    const slots: ReceiveSlots = { active: 0, max: 1 };
    const { out, chunks } = pump(new SnapshotSendCursor(1, m, 1024), new SnapshotAssembler(1 << 20, slots));
    assert.equal(chunks, Math.ceil(size / 1024), `chunks for ${size}`);
    assert.deepStrictEqual(out, { ok: true, message: m });
    assert.equal(slots.active, 0, 'slot released');
  }
});

test('a corrupted chunk fails the CRC check and nothing is delivered', () => {
  const slots: ReceiveSlots = { active: 0, max: 1 };
  const cursor = new SnapshotSendCursor(1, snap(5000), 1024, (i) => i === 2);
  const { out } = pump(cursor, new SnapshotAssembler(1 << 20, slots));
  assert.equal(out.ok, false);
  assert.match((out as { reason: string }).reason, /CRC mismatch/);
  assert.equal(slots.active, 0);
});

test('an oversize or over-concurrent stream is refused and its chunks ignored', () => {
  const slots: ReceiveSlots = { active: 1, max: 1 };
  const asm = new SnapshotAssembler(4096, slots);
  const busy = asm.header(5, snap(10), 10);
  assert.equal(busy.ok, false);
  assert.equal(asm.chunk(5, new Uint8Array(10)), -1);
  assert.deepEqual(asm.trailer(5, 10, 0), { ok: 'ignored' });
  slots.active = 0;
  const big = asm.header(6, snap(10), 5000);
  assert.equal(big.ok, false);
  assert.match((big as { reason: string }).reason, /exceeds snapshotMaxBytes/);
  assert.equal(slots.active, 0);
});

test('protocol violations: chunk of an unknown stream, overflow, a second header', () => {
  const asm = new SnapshotAssembler(4096, { active: 0, max: 2 });
  assert.throws(() => asm.chunk(1, new Uint8Array(1)), TransportProtocolError);
  asm.header(1, snap(0), 4);
  assert.throws(() => asm.chunk(1, new Uint8Array(5)), TransportProtocolError);
  assert.throws(() => asm.header(2, snap(0), 4), TransportProtocolError);
});
