import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, Pod, ReplicaSet } from '../api/index.js';
import { DeploymentController } from './deployment.js';
import { computeHash, resolveFenceposts, REVISION_ANNOTATION } from './deployment-util.js';
import { ReplicaSetController } from './replicaset.js';
import { FakeWorld, readyStatus } from './testing/fake.js';
import { R } from './types.js';
import { isPodActive, isPodReady } from './util.js';

function deployment(replicas: number, image: string, strategy: Deployment['spec'] extends infer S ?
  S extends { strategy?: infer T } ? T : never : never): Deployment {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: {
    replicas, selector: { matchLabels: { app: 'web' } }, strategy, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } } };
}

function world() {
  const w = new FakeWorld();
  const ctx = w.context();
  const dc = new DeploymentController(ctx);
  const rsc = new ReplicaSetController(ctx);
  /** One round: the deployment controller, then every RS, then the "kubelet" readies new pods. */
  const round = async (ready = true): Promise<void> => {
    await dc.sync('ns/web');
    for (const rs of w.list<ReplicaSet>(R.replicaSets, 'ns')) await rsc.sync(`ns/${rs.metadata!.name}`);
    if (ready) {
      for (const p of w.list<Pod>(R.pods, 'ns')) {
        if (!isPodReady(p)) await w.updateStatus(R.pods, 'ns', { ...p, status: readyStatus(w.nowMs) as Pod['status'] });
      }
    }
    for (const rs of w.list<ReplicaSet>(R.replicaSets, 'ns')) await rsc.sync(`ns/${rs.metadata!.name}`);
  };
  return { w, dc, rsc, round };
}

const active = (w: FakeWorld): Pod[] => w.list<Pod>(R.pods, 'ns').filter(isPodActive);

test('fenceposts: surge rounds up, unavailable rounds down, both 0 means unavailable 1', () => {
  const d = (surge: string | number, unavail: string | number, replicas = 10): Deployment =>
    ({ spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: {
      maxSurge: surge, maxUnavailable: unavail } } } });
  assert.deepEqual(resolveFenceposts(d('25%', '25%')), { maxSurge: 3, maxUnavailable: 2 });
  assert.deepEqual(resolveFenceposts(d(0, 0)), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(resolveFenceposts(d('10%', '10%', 5)), { maxSurge: 1, maxUnavailable: 0 });
  assert.notEqual(computeHash({ spec: { containers: [] } }, undefined), computeHash({ spec: { containers: [] } }, 1));
});

test('rolling update, step by step: never above replicas+maxSurge pods, never below replicas-maxUnavailable available', async () => {
  const { w, round } = world();
  w.seed(R.deployments, deployment(4, 'v1', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }));
  for (let i = 0; i < 5; i++) await round();
  let d = w.obj<Deployment>(R.deployments, 'ns', 'web')!;
  assert.equal(d.status?.availableReplicas, 4);
  assert.equal(d.metadata?.annotations?.[REVISION_ANNOTATION], '1');
  const avail = d.status?.conditions?.find((c) => c.type === 'Available');
  assert.equal(avail?.reason, 'MinimumReplicasAvailable');
  assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
  w.seed(R.deployments, { ...d, spec: { ...d.spec!, template: { ...d.spec!.template, spec: { containers: [{ name: 'c',
    image: 'v2' }] } } }, metadata: { ...d.metadata, generation: 2 } });
  for (let i = 0; i < 20; i++) {
    await round();
    const pods = active(w);
    assert.ok(pods.length <= 5, `step ${i}: ${pods.length} pods > replicas + maxSurge`);
    assert.ok(pods.filter(isPodReady).length >= 3, `step ${i}: fewer than replicas - maxUnavailable available`);
  }
  d = w.obj<Deployment>(R.deployments, 'ns', 'web')!;
  const rss = w.list<ReplicaSet>(R.replicaSets, 'ns');
  assert.equal(rss.length, 2);
  const newRS = rss.find((r) => r.spec!.template!.spec!.containers[0]!.image === 'v2')!;
  const oldRS = rss.find((r) => r.spec!.template!.spec!.containers[0]!.image === 'v1')!;
  assert.equal(newRS.spec!.replicas, 4);
  assert.equal(oldRS.spec!.replicas, 0);
  assert.equal(newRS.metadata!.annotations![REVISION_ANNOTATION], '2');
  assert.match(newRS.metadata!.name!, new RegExp(`^web-${newRS.metadata!.labels!['pod-template-hash']}$`));
  assert.equal(d.metadata?.annotations?.[REVISION_ANNOTATION], '2');
  assert.deepEqual([d.status?.replicas, d.status?.updatedReplicas, d.status?.availableReplicas], [4, 4, 4]);
  assert.ok(w.events.some((e) => /^Scaled up replica set web-\w+ from 0 to 1$/.test(e.message)));
  assert.ok(w.events.some((e) => /^Scaled down replica set web-\w+ from 4 to 3$/.test(e.message)));
});

test('Recreate: old pods all gone before any new pod exists', async () => {
  const { w, round } = world();
  w.seed(R.deployments, deployment(3, 'v1', { type: 'Recreate' }));
  for (let i = 0; i < 4; i++) await round();
  assert.equal(active(w).length, 3);
  const d = w.obj<Deployment>(R.deployments, 'ns', 'web')!;
  w.seed(R.deployments, { ...d, spec: { ...d.spec!, template: { ...d.spec!.template, spec: { containers: [{ name: 'c',
    image: 'v2' }] } } }, metadata: { ...d.metadata, generation: 2 } });
  for (let i = 0; i < 8; i++) {
    await round();
    const images = new Set(active(w).map((p) => p.spec!.containers[0]!.image));
    assert.ok(images.size <= 1, `step ${i}: old and new pods at once`);
  }
  assert.deepEqual(active(w).map((p) => p.spec!.containers[0]!.image), ['v2', 'v2', 'v2']);
});

test('rollback (kubectl undo sets the old template): the old RS is reused and gets the next revision', async () => {
  const { w, round } = world();
  w.seed(R.deployments, deployment(2, 'v1', { type: 'RollingUpdate' }));
  for (let i = 0; i < 4; i++) await round();
  const setImage = (image: string, gen: number): void => {
    const d = w.obj<Deployment>(R.deployments, 'ns', 'web')!;
    w.seed(R.deployments, { ...d, spec: { ...d.spec!, template: { ...d.spec!.template, spec: { containers: [{ name: 'c',
      image }] } } }, metadata: { ...d.metadata, generation: gen } });
  };
  setImage('v2', 2);
  for (let i = 0; i < 8; i++) await round();
  setImage('v1', 3);
  for (let i = 0; i < 8; i++) await round();
  const rss = w.list<ReplicaSet>(R.replicaSets, 'ns');
  assert.equal(rss.length, 2, 'no third RS: the v1 RS is reused');
  const v1 = rss.find((r) => r.spec!.template!.spec!.containers[0]!.image === 'v1')!;
  assert.equal(v1.metadata!.annotations![REVISION_ANNOTATION], '3');
  assert.equal(v1.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(v1.spec!.replicas, 2);
  assert.equal(w.obj<Deployment>(R.deployments, 'ns', 'web')!.metadata!.annotations![REVISION_ANNOTATION], '3');
});

test('revisionHistoryLimit: scaled-down old ReplicaSets beyond the limit are deleted, oldest revision first', async () => {
  const { w, round } = world();
  w.seed(R.deployments, { ...deployment(1, 'v0', { type: 'RollingUpdate' }), spec: { ...deployment(1, 'v0', {}).spec!,
    revisionHistoryLimit: 1 } });
  for (let v = 1; v <= 3; v++) {
    for (let i = 0; i < 6; i++) await round();
    const d = w.obj<Deployment>(R.deployments, 'ns', 'web')!;
    w.seed(R.deployments, { ...d, spec: { ...d.spec!, template: { ...d.spec!.template, spec: { containers: [{ name: 'c',
      image: `v${v}` }] } } }, metadata: { ...d.metadata, generation: v + 1 } });
  }
  for (let i = 0; i < 6; i++) await round();
  const revs = w.list<ReplicaSet>(R.replicaSets, 'ns').map((r) => r.metadata!.annotations![REVISION_ANNOTATION]).sort();
  assert.deepEqual(revs, ['3', '4']);
});
