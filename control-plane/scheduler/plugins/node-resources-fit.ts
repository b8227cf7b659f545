// NodeResourcesFit (plugins/noderesources/fit.go): Filter refuses nodes whose allocatable
// minus what their pods request cannot hold the pod's requests (cpu, memory, extended
// resources, pod count); Score ranks by the configured strategy over the non-zero requests:
// LeastAllocated (default, spreads) or MostAllocated (packs).
import type { Node } from '../../api/index.js';
import { Action, Code, Status, type AnyPlugin } from '../framework.js';
import { MAX_NODE_SCORE } from '../limits.js';
import {
  HOT_ALLOC_CPU, HOT_ALLOC_MEM, HOT_ALLOC_PODS, HOT_NZ_CPU, HOT_NZ_MEM, HOT_PODS, HOT_REQ_CPU, HOT_REQ_MEM,
  NodeInfo as NodeInfoClass, type NodeInfo,
} from '../node-info.js';
import { podInfoOf, type PodInfo, type Resources } from '../pod-info.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
export const TOO_MANY_PODS = 'Too many pods';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated';
export interface ResourceWeight { name: string; weight: number }
export interface FitArgs { scoringStrategy?: { type?: ScoringStrategyType; resources?: ResourceWeight[] } }

export const DEFAULT_SCORING_RESOURCES: readonly ResourceWeight[] = [{ name: 'cpu', weight: 1 }, { name: 'memory',
  weight: 1 }];

const TOO_MANY = new Status(Code.Unschedulable, [TOO_MANY_PODS], NODE_RESOURCES_FIT);
const INSUFFICIENT_CPU = new Status(Code.Unschedulable, ['Insufficient cpu'], NODE_RESOURCES_FIT);
const INSUFFICIENT_MEMORY = new Status(Code.Unschedulable, ['Insufficient memory'], NODE_RESOURCES_FIT);

export function resourceAmount(r: Resources, name: string): number {
  if (name === 'cpu') return r.cpuMilli;
  if (name === 'memory') return r.memBytes;
  return r.scalar?.get(name) ?? 0;
}

/** fitsRequest: every insufficient resource, in Kubernetes' order (pods, cpu, memory, scalars). */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.pods.length + 1 > node.allocatablePods) reasons.push(TOO_MANY_PODS);
  const req = pod.requests;
  if (req.cpuMilli === 0 && req.memBytes === 0 && (req.scalar === null || req.scalar.size === 0)) return reasons;
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.cpuMilli > 0 && req.cpuMilli > alloc.cpuMilli - used.cpuMilli) reasons.push('Insufficient cpu');
  if (req.memBytes > 0 && req.memBytes > alloc.memBytes - used.memBytes) reasons.push('Insufficient memory');
  if (req.scalar !== null) {
    for (const [name, amount] of req.scalar) {
      if (amount > 0 &&
        amount > (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) reasons.push(`Insufficient ${name}`);
    }
  }
  return reasons;
}

function fitStatus(reasons: string[]): Status {
  if (reasons.length === 1) {
    if (reasons[0] === TOO_MANY_PODS) return TOO_MANY;
    if (reasons[0] === 'Insufficient cpu') return INSUFFICIENT_CPU;
    if (reasons[0] === 'Insufficient memory') return INSUFFICIENT_MEMORY;
  }
  return new Status(Code.Unschedulable, reasons, NODE_RESOURCES_FIT);
}

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

/** The fit scorer: weighted mean over the strategy's resources with non-zero allocatable. */
export function fitScore(pod: PodInfo, node: NodeInfo, resources: readonly ResourceWeight[], most: boolean): number {
  let total = 0;
  let weights = 0;
  for (const r of resources) {
    const alloc = resourceAmount(node.allocatable, r.name);
    if (alloc === 0) continue;
    const req = resourceAmount(node.nonZeroRequested, r.name) + resourceAmount(pod.nonZero, r.name);
    total += (most ? mostRequestedScore(req, alloc) : leastRequestedScore(req, alloc)) * r.weight;
    weights += r.weight;
  }
  return weights === 0 ? 0 : Math.trunc(total / weights);
}

/** The common pod (cpu/memory only) that fits: pod count, cpu and memory from the node's row (NodeInfo.hot). */
function fitsFast(req: Resources, t: Float64Array, at: number): boolean {
  return req.scalar === null && (t[at + HOT_PODS] as number) + 1 <= (t[at + HOT_ALLOC_PODS] as number)
    && req.cpuMilli <= (t[at + HOT_ALLOC_CPU] as number) - (t[at + HOT_REQ_CPU] as number)
    && req.memBytes <= (t[at + HOT_ALLOC_MEM] as number) - (t[at + HOT_REQ_MEM] as number);
}

/** The cpu + memory (weight 1 each) score from the node's row; NaN when a resource has no allocatable. */
function simpleScore(pod: PodInfo, t: Float64Array, at: number, most: boolean): number {
  const ac = t[at + HOT_ALLOC_CPU] as number;
  const am = t[at + HOT_ALLOC_MEM] as number;
  if (ac === 0 || am === 0) return NaN;
  const p = pod.nonZero;
  const score = most ? mostRequestedScore : leastRequestedScore;
  return Math.trunc((score((t[at + HOT_NZ_CPU] as number) + p.cpuMilli, ac)
    + score((t[at + HOT_NZ_MEM] as number) + p.memBytes, am)) / 2);
}

export function nodeResourcesFitPlugin(args: FitArgs = {}): AnyPlugin {
  const most = args.scoringStrategy?.type === 'MostAllocated';
  const resources = args.scoringStrategy?.resources ?? DEFAULT_SCORING_RESOURCES;
  // The common case (cpu + memory, weight 1 each) inlined for the hot path.
  const simple = resources.length === 2 && resources[0]?.name === 'cpu' && resources[1]?.name === 'memory'
    && resources[0].weight === 1 && resources[1].weight === 1;
  return {
    name: NODE_RESOURCES_FIT,
    eventsToRegister: () => [
      { event: { resource: 'Pod', action: Action.Delete | Action.UpdatePodScaleDown, label: 'AssignedPodScaleDown' } },
      {
        event: { resource: 'Node', action: Action.Add | Action.UpdateNodeAllocatable, label: 'NodeAllocatableChange' },
        // isSchedulableAfterNodeChange: queue only if the pod fits the node's allocatable at all.
        hint: (pod, _old, newObj) => {
          const ni = new NodeInfoClass((newObj as Node | undefined)?.metadata?.name ?? '');
          if (newObj !== undefined) ni.setNode(newObj as Node);
          return insufficientResources(podInfoOf(pod), ni).length === 0 ? 'Queue' : 'QueueSkip';
        },
      },
      { event: { resource: 'UnscheduledPod', action: Action.UpdatePodScaleDown, label: 'PodRequestScaledDown' } },
    ],
    filterRow(_state, pod, table, at) {
      return fitsFast(pod.requests, table, at);
    },
    filter(_state, pod, node) {
      if (fitsFast(pod.requests, node.hot, node.hotAt)) return Status.SUCCESS;
      const reasons = insufficientResources(pod, node);
      return reasons.length === 0 ? Status.SUCCESS : fitStatus(reasons);
    },
    scoreRow(_state, pod, table, at) {
      return simple ? simpleScore(pod, table, at, most) : NaN;
    },
    score(_state, pod, node) {
      const v = simple ? simpleScore(pod, node.hot, node.hotAt, most) : NaN;
      return v === v ? v : fitScore(pod, node, resources, most);
    },
  };
}
