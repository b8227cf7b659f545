// NodeResourcesBalancedAllocation (plugins/noderesources/balanced_allocation.go): favours
// nodes whose cpu and memory utilisation (requests incl. the pod, over allocatable) stay
// close: score = (1 - standard deviation of the fractions) * 100. Best-effort pods skip it.
import { Status, type AnyPlugin } from '../framework.js';
import { MAX_NODE_SCORE } from '../limits.js';
import { HOT_ALLOC_CPU, HOT_ALLOC_MEM, HOT_REQ_CPU, HOT_REQ_MEM, type NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { DEFAULT_SCORING_RESOURCES, resourceAmount, type ResourceWeight } from './node-resources-fit.js';

export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export function balancedScore(pod: PodInfo, node: NodeInfo, resources: readonly ResourceWeight[]): number {
  let n = 0;
  let sum = 0;
  let f0 = 0;
  let f1 = 0;
  const fractions: number[] = [];
  for (const r of resources) {
    const alloc = resourceAmount(node.allocatable, r.name);
    if (alloc === 0) continue;
    const req = resourceAmount(node.requested, r.name) + resourceAmount(pod.requests, r.name);
    const f = Math.min(1, req / alloc);
    if (n === 0) f0 = f; else if (n === 1) f1 = f;
    fractions.push(f);
    sum += f;
    n++;
  }
  let std = 0;
  if (n === 2) std = Math.abs(f0 - f1) / 2;
  else if (n > 2) {
    const mean = sum / n;
    let v = 0;
    for (const f of fractions) v += (f - mean) * (f - mean);
    std = Math.sqrt(v / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/**
 * The default cpu + memory case, from the node's row (NodeInfo.hot): 1 - |f_cpu - f_mem| / 2; NaN when
 * a resource has no allocatable (balancedScore skips it).
 */
function balancedCpuMemory(pod: PodInfo, t: Float64Array, at: number): number {
  const ac = t[at + HOT_ALLOC_CPU] as number;
  const am = t[at + HOT_ALLOC_MEM] as number;
  if (ac === 0 || am === 0) return NaN;
  const fc = Math.min(1, ((t[at + HOT_REQ_CPU] as number) + pod.requests.cpuMilli) / ac);
  const fm = Math.min(1, ((t[at + HOT_REQ_MEM] as number) + pod.requests.memBytes) / am);
  return Math.trunc((1 - Math.abs(fc - fm) / 2) * MAX_NODE_SCORE);
}

export function balancedAllocationPlugin(args: { resources?: ResourceWeight[] } = {}): AnyPlugin {
  const resources = args.resources ?? DEFAULT_SCORING_RESOURCES;
  const simple = resources.length === 2 && resources[0]?.name === 'cpu' && resources[1]?.name === 'memory';
  return {
    name: BALANCED_ALLOCATION,
    preScore(_state, pod) {
      for (const r of resources) if (resourceAmount(pod.requests, r.name) !== 0) return Status.SUCCESS;
      return Status.SKIP;
    },
    scoreRow(_state, pod, table, at) {
      return simple ? balancedCpuMemory(pod, table, at) : NaN;
    },
    score(_state, pod, node) {
      const v = simple ? balancedCpuMemory(pod, node.hot, node.hotAt) : NaN;
      return v === v ? v : balancedScore(pod, node, resources);
    },
  };
}
