import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { params, seed } from '../../control-plane/api/testing/fc.js';
import { decideRestart, shouldRestart, type RestartDecision } from './restart-policy.js';
import { backoffSeconds, formatDurationSeconds, type BackoffEntry } from './backoff.js';

console.log(`restart-policy property tests: FC_SEED=${seed}`);

test('shouldRestart follows restartPolicy', () => {
  assert.equal(shouldRestart('Always', 0), true);
  assert.equal(shouldRestart(undefined, 0), true);
  assert.equal(shouldRestart('OnFailure', 0), false);
  assert.equal(shouldRestart('OnFailure', 1), true);
  assert.equal(shouldRestart('Never', 137), false);
});

test('backoffSeconds: 10 s doubling to 5 min', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoffSeconds(n)), [10, 20, 40, 80, 160, 300, 300, 300]);
  assert.equal(backoffSeconds(1, { initialSeconds: 1, maxSeconds: 4 }), 2);
  assert.deepEqual([10, 60, 80, 300, 3725].map(formatDurationSeconds), ['10s', '1m0s', '1m20s', '5m0s', '1h2m5s']);
});

/** A container that crashes `runSeconds` after each start; returns the delays between exit and restart. */
function crashLoop(runSeconds: number, crashes: number): { delaysS: number[]; last: RestartDecision } {
  let nowMs = 0;
  let backoff: BackoffEntry | undefined;
  const delaysS: number[] = [];
  let last: RestartDecision = { action: 'leave-terminated', reason: 'Error' };
  for (let i = 0; i < crashes; i++) {
    nowMs += runSeconds * 1000;
    const exit = { exitCode: 1, finishedAtMs: nowMs };
    const exitedAt = nowMs;
    for (;;) {
      last = decideRestart({ policy: 'Always', exit, backoff, nowMs, containerName: 'app', podDescription: 'p_ns(u)' });
      if (last.action === 'restart') {
        backoff = last.backoff;
        break;
      }
      assert.equal(last.action, 'back-off');
      if (last.action === 'back-off') nowMs = last.retryAtMs;
    }
    delaysS.push((nowMs - exitedAt) / 1000);
  }
  return { delaysS, last };
}

test('CrashLoopBackOff: first restart at once, then 10 s, 20 s … capped at 5 min', () => {
  assert.deepEqual(crashLoop(1, 9).delaysS, [0, 10, 20, 40, 80, 160, 300, 300, 300]);
  const d = decideRestart({ policy: 'Always', exit: { exitCode: 2, finishedAtMs: 1000 },
    backoff: { delaySeconds: 20, lastUpdateMs: 0 }, nowMs: 2000, containerName: 'app', podDescription: 'web_default(u1)' });
  assert.deepEqual(d, { action: 'back-off', retryAtMs: 21_000, backoff: { delaySeconds: 20, lastUpdateMs: 0 },
    waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_default(u1)' } });
});

test('backoff resets after 10 min of good running', () => {
  assert.deepEqual(crashLoop(601, 4).delaysS, [0, 0, 0, 0]);
  // At 599 s the entry is still live, so the crash waits; by the retry it has expired, so it restarts at 10 s.
  assert.deepEqual(crashLoop(599, 3).delaysS, [0, 10, 10]);
});

test('Never / OnFailure leave the container terminated with Completed or Error', () => {
  const base = { backoff: undefined, nowMs: 5, containerName: 'c', podDescription: 'p' };
  assert.deepEqual(decideRestart({ ...base, policy: 'Never', exit: { exitCode: 0, finishedAtMs: 1 } }),
    { action: 'leave-terminated', reason: 'Completed' });
  assert.deepEqual(decideRestart({ ...base, policy: 'OnFailure', exit: { exitCode: 0, finishedAtMs: 1 } }),
    { action: 'leave-terminated', reason: 'Completed' });
  assert.deepEqual(decideRestart({ ...base, policy: 'Never', exit: { exitCode: 3, finishedAtMs: 1 } }),
    { action: 'leave-terminated', reason: 'Error' });
});

test('property: first restart immediate, delays within 5 min, non-decreasing while the loop is tight', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 15 }), (runS, n) => {
    const { delaysS } = crashLoop(runS, n);
    assert.equal(delaysS[0], 0);
    for (let i = 1; i < delaysS.length; i++) {
      assert.ok((delaysS[i] ?? 0) <= 300);
      if (i > 1) assert.ok((delaysS[i] ?? 0) >= (delaysS[i - 1] ?? 0));
    }
  }), params(200));
});
