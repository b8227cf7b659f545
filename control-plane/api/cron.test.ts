// Cron schedules: parsing (robfig/cron's rules and wording) and next/most-recent activation
// against a fake clock, including a fast-check property against a minute-by-minute reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mostRecentActivation, nextActivation, parseCronSchedule, type CronSchedule } from './cron.js';
import { params, seed } from './testing/fc.js';

test.after(() => console.log(`cron properties ran with FC_SEED=${seed}`));

const must = (s: string): CronSchedule => {
  const r = parseCronSchedule(s);
  assert.ok(r.ok, s);
  return r.value;
};
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

test('parse: ranges, steps, lists, names, descriptors; errors in robfig wording', () => {
  const s = must('*/15 9-17 * JAN,jul mon-fri');
  assert.deepEqual([...s.minutes], [0, 15, 30, 45]);
  assert.deepEqual([...s.hours], [9, 10, 11, 12, 13, 14, 15, 16, 17]);
  assert.deepEqual([...s.months], [1, 7]);
  assert.deepEqual([...s.daysOfWeek], [1, 2, 3, 4, 5]);
  assert.deepEqual([...must('5/20 * * * *').minutes], [5, 25, 45]);
  assert.deepEqual([...must('@hourly').minutes], [0]);
  const bad: [string, string][] = [
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
  ];
  for (const [text, message] of bad) {
    const r = parseCronSchedule(text);
    assert.ok(!r.ok, text);
    assert.equal(r.error, message);
  }
});

test('next activation: strictly after, month/day rollover, day-of-month OR day-of-week, time zones', () => {
  assert.equal(iso(nextActivation(must('* * * * *'), at('2024-01-01T00:00:00Z'), 'UTC')), '2024-01-01T00:01:00.000Z');
  assert.equal(iso(nextActivation(must('0 0 1 * *'), at('2024-01-31T12:00:00Z'), 'UTC')), '2024-02-01T00:00:00.000Z');
  assert.equal(iso(nextActivation(must('0 0 29 2 *'), at('2024-03-01T00:00:00Z'), 'UTC')), '2028-02-29T00:00:00.000Z');
  // 13th or Friday (both restricted: OR) — 2024-09-06 is a Friday, before the 13th.
  assert.equal(iso(nextActivation(must('0 0 13 * 5'), at('2024-09-01T00:00:00Z'), 'UTC')), '2024-09-06T00:00:00.000Z');
  // Day-of-month is *, so the weekday alone decides (AND with everything).
  assert.equal(iso(nextActivation(must('0 0 * * 1'), at('2024-09-01T00:00:00Z'), 'UTC')), '2024-09-02T00:00:00.000Z');
  assert.equal(nextActivation(must('0 0 30 2 *'), at('2024-01-01T00:00:00Z'), 'UTC'), undefined, 'Feb 30 never comes');
  // 09:00 in New York (EDT, UTC-4 in July).
  assert.equal(iso(nextActivation(must('0 9 * * *'), at('2024-07-01T00:00:00Z'), 'America/New_York')), '2024-07-01T13:00:00.000Z');
});

test('most recent activation: none before the first slot, the latest of many, windows bound the search', () => {
  const every5 = must('*/5 * * * *');
  assert.deepEqual(mostRecentActivation(every5, at('2024-01-01T00:00:30Z'), at('2024-01-01T00:04:59Z'), 'UTC'),
    { timeMs: undefined, missedMany: false });
  assert.equal(iso(mostRecentActivation(every5, at('2024-01-01T00:00:30Z'), at('2024-01-01T00:05:00Z'), 'UTC').timeMs),
    '2024-01-01T00:05:00.000Z');
  const many = mostRecentActivation(must('* * * * *'), at('2020-01-01T00:00:00Z'), at('2024-01-01T00:00:30Z'), 'UTC');
  assert.equal(iso(many.timeMs), '2024-01-01T00:00:00.000Z');
  assert.equal(many.missedMany, true);
  const yearly = mostRecentActivation(must('@yearly'), at('2020-06-01T00:00:00Z'), at('2023-06-01T00:00:00Z'), 'UTC');
  assert.equal(iso(yearly.timeMs), '2023-01-01T00:00:00.000Z');
});

const field = (max: number, min = 0) => fc.oneof(fc.constant('*'), fc.integer({ min, max }).map(String),
  fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 7 })).map(([a, s]) => `${a}/${s}`));

test('property: nextActivation equals a minute-by-minute scan in UTC', () => {
  const offsetS = fc.integer({ min: 0, max: 4 * 366 * 86_400 });
  fc.assert(fc.property(field(59), field(23), field(31, 1), field(12, 1), field(6), offsetS,
    (mi, h, dom, mo, dow, offsetS) => {
      const s = must(`${mi} ${h} ${dom} ${mo} ${dow}`);
      const from = at('2024-01-01T00:00:00Z') + offsetS * 1000;
      const got = nextActivation(s, from, 'UTC');
      // Reference: scan minute by minute for up to 5 years, checking each field directly.
      let t = Math.floor(from / 60_000) * 60_000 + 60_000;
      const limit = from + 5 * 366 * 86_400_000;
      for (; t <= limit; t += 60_000) {
        const d = new Date(t);
        const domOk = s.daysOfMonth.has(d.getUTCDate());
        const dowOk = s.daysOfWeek.has(d.getUTCDay());
        if (s.minutes.has(d.getUTCMinutes()) && s.hours.has(d.getUTCHours()) && s.months.has(d.getUTCMonth() + 1) &&
          (s.dayStar ? domOk && dowOk : domOk || dowOk)) break;
        if (got !== undefined && t > got) break;
      }
      if (got !== undefined) assert.equal(iso(got), iso(t));
      else assert.ok(t > limit - 366 * 86_400_000, 'no activation only when none exists for years');
    }), params(60));
});
