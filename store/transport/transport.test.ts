// The transport over real sockets on 127.0.0.1: delivery, batching, reconnect, handshake
// refusals, bounds. Every transport and socket a test opens, the test closes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import type { Message } from '../raft/types.js';
import { EntryType, MessageType } from '../raft/types.js';
import { encodeBatch, LOCAL_MESSAGE_TYPES } from './codec.js';
import { dialHeaders, STREAM_PATH } from './handshake.js';
import { appMsg, connectedPair, deadPort, FAST_LIMITS, member, msg, sleep, waitFor } from './testing.js';

const WIRE_TYPES = Object.values(MessageType).filter((t) => !LOCAL_MESSAGE_TYPES.has(t));

/** One message of `type` with every field a real one of that type might carry. */
function fullMessage(type: MessageType, i: number): Message {
  const data = new Uint8Array([i, 1, 2, 3]);
  const m = msg(type, 'a', 'b', {
    term: 5 + i, logTerm: 4, index: 1000 + i, commit: 999, reject: i % 2 === 0, rejectHint: 17,
    entries: [
      { term: 5, index: 1001, type: EntryType.Normal, data },
      { term: 5, index: 1002, type: EntryType.ConfChange, data: new Uint8Array(0) },
    ],
  });
  if (type === MessageType.ReadIndex || type === MessageType.ReadIndexResp) m.context = data;
  if (type === MessageType.Heartbeat || type === MessageType.HeartbeatResp) m.readRound = i;
  if (type === MessageType.Vote || type === MessageType.PreVote) m.transfer = true;
  return m;
}

test('every wire message type round-trips between two transports exactly', async () => {
  const [a, b] = await connectedPair();
  try {
    const sent = WIRE_TYPES.filter((t) => t !== MessageType.Snap).map(fullMessage);
    a.transport.send(sent);
    await waitFor(() => b.received.length === sent.length, 'all types to arrive');
    assert.deepStrictEqual(b.received, sent);
    // Snap goes through the snapshot stream, with its own acknowledgement.
    const snap = msg(MessageType.Snap, 'a', 'b', { term: 3, snapshot: {
      metadata: { index: 50, term: 3, confState: { voters: ['a', 'b'], learners: ['c'] } }, data: new Uint8Array([1, 2]) } });
    a.transport.send([snap]);
    await waitFor(() => b.received.length === sent.length + 1, 'the Snap to arrive');
    assert.deepStrictEqual(b.received.at(-1), snap);
    await waitFor(() => a.snapshotStatus.length === 1, 'the snapshot status');
    assert.deepEqual(a.snapshotStatus, [{ id: 'b', ok: true }]);
    // And the other direction, on b's own connection.
    b.transport.send([msg(MessageType.AppResp, 'b', 'a', { index: 7 })]);
    await waitFor(() => a.received.length === 1, 'b → a');
    assert.equal(a.received[0]!.index, 7);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test('local-only types, unknown peers and wrong senders are dropped and counted, never delivered', async () => {
  const [a, b] = await connectedPair();
  try {
    a.transport.send([...LOCAL_MESSAGE_TYPES].map((t) => msg(t, 'a', 'b')));
    a.transport.send([msg(MessageType.Heartbeat, 'a', 'nobody')]);
    assert.equal(a.transport.metrics().droppedLocalType, LOCAL_MESSAGE_TYPES.size);
    assert.equal(a.transport.metrics().droppedUnknownPeer, 1);
    // A peer that lies about `from` (or sends a Hup) on its own connection: b refuses the messages.
    const ws = new WebSocket(`ws://127.0.0.1:${b.transport.address.port}${STREAM_PATH}`,
      { headers: dialHeaders('test-cluster', 'c', 'b') });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    ws.send(encodeBatch([msg(MessageType.Heartbeat, 'a', 'b'), msg(MessageType.Hup, 'c', 'b'),
      msg(MessageType.Heartbeat, 'c', 'x'), msg(MessageType.Heartbeat, 'c', 'b', { commit: 3 })], 1 << 20));
    await waitFor(() => b.received.length === 1, 'the one valid message');
    assert.equal(b.received[0]!.commit, 3);
    assert.equal(b.transport.metrics().peers['c']?.messagesRefused, 3);
    ws.close();
    await new Promise((r) => ws.once('close', r));
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test('batching: 10,000 messages sent in a burst arrive in order in a handful of frames', async () => {
  const [a, b] = await connectedPair();
  try {
    const n = 10_000;
    const burst = Array.from({ length: n }, (_, i) => msg(MessageType.Heartbeat, 'a', 'b', { commit: i }));
    for (let i = 0; i < n; i += 100) a.transport.send(burst.slice(i, i + 100));
    await waitFor(() => b.received.length === n, 'the burst');
    assert.ok(b.received.every((m, i) => m.commit === i), 'in order');
    const frames = b.transport.metrics().peers['a']!.framesReceived;
    // One flush cuts frames of at most frameMaxMessages (4096): 3 frames; allow a split flush.
    assert.ok(frames <= 6, `${frames} frames for ${n} messages`);
    assert.equal(a.transport.metrics().peers['b']!.framesSent, frames);
    assert.equal(a.transport.metrics().peers['b']!.messagesSent, n);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test('reconnect: the receiver restarts on the same port and messages flow again', async () => {
  const [a, b] = await connectedPair();
  const port = b.transport.address.port;
  const b2 = member('b', { listen: { host: '127.0.0.1', port } });
  try {
    await b.transport.close();
    await waitFor(() => a.unreachable.includes('b'), 'onUnreachable(b)');
    assert.equal(a.transport.isConnected('b'), false);
    // Sent while b is down: queued (bounded), delivered after the reconnect.
    a.transport.send([msg(MessageType.Heartbeat, 'a', 'b', { commit: 1 })]);
    await sleep(50);
    assert.equal(a.transport.metrics().peers['b']!.queueMessages, 1);
    await b2.transport.start();
    await waitFor(() => b2.received.length === 1, 'the queued message after restart');
    a.transport.send([msg(MessageType.Heartbeat, 'a', 'b', { commit: 2 })]);
    await waitFor(() => b2.received.length === 2, 'a new message');
    assert.deepEqual(b2.received.map((m) => m.commit), [1, 2]);
    const m = a.transport.metrics().peers['b']!;
    assert.equal(m.reconnects, 1);
    assert.ok(m.dialFailures >= 1);
  } finally {
    await Promise.all([a.transport.close(), b2.transport.close()]);
  }
});

test('a member of another cluster is refused, with the error logged on both sides', async () => {
  const a = member('a', { clusterId: 'cluster-x' });
  const b = member('b', { clusterId: 'cluster-y' });
  try {
    await a.transport.start();
    await b.transport.start();
    a.transport.addPeer('b', b.transport.url);
    await waitFor(() => a.transport.metrics().peers['b']!.handshakeRejects >= 2, 'repeated refusals');
    a.transport.send([msg(MessageType.Heartbeat, 'a', 'b')]);
    await sleep(50);
    assert.equal(b.received.length, 0);
    assert.ok(a.unreachable.includes('b'));
    const code = 'FLOTILLA_ERR_TRANSPORT_CLUSTER_MISMATCH';
    const theirs = b.logger.withCode('error', code);
    const ours = a.logger.withCode('error', code);
    assert.ok(theirs.length >= 1 && ours.length >= 1, 'logged on both sides');
    assert.match(theirs[0]!.message, /cluster id mismatch: dialer is in cluster "cluster-x".*"cluster-y"/);
    assert.match(ours[0]!.message, /peer b refused our connection \(HTTP 403\): cluster id mismatch/);
    assert.ok(b.transport.metrics().handshakesRefused >= 2);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test('a dialer that reached the wrong member, or a removed member, is refused', async () => {
  const [a, b] = await connectedPair();
  const c = member('c');
  try {
    await c.transport.start();
    c.transport.addPeer('x', b.transport.url); // b's URL, but c thinks it is member x
    await waitFor(() => c.logger.withCode('error', 'FLOTILLA_ERR_TRANSPORT_WRONG_MEMBER').length > 0, 'wrong member');
    b.transport.removePeer('a');
    await waitFor(() => a.logger.withCode('error', 'FLOTILLA_ERR_TRANSPORT_MEMBER_REMOVED').length > 0, 'removed');
    assert.equal(a.transport.isConnected('b'), false);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close(), c.transport.close()]);
  }
});

test('an oversize inbound frame closes the connection with 1009, logged by the listener', async () => {
  const b = member('b', { limits: { ...FAST_LIMITS, frameMaxBytes: 64 * 1024, snapshotChunkBytes: 32 * 1024 } });
  try {
    await b.transport.start();
    const ws = new WebSocket(`ws://127.0.0.1:${b.transport.address.port}${STREAM_PATH}`,
      { headers: dialHeaders('test-cluster', 'a', 'b') });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => {});
    ws.send(Buffer.alloc(64 * 1024 + 1));
    assert.equal(await closed, 1009);
    await waitFor(() => b.logger.withCode('error', 'FLOTILLA_ERR_TRANSPORT_FRAME_TOO_LARGE').length === 1, 'the log');
    assert.equal(b.transport.metrics().protocolErrors, 1);
    // A malformed (but small) frame closes with 1008 and the decoder's reason.
    const ws2 = new WebSocket(`ws://127.0.0.1:${b.transport.address.port}${STREAM_PATH}`,
      { headers: dialHeaders('test-cluster', 'a', 'b') });
    await new Promise((r, j) => ws2.once('open', r).once('error', j));
    const closed2 = new Promise<[number, string]>((r) => ws2.once('close', (code, why) => r([code, why.toString()])));
    ws2.send(Buffer.from([1, 1, 0, 0, 0, 0xc1]));
    const [code2, why2] = await closed2;
    assert.equal(code2, 1008);
    assert.match(why2, /peer protocol violation/);
    assert.equal(b.received.length, 0);
  } finally {
    await b.transport.close();
  }
});

test('GET /raft/health answers on the peer listener', async () => {
  const [a, b] = await connectedPair();
  try {
    const res = await fetch(`${a.transport.url}/raft/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      member: 'a', cluster: 'test-cluster', protocolVersion: 1, peers: { b: { outbound: true, inbound: true } },
    });
    assert.equal((await fetch(`${a.transport.url}/elsewhere`)).status, 404);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

/**
 * A full collection, without --expose-gc on the command line. V8 frees ArrayBuffer backing
 * stores on a background sweeper, so collect a few times with pauses before measuring.
 */
async function gc(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    collect();
    await sleep(20);
  }
}

test('a peer that never connects: the queue stays within its bounds and drops are counted', async () => {
  const queueMaxBytesPerPeer = 16 * 1024 * 1024;
  const a = member('a', { limits: { ...FAST_LIMITS, queueMaxMessagesPerPeer: 1_000, queueMaxBytesPerPeer } });
  try {
    await a.transport.start();
    a.transport.addPeer('z', `http://127.0.0.1:${await deadPort()}`);
    for (let i = 0; i < 20_000; i++) a.transport.send([msg(MessageType.Heartbeat, 'a', 'z', { commit: i })]);
    let m = a.transport.metrics().peers['z']!;
    assert.equal(m.queueMessages, 1_000);
    assert.equal(m.messagesDropped, 19_000);
    // Memory: 128 MiB of 1 MiB entries through a 16 MiB queue.
    await gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 128; i++) a.transport.send([appMsg('a', 'z', i, 1, 1024 * 1024)]);
    await gc();
    const grownBytes = process.memoryUsage().arrayBuffers - before;
    m = a.transport.metrics().peers['z']!;
    assert.ok(m.queueBytes <= queueMaxBytesPerPeer);
    // What stays alive is what the queue holds (15 entries of 1 MiB), plus slack for the allocator.
    assert.ok(grownBytes <= queueMaxBytesPerPeer + 4 * 1024 * 1024, `array buffers grew ${grownBytes} bytes`);
    assert.equal(m.messagesDropped, 19_000 + 1_000 + 128 - Math.floor(queueMaxBytesPerPeer / (1024 * 1024 + 256)));
    await waitFor(() => a.unreachable.filter((id) => id === 'z').length >= 2, 'repeated onUnreachable');
  } finally {
    await a.transport.close();
  }
});

test('misconfiguration fails loudly: port in use, bad URLs, self as peer, bad limits, old protocol', async () => {
  const a = member('a');
  await a.transport.start();
  const clash = member('b', { listen: { host: '127.0.0.1', port: a.transport.address.port } });
  try {
    await assert.rejects(clash.transport.start(), { code: 'FLOTILLA_ERR_TRANSPORT_LISTEN' });
    assert.throws(() => a.transport.addPeer('b', 'https://127.0.0.1:1'), { code: 'FLOTILLA_ERR_TRANSPORT_CONFIG' });
    assert.throws(() => a.transport.addPeer('b', 'not a url'), { code: 'FLOTILLA_ERR_TRANSPORT_CONFIG' });
    assert.throws(() => a.transport.addPeer('a', 'http://127.0.0.1:1'), { code: 'FLOTILLA_ERR_TRANSPORT_CONFIG' });
    assert.throws(() => member('c', { limits: { snapshotChunkBytes: 8 * 1024 * 1024 } }),
      { code: 'FLOTILLA_ERR_TRANSPORT_CONFIG' });
    await assert.rejects(a.transport.start(), { code: 'FLOTILLA_ERR_TRANSPORT_STATE' });
    // A dialer speaking another protocol version gets a 400 with the code in a header.
    const ws = new WebSocket(`ws://127.0.0.1:${a.transport.address.port}${STREAM_PATH}`,
      { headers: { ...dialHeaders('test-cluster', 'c', 'a'), 'flotilla-protocol-version': '2' } });
    ws.on('error', () => {}); // terminate() below reports "closed before established"
    const [status, code] = await new Promise<[number, unknown]>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        resolve([res.statusCode ?? 0, res.headers['flotilla-reject-code']]);
        ws.terminate();
      });
    });
    assert.deepEqual([status, code], [400, 'FLOTILLA_ERR_TRANSPORT_VERSION_MISMATCH']);
  } finally {
    await Promise.all([a.transport.close(), clash.transport.close()]);
  }
});

test('a misaddressed snapshot is refused at its header and never delivered', async () => {
  const [a, b] = await connectedPair();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${b.transport.address.port}${STREAM_PATH}`,
      { headers: dialHeaders('test-cluster', 'a', 'b') });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const acks: Buffer[] = [];
    ws.on('message', (d: Buffer) => acks.push(d));
    const snap = msg(MessageType.Snap, 'mallory', 'b', {
      snapshot: { metadata: { index: 1, term: 1, confState: { voters: [], learners: [] } }, data: new Uint8Array(3) },
    });
    const { SnapshotSendCursor } = await import('./snapshot-stream.js');
    const cursor = new SnapshotSendCursor(9, snap, 2);
    for (let f = cursor.next(); f !== undefined; f = cursor.next()) ws.send(f);
    await waitFor(() => acks.length === 1, 'the negative ack');
    const { decodeFrame } = await import('./codec.js');
    assert.deepEqual(decodeFrame(acks[0]!, 1), { kind: 5, streamId: 9, ok: false,
      reason: 'message from mallory on the connection of member a' });
    assert.equal(b.received.length, 0);
    assert.equal(b.transport.metrics().peers['a']!.snapshotsRejected, 1);
    ws.close();
    await new Promise((r) => ws.once('close', r));
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test('addPeer with a new URL redials; removePeer fails the snapshot in flight and drops the queue', async () => {
  const [a, b] = await connectedPair();
  const b2 = member('b');
  try {
    await b2.transport.start();
    a.transport.addPeer('b', b2.transport.url);
    a.transport.send([msg(MessageType.Heartbeat, 'a', 'b', { commit: 5 })]);
    await waitFor(() => b2.received.length === 1, 'delivery to the new URL');
    assert.equal(b.received.length, 0);
    await b2.transport.close();
    await waitFor(() => !a.transport.isConnected('b'), 'b2 gone');
    a.transport.send([msg(MessageType.Heartbeat, 'a', 'b'), msg(MessageType.Snap, 'a', 'b', {
      snapshot: { metadata: { index: 1, term: 1, confState: { voters: [], learners: [] } }, data: new Uint8Array(8) },
    })]);
    a.transport.removePeer('b');
    await waitFor(() => a.snapshotStatus.length === 1, 'the snapshot status');
    assert.deepEqual(a.snapshotStatus, [{ id: 'b', ok: false }]);
    assert.deepEqual(a.transport.peerIds(), []);
    assert.equal(a.transport.metrics().peers['b'], undefined);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close(), b2.transport.close()]);
  }
});
