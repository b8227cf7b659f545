// NodeResourcesBalancedAllocation (plugins/noderesources/balanced_allocation.go): favours
// nodes whose cpu and memory utilisation (requests incl. the pod, over allocatable) stay
// close: score = (1 - standard deviation of the fractions) * 100. Best-effort pods skip it.
import { Status, type AnyPlugin } from '../framework.js';
import { MAX_NODE_SCORE } from '../limits.js';
import type { NodeInfo } from '../node-info.js';
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

/** The default cpu + memory case without allocation: 1 - |f_cpu - f_mem| / 2. */
function balancedCpuMemory(pod: PodInfo, node: NodeInfo): number {
  const ac = node.allocCpuMilli;
  const am = node.allocMemBytes;
  if (ac === 0 || am === 0) return -1;
  const fc = Math.min(1, (node.requestedCpuMilli + pod.requests.cpuMilli) / ac);
  const fm = Math.min(1, (node.requestedMemBytes + pod.requests.memBytes) / am);
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
    score(_state, pod, node) {
      if (simple) {
        const s = balancedCpuMemory(pod, node);
        if (s >= 0) return s;
      }
      return balancedScore(pod, node, resources);
    },
  };
}
