import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim, Pod, StatefulSet } from '../api/index.js';
import { STATEFULSET_REVISION_LABEL, StatefulSetController, updateRevisionOf } from './statefulset.js';
import { FakeWorld, readyStatus } from './testing/fake.js';
import { R } from './types.js';

function sts(extra: Partial<NonNullable<StatefulSet['spec']>> = {}, image = 'img:1'): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', generation: 1 },
    spec: { replicas: 3, serviceName: 'web', podManagementPolicy: 'OrderedReady', selector: { matchLabels: { app: 'web' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, ...extra,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } },
  };
}

function setup(set: StatefulSet = sts()) {
  const w = new FakeWorld();
  const c = new StatefulSetController(w.context());
  w.seed(R.statefulSets, set);
  return { w, c };
}

const names = (w: FakeWorld): string[] => w.list<Pod>(R.pods, 'ns').filter((p) => p.metadata?.deletionTimestamp === undefined)
  .map((p) => p.metadata!.name!).sort();
const run = (w: FakeWorld, name: string): void => {
  const p = w.obj<Pod>(R.pods, 'ns', name)!;
  w.seed(R.pods, { ...p, spec: { ...p.spec!, nodeName: 'n1' }, status: readyStatus(w.nowMs) });
};
const status = (w: FakeWorld) => w.obj<StatefulSet>(R.statefulSets, 'ns', 'web')!.status!;
async function finishDeletes(w: FakeWorld): Promise<void> {
  for (const p of w.list<Pod>(R.pods, 'ns').filter((x) => x.metadata?.deletionTimestamp !== undefined)) {
    await w.delete(R.pods, 'ns', p.metadata!.name!, { gracePeriodSeconds: 0 });
  }
}

test('OrderedReady: web-0, then web-1 only once web-0 is Running and Ready; stable names, identity labels', async () => {
  const { w, c } = setup();
  await c.sync('ns/web');
  assert.deepEqual(names(w), ['web-0']);
  await c.sync('ns/web');
  assert.deepEqual(names(w), ['web-0'], 'web-1 waits for web-0');
  run(w, 'web-0');
  await c.sync('ns/web');
  assert.deepEqual(names(w), ['web-0', 'web-1']);
  const p = w.obj<Pod>(R.pods, 'ns', 'web-1')!;
  assert.equal(p.spec?.hostname, 'web-1');
  assert.equal(p.spec?.subdomain, 'web');
  assert.equal(p.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.equal(p.metadata?.labels?.['apps.kubernetes.io/pod-index'], '1');
  assert.equal(p.metadata?.labels?.[STATEFULSET_REVISION_LABEL], updateRevisionOf(sts()));
  assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'StatefulSet');
  run(w, 'web-1');
  await c.sync('ns/web');
  run(w, 'web-2');
  await c.sync('ns/web');
  const st = status(w);
  assert.equal(st.replicas, 3);
  assert.equal(st.readyReplicas, 3);
  assert.equal(st.currentRevision, st.updateRevision);
  assert.equal(st.observedGeneration, 1);
});

test('Parallel creates every pod at once; scale down removes the highest ordinal first, one at a time when ordered', async () => {
  const par = setup(sts({ podManagementPolicy: 'Parallel' }));
  await par.c.sync('ns/web');
  assert.deepEqual(names(par.w), ['web-0', 'web-1', 'web-2']);

  const { w, c } = setup();
  for (let i = 0; i < 3; i++) { await c.sync('ns/web'); run(w, `web-${i}`); }
  await w.update(R.statefulSets, 'ns', { ...w.obj<StatefulSet>(R.statefulSets, 'ns', 'web')!, spec: { ...sts().spec!, replicas: 1 } });
  await c.sync('ns/web');
  assert.deepEqual(names(w), ['web-0', 'web-1'], 'web-2 goes first');
  await c.sync('ns/web');
  assert.deepEqual(names(w), ['web-0', 'web-1'], 'web-1 waits until web-2 is gone');
  await finishDeletes(w);
  await c.sync('ns/web');
  assert.deepEqual(names(w), ['web-0']);
});

test('RollingUpdate replaces pods from the highest ordinal down, one at a time, honouring the partition', async () => {
  const { w, c } = setup(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
  for (let i = 0; i < 3; i++) { await c.sync('ns/web'); run(w, `web-${i}`); }
  await c.sync('ns/web');
  const oldRev = status(w).currentRevision;
  const next = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, 'img:2');
  await w.update(R.statefulSets, 'ns', { ...w.obj<StatefulSet>(R.statefulSets, 'ns', 'web')!, spec: next.spec! });
  await c.sync('ns/web');
  assert.deepEqual(names(w), ['web-0', 'web-1'], 'web-2 is deleted first');
  await finishDeletes(w);
  await c.sync('ns/web');
  assert.equal(w.obj<Pod>(R.pods, 'ns', 'web-2')?.spec?.containers[0]?.image, 'img:2');
  run(w, 'web-2');
  await c.sync('ns/web');
  await finishDeletes(w);
  await c.sync('ns/web');
  run(w, 'web-1');
  await c.sync('ns/web');
  assert.equal(w.obj<Pod>(R.pods, 'ns', 'web-1')?.spec?.containers[0]?.image, 'img:2');
  assert.equal(w.obj<Pod>(R.pods, 'ns', 'web-0')?.spec?.containers[0]?.image, 'img:1', 'below the partition: untouched');
  const st = status(w);
  assert.equal(st.updatedReplicas, 2);
  assert.equal(st.currentRevision, oldRev, 'not every pod is updated: the current revision stays');
  assert.notEqual(st.updateRevision, oldRev);
});

test('volumeClaimTemplates: a PVC <claim>-<pod> is created before the pod, and the pod mounts it', async () => {
  const claim: PersistentVolumeClaim = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } } } };
  const { w, c } = setup(sts({ volumeClaimTemplates: [claim] }));
  await c.sync('ns/web');
  const pvc = w.obj<PersistentVolumeClaim>(R.persistentVolumeClaims, 'ns', 'data-web-0');
  assert.ok(pvc);
  assert.equal(pvc.metadata?.labels?.['app'], 'web');
  const vol = w.obj<Pod>(R.pods, 'ns', 'web-0')!.spec?.volumes?.find((v) => v.name === 'data');
  assert.equal(vol?.persistentVolumeClaim?.claimName, 'data-web-0');
});
