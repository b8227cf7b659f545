import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonSet, Node, Pod, Taint } from '../api/index.js';
import {
  DAEMONSET_HASH_LABEL, DaemonSetController, daemonSetHash, nodeShouldRunDaemonPod, targetNodeName,
} from './daemonset.js';
import { FakeWorld, readyStatus } from './testing/fake.js';
import { R } from './types.js';

function ds(extra: Partial<DaemonSet['spec']> = {}, podSpec: Partial<NonNullable<Pod['spec']>> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'ns' },
    spec: { selector: { matchLabels: { app: 'agent' } }, updateStrategy: { type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1 } }, ...extra,
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'img:1' }], ...podSpec } } },
  };
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { taints } };
}

function setup(nodes: Node[], set: DaemonSet = ds()) {
  const w = new FakeWorld();
  for (const n of nodes) w.seed(R.nodes, n);
  const c = new DaemonSetController(w.context());
  const owner = w.seed(R.daemonSets, set);
  return { w, c, owner };
}

/** The scheduler's and kubelet's part: bind every pending pod to its target node and make it Ready. */
function bindAndRun(w: FakeWorld): void {
  for (const p of w.list<Pod>(R.pods, 'ns')) {
    if (p.metadata?.deletionTimestamp !== undefined || p.status?.phase === 'Running') continue;
    w.seed(R.pods, { ...p, spec: { ...p.spec!, nodeName: targetNodeName(p)! }, status: readyStatus(w.nowMs) });
  }
}

/** The kubelet confirming graceful deletions. */
function finishDeletes(w: FakeWorld): Promise<unknown> {
  return Promise.all(w.list<Pod>(R.pods, 'ns').filter((p) => p.metadata?.deletionTimestamp !== undefined)
    .map((p) => w.delete(R.pods, 'ns', p.metadata!.name!, { gracePeriodSeconds: 0 })));
}

const livePods = (w: FakeWorld): Pod[] => w.list<Pod>(R.pods, 'ns').filter((p) => p.metadata?.deletionTimestamp === undefined);

test('one pod per node, unbound, pinned by required node affinity matchFields, with owner, hash and tolerations', async () => {
  const { w, c, owner } = setup([node('n1'), node('n2'), node('n3')]);
  await c.sync('ns/agent');
  const pods = w.list<Pod>(R.pods, 'ns');
  assert.equal(pods.length, 3);
  assert.deepEqual(pods.map((p) => targetNodeName(p)).sort(), ['n1', 'n2', 'n3']);
  const p = pods[0]!;
  assert.equal(p.spec?.nodeName, undefined, 'the scheduler binds DaemonSet pods');
  assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [targetNodeName(p)] }] }]);
  assert.match(p.metadata!.name!, /^agent-/);
  assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'DaemonSet');
  assert.equal(p.metadata?.ownerReferences?.[0]?.uid, owner.metadata!.uid);
  assert.equal(p.metadata?.labels?.[DAEMONSET_HASH_LABEL], daemonSetHash(owner));
  const keys = (p.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
  for (const k of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute',
    'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule',
    'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']) assert.ok(keys.includes(k), k);
  // Idempotent: pods already aimed at every node, nothing more is created.
  await c.sync('ns/agent');
  assert.equal(w.list<Pod>(R.pods, 'ns').length, 3);
});

test('status counts as kubectl rollout status reads them', async () => {
  const { w, c } = setup([node('n1'), node('n2')]);
  await c.sync('ns/agent');
  let st = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!;
  assert.equal(st.desiredNumberScheduled, 2);
  assert.equal(st.currentNumberScheduled, 2);
  assert.equal(st.numberReady, 0);
  assert.equal(st.observedGeneration, 1);
  bindAndRun(w);
  await c.sync('ns/agent');
  st = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!;
  assert.deepEqual([st.numberReady, st.numberAvailable, st.updatedNumberScheduled, st.numberMisscheduled,
    st.numberUnavailable], [2, 2, 2, 0, 0]);
});

test('nodeSelector, node affinity and taints decide the nodes; the automatic tolerations apply', () => {
  const sel = ds({}, { nodeSelector: { disk: 'ssd' } });
  assert.deepEqual(nodeShouldRunDaemonPod(sel, node('a', { disk: 'ssd' })), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(sel, node('b')), [false, false]);
  const terms = [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }];
  const required = { nodeSelectorTerms: terms };
  const aff = ds({}, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } } });
  assert.deepEqual(nodeShouldRunDaemonPod(aff, node('a', { zone: 'z1' })), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(aff, node('a', { zone: 'z2' })), [false, false]);
  const plain = ds();
  assert.deepEqual(nodeShouldRunDaemonPod(plain, node('t', {}, [{ key: 'gpu', effect: 'NoSchedule' }])), [false, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(plain, node('t', {}, [{ key: 'gpu', effect: 'NoExecute' }])), [false, false]);
  assert.deepEqual(nodeShouldRunDaemonPod(plain, node('t', {}, [{ key: 'gpu', effect: 'PreferNoSchedule' }])), [true, true]);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    assert.deepEqual(nodeShouldRunDaemonPod(plain, node('t', {}, [{ key, effect: 'NoExecute' }])), [true, true], key);
  }
  for (const key of ['node.kubernetes.io/unschedulable', 'node.kubernetes.io/disk-pressure',
    'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/pid-pressure']) {
    assert.deepEqual(nodeShouldRunDaemonPod(plain, node('t', {}, [{ key, effect: 'NoSchedule' }])), [true, true], key);
  }
  const tol = ds({}, { tolerations: [{ key: 'gpu', operator: 'Exists' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(tol, node('t', {}, [{ key: 'gpu', effect: 'NoExecute' }])), [true, true]);
});

test('a node that stops matching loses its pod (misscheduled until then); a new node gets one', async () => {
  const { w, c } = setup([node('n1', { role: 'x' }), node('n2', { role: 'x' })], ds({}, { nodeSelector: { role: 'x' } }));
  await c.sync('ns/agent');
  bindAndRun(w);
  const n2 = w.obj<Node>(R.nodes, '', 'n2')!;
  await w.update(R.nodes, '', { ...n2, metadata: { ...n2.metadata, labels: { role: 'y' } } });
  const before = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent');
  assert.ok(before);
  await c.sync('ns/agent');
  assert.deepEqual(livePods(w).map((p) => p.spec?.nodeName), ['n1']);
  assert.ok(w.events.some((e) => e.reason === 'SuccessfulDelete'));
  await finishDeletes(w);
  w.seed(R.nodes, node('n3', { role: 'x' }));
  await c.sync('ns/agent');
  assert.deepEqual(livePods(w).map((p) => targetNodeName(p)).sort(), ['n1', 'n3']);
  const st = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!;
  assert.equal(st.desiredNumberScheduled, 2);
  assert.equal(st.numberMisscheduled, 0);
});

test('a pod left on a node that is no longer eligible counts as misscheduled', async () => {
  const { w, c } = setup([node('n1')]);
  await c.sync('ns/agent');
  bindAndRun(w);
  // Expectations hold the controller back while deletions are unobserved: status reports the misplacement.
  w.autoDeliver = false;
  const n1 = w.obj<Node>(R.nodes, '', 'n1')!;
  await w.update(R.nodes, '', { ...n1, spec: { taints: [{ key: 'dedicated', effect: 'NoExecute' }] } });
  w.deliver();
  c.deletes.expectDeletions('ns/agent', ['ns/other']);
  await c.sync('ns/agent');
  const st = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!;
  assert.equal(st.numberMisscheduled, 1);
  assert.equal(st.desiredNumberScheduled, 0);
});

test('RollingUpdate replaces at most maxUnavailable pods at a time; rollout status reaches done', async () => {
  const { w, c } = setup([node('n1'), node('n2'), node('n3'), node('n4')],
    ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }));
  await c.sync('ns/agent');
  bindAndRun(w);
  await c.sync('ns/agent');
  const cur = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!;
  cur.spec!.template.spec!.containers[0]!.image = 'img:2';
  await w.update(R.daemonSets, 'ns', cur);
  const newHash = daemonSetHash(w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!);
  for (let round = 0; round < 10; round++) {
    await c.sync('ns/agent');
    const live = livePods(w);
    const unavailable = 4 - live.filter((p) => p.status?.phase === 'Running').length;
    assert.ok(unavailable <= 2, `round ${round}: ${unavailable} unavailable`);
    await finishDeletes(w);
    await c.sync('ns/agent');
    bindAndRun(w);
    const st = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!;
    if (st.updatedNumberScheduled === 4 && st.numberAvailable === 4) break;
  }
  await c.sync('ns/agent');
  const st = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!;
  assert.equal(st.observedGeneration, 2);
  assert.deepEqual([st.updatedNumberScheduled, st.numberAvailable, st.desiredNumberScheduled], [4, 4, 4]);
  assert.ok(livePods(w).every((p) => p.metadata?.labels?.[DAEMONSET_HASH_LABEL] === newHash));
  assert.equal(livePods(w).length, 4);
});

test('OnDelete: a template change deletes nothing; a deleted old pod comes back with the new template', async () => {
  const { w, c } = setup([node('n1'), node('n2')], ds({ updateStrategy: { type: 'OnDelete' } }));
  await c.sync('ns/agent');
  bindAndRun(w);
  const cur = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!;
  cur.spec!.template.spec!.containers[0]!.image = 'img:2';
  await w.update(R.daemonSets, 'ns', cur);
  w.clearActions();
  await c.sync('ns/agent');
  assert.equal(w.writes().filter((a) => a.verb === 'delete').length, 0);
  assert.equal(w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!.updatedNumberScheduled, 0);
  const victim = livePods(w)[0]!;
  await w.delete(R.pods, 'ns', victim.metadata!.name!, { gracePeriodSeconds: 0 });
  await c.sync('ns/agent');
  bindAndRun(w);
  await c.sync('ns/agent');
  const st = w.obj<DaemonSet>(R.daemonSets, 'ns', 'agent')!.status!;
  assert.equal(st.updatedNumberScheduled, 1);
  assert.equal(livePods(w).length, 2);
});

test('a failed daemon pod is deleted and replaced; duplicates keep the oldest; orphans are adopted', async () => {
  const { w, c, owner } = setup([node('n1'), node('n2')]);
  // An orphan matching the selector already on n2: adopted, not duplicated.
  w.seed(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'ns', labels: { app: 'agent' } },
    spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'img:1' }] }, status: readyStatus(w.nowMs) });
  await c.sync('ns/agent');
  assert.equal(w.obj<Pod>(R.pods, 'ns', 'orphan')!.metadata?.ownerReferences?.[0]?.uid, owner.metadata!.uid);
  assert.deepEqual(livePods(w).map((p) => targetNodeName(p)).sort(), ['n1', 'n2']);
  bindAndRun(w);
  const onN1 = livePods(w).find((p) => p.spec?.nodeName === 'n1')!;
  w.seed(R.pods, { ...onN1, status: { phase: 'Failed' } });
  await c.sync('ns/agent');
  assert.equal(w.obj<Pod>(R.pods, 'ns', onN1.metadata!.name!), undefined, 'failed pod deleted');
  await c.sync('ns/agent');
  assert.equal(livePods(w).filter((p) => targetNodeName(p) === 'n1').length, 1, 'replacement created');
  // A duplicate on n2 (newer): it goes, the orphan (older) stays.
  w.nowMs += 5000;
  w.seed(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dup', namespace: 'ns', labels: { app: 'agent' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: owner.metadata!.uid!, controller: true }] },
  spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'img:1' }] }, status: readyStatus(w.nowMs) });
  await c.sync('ns/agent');
  assert.ok(w.obj<Pod>(R.pods, 'ns', 'orphan')!.metadata?.deletionTimestamp === undefined);
  assert.ok(w.obj<Pod>(R.pods, 'ns', 'dup')!.metadata?.deletionTimestamp !== undefined);
});

test('expectations: no second round of creates before the first is observed', async () => {
  const { w, c } = setup([node('n1'), node('n2')]);
  w.autoDeliver = false;
  await c.sync('ns/agent');
  await c.sync('ns/agent');
  assert.equal(w.list<Pod>(R.pods, 'ns').length, 2);
  w.deliver();
  await c.sync('ns/agent');
  assert.equal(w.list<Pod>(R.pods, 'ns').length, 2);
});
