import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RepeatLimiter } from './repeat-limiter.js';

test('one line per key per interval, with the skipped count; keys stay bounded', () => {
  let now = 0;
  const r = new RepeatLimiter({ intervalMs: 100, keysMax: 2, now: () => now });
  assert.equal(r.allow('a'), 0);
  assert.equal(r.allow('a'), -1);
  assert.equal(r.allow('a'), -1);
  now = 100;
  assert.equal(r.allow('a'), 2, 'the next allowed line reports the two skipped');
  r.reset('a');
  assert.equal(r.allow('a'), 0, 'reset logs at once');
  r.allow('b');
  r.allow('c'); // evicts the oldest key ('a')
  assert.equal(r.allow('a'), 0, 'an evicted key is new again');
});
