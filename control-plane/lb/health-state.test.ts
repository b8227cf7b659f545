// The fall/rise state machine, table-driven: each row is a sequence of events (o = probe
// passed, x = probe failed, c = connect error from the passive check) and the status after
// each one (U = up, D = down).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type HealthEvent, type HealthState, INITIAL_HEALTH, stepHealth } from './health-state.js';
import { HEALTH_THRESHOLD_MAX } from './limits.js';

const EVENTS: Record<string, HealthEvent> = {
  o: { kind: 'probe-ok' },
  x: { kind: 'probe-fail', reason: 'HTTP 503 from /readyz' },
  c: { kind: 'connect-error', reason: 'connect ECONNREFUSED' },
};

interface Row {
  name: string;
  fall: number;
  rise: number;
  events: string;
  statuses: string;
}

const ROWS: Row[] = [
  { name: 'first probe passing puts a new backend up at once', fall: 2, rise: 2, events: 'o', statuses: 'U' },
  { name: 'first probe failing puts a new backend down at once', fall: 2, rise: 2, events: 'x', statuses: 'D' },
  { name: 'one failure is not enough with fall 2', fall: 2, rise: 2, events: 'ox', statuses: 'UU' },
  { name: 'fall 2: two failures in a row take it out', fall: 2, rise: 2, events: 'oxx', statuses: 'UUD' },
  { name: 'a success between failures resets the count', fall: 2, rise: 2, events: 'oxoxoxx', statuses: 'UUUUUUD' },
  { name: 'rise 2: two successes in a row bring it back', fall: 2, rise: 2, events: 'xoo', statuses: 'DDU' },
  { name: 'a failure between successes resets the count', fall: 2, rise: 2, events: 'xoxoxoo', statuses: 'DDDDDDU' },
  { name: 'fall 1 and rise 1 follow every probe', fall: 1, rise: 1, events: 'oxoxx', statuses: 'UDUDD' },
  { name: 'fall 3, rise 3', fall: 3, rise: 3, events: 'oxxxooxooo', statuses: 'UUUDDDDDDU' },
  { name: 'passive: a connect error takes an up backend out at once', fall: 3, rise: 2, events: 'oc', statuses: 'UD' },
  { name: 'passive: down stays down and loses its successes', fall: 2, rise: 2, events: 'xocoo', statuses: 'DDDDU' },
  { name: 'passive: before any probe, a connect error means down', fall: 2, rise: 2, events: 'coo', statuses: 'DDU' },
  { name: 'long runs stay put', fall: 2, rise: 2, events: 'oooooxxxxxx', statuses: 'UUUUUUDDDDD' },
];

function run(row: Row): { states: HealthState[]; reasons: string[] } {
  let s = INITIAL_HEALTH;
  const states: HealthState[] = [];
  const reasons: string[] = [];
  for (const ch of row.events) {
    const step = stepHealth(s, EVENTS[ch]!, { fall: row.fall, rise: row.rise });
    if (step.transition !== null) {
      assert.equal(step.transition.from, s.status);
      assert.equal(step.transition.to, step.state.status);
      reasons.push(`${step.transition.to}: ${step.transition.reason}`);
    }
    s = step.state;
    states.push(s);
  }
  return { states, reasons };
}

for (const row of ROWS) {
  test(`fall/rise: ${row.name} (fall ${row.fall}, rise ${row.rise}: ${row.events})`, () => {
    const { states } = run(row);
    assert.equal(states.map((s) => (s.status === 'up' ? 'U' : 'D')).join(''), row.statuses);
  });
}

test('fall/rise: transitions carry reasons a log reader can act on', () => {
  const { reasons } = run({ name: '', fall: 2, rise: 2, events: 'oxxooxc', statuses: '' });
  assert.deepEqual(reasons, [
    'up: first health check passed',
    'down: 2 consecutive health checks failed, last: HTTP 503 from /readyz',
    'up: 2 consecutive health checks passed',
    'down: connect error (passive check): connect ECONNREFUSED',
  ]);
});

test('fall/rise: counters saturate, so a backend up for a year holds bounded numbers', () => {
  let s = INITIAL_HEALTH;
  for (let i = 0; i < 10_000; i++) s = stepHealth(s, EVENTS['o']!, { fall: 2, rise: 2 }).state;
  assert.deepEqual(s, { status: 'up', consecutiveOk: HEALTH_THRESHOLD_MAX, consecutiveFail: 0 });
});

test('fall/rise: a step that breaks the rules (here: fall 0) is an invariant error, not a silent state', () => {
  const up: HealthState = { status: 'up', consecutiveOk: 1, consecutiveFail: 0 };
  assert.throws(() => stepHealth(up, EVENTS['o']!, { fall: 0, rise: 2 }), { code: 'FLOTILLA_ERR_LB_INVARIANT' });
});
