import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SchedulerCache, Snapshot } from './cache.js';
import { HOT_STRIDE, NodeInfo } from './node-info.js';
import { makeNode, makePod } from './test-helpers.js';

test('assumed pods count against the node until forgotten', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n'));
  const pod = makePod('p', { cpu: '1' });
  c.assumePod(pod, 'n');
  const snap = new Snapshot();
  c.updateSnapshot(snap);
  assert.equal(snap.get('n')!.requested.cpuMilli, 1000);
  assert.equal(c.isAssumedPod(pod), true);
  assert.throws(() => c.assumePod(pod, 'n'), { code: 'FLOTILLA_ERR_SCHEDULER_INVARIANT' });
  c.forgetPod(pod);
  c.updateSnapshot(snap);
  assert.equal(snap.get('n')!.requested.cpuMilli, 0);
  assert.equal(c.podCount(), 0);
});

test('an informer add confirms an assumed pod, on the node it was really bound to', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('a'));
  c.addNode(makeNode('b'));
  const pod = makePod('p', { cpu: '1' });
  c.assumePod(pod, 'a');
  c.finishBinding(pod, 0);
  c.addPod(makePod('p', { cpu: '1', nodeName: 'b' }));
  assert.equal(c.isAssumedPod(pod), false);
  const snap = new Snapshot();
  c.updateSnapshot(snap);
  assert.deepEqual([snap.get('a')!.requested.cpuMilli, snap.get('b')!.requested.cpuMilli], [0, 1000]);
  assert.deepEqual(c.cleanupAssumedPods(10 ** 12), []);
});

test('assumed pods expire after the TTL once binding finished, not before', () => {
  const c = new SchedulerCache({ assumedPodTtlMs: 1000 });
  c.addNode(makeNode('n'));
  const pod = makePod('p', { cpu: '1' });
  c.assumePod(pod, 'n');
  assert.deepEqual(c.cleanupAssumedPods(10 ** 9), [], 'binding not finished: never expires');
  c.finishBinding(pod, 5000);
  assert.equal(c.cleanupAssumedPods(5999).length, 0);
  assert.equal(c.cleanupAssumedPods(6000).length, 1);
  assert.equal(c.podCount(), 0);
});

test('updateSnapshot re-clones only changed NodeInfos and tracks node add/remove', () => {
  const c = new SchedulerCache();
  for (let i = 0; i < 5; i++) c.addNode(makeNode(`n${i}`));
  const snap = new Snapshot();
  c.updateSnapshot(snap);
  const before = snap.nodeInfoList.slice();
  c.addPod(makePod('p', { nodeName: 'n2', cpu: '1' }));
  c.updateSnapshot(snap);
  assert.equal(snap.nodeInfoList.filter((ni, i) => ni !== before[i]).length, 1);
  assert.notEqual(snap.get('n2'), before[2]);
  assert.equal(snap.get('n0'), before[0]);
  c.removeNode('n4');
  c.addNode(makeNode('n5'));
  c.updateSnapshot(snap);
  assert.deepEqual(snap.nodeInfoList.map((n) => n.name), ['n0', 'n1', 'n2', 'n3', 'n5']);
  // A node removed while pods remain is hidden from the snapshot until re-added.
  c.removeNode('n2');
  c.updateSnapshot(snap);
  assert.equal(snap.get('n2'), undefined);
  c.addNode(makeNode('n2'));
  c.updateSnapshot(snap);
  assert.equal(snap.get('n2')!.pods.length, 1);
  // A second snapshot gets a full rebuild and agrees.
  const other = new Snapshot();
  c.updateSnapshot(other);
  assert.deepEqual(other.nodeInfoList.map((n) => n.name).sort(), snap.nodeInfoList.map((n) => n.name).sort());
});

test('snapshot keeps the lists of nodes with affinity pods current', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('a'));
  c.addNode(makeNode('b'));
  const snap = new Snapshot();
  c.updateSnapshot(snap);
  const anti = makePod('x', { nodeName: 'b',
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
    { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { a: 'b' } } }] } } } });
  c.addPod(anti);
  c.updateSnapshot(snap);
  assert.deepEqual(snap.havePodsWithRequiredAntiAffinityList.map((n) => n.name), ['b']);
  c.removePod(anti);
  c.updateSnapshot(snap);
  assert.deepEqual(snap.havePodsWithRequiredAntiAffinityList, []);
});

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;
test.after(() => console.log(`cache properties ran with FC_SEED=${seed}`));

test('snapshot table: row i holds nodeInfoList[i]\'s numbers; replaced NodeInfos keep theirs', () => {
  type Op = { k: 'node' | 'dropNode'; n: number } | { k: 'pod' | 'dropPod'; p: number; n: number } | { k: 'snap' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ k: fc.constantFrom<'node' | 'dropNode'>('node', 'dropNode'), n: fc.nat(5) }),
    fc.record({ k: fc.constantFrom<'pod' | 'dropPod'>('pod', 'dropPod'), p: fc.nat(8), n: fc.nat(5) }),
    fc.constant<Op>({ k: 'snap' }));
  const numbers = (ni: NodeInfo): number[] => [ni.allocCpuMilli, ni.allocMemBytes, ni.requestedCpuMilli,
    ni.requestedMemBytes, ni.nonZeroCpuMilli, ni.nonZeroMemBytes, ni.podCount, ni.allocatablePods];
  const expected = (ni: NodeInfo): number[] => [ni.allocatable.cpuMilli, ni.allocatable.memBytes,
    ni.requested.cpuMilli, ni.requested.memBytes, ni.nonZeroRequested.cpuMilli, ni.nonZeroRequested.memBytes,
    ni.pods.length, ni.allocatablePods];
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    const c = new SchedulerCache();
    const snap = new Snapshot();
    let held: { ni: NodeInfo; values: number[] }[] = [];
    for (const o of ops) {
      if (o.k === 'node') c.addNode(makeNode(`n${o.n}`, { cpu: `${o.n + 1}`, pods: `${o.n + 5}` }));
      else if (o.k === 'dropNode') c.removeNode(`n${o.n}`);
      else if (o.k === 'pod') c.addPod(makePod(`p${o.p}`, { cpu: `${o.p + 1}00m`, memory: '1Mi', nodeName: `n${o.n}` }));
      else if (o.k === 'dropPod') c.removePod(makePod(`p${o.p}`));
      else {
        c.updateSnapshot(snap);
        snap.nodeInfoList.forEach((ni, i) => {
          assert.equal(ni.hot, snap.table, 'shares the table');
          assert.equal(ni.hotAt, i * HOT_STRIDE, 'row i');
          assert.deepEqual(numbers(ni), expected(ni));
        });
        for (const h of held) assert.deepEqual(numbers(h.ni), h.values, `${h.ni.name} kept its numbers`);
        held = snap.nodeInfoList.map((ni) => ({ ni, values: numbers(ni) }));
      }
    }
  }), { seed, numRuns: Number(process.env['FC_RUNS'] ?? 300) });
});
