// The bounded per-peer queue and the reconnect backoff, without sockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MessageType } from '../raft/types.js';
import { backoffDelayMs } from './backoff.js';
import { MessageQueue } from './queue.js';
import { msg } from './testing.js';

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;
test.after(() => console.log(`queue properties ran with FC_SEED=${seed}`));

test('a full queue drops its oldest messages and keeps order', () => {
  const q = new MessageQueue(3, 1_000);
  const dropped = [1, 2, 3, 4, 5].map((i) => q.push(msg(MessageType.Heartbeat, 'a', 'b', { commit: i }), 10));
  assert.deepEqual(dropped, [0, 0, 0, 1, 1]);
  assert.deepEqual(q.take(10).map((m) => m.commit), [3, 4, 5]);
  assert.equal(q.length, 0);
  assert.equal(q.bytes, 0);
});

test('the byte bound drops the oldest too, and a message larger than the bound drops itself', () => {
  const q = new MessageQueue(100, 25);
  q.push(msg(MessageType.App, 'a', 'b', { index: 1 }), 10);
  q.push(msg(MessageType.App, 'a', 'b', { index: 2 }), 10);
  assert.equal(q.push(msg(MessageType.App, 'a', 'b', { index: 3 }), 10), 1);
  assert.deepEqual([q.at(0)?.index, q.at(1)?.index], [2, 3]);
  assert.equal(q.push(msg(MessageType.App, 'a', 'b', { index: 4 }), 26), 3);
  assert.equal(q.length, 0);
  assert.equal(q.bytes, 0);
});

test('property: the queue never exceeds its bounds and holds the newest messages in order', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 500 }),
    fc.array(fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constant(-1)), { maxLength: 400 }),
    (maxMessages, maxBytes, ops) => {
      const q = new MessageQueue(maxMessages, maxBytes);
      let next = 0;
      let expected: { i: number; size: number }[] = [];
      let droppedTotal = 0;
      for (const op of ops) {
        if (op === -1) {
          // -1 = a flush taking up to 7 messages.
          const taken = q.take(7).map((m) => m.index);
          assert.deepEqual(taken, expected.slice(0, 7).map((e) => e.i));
          expected = expected.slice(7);
          continue;
        }
        droppedTotal += q.push(msg(MessageType.App, 'a', 'b', { index: next }), op);
        expected.push({ i: next++, size: op });
        while (expected.length > maxMessages || expected.reduce((n, e) => n + e.size, 0) > maxBytes) expected.shift();
        assert.ok(q.length <= maxMessages && q.bytes <= maxBytes);
      }
      assert.deepEqual(q.take(q.length).map((m) => m.index), expected.map((e) => e.i));
      assert.ok(droppedTotal >= 0);
    }), { seed, numRuns: 200 });
});

test('property: backoff stays within [ceiling/2, ceiling] and never exceeds the maximum', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 60_000 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    (attempt, initial, extra, r) => {
      const max = initial + extra;
      const ceiling = Math.min(max, initial * 2 ** attempt);
      const d = backoffDelayMs(attempt, initial, max, () => r);
      assert.ok(d >= Math.floor(ceiling / 2) && d <= max, `delay ${d} for ceiling ${ceiling}`);
    }), { seed, numRuns: 500 });
  // Doubling until the cap.
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, 100, 1_000, () => 1)), [100, 200, 400, 800, 1_000]);
});
