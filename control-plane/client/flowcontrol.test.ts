import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket, sleep } from './flowcontrol.js';
import { AbortedError, ClientConfigError } from './errors.js';

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

test('token bucket: a full bucket admits burst requests at once, then refills at qps', () => {
  const c = fakeClock();
  const b = new TokenBucket(10, 3, c.now);
  assert.equal(b.tryAccept(), true);
  assert.equal(b.tryAccept(), true);
  assert.equal(b.tryAccept(), true);
  assert.equal(b.tryAccept(), false, 'burst exhausted');
  c.advance(99);
  assert.equal(b.tryAccept(), false, 'not yet one token (100 ms at 10 qps)');
  c.advance(1);
  assert.equal(b.tryAccept(), true);
  c.advance(10_000);
  assert.ok(Math.abs(b.available() - 3) < 1e-9, 'refill is capped at burst');
});

test('token bucket: reservations queue in order, each one token period after the previous', () => {
  const c = fakeClock();
  const b = new TokenBucket(50, 2, c.now);
  const delays = Array.from({ length: 6 }, () => b.reserve());
  assert.deepEqual(delays.map((d) => Math.round(d)), [0, 0, 20, 40, 60, 80]);
  b.cancelReservation();
  assert.equal(Math.round(b.reserve()), 80, 'a cancelled reservation gives its slot back');
});

test('token bucket: wait() never fails for want of tokens, it waits', async () => {
  const b = new TokenBucket(100, 1);
  const start = performance.now();
  for (let i = 0; i < 5; i++) await b.wait();
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 35, `5 tokens at 100 qps with burst 1 take >= 40 ms (took ${elapsed.toFixed(1)})`);
  assert.ok(elapsed < 500, `but not much longer (took ${elapsed.toFixed(1)})`);
});

test('token bucket: wait() rejects only when its signal aborts', async () => {
  const b = new TokenBucket(1, 1);
  await b.wait();
  const ac = new AbortController();
  const p = b.wait(ac.signal);
  ac.abort();
  await assert.rejects(p, AbortedError);
});

test('token bucket: bad settings are refused', () => {
  assert.throws(() => new TokenBucket(0, 1), ClientConfigError);
  assert.throws(() => new TokenBucket(1, 0), ClientConfigError);
  assert.throws(() => new TokenBucket(1, 1.5), ClientConfigError);
});

test('sleep: resolves after its time', async () => {
  const start = performance.now();
  await sleep(20);
  assert.ok(performance.now() - start >= 18);
});
