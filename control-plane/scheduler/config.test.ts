import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfiguration, loadSchedulerConfig } from './config.js';
import { SchedulerConfigError } from './errors.js';
import { Framework } from './runtime.js';

const names = (f: Framework) => ({
  filter: f.filterPlugins.map((p) => p.name),
  score: f.scorePlugins.map((s) => `${s.plugin.name}:${s.weight}`),
  postFilter: f.postFilterPlugins.map((p) => p.name),
  bind: f.bindPlugins.map((p) => p.name),
});
const deps = { binder: { bind: () => Promise.resolve() }, rng: () => 0 };

test('default profile: default-scheduler with Kubernetes plugin order and weights', () => {
  const cfg = defaultConfiguration();
  assert.equal(cfg.profiles.length, 1);
  assert.equal(cfg.profiles[0]!.schedulerName, 'default-scheduler');
  assert.deepEqual([cfg.percentageOfNodesToScore, cfg.podInitialBackoffMs, cfg.podMaxBackoffMs], [0, 1000, 10000]);
  const f = new Framework(cfg.profiles[0]!, deps);
  assert.deepEqual(names(f), {
    filter: ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit',
      'PodTopologySpread', 'InterPodAffinity'],
    score: ['TaintToleration:3', 'NodeAffinity:2', 'NodeResourcesFit:1', 'PodTopologySpread:2', 'InterPodAffinity:2',
      'NodeResourcesBalancedAllocation:1'],
    postFilter: ['DefaultPreemption'],
    bind: ['DefaultBinder'],
  });
});

test('profiles enable, disable and re-weight plugins per extension point', () => {
  const cfg = loadSchedulerConfig(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 20
podInitialBackoffSeconds: 2
podMaxBackoffSeconds: 20
profiles:
- schedulerName: a
  percentageOfNodesToScore: 50
  plugins:
    score:
      disabled: [{name: "*"}]
      enabled: [{name: NodeResourcesFit, weight: 5}]
    postFilter:
      disabled: [{name: DefaultPreemption}]
- schedulerName: b
  plugins:
    multiPoint:
      disabled: [{name: InterPodAffinity}]
`);
  assert.deepEqual([cfg.percentageOfNodesToScore, cfg.podInitialBackoffMs, cfg.podMaxBackoffMs], [20, 2000, 20000]);
  const a = new Framework(cfg.profiles[0]!, deps);
  assert.equal(a.percentageOfNodesToScore, 50);
  assert.deepEqual(names(a).score, ['NodeResourcesFit:5']);
  assert.deepEqual(names(a).postFilter, []);
  const b = new Framework(cfg.profiles[1]!, deps);
  assert.ok(!names(b).filter.includes('InterPodAffinity'));
  assert.ok(!names(b).score.some((s) => s.startsWith('InterPodAffinity')));
});

test('validation names every bad field path', () => {
  const bad = `
apiVersion: kubescheduler.config.k8s.io/v2
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 120
profiles:
- schedulerName: x
  plugins:
    score:
      enabled: [{name: Nope}, {name: NodeAffinity, weight: 101}]
    sideways: {}
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: RequestedToCapacityRatio
        resources: [{name: cpu, weight: 0}]
- schedulerName: x
`;
  try {
    loadSchedulerConfig(bad);
    assert.fail('expected a SchedulerConfigError');
  } catch (e) {
    assert.ok(e instanceof SchedulerConfigError);
    assert.equal(e.code, 'FLOTILLA_ERR_SCHEDULER_CONFIG');
    assert.deepEqual(e.causes, [
      'apiVersion: Unsupported value: "kubescheduler.config.k8s.io/v2": supported values: "kubescheduler.config.k8s.io/v1"',
      'percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]',
      'profiles[0].plugins.score.enabled[0].name: Invalid value: "Nope": unknown plugin',
      'profiles[0].plugins.score.enabled[1].weight: Invalid value: 101: not in valid range [0-100]',
      'profiles[0].plugins.sideways: Unsupported value: "sideways": supported values: "multiPoint", "preEnqueue", "queueSort", '
        + '"preFilter", "filter", "postFilter", "preScore", "score", "reserve", "permit", "preBind", "bind", "postBind"',
      'profiles[0].pluginConfig[0].args.scoringStrategy.type: Unsupported value: "RequestedToCapacityRatio": '
        + 'supported values: "LeastAllocated", "MostAllocated"',
      'profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight: Invalid value: 0: '
        + 'resource weight of cpu not in valid range [1, 100]',
      'profiles[1].schedulerName: Duplicate value: "x"',
    ]);
  }
  assert.throws(() => loadSchedulerConfig('a: [b'), { code: 'FLOTILLA_ERR_SCHEDULER_CONFIG' });
  assert.throws(() => new Framework(loadSchedulerConfig({ apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
      profiles: [{ plugins: { filter: { enabled: [{ name: 'DefaultBinder' }] } } }] }).profiles[0]!, deps),
  /does not support extension point filter/);
});
