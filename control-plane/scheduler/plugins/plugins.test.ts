import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot, SchedulerCache } from '../cache.js';
import { Code, CycleState, type AnyPlugin, type FrameworkHandle } from '../framework.js';
import { NodeInfo } from '../node-info.js';
import { podInfoOf, podRequests } from '../pod-info.js';
import { makeNode, makePod } from '../test-helpers.js';
import { nodeNamePlugin } from './node-name.js';
import { nodeUnschedulablePlugin } from './node-unschedulable.js';
import { taintTolerationPlugin } from './taint-toleration.js';
import { nodeAffinityPlugin } from './node-affinity.js';
import { fitScore, nodeResourcesFitPlugin } from './node-resources-fit.js';
import { balancedAllocationPlugin } from './balanced-allocation.js';
import { nodePortsPlugin } from './node-ports.js';
import { podTopologySpreadPlugin } from './pod-topology-spread.js';
import { interPodAffinityPlugin } from './inter-pod-affinity.js';
import type { Node, Pod } from '../../api/index.js';

function info(node: Node, pods: Pod[] = []): NodeInfo {
  const ni = new NodeInfo(node.metadata?.name ?? '');
  ni.setNode(node);
  for (const p of pods) ni.addPod(podInfoOf(p));
  return ni;
}

function snapshotOf(nodes: Node[], pods: Pod[] = []): Snapshot {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(p);
  const snap = new Snapshot();
  cache.updateSnapshot(snap);
  return snap;
}

function handleFor(snap: Snapshot): FrameworkHandle {
  return {
    snapshot: () => snap, rng: () => 0, bind: () => Promise.resolve(),
    runFilterPlugins: () => { throw new Error('unused'); },
    runFilterPluginsWithNominatedPods: () => { throw new Error('unused'); },
    nominatedNodeOf: () => undefined,
    runPreFilterExtensionAddPod: () => { throw new Error('unused'); },
    runPreFilterExtensionRemovePod: () => { throw new Error('unused'); },
  };
}

/** Runs PreFilter (Skip → success) then Filter; returns [code, reasons]. */
function runFilter(p: AnyPlugin, pod: Pod, node: NodeInfo, snap = new Snapshot()): [number, string[]] {
  const state = new CycleState();
  const pi = podInfoOf(pod);
  if (p.preFilter) {
    const s = p.preFilter(state, pi, snap);
    if (s.code === Code.Skip) return [Code.Success, []];
    if (s.code !== Code.Success) return [s.code, [...s.reasons]];
  }
  const s = p.filter!(state, pi, node);
  return [s.code, [...s.reasons]];
}

test('NodeName: only the named node fits', () => {
  const p = nodeNamePlugin();
  const pod = makePod('p', { spec: { nodeName: 'n1' } });
  assert.deepEqual(runFilter(p, pod, info(makeNode('n1'))), [Code.Success, []]);
  assert.deepEqual(runFilter(p, pod, info(makeNode('n2'))),
    [Code.UnschedulableAndUnresolvable, ["node(s) didn't match the requested node name"]]);
});

test('NodeUnschedulable: refused unless the unschedulable taint is tolerated', () => {
  const p = nodeUnschedulablePlugin();
  const node = info(makeNode('n', { unschedulable: true }));
  assert.deepEqual(runFilter(p, makePod('a'), node), [Code.UnschedulableAndUnresolvable,
    ['node(s) were unschedulable']]);
  const tol = makePod('b', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists',
    effect: 'NoSchedule' }] } });
  assert.equal(runFilter(p, tol, node)[0], Code.Success);
});

test('TaintToleration filter table', () => {
  const p = taintTolerationPlugin();
  const cases: { taints: Node['spec'] extends infer S ? NonNullable<S> extends { taints?: infer T } ? T : never : never;
    tols?: Pod['spec'] extends infer S ? NonNullable<S> extends { tolerations?: infer T } ? T : never :
      never; want: number; reason?: string }[] = [
    { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], want: Code.UnschedulableAndUnresolvable,
      reason: 'node(s) had untolerated taint {dedicated: gpu}' },
    { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tols: [{ key: 'dedicated',
      operator: 'Equal', value: 'gpu' }], want: Code.Success },
    { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tols: [{ key: 'dedicated', value: 'cpu' }],
      want: Code.UnschedulableAndUnresolvable },
    { taints: [{ key: 'x', effect: 'NoExecute' }], tols: [{ operator: 'Exists' }], want: Code.Success },
    { taints: [{ key: 'x', effect: 'NoExecute' }], tols: [{ key: 'x', operator: 'Exists', effect: 'NoSchedule' }],
      want: Code.UnschedulableAndUnresolvable, reason: 'node(s) had untolerated taint {x: }' },
    { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }], want: Code.Success },
  ];
  for (const c of cases) {
    const [code, reasons] = runFilter(p, makePod('p', { spec: { tolerations: c.tols } }), info(makeNode('n',
      { taints: c.taints })));
    assert.equal(code, c.want, JSON.stringify(c));
    if (c.reason) assert.deepEqual(reasons, [c.reason]);
  }
});

test('TaintToleration score: fewer untolerated PreferNoSchedule taints score higher', () => {
  const p = taintTolerationPlugin();
  const state = new CycleState();
  const pod = podInfoOf(makePod('p'));
  p.preScore!(state, pod, [], 0);
  const nodes = [info(makeNode('a')), info(makeNode('b', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })),
    info(makeNode('c', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }, { key: 'j',
      effect: 'PreferNoSchedule' }] }))];
  const scores = new Float64Array(nodes.map((n) => p.score!(state, pod, n)));
  p.normalizeScore!(state, pod, scores, 3);
  assert.deepEqual([...scores], [100, 50, 0]);
});

test('NodeAffinity: nodeSelector and required terms with every operator', () => {
  const p = nodeAffinityPlugin();
  const node = info(makeNode('n1', { labels: { zone: 'a', gpus: '4', disk: 'ssd' } }));
  const term = (matchExpressions: object[], matchFields?: object[]) => makePod('p',
    { spec: { affinity: { nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions,
      matchFields } as never] } } } } });
  const cases: [Pod, boolean][] = [
    [makePod('s', { spec: { nodeSelector: { zone: 'a' } } }), true],
    [makePod('s', { spec: { nodeSelector: { zone: 'b' } } }), false],
    [term([{ key: 'zone', operator: 'In', values: ['a', 'b'] }]), true],
    [term([{ key: 'zone', operator: 'NotIn', values: ['a'] }]), false],
    [term([{ key: 'disk', operator: 'Exists' }]), true],
    [term([{ key: 'disk', operator: 'DoesNotExist' }]), false],
    [term([{ key: 'gpus', operator: 'Gt', values: ['3'] }]), true],
    [term([{ key: 'gpus', operator: 'Lt', values: ['3'] }]), false],
    [term([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }]), true],
    [term([], [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }]), false],
    [term([]), false],
  ];
  for (const [pod, fits] of cases) {
    const [code, reasons] = runFilter(p, pod, node);
    assert.equal(code === Code.Success, fits, JSON.stringify(pod.spec));
    if (!fits) assert.deepEqual(reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  }
});

test('NodeAffinity score: preferred weights, normalized by the maximum', () => {
  const p = nodeAffinityPlugin();
  const pod = podInfoOf(makePod('p',
    { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
    { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }] } } } }));
  const state = new CycleState();
  assert.equal(p.preScore!(state, pod, [], 0).code, Code.Success);
  const nodes = [info(makeNode('a', { labels: { zone: 'a' } })), info(makeNode('b', { labels: { zone: 'a',
    disk: 'x' } })), info(makeNode('c'))];
  const scores = new Float64Array(nodes.map((n) => p.score!(state, pod, n)));
  p.normalizeScore!(state, pod, scores, 3);
  assert.deepEqual([...scores], [25, 100, 0]);
});

test('NodeResourcesFit: requests incl. init containers max rule and overhead; reasons', () => {
  const pod = makePod('p', { cpu: '500m', memory: '1Gi' });
  pod.spec!.initContainers = [{ name: 'i', resources: { requests: { cpu: '2', memory: '100Mi' } } }];
  (pod.spec as { overhead?: object }).overhead = { cpu: '100m' };
  const r = podRequests(pod, false);
  assert.equal(r.cpuMilli, 2100);
  assert.equal(r.memBytes, 1024 ** 3);
  const nz = podRequests(makePod('empty'), true);
  assert.deepEqual([nz.cpuMilli, nz.memBytes], [100, 200 * 1024 * 1024]);

  const p = nodeResourcesFitPlugin();
  const cases: [Pod, Node, Pod[], string[]][] = [
    [makePod('a', { cpu: '1' }), makeNode('n', { cpu: '2' }), [], []],
    [makePod('a', { cpu: '3' }), makeNode('n', { cpu: '2' }), [], ['Insufficient cpu']],
    [makePod('a', { cpu: '1', memory: '9Gi' }), makeNode('n', { cpu: '2' }), [makePod('x', { cpu: '1500m',
      nodeName: 'n' })],
      ['Insufficient cpu', 'Insufficient memory']],
    [makePod('a'), makeNode('n', { pods: '1' }), [makePod('x', { nodeName: 'n' })], ['Too many pods']],
    [makePod('a', { extra: { 'example.com/gpu': '2' } }), makeNode('n', { extra: { 'example.com/gpu': '1' } }), [],
      ['Insufficient example.com/gpu']],
    [makePod('a', { extra: { 'example.com/gpu': '1' } }), makeNode('n', { extra: { 'example.com/gpu': '1' } }), [], []],
  ];
  for (const [pod, node, existing, want] of cases) {
    const [code, reasons] = runFilter(p, pod, info(node, existing));
    assert.deepEqual(reasons, want);
    assert.equal(code, want.length === 0 ? Code.Success : Code.Unschedulable);
  }
});

test('NodeResourcesFit scoring: LeastAllocated spreads, MostAllocated packs; BalancedAllocation', () => {
  const pod = podInfoOf(makePod('p', { cpu: '1', memory: '1Gi' }));
  const empty = info(makeNode('e', { cpu: '4', memory: '4Gi' }));
  const half = info(makeNode('h', { cpu: '4', memory: '4Gi' }), [makePod('x', { cpu: '1', memory: '1Gi',
    nodeName: 'h' })]);
  const least = nodeResourcesFitPlugin();
  const most = nodeResourcesFitPlugin({ scoringStrategy: { type: 'MostAllocated' } });
  const st = new CycleState();
  assert.deepEqual([least.score!(st, pod, empty), least.score!(st, pod, half)], [75, 50]);
  assert.deepEqual([most.score!(st, pod, empty), most.score!(st, pod, half)], [25, 50]);
  assert.equal(fitScore(pod, empty, [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }], false), 75);
  const bal = balancedAllocationPlugin();
  const skewed = info(makeNode('s', { cpu: '4', memory: '4Gi' }), [makePod('y', { cpu: '2', nodeName: 's' })]);
  assert.equal(bal.score!(st, pod, empty), 100);
  assert.equal(bal.score!(st, pod, skewed), 75); // cpu 3/4, memory 1/4: 1 - 0.5/2
  assert.equal(bal.preScore!(st, podInfoOf(makePod('be')), [], 0).code, Code.Skip);
});

test('NodePorts: host port conflicts by protocol, port and address', () => {
  const p = nodePortsPlugin();
  const withPort = (name: string, port: number, ip?: string, protocol?: string, nodeName?: string) => {
    const pod = makePod(name, { nodeName });
    pod.spec!.containers[0]!.ports = [{ containerPort: 80, hostPort: port, hostIP: ip, protocol }];
    return pod;
  };
  const node = info(makeNode('n'), [withPort('x', 8080, '10.0.0.1', 'TCP', 'n')]);
  assert.deepEqual(runFilter(p, withPort('a', 8080), node),
    [Code.Unschedulable, ["node(s) didn't have free ports for the requested pod ports"]]);
  assert.equal(runFilter(p, withPort('b', 8080, '10.0.0.2'), node)[0], Code.Success);
  assert.equal(runFilter(p, withPort('c', 8080, undefined, 'UDP'), node)[0], Code.Success);
  assert.equal(runFilter(p, withPort('d', 9090), node)[0], Code.Success);
  assert.equal(runFilter(p, makePod('e'), node)[0], Code.Success);
});

test('PodTopologySpread: maxSkew, missing label, minDomains', () => {
  const nodes = [makeNode('a1', { labels: { zone: 'a' } }), makeNode('b1', { labels: { zone: 'b' } }),
    makeNode('nolabel')];
  const existing = [makePod('x1', { labels: { app: 'w' }, nodeName: 'a1' }), makePod('x2', { labels: { app: 'w' },
    nodeName: 'a1' })];
  const snap = snapshotOf(nodes, existing);
  const p = podTopologySpreadPlugin(handleFor(snap));
  const pod = (minDomains?: number) => makePod('p', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{
    maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'w' } }, minDomains }] } });
  assert.deepEqual(runFilter(p, pod(), snap.get('a1')!, snap),
    [Code.Unschedulable, ["node(s) didn't match pod topology spread constraints"]]);
  assert.equal(runFilter(p, pod(), snap.get('b1')!, snap)[0], Code.Success);
  assert.deepEqual(runFilter(p, pod(), snap.get('nolabel')!, snap),
    [Code.UnschedulableAndUnresolvable,
      ["node(s) didn't match pod topology spread constraints (missing required label)"]]);
  // minDomains 3 > 2 domains: the global minimum counts as 0, so zone b (0 + 1 - 0) fits, zone a does not.
  assert.equal(runFilter(p, pod(3), snap.get('b1')!, snap)[0], Code.Success);
});

test('InterPodAffinity: required affinity, anti-affinity and existing pods anti-affinity symmetry', () => {
  const nodes = [makeNode('a1', { labels: { zone: 'a' } }), makeNode('b1', { labels: { zone: 'b' } })];
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
    { topologyKey: 'zone', labelSelector: { matchLabels: { role: 'db' } } }] } };
  const existing = [makePod('web', { labels: { app: 'web' }, nodeName: 'a1' }),
    makePod('lonely', { labels: { app: 'lonely' }, nodeName: 'b1', spec: { affinity: anti } })];
  const snap = snapshotOf(nodes, existing);
  const p = interPodAffinityPlugin(handleFor(snap));
  const affinity = makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
    { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }] } } } });
  assert.equal(runFilter(p, affinity, snap.get('a1')!, snap)[0], Code.Success);
  assert.deepEqual(runFilter(p, affinity, snap.get('b1')!, snap),
    [Code.UnschedulableAndUnresolvable, ["node(s) didn't match pod affinity rules"]]);
  const avoid = makePod('q', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
    { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }] } } } });
  assert.deepEqual(runFilter(p, avoid, snap.get('a1')!, snap), [Code.Unschedulable,
    ["node(s) didn't match pod anti-affinity rules"]]);
  const db = makePod('db', { labels: { role: 'db' } });
  assert.deepEqual(runFilter(p, db, snap.get('b1')!, snap),
    [Code.Unschedulable, ["node(s) didn't satisfy existing pods anti-affinity rules"]]);
  assert.equal(runFilter(p, db, snap.get('a1')!, snap)[0], Code.Success);
  // First pod of a self-affine group: nothing matches anywhere, the pod matches its own term.
  const first = makePod('f', { labels: { app: 'new' },
    spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
    { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'new' } } }] } } } });
  assert.equal(runFilter(p, first, snap.get('b1')!, snap)[0], Code.Success);
});

test('InterPodAffinity score: preferred affinity pulls toward the matching domain', () => {
  const nodes = [makeNode('a1', { labels: { zone: 'a' } }), makeNode('b1', { labels: { zone: 'b' } })];
  const snap = snapshotOf(nodes, [makePod('web', { labels: { app: 'web' }, nodeName: 'b1' })]);
  const p = interPodAffinityPlugin(handleFor(snap));
  const pod = podInfoOf(makePod('p',
    { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 50, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } } }] } } } }));
  const state = new CycleState();
  assert.equal(p.preScore!(state, pod, [], 0).code, Code.Success);
  const scores = new Float64Array([p.score!(state, pod, snap.get('a1')!), p.score!(state, pod, snap.get('b1')!)]);
  p.normalizeScore!(state, pod, scores, 2);
  assert.deepEqual([...scores], [0, 100]);
});
