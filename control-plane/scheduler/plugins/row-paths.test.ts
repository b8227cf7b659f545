// The plugins' row shortcuts (filterRow, scoreRow) against their NodeInfo paths: filterRow may say
// true only where filter() succeeds, and scoreRow, when it answers (not NaN), answers score()'s number.
// Random nodes (taints of every effect, unschedulable, host ports in use, zero allocatable) and pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod, Taint } from '../../api/index.js';
import { CycleState, type AnyPlugin } from '../framework.js';
import { HOT_STRIDE, NodeInfo } from '../node-info.js';
import { podInfoOf } from '../pod-info.js';
import { makeNode, makePod } from '../test-helpers.js';
import { balancedAllocationPlugin } from './balanced-allocation.js';
import { nodeNamePlugin } from './node-name.js';
import { nodePortsPlugin } from './node-ports.js';
import { nodeResourcesFitPlugin } from './node-resources-fit.js';
import { nodeUnschedulablePlugin } from './node-unschedulable.js';
import { taintTolerationPlugin } from './taint-toleration.js';

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;
test.after(() => console.log(`row-path properties ran with FC_SEED=${seed}`));

const PLUGINS: AnyPlugin[] = [
  nodeUnschedulablePlugin(), nodeNamePlugin(), taintTolerationPlugin(), nodePortsPlugin(), nodeResourcesFitPlugin(),
  nodeResourcesFitPlugin({ scoringStrategy: { type: 'MostAllocated' } }),
  nodeResourcesFitPlugin({ scoringStrategy: { resources: [{ name: 'cpu', weight: 2 }, { name: 'memory', weight: 1 }] } }),
  balancedAllocationPlugin(),
];

const quantity = (unit: string) => fc.integer({ min: 0, max: 40 }).map((n) => `${n}${unit}`);
const taint: fc.Arbitrary<Taint> = fc.record({
  key: fc.constantFrom('a', 'b'), value: fc.constantFrom('x', 'y'),
  effect: fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule'),
});
const podSpec = fc.record({
  cpu: fc.option(quantity('00m'), { nil: undefined }), memory: fc.option(quantity('Mi'), { nil: undefined }),
  gpu: fc.boolean(), port: fc.option(fc.constantFrom(80, 443), { nil: undefined }),
  nodeName: fc.option(fc.constantFrom('', 'n', 'other'), { nil: undefined }),
  tolerate: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
});
type PodSpecArb = typeof podSpec extends fc.Arbitrary<infer T> ? T : never;

function pod(name: string, s: PodSpecArb, bound?: string): Pod {
  const p = makePod(name, { cpu: s.cpu, memory: s.memory, nodeName: bound ?? s.nodeName,
    extra: s.gpu ? { 'example.com/gpu': '1' } : undefined,
    spec: s.tolerate === undefined ? {} : { tolerations: [{ key: s.tolerate, operator: 'Exists' }] } });
  if (s.port !== undefined) {
    const c = p.spec!.containers[0]!;
    c.ports = [{ containerPort: s.port, hostPort: s.port }];
  }
  return p;
}

test('filterRow true only where filter() succeeds; scoreRow equals score() where it answers', () => {
  let passed = 0;
  let scored = 0;
  fc.assert(fc.property(
    fc.record({
      cpu: quantity(''), memory: quantity('Gi'), pods: fc.integer({ min: 0, max: 3 }).map(String),
      taints: fc.array(taint, { maxLength: 2 }), unschedulable: fc.boolean(), gpu: fc.boolean(),
    }),
    fc.array(podSpec, { maxLength: 3 }), podSpec, fc.nat(4),
    (n, onNode, incoming, row) => {
      const node = makeNode('n', { cpu: n.cpu, memory: n.memory, pods: n.pods, taints: n.taints,
        unschedulable: n.unschedulable, extra: n.gpu ? { 'example.com/gpu': '2' } : undefined });
      // A snapshot-like table with the node at `row`, next to the NodeInfo's own table.
      const table = new Float64Array(5 * HOT_STRIDE).fill(-1);
      const own = new NodeInfo('n');
      own.setNode(node);
      onNode.forEach((s, i) => own.addPod(podInfoOf(pod(`on-${i}`, s, 'n'))));
      const inTable = own.clone(table, row * HOT_STRIDE);
      const pi = podInfoOf(pod('incoming', incoming));
      for (const p of PLUGINS) {
        const state = new CycleState();
        p.preScore?.(state, pi, [inTable], 1);
        for (const ni of [own, inTable]) {
          if (p.filterRow?.(state, pi, ni.hot, ni.hotAt) === true) {
            passed++;
            assert.equal(p.filter!(state, pi, ni).isSuccess(), true, `${p.name} filterRow passed a failing node`);
          }
          const v = p.scoreRow?.(state, pi, ni.hot, ni.hotAt) ?? NaN;
          if (!Number.isNaN(v)) scored++;
          if (!Number.isNaN(v)) assert.equal(v, p.score!(state, pi, ni), `${p.name} scoreRow`);
        }
      }
    }), { seed, numRuns: Number(process.env['FC_RUNS'] ?? 500) });
  assert.ok(passed > 0 && scored > 0, 'the shortcuts answered at least sometimes');
});
