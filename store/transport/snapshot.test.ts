// Snapshot streaming over real sockets on 127.0.0.1: a 20 MiB snapshot in chunks, a
// receiver that dies mid-stream, a corrupted chunk, and the one-status-per-snapshot rule.
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Message } from '../raft/types.js';
import { MessageType } from '../raft/types.js';
import { connectedPair, FAST_LIMITS, member, msg, waitFor } from './testing.js';

const MiB = 1024 * 1024;

function snapMsg(bytes: number, term = 3): Message {
  const data = randomFillSync(new Uint8Array(bytes));
  return msg(MessageType.Snap, 'a', 'b', {
    term, snapshot: { metadata: { index: 500, term, confState: { voters: ['a', 'b', 'c'], learners: [] } }, data },
  });
}

const isSnap = (m: Message) => m.type === MessageType.Snap;

test('a 20 MiB snapshot streams in chunks, arrives intact, heartbeats interleave, status ok', async () => {
  const chunks: number[] = [];
  const hooks = {
    snapshotChunkReceived: (_from: string, i: number) => chunks.push(i),
    // The sender builds chunk 0: the stream has begun, and a heartbeat is due now. It must
    // go out after the chunks already in the socket (≤ socketMaxBufferedBytes), not after
    // all 20 — whatever the kernel buffers, TCP keeps the order the sender wrote.
    corruptSnapshotChunk: (_to: string, i: number) => {
      if (i === 0) pair[0].transport.send([msg(MessageType.Heartbeat, 'a', 'b', { commit: 42 })]);
      return false;
    },
  };
  const pair = await connectedPair({ testHooks: hooks });
  const [a, b] = pair;
  try {
    const snap = snapMsg(20 * MiB);
    a.transport.send([snap]);
    await waitFor(() => a.snapshotStatus.length === 1, 'the snapshot status', 20_000);
    assert.deepEqual(a.snapshotStatus, [{ id: 'b', ok: true }]);
    const delivered = b.received.filter(isSnap);
    assert.equal(delivered.length, 1);
    assert.deepStrictEqual(delivered[0], snap);
    assert.equal(chunks.length, 20, 'one chunk per MiB (snapshotChunkBytes)');
    // The heartbeat sent mid-stream did not wait for the rest of the snapshot.
    const hb = b.received.findIndex((m) => m.type === MessageType.Heartbeat);
    assert.ok(hb >= 0 && hb < b.received.findIndex(isSnap), 'heartbeat delivered before the snapshot completed');
    const m = a.transport.metrics().peers['b']!;
    assert.equal(m.snapshotsSent, 1);
    assert.equal(m.snapshotBytesSent, 20 * MiB);
    assert.equal(b.transport.metrics().peers['a']!.snapshotsReceived, 1);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test('a receiver that dies mid-stream: onSnapshotStatus(id, false)', async () => {
  // A stand-in peer that accepts the connection, then vanishes (no close frame) after 3 frames.
  const fake = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => fake.once('listening', r));
  let frames = 0;
  fake.on('connection', (ws: WebSocket) => ws.on('message', () => {
    if (++frames === 3) ws.terminate();
  }));
  const a = member('a');
  try {
    await a.transport.start();
    a.transport.addPeer('b', `http://127.0.0.1:${(fake.address() as AddressInfo).port}`);
    await waitFor(() => a.transport.isConnected('b'), 'connect');
    a.transport.send([snapMsg(8 * MiB)]);
    await waitFor(() => a.snapshotStatus.length === 1, 'the snapshot status', 10_000);
    assert.deepEqual(a.snapshotStatus, [{ id: 'b', ok: false }]);
    assert.ok(a.unreachable.includes('b'));
    assert.equal(a.transport.metrics().peers['b']!.snapshotsFailed, 1);
  } finally {
    await a.transport.close();
    for (const c of fake.clients) c.terminate();
    await new Promise((r) => fake.close(r));
  }
});

test('a real receiver that shuts down mid-stream never delivers the partial snapshot', async () => {
  const receiver: { b?: ReturnType<typeof member> } = {};
  const [a, b0] = await connectedPair({
    testHooks: {
      snapshotChunkReceived: (_f: string, i: number) => {
        if (i === 3) void receiver.b?.transport.close();
      },
    },
  });
  receiver.b = b0;
  try {
    a.transport.send([snapMsg(12 * MiB)]);
    await waitFor(() => a.snapshotStatus.length === 1, 'the snapshot status', 10_000);
    assert.deepEqual(a.snapshotStatus, [{ id: 'b', ok: false }]);
    assert.equal(b0.received.filter(isSnap).length, 0);
  } finally {
    await Promise.all([a.transport.close(), b0.transport.close()]);
  }
});

test('a corrupted chunk is rejected, never delivered; the next snapshot succeeds on the same connection', async () => {
  let corruptNext = true;
  const [a, b] = await connectedPair({
    testHooks: { corruptSnapshotChunk: (_to: string, i: number) => corruptNext && i === 5 },
  });
  try {
    a.transport.send([snapMsg(8 * MiB)]);
    await waitFor(() => a.snapshotStatus.length === 1, 'the first status', 10_000);
    assert.deepEqual(a.snapshotStatus, [{ id: 'b', ok: false }]);
    assert.equal(b.received.filter(isSnap).length, 0);
    const logged = b.logger.withCode('error', 'FLOTILLA_ERR_TRANSPORT_SNAPSHOT_CORRUPT');
    assert.equal(logged.length, 1);
    assert.match(logged[0]!.message, /CRC mismatch/);
    assert.equal(b.transport.metrics().peers['a']!.snapshotsRejected, 1);
    corruptNext = false;
    const good = snapMsg(3 * MiB, 4);
    a.transport.send([good]);
    await waitFor(() => a.snapshotStatus.length === 2, 'the second status', 10_000);
    assert.deepEqual(a.snapshotStatus[1], { id: 'b', ok: true });
    assert.deepStrictEqual(b.received.filter(isSnap), [good]);
    assert.equal(a.transport.metrics().peers['b']!.reconnects, 0);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test('every snapshot gets exactly one status: busy, unacknowledged (deadline), closing', async () => {
  // A peer that reads everything and never acknowledges.
  const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => silent.once('listening', r));
  const a = member('a', { limits: { ...FAST_LIMITS, snapshotTimeoutBaseMs: 300 } });
  try {
    await a.transport.start();
    a.transport.addPeer('b', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    await waitFor(() => a.transport.isConnected('b'), 'connect');
    a.transport.send([snapMsg(1024), snapMsg(1024)]);
    await waitFor(() => a.snapshotStatus.length === 2, 'busy, then deadline', 5_000);
    assert.deepEqual(a.snapshotStatus, [{ id: 'b', ok: false }, { id: 'b', ok: false }]);
    assert.match(a.logger.lines.find((l) => /snapshot send refused/.test(l.message))!.message, /already being sent/);
    assert.ok(a.logger.lines.some((l) => /not acknowledged within 3\d\d ms/.test(l.message)));
    // Reconnected after the deadline reset the stream; a snapshot in flight at close() fails before close resolves.
    await waitFor(() => a.transport.isConnected('b'), 'reconnect');
    a.transport.send([snapMsg(1024)]);
    await a.transport.close();
    assert.equal(a.snapshotStatus.length, 3);
    assert.deepEqual(a.snapshotStatus[2], { id: 'b', ok: false });
  } finally {
    await a.transport.close();
    for (const c of silent.clients) c.terminate();
    await new Promise((r) => silent.close(r));
  }
});
