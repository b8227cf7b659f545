import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, ReplicaSet } from '../api/index.js';
import { GarbageCollector } from './garbage-collector.js';
import { FakeWorld } from './testing/fake.js';
import { R } from './types.js';

function setup() {
  const w = new FakeWorld();
  const gc = new GarbageCollector(w.context(), [R.replicaSets, R.pods]);
  const owner = w.seed<ReplicaSet>(R.replicaSets, { metadata: { name: 'rs', namespace: 'ns' },
    spec: { selector: { matchLabels: { a: 'b' } } } });
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner.metadata!.uid!, controller: true,
    blockOwnerDeletion: true };
  const pod = (name: string): Pod => w.seed<Pod>(R.pods, { metadata: { name, namespace: 'ns', ownerReferences: [ref] },
    spec: { containers: [] } });
  return { w, gc, owner, pod };
}

test('background: a dependent whose only owner is gone is deleted', async () => {
  const { w, gc, owner, pod } = setup();
  const p = pod('p1');
  await w.delete(R.replicaSets, 'ns', 'rs');
  assert.equal(w.obj(R.replicaSets, 'ns', 'rs'), undefined);
  await gc.sync(p.metadata!.uid!);
  assert.equal(w.obj(R.pods, 'ns', 'p1'), undefined);
  const del = w.writes().find((a) => a.verb === 'delete' && a.resource === 'pods')!;
  assert.equal(del.options?.propagationPolicy, 'Background');
  assert.equal(del.options?.preconditions?.uid, p.metadata!.uid);
  void owner;
});

test('a dependent whose owner exists is left alone (no writes)', async () => {
  const { w, gc, pod } = setup();
  const p = pod('p1');
  w.clearActions();
  await gc.sync(p.metadata!.uid!);
  assert.deepEqual(w.writes(), []);
});

test('foreground: blocking dependents are deleted first, then the foregroundDeletion finalizer goes and the owner with it', async () => {
  const { w, gc, owner, pod } = setup();
  pod('p1');
  pod('p2');
  await w.delete(R.replicaSets, 'ns', 'rs', { propagationPolicy: 'Foreground' });
  assert.deepEqual(w.obj<ReplicaSet>(R.replicaSets, 'ns', 'rs')!.metadata!.finalizers, ['foregroundDeletion']);
  await gc.sync(owner.metadata!.uid!);
  assert.equal(w.list(R.pods, 'ns').length, 0);
  assert.ok(w.obj(R.replicaSets, 'ns', 'rs'), 'owner still there until the next pass sees no dependents');
  await gc.sync(owner.metadata!.uid!);
  assert.equal(w.obj(R.replicaSets, 'ns', 'rs'), undefined);
  const order = w.writes().map((a) => `${a.verb} ${a.resource}`);
  assert.ok(order.indexOf('delete pods') < order.indexOf('patch replicasets'));
});

test('orphan: the ownerReference is removed from dependents, then the orphan finalizer, and the dependents stay', async () => {
  const { w, gc, owner, pod } = setup();
  pod('p1');
  await w.delete(R.replicaSets, 'ns', 'rs', { propagationPolicy: 'Orphan' });
  await gc.sync(owner.metadata!.uid!);
  assert.equal(w.obj(R.replicaSets, 'ns', 'rs'), undefined);
  assert.deepEqual(w.obj<Pod>(R.pods, 'ns', 'p1')!.metadata!.ownerReferences, []);
});
