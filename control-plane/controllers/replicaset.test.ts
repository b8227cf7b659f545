import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, ReplicaSet, ReplicationController } from '../api/index.js';
import { ApiError } from '../client/index.js';
import { podsToDelete, slowStartBatch } from './pod-control.js';
import { newReplicationControllerController, ReplicaSetController } from './replicaset.js';
import { FakeWorld, readyStatus } from './testing/fake.js';
import { R } from './types.js';

function rs(name: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'ns' },
    spec: { replicas, selector: { matchLabels: { app: name } }, ...extra,
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'img' }] } } },
  };
}

function setup(replicas: number, extra: Partial<ReplicaSet['spec']> = {}) {
  const w = new FakeWorld();
  const c = new ReplicaSetController(w.context());
  const owner = w.seed(R.replicaSets, rs('web', replicas, extra));
  return { w, c, owner };
}

const serverError = () => new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  code: 500, reason: 'InternalError', message: 'boom' });

test('scale up: one sync creates every missing pod in slow-start batches, named <rs>- and controlled by the RS', async () => {
  const { w, c, owner } = setup(5);
  await c.sync('ns/web');
  const creates = w.writes().filter((a) => a.verb === 'create');
  assert.equal(creates.length, 5);
  const pods = w.list<Pod>(R.pods, 'ns');
  assert.equal(pods.length, 5);
  for (const p of pods) {
    assert.match(p.metadata!.name!, /^web-/);
    assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web',
      uid: owner.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
  }
  assert.equal(w.events.filter((e) => e.reason === 'SuccessfulCreate').length, 5);
  assert.match(w.events[0]!.message, /^Created pod: web-/);
  // Status counts the pods the cache held at the start of the sync (as kube); the pod events trigger the next.
  assert.equal(w.obj<ReplicaSet>(R.replicaSets, 'ns', 'web')!.status!.replicas, 0);
  await c.sync('ns/web');
  const st = w.obj<ReplicaSet>(R.replicaSets, 'ns', 'web')!.status!;
  assert.equal(st.replicas, 5);
  assert.equal(st.observedGeneration, 1);
});

test('slow start: a failing create stops the batches (1, 2, 4, ...) and sets ReplicaFailure', async () => {
  const { w, c } = setup(10);
  let n = 0;
  // Fail the 3rd create overall: batch 1 (ok), batch 2 (ok, fail) -> stop; 3 attempts, not 10.
  w.failWhen = (a) => (a.verb === 'create' && a.resource === 'pods' && ++n === 3 ? serverError() : undefined);
  await assert.rejects(c.sync('ns/web'), /boom/);
  assert.equal(n, 3);
  assert.equal(w.list(R.pods, 'ns').length, 2);
  const st = w.obj<ReplicaSet>(R.replicaSets, 'ns', 'web')!.status!;
  assert.equal(st.conditions?.[0]?.type, 'ReplicaFailure');
  assert.equal(st.conditions?.[0]?.reason, 'FailedCreate');
  assert.ok(w.events.some((e) => e.reason === 'FailedCreate' && e.message === 'Error creating: boom'));
  // Skipped creations were un-expected: the next sync may act again and fills the gap.
  w.failWhen = undefined;
  await c.sync('ns/web');
  assert.equal(w.list(R.pods, 'ns').length, 10);
  assert.equal(w.obj<ReplicaSet>(R.replicaSets, 'ns', 'web')!.status!.conditions, undefined);
});

test('slowStartBatch: batches of 1, 2, 4, 8, then what remains; a failure ends after its batch', async () => {
  // 20 calls = 1 + 2 + 4 + 8 + 5: failing call k ends the run with its whole batch attempted.
  for (const [failAt, attempted] of [[1, 1], [2, 3], [3, 3], [4, 7], [8, 15], [16, 20], [0, 20]] as const) {
    let calls = 0;
    const r = await slowStartBatch(20, 1, async () => {
      if (++calls === failAt) throw new Error('no');
    });
    assert.equal(calls, attempted, `fail at ${failAt}`);
    assert.equal(r.successes, failAt === 0 ? 20 : attempted - 1);
  }
});

test('expectations: no second round of creates until the first pods are observed', async () => {
  const { w, c } = setup(3);
  w.autoDeliver = false;
  await c.sync('ns/web');
  assert.equal(w.writes().filter((a) => a.verb === 'create').length, 3);
  w.clearActions();
  await c.sync('ns/web'); // cache still shows 0 pods: would create 3 more without expectations
  assert.equal(w.writes().filter((a) => a.verb === 'create').length, 0);
  assert.deepEqual(c.expectations.pending('ns/web'), { add: 3, deletes: 0 });
  w.deliver();
  assert.equal(c.expectations.satisfied('ns/web'), true);
  await c.sync('ns/web');
  assert.equal(w.writes().filter((a) => a.verb === 'create').length, 0);
});

test('burst cap: at most 500 pods per sync', async () => {
  const { w, c } = setup(600);
  await c.sync('ns/web');
  assert.equal(w.list(R.pods, 'ns').length, 500);
  await c.sync('ns/web');
  assert.equal(w.list(R.pods, 'ns').length, 600);
});

test('scale down deletes unscheduled, then pending, then not-ready pods before ready ones', async () => {
  const { w, c, owner } = setup(0);
  const ref = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner.metadata!.uid!, controller: true }];
  const mk = (name: string, nodeName: string, status: Pod['status']) => w.seed<Pod>(R.pods, { metadata: { name,
    namespace: 'ns', labels: { app: 'web' }, ownerReferences: ref }, spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
  status });
  mk('ready', 'n1', readyStatus(w.nowMs - 60_000) as Pod['status']);
  mk('running-not-ready', 'n1', { phase: 'Running' });
  mk('pending', 'n1', { phase: 'Pending' });
  mk('unscheduled', '', { phase: 'Pending' });
  const order = podsToDelete(w.list<Pod>(R.pods, 'ns'), [], 4).map((p) => p.metadata!.name);
  assert.deepEqual(order, ['unscheduled', 'pending', 'running-not-ready', 'ready']);
  w.seed(R.replicaSets, { ...w.obj<ReplicaSet>(R.replicaSets, 'ns', 'web')!, spec: { ...owner.spec!, replicas: 2 } });
  await c.sync('ns/web');
  const left = w.list<Pod>(R.pods, 'ns').filter((p) => p.metadata?.deletionTimestamp === undefined)
    .map((p) => p.metadata!.name).sort();
  assert.deepEqual(left, ['ready', 'running-not-ready']);
  assert.ok(w.events.some((e) => e.message === 'Deleted pod: unscheduled'));
});

test('adopts a matching orphan and releases a pod whose labels stopped matching', async () => {
  const { w, c, owner } = setup(1);
  w.seed<Pod>(R.pods, { metadata: { name: 'orphan', namespace: 'ns', labels: { app: 'web' } }, spec: { containers: [] } });
  w.seed<Pod>(R.pods, { metadata: { name: 'strayed', namespace: 'ns', labels: { app: 'other' }, ownerReferences: [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner.metadata!.uid!, controller: true }] },
  spec: { containers: [] } });
  await c.sync('ns/web');
  assert.equal(w.obj<Pod>(R.pods, 'ns', 'orphan')!.metadata!.ownerReferences![0]!.uid, owner.metadata!.uid);
  assert.deepEqual(w.obj<Pod>(R.pods, 'ns', 'strayed')!.metadata!.ownerReferences, []);
  assert.equal(w.writes().filter((a) => a.verb === 'create').length, 0, 'the adopted pod counts');
});

test('status: ready and available replicas honour minReadySeconds', async () => {
  const { w, c, owner } = setup(2, { minReadySeconds: 30 });
  const ref = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner.metadata!.uid!, controller: true }];
  w.seed<Pod>(R.pods, { metadata: { name: 'old', namespace: 'ns', labels: { app: 'web' }, ownerReferences: ref },
    spec: { containers: [] }, status: readyStatus(w.nowMs - 60_000) as Pod['status'] });
  w.seed<Pod>(R.pods, { metadata: { name: 'fresh', namespace: 'ns', labels: { app: 'web' }, ownerReferences: ref },
    spec: { containers: [] }, status: readyStatus(w.nowMs - 5_000) as Pod['status'] });
  await c.sync('ns/web');
  const st = w.obj<ReplicaSet>(R.replicaSets, 'ns', 'web')!.status!;
  assert.deepEqual([st.replicas, st.fullyLabeledReplicas, st.readyReplicas, st.availableReplicas], [2, 2, 2, 1]);
});

test('ReplicationController shares the core: selector map, pods named <rc>-', async () => {
  const w = new FakeWorld();
  const c = newReplicationControllerController(w.context());
  w.seed<ReplicationController>(R.replicationControllers, { metadata: { name: 'rc', namespace: 'ns' }, spec: {
    replicas: 2, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [] } } } });
  await c.sync('ns/rc');
  const pods = w.list<Pod>(R.pods, 'ns');
  assert.equal(pods.length, 2);
  assert.equal(pods[0]!.metadata!.ownerReferences![0]!.kind, 'ReplicationController');
  await c.sync('ns/rc');
  assert.equal(w.obj<ReplicationController>(R.replicationControllers, 'ns', 'rc')!.status!.replicas, 2);
});
