import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Action, EVENTS, type ClusterEventWithHint } from './framework.js';
import { SchedulingQueue } from './queue.js';
import { makePod } from './test-helpers.js';
import { podInfoOf, podKey as podKeyOf } from './pod-info.js';

const fitEvents: ClusterEventWithHint[] = [{ event: { resource: 'Pod', action: Action.Delete,
  label: 'AssignedPodDelete' } }];
const taintEvents: ClusterEventWithHint[] = [{ event: { resource: 'Node',
  action: Action.Add | Action.UpdateNodeTaint, label: 'T' } }];
const newQueue = () => new SchedulingQueue({ pluginEvents: new Map([['NodeResourcesFit', fitEvents],
  ['TaintToleration', taintEvents]]) });

test('activeQ pops by priority, then by enqueue time', () => {
  const q = newQueue();
  q.add(makePod('low', { priority: 1 }), 1);
  q.add(makePod('high-late', { priority: 10 }), 3);
  q.add(makePod('high-early', { priority: 10 }), 2);
  q.add(makePod('zero'), 0);
  const order = [];
  for (let p = q.pop(10); p !== undefined; p = q.pop(10)) order.push(p.pod.metadata?.name);
  assert.deepEqual(order, ['high-early', 'high-late', 'low', 'zero']);
  assert.equal(q.pop(10), undefined);
});

test('backoff: 1 s doubling per attempt, capped at 10 s', () => {
  const q = newQueue();
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => q.backoffDurationMs(a)), [1000, 2000, 4000, 8000, 10000, 10000]);
  q.add(makePod('p'), 0);
  const qpi = q.pop(0)!;
  q.addUnschedulableIfNotPresent(qpi, 100); // error (no rejecting plugin): straight to backoffQ
  assert.equal(q.whereIs(qpi.pod), 'backoff');
  assert.equal(q.nextBackoffExpiryMs(), 1100);
  assert.equal(q.pop(1099), undefined);
  assert.equal(q.pop(1100)?.pod.metadata?.name, 'p');
  const again = q.pop(1100);
  assert.equal(again, undefined);
});

test('unschedulable pods move only on events their rejecting plugins registered', () => {
  const q = newQueue();
  q.add(makePod('cpu'), 0);
  q.add(makePod('taint'), 0);
  for (let i = 0; i < 2; i++) {
    const p = q.pop(0)!;
    p.unschedulablePlugins.add(p.pod.metadata?.name === 'cpu' ? 'NodeResourcesFit' : 'TaintToleration');
    q.addUnschedulableIfNotPresent(p, 0);
  }
  assert.equal(q.unschedulableCount, 2);
  assert.equal(q.moveAllToActiveOrBackoffQueue(EVENTS.NodeAdd, undefined, undefined, 5000), 1);
  assert.equal(q.whereIs(makePod('taint')), 'active');
  assert.equal(q.whereIs(makePod('cpu')), 'unschedulable');
  // Still backing off when the event comes: backoffQ, not activeQ.
  assert.equal(q.moveAllToActiveOrBackoffQueue(EVENTS.AssignedPodDelete, undefined, undefined, 500), 1);
  assert.equal(q.whereIs(makePod('cpu')), 'backoff');
});

test('an event during the scheduling attempt sends the failed pod to backoff, not unschedulable', () => {
  const q = newQueue();
  q.add(makePod('p'), 0);
  const p = q.pop(0)!;
  q.moveAllToActiveOrBackoffQueue(EVENTS.AssignedPodDelete, undefined, undefined, 1);
  p.unschedulablePlugins.add('NodeResourcesFit');
  q.addUnschedulableIfNotPresent(p, 2);
  assert.equal(q.whereIs(p.pod), 'backoff');
  // An irrelevant event does not.
  q.add(makePod('r'), 0);
  const r = q.pop(10)!;
  q.moveAllToActiveOrBackoffQueue(EVENTS.NodeAdd, undefined, undefined, 11);
  r.unschedulablePlugins.add('NodeResourcesFit');
  q.addUnschedulableIfNotPresent(r, 12);
  assert.equal(q.whereIs(r.pod), 'unschedulable');
});

test('queueing hints can skip an event', () => {
  const q = new SchedulingQueue({ pluginEvents: new Map([['X', [{ event: EVENTS.NodeAdd, hint: () =>
    'QueueSkip' as const }]]]) });
  q.add(makePod('p'), 0);
  const p = q.pop(0)!;
  p.unschedulablePlugins.add('X');
  q.addUnschedulableIfNotPresent(p, 0);
  assert.equal(q.moveAllToActiveOrBackoffQueue(EVENTS.NodeAdd, undefined, undefined, 1), 0);
});

test('unschedulable pods are flushed after 5 minutes', () => {
  const q = newQueue();
  q.add(makePod('p'), 0);
  const p = q.pop(0)!;
  p.unschedulablePlugins.add('TaintToleration');
  q.addUnschedulableIfNotPresent(p, 0);
  assert.equal(q.flushUnschedulablePodsLeftover(5 * 60_000), 0);
  assert.equal(q.flushUnschedulablePodsLeftover(5 * 60_000 + 1), 1);
  assert.equal(q.whereIs(p.pod), 'active');
});

test('update, delete, scheduling gates and waitForPod', async () => {
  const q = newQueue();
  let signalled = 0;
  q.onAvailable(() => signalled++);
  const waiting = q.waitForPod();
  const gated = makePod('g', { spec: { schedulingGates: [{ name: 'wait' }] } });
  assert.equal(q.add(gated, 0), true);
  assert.equal(q.whereIs(gated), 'unschedulable');
  assert.equal(q.moveAllToActiveOrBackoffQueue(EVENTS.ForceActivate, undefined, undefined, 1), 0);
  const ungated = makePod('g');
  q.update(gated, ungated, 2);
  assert.equal(q.whereIs(ungated), 'active');
  await waiting;
  assert.equal(signalled, 1);
  assert.equal(q.add(ungated, 3), false, 'duplicate add refused');
  q.update(ungated, makePod('g', { priority: 5 }), 4);
  assert.equal(q.pop(5)?.pi.priority, 5);
  q.add(makePod('d'), 6);
  q.delete(makePod('d'));
  assert.equal(q.size, 0);
  const full = new SchedulingQueue({ maxQueuedPods: 1 });
  assert.equal(full.add(makePod('a'), 0), true);
  assert.equal(full.add(makePod('b'), 0), false);
});

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;
test.after(() => console.log(`queue properties ran with FC_SEED=${seed}`));

test('in-flight events: a failed pod goes to backoff iff a helpful event came after its pop (pruned list)', () => {
  type Op = { k: 'pop' } | { k: 'event'; helpful: boolean } | { k: 'done' | 'fail'; i: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant<Op>({ k: 'pop' }),
    fc.boolean().map((helpful): Op => ({ k: 'event', helpful })),
    fc.tuple(fc.constantFrom<'done' | 'fail'>('done', 'fail'), fc.nat(20)).map(([k, i]): Op => ({ k, i })));
  fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
    const q = newQueue();
    // The model: every event ever sent (helpful or not), and for each pod in flight the count at its pop.
    const events: boolean[] = [];
    const inFlight: { name: string; since: number }[] = [];
    let n = 0;
    for (const o of ops) {
      if (o.k === 'pop') {
        const name = `p${n++}`;
        q.add(makePod(name), 0);
        assert.equal(q.pop(0)?.pod.metadata?.name, name);
        inFlight.push({ name, since: events.length });
      } else if (o.k === 'event') {
        q.moveAllToActiveOrBackoffQueue(o.helpful ? EVENTS.AssignedPodDelete : EVENTS.NodeAdd, undefined, undefined, 0);
        events.push(o.helpful);
      } else if (inFlight.length > 0) {
        const [p] = inFlight.splice(o.i % inFlight.length, 1);
        const pod = makePod(p!.name);
        if (o.k === 'done') { q.done(podKeyOf(pod)); continue; }
        const qpi = { pod, pi: podInfoOf(pod), key: podKeyOf(pod), timestampMs: 0, initialAttemptMs: 0, attempts: 1,
          unschedulablePlugins: new Set(['NodeResourcesFit']), pendingPlugins: new Set<string>(), gated: false,
          heapIndex: -1 };
        q.addUnschedulableIfNotPresent(qpi, 0);
        const helped = events.slice(p!.since).some((h) => h);
        assert.equal(q.whereIs(pod), helped ? 'backoff' : 'unschedulable', `${p!.name} after ${JSON.stringify(ops)}`);
      }
    }
  }), { seed, numRuns: Number(process.env['FC_RUNS'] ?? 300) });
});
