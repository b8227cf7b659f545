// Known-good and known-bad histories for the control-plane checkers: a double binding, a
// surge overrun, a Deployment that never converges and one that converges too late, an API
// outage longer than the bound. Each known-bad history must be rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiOp, DeploymentView, Observation, PodView, ReplicaSetView } from '../controlplane/history.js';
import { checkApiAvailability } from './api-availability.js';
import { checkBindings } from './bindings.js';
import { checkConvergence } from './convergence.js';
import { checkSurge, surgeOf } from './surge.js';

const pod = (name: string, nodeName = '', more: Partial<PodView> = {}): PodView =>
  ({ name, uid: `uid-${name}`, deployment: 'web', nodeName, terminated: false, ready: nodeName !== '', ...more });
const ev = (t: number, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: PodView): Observation<PodView> =>
  ({ t, kind: 'event', type, object });
const scale = (id: number, call: number, ret: number | null, replicas: number, maxSurge: number | string = 1): ApiOp =>
  ({ id, kind: id === 1 ? 'create' : 'scale', via: 'api', target: 'web', call, ret, replicas, maxSurge });

test('bindings: bind once, delete, recreate under the same name: accepted', () => {
  const r = checkBindings([ev(1, 'ADDED', pod('a')), ev(2, 'MODIFIED', pod('a', 'w1')), ev(3, 'DELETED', pod('a', 'w1')),
    ev(4, 'ADDED', pod('a', '', { uid: 'u2' })), ev(5, 'MODIFIED', pod('a', 'w2', { uid: 'u2' }))]);
  assert.equal(r.verdict, 'pass', r.violations.join('\n'));
  assert.equal(r.bound, 2);
});

test('bindings: known bad — a pod moved to another node is rejected', () => {
  const r = checkBindings([ev(1, 'ADDED', pod('a', 'w1')), ev(2, 'MODIFIED', pod('a', 'w2'))]);
  assert.equal(r.verdict, 'fail');
  assert.match(r.violations[0]!, /pod a .* bound to w1, now bound to w2/);
});

test('bindings: known bad — a bound pod unbound again is rejected (also across a re-list)', () => {
  const r = checkBindings([ev(1, 'ADDED', pod('a', 'w1')), { t: 2, kind: 'list', items: [pod('a')] }]);
  assert.equal(r.verdict, 'fail');
  assert.match(r.violations[0]!, /now unbound/);
});

test('bindings: known bad — one pod name bound under two uids without a delete between is rejected', () => {
  const r = checkBindings([ev(1, 'ADDED', pod('a', 'w1')), ev(2, 'MODIFIED', pod('a', 'w2', { uid: 'u2' }))]);
  assert.equal(r.verdict, 'fail');
  assert.match(r.violations.join('\n'), /pod name a bound twice/);
});

test('surge: maxSurge resolves integers and percentages (rounded up)', () => {
  assert.equal(surgeOf(2, 10), 2);
  assert.equal(surgeOf('25%', 10), 3);
  assert.equal(surgeOf(undefined, 3), 1);
});

test('surge: a rollout within replicas + maxSurge and a late scale-down are accepted', () => {
  const obs: Observation<PodView>[] = [ev(100, 'ADDED', pod('a', 'w1')), ev(110, 'ADDED', pod('b', 'w1')),
    ev(120, 'ADDED', pod('c', 'w1')), // rollout: one surge pod
    ev(130, 'MODIFIED', pod('a', 'w1', { terminated: true })), ev(140, 'ADDED', pod('d', 'w2')),
    // scaled to 1 at 5000 ms; the excess pods are deleted only much later (controller-manager down): flat, not rising
    ev(20_000, 'MODIFIED', pod('b', 'w1', { terminated: true })), ev(20_001, 'MODIFIED', pod('c', 'w1', { terminated: true }))];
  const r = checkSurge(obs, [scale(1, 0, 50, 2), scale(2, 5000, 5010, 1)], 2000);
  assert.equal(r.verdict, 'pass', r.violations.join('\n'));
  assert.deepEqual(r.peaks.map((p) => [p.live, p.bound]), [[3, 3]]);
});

test('surge: known bad — a pod created beyond replicas + maxSurge is rejected', () => {
  const obs = ['a', 'b', 'c', 'd'].map((n, i) => ev(100 + i, 'ADDED', pod(n, 'w1')));
  const r = checkSurge(obs, [scale(1, 0, 50, 2)], 2000);
  assert.equal(r.verdict, 'fail');
  assert.match(r.violations[0]!, /deployment web has 4 live pods > replicas \+ maxSurge = 3/);
});

test('surge: known bad — pods created for the old size long after a scale-down are rejected', () => {
  const obs = [...['a', 'b', 'c', 'd'].map((n, i) => ev(100 + i, 'ADDED', pod(n, 'w1'))),
    ev(9000, 'MODIFIED', pod('a', 'w1', { terminated: true })), ev(9001, 'ADDED', pod('e', 'w1'))];
  const r = checkSurge(obs, [scale(1, 0, 50, 3), scale(2, 5000, 5010, 1)], 2000);
  assert.equal(r.verdict, 'fail');
  assert.match(r.violations[0]!, /4 live pods > replicas \+ maxSurge = 2/);
});

test('surge: a new ReplicaSet growing before the old one\'s pod is deleted is excused only with the spec drop seen', () => {
  const p = (n: string) => pod(n, 'w1');
  // replicas 2, maxSurge 1: old RS web-a (2 pods), new RS web-b gets 1, old scaled to 1, new to 2 —
  // before the old one's pod goes.
  const obs = [ev(100, 'ADDED', p('web-a-1')), ev(101, 'ADDED', p('web-a-2')), ev(200, 'ADDED', p('web-b-1')),
    ev(300, 'ADDED', p('web-b-2')), ev(400, 'MODIFIED', pod('web-a-1', 'w1', { terminated: true }))];
  const rs = (t: number, name: string, replicas: number): Observation<ReplicaSetView> =>
    ({ t, kind: 'event', type: 'MODIFIED', object: { name, uid: name, deployment: 'web', replicas, statusReplicas: 0 } });
  const writes = [scale(1, 0, 50, 2)];
  assert.equal(checkSurge(obs, writes, 1000).verdict, 'fail', 'without ReplicaSets nothing is excused');
  const r = checkSurge(obs, writes, 1000, [rs(100, 'web-a', 2), rs(200, 'web-b', 1), rs(290, 'web-a', 1), rs(300, 'web-b', 2)]);
  assert.equal(r.verdict, 'pass', r.violations.join('\n'));
  assert.equal(r.excused.length, 1);
  const noDrop = checkSurge(obs, writes, 1000, [rs(100, 'web-a', 2), rs(200, 'web-b', 1), rs(300, 'web-b', 2)]);
  assert.equal(noDrop.verdict, 'fail', 'the old ReplicaSet was never scaled down: a real overrun');
});

test('surge: a scale-up is allowed from its invocation; a refused write is not', () => {
  const obs = ['a', 'b', 'c', 'd'].map((n, i) => ev(1000 + i, 'ADDED', pod(n, 'w1')));
  assert.equal(checkSurge(obs, [scale(1, 0, 50, 1), scale(2, 990, null, 4)], 0).verdict, 'pass');
  const refused = { ...scale(2, 990, null, 4), notApplied: true };
  assert.equal(checkSurge(obs, [scale(1, 0, 50, 1), refused], 0).verdict, 'fail');
});

const dep = (replicas: number, ready: number, more: Partial<DeploymentView> = {}): DeploymentView => ({ name: 'web',
  uid: 'd1', generation: 2, replicas, observedGeneration: 2, statusReplicas: ready, readyReplicas: ready,
  updatedReplicas: ready, availableReplicas: ready, ...more });
const dev = (t: number, d: DeploymentView): Observation<DeploymentView> => ({ t, kind: 'event', type: 'MODIFIED', object: d });

test('convergence: settles after the heal within the bound, pods agree', () => {
  const r = checkConvergence([dev(100, dep(3, 3)), dev(5000, dep(5, 3)), dev(7000, dep(5, 5))], 6000, 10_000,
    ['a', 'b', 'c', 'd', 'e'].map((n) => pod(n, 'w1')));
  assert.equal(r.verdict, 'pass', r.violations.join('\n'));
  assert.equal(r.convergenceMs, 1000);
});

test('convergence: known bad — a Deployment that never converges is rejected', () => {
  const r = checkConvergence([dev(100, dep(3, 3)), dev(5000, dep(5, 4))], 6000, 10_000);
  assert.equal(r.verdict, 'fail');
  assert.equal(r.convergenceMs, undefined);
  assert.match(r.violations[0]!, /never converged; last seen: replicas 5, status.replicas 4/);
});

test('convergence: known bad — too slow, an unobserved generation, or a status the pods contradict', () => {
  assert.equal(checkConvergence([dev(100, dep(5, 3)), dev(30_000, dep(5, 5))], 6000, 10_000).verdict, 'fail');
  assert.equal(checkConvergence([dev(100, dep(5, 5, { observedGeneration: 1 }))], 0, 10_000).verdict, 'fail');
  const lying = checkConvergence([dev(100, dep(2, 2))], 0, 10_000, [pod('a', 'w1'), pod('b', ''), pod('c', 'w1')]);
  assert.equal(lying.verdict, 'fail');
  assert.match(lying.violations[0]!, /3 live pods \(2 bound and Ready\) for replicas 2/);
});

test('API availability: known bad — an outage longer than the bound, and no write after the heal', () => {
  const w = (id: number, call: number, ret: number | null): ApiOp => ({ id, kind: 'write', via: 'api', target: 'cm', call, ret });
  const ok = checkApiAvailability([w(1, 0, 10), w(2, 500, 510), w(3, 1100, 1110)], [{ id: 1, label: 'kill', start: 400,
    heal: 1000 }], 1200, 1000);
  assert.equal(ok.verdict, 'pass', ok.violations.join('\n'));
  assert.equal(ok.faults[0]!.healToFirstWriteMs, 110);
  const bad = checkApiAvailability([w(1, 0, 10), w(2, 500, null), w(3, 4000, 4010)], [{ id: 1, label: 'kill', start: 400,
    heal: 1000 }], 5000, 2000);
  assert.equal(bad.verdict, 'fail');
  assert.equal(bad.faults[0]!.writeGapMs, 3610);
  const none = checkApiAvailability([w(1, 0, 10), w(2, 1500, null)], [{ id: 1, label: 'kill', start: 400, heal: 1000 }],
    2000, 60_000);
  assert.match(none.violations.join('\n'), /no API write invoked after the last heal/);
});
