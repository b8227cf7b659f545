import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDurationMs } from './duration.js';
import { LbConfigError } from './errors.js';

test('durations: units, plain milliseconds, decimals', () => {
  const cases: [string, number][] = [
    ['250ms', 250], ['1s', 1000], ['1.5s', 1500], ['1.1s', 1100], ['0.25s', 250], ['2m', 120_000],
    ['1h', 3_600_000], ['500', 500], ['0', 0], [' 10s ', 10_000], ['0ms', 0],
  ];
  for (const [text, ms] of cases) assert.equal(parseDurationMs(text, '--interval'), ms, text);
});

test('durations: bad text is refused with the flag named', () => {
  for (const text of ['', 'abc', '-1', '1 s', '1sec', '10us', '1.5', '0.5ms', '1e3', 's', '1..2s', '9'.repeat(40)]) {
    assert.throws(() => parseDurationMs(text, '--timeout'), (e: unknown) => {
      assert.ok(e instanceof LbConfigError, text);
      assert.equal(e.flag, '--timeout');
      assert.match(e.message, /^--timeout: /);
      assert.equal(e.code, 'FLOTILLA_ERR_LB_CONFIG');
      return true;
    }, text);
  }
});

test('durations: range checks name the bounds', () => {
  assert.throws(() => parseDurationMs('5ms', '--interval', 10, 60_000), /--interval: "5ms" is out of range: must be from 10ms to 1m/);
  assert.throws(() => parseDurationMs('2m', '--interval', 10, 60_000), /out of range/);
  assert.equal(parseDurationMs('1m', '--interval', 10, 60_000), 60_000);
});

test('durations: format picks the largest whole unit and reads back', () => {
  const cases: [number, string][] = [[0, '0ms'], [250, '250ms'], [1000, '1s'], [1500, '1500ms'], [60_000, '1m'],
    [90_000, '90s'], [3_600_000, '1h'], [7_200_000, '2h']];
  for (const [ms, text] of cases) {
    assert.equal(formatDuration(ms), text);
    assert.equal(parseDurationMs(text, '--x'), ms);
  }
});
