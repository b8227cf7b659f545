import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWatches, type WatchProperty } from './watch.js';
import type { ReferenceHistory, WatcherHistory, WatchEventRec, WatchResponseRec } from './history.js';

const p = (key: string, value: string, modRev: number): WatchEventRec => ({ type: 'PUT', key, value, modRev });
const d = (key: string, modRev: number): WatchEventRec => ({ type: 'DELETE', key, value: null, modRev });
const resp = (at: number, ...events: WatchEventRec[]): WatchResponseRec =>
  ({ at, kind: 'events', headerRevision: events.at(-1)?.modRev ?? 0, events });

const ref: ReferenceHistory = {
  events: [p('/a', 'x', 2), p('/b', 'y', 3), d('/a', 4), p('/a', 'z', 5), p('/b', 'w', 6)],
  finalRevision: 6,
};

function watcher(responses: WatchResponseRec[], o: Partial<WatcherHistory> = {}): WatcherHistory {
  return { id: 1, prefix: '/', startRevision: 2, resumed: false, responses, caughtUpRevision: 6, ...o };
}

const props = (w: WatcherHistory): WatchProperty[] =>
  [...new Set(checkWatches([w], ref).violations.map((v) => v.property))];

test('a complete, ordered watch passes', () => {
  const w = watcher([resp(1, p('/a', 'x', 2)), resp(2, p('/b', 'y', 3), d('/a', 4)), resp(3, p('/a', 'z', 5)),
    { at: 4, kind: 'progress', revision: 5 }, resp(5, p('/b', 'w', 6))]);
  assert.deepEqual(checkWatches([w], ref).violations, []);
  assert.equal(checkWatches([w], ref).verdict, 'pass');
});

test('a prefix watch from a later revision sees only its part', () => {
  const w = watcher([resp(1, p('/a', 'z', 5))], { prefix: '/a', startRevision: 5, resumed: true });
  assert.equal(checkWatches([w], ref).verdict, 'pass');
});

test('out of order events are rejected', () => {
  const w = watcher([resp(1, p('/a', 'x', 2)), resp(2, d('/a', 4)), resp(3, p('/b', 'y', 3)), resp(4, p('/a', 'z', 5)),
    resp(5, p('/b', 'w', 6))]);
  assert.ok(props(w).includes('ordered'));
});

test('a duplicated event is rejected', () => {
  const w = watcher([resp(1, p('/a', 'x', 2)), resp(2, p('/b', 'y', 3)), resp(3, p('/b', 'y', 3)), resp(4, d('/a', 4)),
    resp(5, p('/a', 'z', 5)), resp(6, p('/b', 'w', 6))]);
  assert.ok(props(w).includes('unique'));
});

test('a revision split over two responses is rejected', () => {
  const r: ReferenceHistory = { events: [p('/a', 'x', 2), p('/b', 'y', 2)], finalRevision: 2 };
  const w = watcher([resp(1, p('/a', 'x', 2)), resp(2, p('/b', 'y', 2))], { caughtUpRevision: 2 });
  assert.ok(checkWatches([w], r).violations.some((v) => v.property === 'atomic'));
});

test('a gap (a missed event) is rejected', () => {
  const w = watcher([resp(1, p('/a', 'x', 2)), resp(2, p('/b', 'y', 3)), resp(3, p('/a', 'z', 5)),
    resp(4, p('/b', 'w', 6))]);
  assert.deepEqual(props(w), ['reliable']);
});

test('an event the store never had is rejected', () => {
  const w = watcher([resp(1, p('/a', 'x', 2)), resp(2, p('/b', 'y', 3)), resp(3, d('/a', 4)),
    resp(4, p('/a', 'EVIL', 5)), resp(5, p('/b', 'w', 6))]);
  assert.deepEqual(props(w), ['reliable']);
});

test('a watcher that never caught up is rejected', () => {
  const w = watcher([resp(1, p('/a', 'x', 2))], { caughtUpRevision: 0 });
  assert.deepEqual(props(w), ['reliable']);
});

test('a resumed watch that starts late is rejected', () => {
  const w = watcher([resp(1, p('/b', 'w', 6))], { startRevision: 4, resumed: true });
  assert.ok(props(w).includes('resumable'));
});

test('an event at or below a progress notification is rejected', () => {
  const w = watcher([resp(1, p('/a', 'x', 2)), { at: 2, kind: 'progress', revision: 3 }, resp(3, p('/b', 'y', 3)),
    resp(4, d('/a', 4)), resp(5, p('/a', 'z', 5)), resp(6, p('/b', 'w', 6))]);
  assert.ok(props(w).includes('progress'));
});
