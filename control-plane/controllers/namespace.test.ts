import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Namespace, Pod, ReplicaSet } from '../api/index.js';
import { findResource } from '../api/index.js';
import { RequeueAfterError } from './errors.js';
import { NamespaceController } from './namespace.js';
import { FakeWorld } from './testing/fake.js';
import { R } from './types.js';

test('a terminating namespace: workloads deleted before pods, finalize only when empty, then the namespace is deleted', async () => {
  const w = new FakeWorld();
  const c = new NamespaceController(w.context());
  w.seed<Namespace>(R.namespaces, { metadata: { name: 'ns' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  w.seed<Pod>(R.pods, { metadata: { name: 'bound', namespace: 'ns' }, spec: { containers: [], nodeName: 'n1' },
    status: { phase: 'Running' } });
  w.seed<ReplicaSet>(R.replicaSets, { metadata: { name: 'rs', namespace: 'ns' }, spec: { selector: {} } });
  w.seed(findResource('', 'configmaps')!, { metadata: { name: 'cm', namespace: 'ns' } });
  await w.delete(R.namespaces, '', 'ns');
  w.clearActions();
  // The bound pod is deleted gracefully and stays: content remains, so no finalize yet.
  await assert.rejects(c.sync('ns'), (e: unknown) => e instanceof RequeueAfterError);
  const deletes = w.writes().filter((a) => a.verb === 'delete').map((a) => a.resource);
  assert.ok(deletes.indexOf('replicasets') < deletes.indexOf('pods'), deletes.join(','));
  assert.ok(deletes.includes('configmaps'));
  assert.equal(w.writes().filter((a) => a.verb === 'finalize').length, 0);
  const cond = w.obj<Namespace>(R.namespaces, '', 'ns')!.status!.conditions!.find((x) => x.type === 'NamespaceContentRemaining');
  assert.match(cond!.message!, /pods has 1 resource instances/);
  // The kubelet confirms the pod's deletion.
  await w.delete(R.pods, 'ns', 'bound', { gracePeriodSeconds: 0 });
  w.clearActions();
  await c.sync('ns');
  const verbs = w.writes().map((a) => `${a.verb} ${a.resource}`);
  assert.deepEqual(verbs, ['finalize namespaces', 'delete namespaces']);
  assert.equal(w.obj(R.namespaces, '', 'ns'), undefined);
});

test('an active namespace is left alone', async () => {
  const w = new FakeWorld();
  const c = new NamespaceController(w.context());
  w.seed<Namespace>(R.namespaces, { metadata: { name: 'ns' }, spec: { finalizers: ['kubernetes'] } });
  await c.sync('ns');
  assert.deepEqual(w.writes(), []);
});
