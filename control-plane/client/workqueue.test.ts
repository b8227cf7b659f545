import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, WorkQueue, defaultControllerRateLimiter, runWorkers,
} from './workqueue.js';
import { TokenBucket, sleep } from './flowcontrol.js';
import { WorkqueueFullError } from './errors.js';

async function take(q: WorkQueue<string>): Promise<string> {
  const r = await q.get();
  assert.equal(r.shutdown, false);
  return r.key as string;
}

test('workqueue: add de-duplicates keys waiting in the queue', async () => {
  const q = new WorkQueue<string>();
  q.add('a'); q.add('b'); q.add('a'); q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await take(q), 'a');
  assert.equal(await take(q), 'b');
  assert.equal(q.len(), 0);
  q.shutDown();
});

test('workqueue: a key being processed is not handed to a second worker', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  assert.equal(await take(q), 'a');
  q.add('a'); // re-added while processing
  assert.equal(q.len(), 0, 'not queued while processing');
  let second: string | undefined;
  const p = q.get().then((r) => { second = r.key; });
  await sleep(5);
  assert.equal(second, undefined, 'the second worker still waits');
  q.done('a');
  await p;
  assert.equal(second, 'a', 'queued again after done()');
  q.done('a');
  q.shutDown();
});

test('workqueue: done() without a re-add does not requeue; multiple re-adds requeue once', async () => {
  const q = new WorkQueue<string>();
  q.add('x');
  await take(q);
  q.done('x');
  assert.equal(q.len(), 0);
  q.add('x');
  await take(q);
  q.add('x'); q.add('x'); q.add('x');
  q.done('x');
  assert.equal(q.len(), 1);
  q.shutDown();
});

test('workqueue: waiting get()s are served in order as keys arrive', async () => {
  const q = new WorkQueue<string>();
  const got: string[] = [];
  const ps = [q.get(), q.get()].map((p) => p.then((r) => { got.push(r.key as string); }));
  q.add('1'); q.add('2');
  await Promise.all(ps);
  assert.deepEqual(got, ['1', '2']);
  q.shutDown();
});

test('workqueue: addAfter delivers after the delay and keeps the earliest deadline', async () => {
  const q = new WorkQueue<string>();
  const start = performance.now();
  q.addAfter('k', 200);
  q.addAfter('k', 30); // earlier wins
  q.addAfter('k', 500); // later is ignored
  assert.equal(await take(q), 'k');
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 25 && elapsed < 180, `delivered after ~30 ms (took ${elapsed.toFixed(1)})`);
  q.done('k');
  await sleep(250);
  assert.equal(q.len(), 0, 'the replaced 200 ms timer did not fire');
  q.shutDown();
});

test('rate limiter: per-item exponential backoff doubles from base to the cap; forget resets it', () => {
  const r = new ItemExponentialRateLimiter<string>(5, 100);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => r.when('a')), [5, 10, 20, 40, 80, 100]);
  assert.equal(r.numRequeues('a'), 6);
  assert.equal(r.when('b'), 5, 'per key');
  r.forget('a');
  assert.equal(r.numRequeues('a'), 0);
  assert.equal(r.when('a'), 5);
  const big = new ItemExponentialRateLimiter<string>(5, 1_000_000);
  for (let i = 0; i < 2000; i++) big.when('z');
  assert.equal(big.when('z'), 1_000_000, 'no overflow past the cap');
});

test('rate limiter: the default combines per-item backoff with an overall 10 qps / burst 100 bucket', () => {
  const r = defaultControllerRateLimiter<string>();
  for (let i = 0; i < 100; i++) assert.equal(r.when(`k${i}`), 5, 'burst: only the item backoff applies');
  const d = r.when('k100');
  assert.ok(d > 90 && d <= 100, `the 101st waits ~100 ms for the bucket (got ${d})`);
  const m = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(1, 10),
    new BucketRateLimiter(new TokenBucket(1000, 1000)));
  assert.equal(m.when('a'), 1);
  assert.equal(m.when('a'), 2);
  assert.equal(m.numRequeues('a'), 2);
});

test('workqueue: addRateLimited requeues with growing delays; forget/numRequeues', async () => {
  const q = new WorkQueue<string>({ baseDelayMs: 10, maxDelayMs: 40 });
  const times: number[] = [];
  let last = performance.now();
  for (let i = 0; i < 4; i++) {
    q.addRateLimited('a');
    await take(q);
    const now = performance.now();
    times.push(now - last);
    last = now;
    q.done('a');
  }
  assert.equal(q.numRequeues('a'), 4);
  assert.ok((times[0] ?? 0) >= 8 && (times[3] ?? 0) >= 35, `delays ~10,20,40,40: ${times.map((t) => t.toFixed(0))}`);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
  q.shutDown();
});

test('workqueue: shutDown wakes waiting workers and ignores later adds', async () => {
  const q = new WorkQueue<string>();
  const p = q.get();
  q.shutDown();
  assert.deepEqual(await p, { key: undefined, shutdown: true });
  q.add('late');
  q.addAfter('late', 5);
  q.addRateLimited('late');
  assert.equal(q.len(), 0);
  assert.equal((await q.get()).shutdown, true);
});

test('workqueue: shutDownWithDrain hands out queued keys and resolves when every key is done', async () => {
  const q = new WorkQueue<string>();
  q.add('a'); q.add('b');
  const first = await take(q);
  let drained = false;
  const drain = q.shutDownWithDrain().then(() => { drained = true; });
  q.add('c'); // ignored
  const second = await take(q);
  assert.deepEqual([first, second], ['a', 'b']);
  q.done(first);
  await sleep(5);
  assert.equal(drained, false, 'still processing b');
  q.done(second);
  await drain;
  assert.equal(drained, true);
  assert.equal((await q.get()).shutdown, true);
});

test('workqueue: a full queue refuses a new key with WorkqueueFullError', () => {
  const q = new WorkQueue<string>({ maxLength: 2, name: 'pods' });
  q.add('a'); q.add('b');
  q.add('a'); // duplicates are fine
  assert.throws(() => q.add('c'), (e: unknown) => e instanceof WorkqueueFullError && e.code === 'FLOTILLA_ERR_WORKQUEUE_FULL'
    && /workqueue pods is full/.test(e.message));
  q.shutDown();
});

test('runWorkers: n workers, never two on one key, errors requeue rate-limited, success forgets', async () => {
  const q = new WorkQueue<string>({ baseDelayMs: 1, maxDelayMs: 4 });
  const active = new Set<string>();
  let maxParallel = 0;
  let overlap = false;
  const failuresLeft = new Map<string, number>([['k1', 3]]);
  const synced: string[] = [];
  const errors: string[] = [];
  const run = runWorkers(q, 4, async (key) => {
    if (active.has(key)) overlap = true;
    active.add(key);
    maxParallel = Math.max(maxParallel, active.size);
    await sleep(2);
    active.delete(key);
    const left = failuresLeft.get(key) ?? 0;
    if (left > 0) { failuresLeft.set(key, left - 1); throw new Error(`fail ${key}`); }
    synced.push(key);
  }, { onError: (k) => errors.push(k) });
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 8; i++) q.add(`k${i}`);
    await sleep(3);
  }
  while (failuresLeft.get('k1') !== 0 || q.len() > 0) await sleep(5);
  await sleep(20);
  await q.shutDownWithDrain();
  await run;
  assert.equal(overlap, false, 'a key was never processed by two workers at once');
  assert.ok(maxParallel > 1 && maxParallel <= 4, `parallel workers: ${maxParallel}`);
  assert.deepEqual(errors, ['k1', 'k1', 'k1']);
  assert.ok(synced.includes('k1'));
  assert.equal(q.numRequeues('k1'), 0, 'forgotten after success');
});

test('runWorkers: maxRetries drops a key that keeps failing', async () => {
  const q = new WorkQueue<string>({ baseDelayMs: 1, maxDelayMs: 2 });
  let calls = 0;
  const run = runWorkers(q, 1, () => { calls++; throw new Error('always'); }, { maxRetries: 2 });
  q.add('bad');
  await sleep(50);
  q.shutDown();
  await run;
  assert.equal(calls, 3, 'first try + 2 retries');
});
