import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { params, seed } from '../api/testing/fc.js';
import type { Pod } from '../api/index.js';
import { loadSchedulerConfig } from './config.js';
import { numFeasibleNodesToFind, Scheduler, type FailureInfo } from './scheduler-core.js';
import { makeNode, makePod } from './test-helpers.js';

console.log(`scheduler-core.test: fast-check seed ${seed} (replay with FC_SEED=${seed})`);

function newScheduler(opts: { bind?: (pod: Pod, node: string) => Promise<void>; config?: string } = {}) {
  const failures: [string, FailureInfo][] = [];
  const preempted: { preemptor: string; node: string; victims: string[] }[] = [];
  const bound: [string, string][] = [];
  const sched = new Scheduler({
    binder: { bind: opts.bind ?? ((pod, node) => { bound.push([pod.metadata!.name!,
      node]); return Promise.resolve(); }) },
    clock: () => 0,
    config: opts.config === undefined ? undefined : loadSchedulerConfig(opts.config),
    hooks: {
      onUnschedulable: (pod, info) => failures.push([pod.metadata!.name!, info]),
      onPreempt: (p, node, victims) => preempted.push({ preemptor: p.metadata!.name!, node,
        victims: victims.map((v) => v.metadata!.name!) }),
    },
  });
  return { sched, failures, preempted, bound };
}

test('numFeasibleNodesToFind: adaptive percentage with its floors', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 500), 230); // 50 - 4 = 46 %
  assert.equal(numFeasibleNodesToFind(0, 5000), 500); // 50 - 40 = 10 %
  assert.equal(numFeasibleNodesToFind(0, 10000), 500); // 50 - 80 < 5 → 5 %
  assert.equal(numFeasibleNodesToFind(1, 1000), 100);
  assert.equal(numFeasibleNodesToFind(100, 1000), 1000);
});

test('FitError message: sorted, aggregated reasons and the preemption message', () => {
  const { sched, failures } = newScheduler();
  for (let i = 0; i < 3; i++) sched.onNodeAdd(makeNode(`small-${i}`, { cpu: '1' }), 0);
  for (let i = 0; i < 2; i++) sched.onNodeAdd(makeNode(`tainted-${i}`, { taints: [{ key: 'gpu', value: 'true',
    effect: 'NoSchedule' }] }), 0);
  sched.onPodAdd(makePod('big', { cpu: '2' }), 0);
  const out = sched.scheduleOne(0);
  assert.ok(out && 'failure' in out);
  assert.equal(out.failure.message, "0/5 nodes are available: 2 node(s) had untolerated taint {gpu: true}, 3 Insufficient cpu. "
    + 'preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.');
  assert.equal(failures.length, 1);
  assert.equal(sched.queue.whereIs(makePod('big')), 'unschedulable');
});

test('FitError message for node affinity, unschedulable nodes and Too many pods', () => {
  const { sched } = newScheduler();
  sched.onNodeAdd(makeNode('cordoned', { unschedulable: true, labels: { zone: 'a' } }), 0);
  sched.onNodeAdd(makeNode('full', { pods: '0', labels: { zone: 'a' } }), 0);
  sched.onNodeAdd(makeNode('other', { labels: { zone: 'b' } }), 0);
  sched.onPodAdd(makePod('p', { spec: { nodeSelector: { zone: 'a' } } }), 0);
  const out = sched.scheduleOne(0);
  assert.ok(out && 'failure' in out);
  assert.equal(out.failure.message, "0/3 nodes are available: 1 Too many pods, 1 node(s) didn't match Pod's node affinity/selector, "
    + '1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, '
    + '2 Preemption is not helpful for scheduling.');
});

test('preemption evicts the fewest, lowest-priority victims and nominates the node', () => {
  const { sched, preempted, failures } = newScheduler();
  sched.onNodeAdd(makeNode('a', { cpu: '4' }), 0);
  sched.onNodeAdd(makeNode('b', { cpu: '4' }), 0);
  // a: two 2-cpu pods of priority 1 and 5. b: one 4-cpu pod of priority 3.
  sched.onPodAdd(makePod('a-low', { cpu: '2', priority: 1, nodeName: 'a' }), 0);
  sched.onPodAdd(makePod('a-mid', { cpu: '2', priority: 5, nodeName: 'a' }), 0);
  sched.onPodAdd(makePod('b-mid', { cpu: '4', priority: 3, nodeName: 'b' }), 0);
  sched.onPodAdd(makePod('vip', { cpu: '2', priority: 10 }), 0);
  const out = sched.scheduleOne(0);
  assert.ok(out && 'failure' in out);
  // Node a needs only a-low (priority 1) evicted: lower highest-victim priority than b's 3.
  assert.deepEqual(preempted, [{ preemptor: 'vip', node: 'a', victims: ['a-low'] }]);
  assert.equal(failures[0]![1].nominatedNodeName, 'a');
  // The caller deletes the victim; the pod delete event moves vip back and it lands on a.
  sched.onPodDelete(makePod('a-low', { cpu: '2', priority: 1, nodeName: 'a' }), 20_000);
  const next = sched.scheduleOne(20_000);
  assert.ok(next && 'nodeName' in next);
  assert.equal(next.nodeName, 'a');
});

/** A victim as the scheduler leaves it: DisruptionTarget (PreemptionByScheduler), then a graceful delete. */
function victimTerminating(p: Pod): Pod {
  return { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] } };
}

test('nominated pods hold their place: a second preemptor picks other victims, a nominee does not preempt twice, '
  + 'and a lower-priority pod cannot take the room the victims freed', () => {
  const { sched, preempted, failures } = newScheduler();
  sched.onNodeAdd(makeNode('a', { cpu: '2' }), 0);
  const v1 = makePod('v1', { cpu: '1', priority: 1, nodeName: 'a' });
  sched.onPodAdd(v1, 0);
  sched.onPodAdd(makePod('v2', { cpu: '1', priority: 2, nodeName: 'a' }), 0);
  sched.onPodAdd(makePod('vip1', { cpu: '1', priority: 10 }), 0);
  assert.ok('failure' in sched.scheduleOne(0)!);
  assert.deepEqual(preempted, [{ preemptor: 'vip1', node: 'a', victims: ['v1'] }]);
  assert.equal(sched.nominator.nodeOf('uid-default-vip1'), 'a');
  // The victim is terminating (graceful delete), still on the node.
  const v1Terminating = victimTerminating(v1);
  sched.onPodUpdate(v1, v1Terminating, 0);
  // vip2, same priority: vip1 counts as on a, so v1 alone is not enough — it must take v2 too. Without the
  // nominator it would choose v1 again, and one of the two would have to preempt a second time.
  sched.onPodAdd(makePod('vip2', { cpu: '1', priority: 10 }), 0);
  assert.ok('failure' in sched.scheduleOne(0)!);
  assert.deepEqual(preempted[1]?.preemptor, 'vip2');
  assert.ok(preempted[1]!.victims.includes('v2'), JSON.stringify(preempted[1]));
  // vip1 retried while its victim still terminates: it waits instead of preempting again.
  const T = 400_000; // past the 5 minutes after which parked pods are retried anyway
  sched.queue.flushUnschedulablePodsLeftover(T);
  const again = [sched.scheduleOne(T), sched.scheduleOne(T)];
  const vip1Again = again.find((o) => o?.pod.metadata?.name === 'vip1');
  assert.ok(vip1Again && 'failure' in vip1Again);
  assert.match(vip1Again.failure.message, /not eligible due to a terminating pod on the nominated node\.$/);
  assert.equal(preempted.length, 2);
  // v1 goes away: one cpu is free on a, but it is vip1's. A priority-2 pod arriving now (vip1 still backing off)
  // must not take it.
  sched.onPodDelete(v1Terminating, T + 500);
  sched.onPodAdd(makePod('mid', { cpu: '1', priority: 2 }), T + 500);
  const mid = sched.scheduleOne(T + 500);
  assert.equal(mid?.pod.metadata?.name, 'mid');
  assert.ok(mid && 'failure' in mid, 'the room on a belongs to the nominated vip1');
  // vip2's victim v2 goes too; both nominees land on a.
  sched.onPodDelete(makePod('v2', { cpu: '1', priority: 2, nodeName: 'a' }), T + 600);
  const landed = [sched.scheduleOne(T + 60_000), sched.scheduleOne(T + 60_000)];
  assert.deepEqual(landed.map((o) => o && 'nodeName' in o ? `${o.pod.metadata?.name}@${o.nodeName}` : 'failed').sort(),
    ['vip1@a', 'vip2@a']);
  assert.equal(sched.nominator.nodeOf('uid-default-vip1'), undefined, 'an assumed pod is no longer nominated');
  assert.ok(failures.length >= 4);
});

test('a nomination ends when preemption finds no candidate', () => {
  const { sched, failures } = newScheduler();
  sched.onNodeAdd(makeNode('a', { cpu: '3' }), 0);
  const low = makePod('low', { cpu: '2', priority: 1, nodeName: 'a' });
  sched.onPodAdd(low, 0);
  sched.onPodAdd(makePod('vip', { cpu: '2', priority: 10 }), 0);
  assert.ok('failure' in sched.scheduleOne(0)!);
  assert.equal(sched.nominator.nodeOf('uid-default-vip'), 'a');
  // The victim goes, but a priority-100 pod takes a first (it may: vip's nomination does not bind it).
  sched.onPodDelete(low, 1);
  sched.onPodAdd(makePod('top', { cpu: '2', priority: 100 }), 1);
  const top = sched.scheduleOne(1);
  assert.ok(top && 'nodeName' in top && top.pod.metadata?.name === 'top');
  // vip retries: nothing of lower priority is left to preempt, so its nomination ends (and its status is cleared).
  const T = 400_000;
  sched.queue.flushUnschedulablePodsLeftover(T);
  sched.queue.flushBackoffQCompleted(T);
  const vip = sched.scheduleOne(T);
  assert.ok(vip && 'failure' in vip && vip.pod.metadata?.name === 'vip');
  assert.equal(vip.failure.nominatedNodeName, '');
  assert.equal(sched.nominator.nodeOf('uid-default-vip'), undefined);
  // So the 1 cpu still free on a is usable by a lower-priority pod.
  sched.onPodAdd(makePod('mid', { cpu: '1', priority: 5 }), T);
  const mid = sched.scheduleOne(T);
  assert.ok(mid && 'nodeName' in mid && mid.nodeName === 'a', JSON.stringify(failures.at(-1)));
});

test('prepareCandidate: a preemptor clears the nominations of lower-priority pods on its node', () => {
  const cleared: string[] = [];
  const sched = new Scheduler({
    binder: { bind: () => Promise.resolve() }, clock: () => 0,
    hooks: { onNominationCleared: (p) => cleared.push(p.metadata!.name!) },
  });
  sched.onNodeAdd(makeNode('a', { cpu: '2' }), 0);
  sched.onPodAdd(makePod('x', { cpu: '1', priority: 1, nodeName: 'a' }), 0);
  sched.onPodAdd(makePod('y', { cpu: '1', priority: 1, nodeName: 'a' }), 0);
  sched.onPodAdd(makePod('mid', { cpu: '1', priority: 5 }), 0);
  assert.ok('failure' in sched.scheduleOne(0)!);
  assert.equal(sched.nominator.nodeOf('uid-default-mid'), 'a');
  sched.onPodAdd(makePod('vip', { cpu: '2', priority: 10 }), 0);
  assert.ok('failure' in sched.scheduleOne(0)!);
  assert.equal(sched.nominator.nodeOf('uid-default-vip'), 'a');
  assert.equal(sched.nominator.nodeOf('uid-default-mid'), undefined);
  assert.deepEqual(cleared, ['mid']);
});

test('a nominee waits only for victims of a preemption, and not on a node the filters now rule out', () => {
  const { sched, preempted } = newScheduler();
  sched.onNodeAdd(makeNode('a', { cpu: '1' }), 0);
  sched.onNodeAdd(makeNode('b', { cpu: '1' }), 0);
  const la = makePod('la', { cpu: '1', priority: 1, nodeName: 'a' });
  const lb = makePod('lb', { cpu: '1', priority: 1, nodeName: 'b' });
  sched.onPodAdd(la, 0);
  sched.onPodAdd(lb, 0);
  sched.onPodAdd(makePod('vip', { cpu: '1', priority: 10 }), 0);
  assert.ok('failure' in sched.scheduleOne(0)!);
  const first = preempted[0]!;
  const [victim, other] = first.node === 'a' ? [la, lb] : [lb, la];
  const nominated = first.node;
  const otherNode = nominated === 'a' ? 'b' : 'a';
  sched.onPodUpdate(victim, victimTerminating(victim), 0);
  // The nominated node is tainted for good (UnschedulableAndUnresolvable), its victim stuck Terminating:
  // vip may preempt elsewhere.
  sched.onNodeUpdate(makeNode(nominated, { cpu: '1' }), makeNode(nominated, { cpu: '1',
    taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }), 0);
  const T = 400_000;
  sched.queue.flushUnschedulablePodsLeftover(T);
  sched.queue.flushBackoffQCompleted(T);
  assert.ok('failure' in sched.scheduleOne(T)!);
  assert.deepEqual(preempted[1], { preemptor: 'vip', node: otherNode, victims: [other.metadata!.name!] });
  // A pod being deleted for another reason (no DisruptionTarget from a preemption) does not hold a nominee back.
  sched.onPodUpdate(other, { ...other, metadata: { ...other.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, T);
  sched.queue.flushUnschedulablePodsLeftover(2 * T);
  sched.queue.flushBackoffQCompleted(2 * T);
  const again = sched.scheduleOne(2 * T);
  assert.ok(again && 'failure' in again);
  assert.doesNotMatch(again.failure.message, /terminating pod on the nominated node/);
});

test('preemptionPolicy Never and equal priorities do not preempt', () => {
  const { sched, preempted } = newScheduler();
  sched.onNodeAdd(makeNode('a', { cpu: '1' }), 0);
  sched.onPodAdd(makePod('x', { cpu: '1', priority: 5, nodeName: 'a' }), 0);
  sched.onPodAdd(makePod('never', { cpu: '1', priority: 9, spec: { preemptionPolicy: 'Never' } }), 0);
  sched.onPodAdd(makePod('same', { cpu: '1', priority: 5 }), 0);
  const a = sched.scheduleOne(0);
  const b = sched.scheduleOne(0);
  assert.ok(a && 'failure' in a && b && 'failure' in b);
  assert.match(a.failure.message, /preemption: not eligible due to preemptionPolicy=Never\.$/);
  assert.match(b.failure.message, /1 No preemption victims found for incoming pod\.$/);
  assert.deepEqual(preempted, []);
});

test('binding is asynchronous; a failed bind forgets the pod and requeues it with backoff', async () => {
  let release!: () => void;
  let fail = true;
  const { sched, failures } = newScheduler({
    bind: () => (fail ? Promise.reject(new Error('conflict')) : new Promise<void>((r) => { release = r; })),
  });
  sched.onNodeAdd(makeNode('n', { cpu: '1' }), 0);
  sched.onPodAdd(makePod('p', { cpu: '1' }), 0);
  sched.onPodAdd(makePod('q', { cpu: '1' }), 0);
  const first = sched.scheduleOne(0);
  assert.ok(first && 'nodeName' in first);
  // Before the bind settles the assumed pod already fills the node.
  const second = sched.scheduleOne(0);
  assert.ok(second && 'failure' in second);
  await first.binding;
  assert.equal(sched.cache.podCount(), 0, 'assumed pod forgotten');
  assert.equal(sched.queue.whereIs(makePod('p')), 'backoff');
  assert.equal(failures.at(-1)![1].reason, 'SchedulerError');
  fail = false;
  sched.tick(1000);
  const retry = sched.scheduleOne(1000);
  assert.ok(retry && 'nodeName' in retry);
  assert.equal(sched.bindingsInFlight, 1);
  await new Promise((r) => setImmediate(r));
  release();
  await sched.waitForBindings();
  assert.equal(sched.cache.isAssumedPod(makePod(retry.pod.metadata!.name!)), true,
    'assumed until the informer confirms');
});

test('ties are broken randomly but spread: identical nodes all receive pods', async () => {
  const { sched, bound } = newScheduler();
  for (let i = 0; i < 10; i++) sched.onNodeAdd(makeNode(`n${i}`, { cpu: '100', memory: '100Gi' }), 0);
  for (let i = 0; i < 50; i++) sched.onPodAdd(makePod(`p${i}`, { cpu: '1', memory: '1Gi' }), 0);
  while (sched.scheduleOne(0) !== undefined) { /* schedule all */ }
  await sched.waitForBindings();
  assert.equal(new Set(bound.map(([, n]) => n)).size, 10);
});

test('profiles: pods name their scheduler; MostAllocated packs', async () => {
  const { sched, bound } = newScheduler({ config: `
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: packer
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}]
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
` });
  for (let i = 0; i < 4; i++) sched.onNodeAdd(makeNode(`n${i}`, { cpu: '8', memory: '8Gi' }), 0);
  sched.onPodAdd(makePod('ignored', { cpu: '1' }), 0);
  for (let i = 0; i < 6; i++) sched.onPodAdd(makePod(`p${i}`, { cpu: '1', memory: '1Gi',
    spec: { schedulerName: 'packer' } }), 0);
  while (sched.scheduleOne(0) !== undefined) { /* schedule all */ }
  await sched.waitForBindings();
  assert.equal(bound.length, 6);
  assert.equal(new Set(bound.map(([, n]) => n)).size, 1);
});

test('property: 500 nodes × 1000 pods never over-commit and every pod that fits somewhere is scheduled', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ cpu: fc.integer({ min: 1, max: 16 }), memGi: fc.integer({ min: 1, max: 32 }) }),
      { minLength: 500, maxLength: 500 }),
    fc.array(fc.record({ cpuMilli: fc.integer({ min: 100, max: 8000 }), memMi: fc.integer({ min: 64, max: 16384 }) }),
      { minLength: 1000, maxLength: 1000 }),
    async (nodes, pods) => {
      const { sched } = newScheduler();
      nodes.forEach((n, i) => sched.onNodeAdd(makeNode(`n${i}`, { cpu: String(n.cpu), memory: `${n.memGi}Gi` }), 0));
      pods.forEach((p, i) => sched.onPodAdd(makePod(`p${i}`, { cpu: `${p.cpuMilli}m`, memory: `${p.memMi}Mi` }), 0));
      const free = nodes.map((n) => ({ cpu: n.cpu * 1000, mem: n.memGi * 1024, pods: 110 }));
      for (let out = sched.scheduleOne(0); out !== undefined; out = sched.scheduleOne(0)) {
        const req = pods[Number(out.pod.metadata!.name!.slice(1))]!;
        if ('nodeName' in out) {
          const f = free[Number(out.nodeName.slice(1))]!;
          f.cpu -= req.cpuMilli; f.mem -= req.memMi; f.pods -= 1;
          assert.ok(f.cpu >= 0 && f.mem >= 0 && f.pods >= 0, `over-committed ${out.nodeName}`);
        } else {
          assert.ok('failure' in out);
          const fitsSomewhere = free.some((f) => f.cpu >= req.cpuMilli && f.mem >= req.memMi && f.pods >= 1);
          assert.ok(!fitsSomewhere, `${out.pod.metadata!.name} fits somewhere but was refused: ${out.failure.message}`);
        }
      }
      await sched.waitForBindings();
    }), params(3));
});
