// InterPodAffinity (plugins/interpodaffinity). Filter: the pod's required affinity terms need
// a matching pod in the node's topology domain (or, for the first pod of a group, none
// anywhere and the pod matching its own terms); its required anti-affinity terms need none;
// and no existing pod's required anti-affinity may match the pod in the node's domains
// (symmetry). Score: preferred terms of the pod and of existing pods, min-max normalized.
import { Action, Code, Status, type AnyPlugin, type CycleState, type FrameworkHandle } from '../framework.js';
import { DEFAULT_HARD_POD_AFFINITY_WEIGHT, MAX_NODE_SCORE } from '../limits.js';
import type { NodeInfo } from '../node-info.js';
import { termMatches, type AffinityTerm, type PodInfo } from '../pod-info.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const AFFINITY = new Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_AFFINITY], INTER_POD_AFFINITY);
const ANTI = new Status(Code.Unschedulable, [ERR_REASON_ANTI_AFFINITY], INTER_POD_AFFINITY);
const EXISTING = new Status(Code.Unschedulable, [ERR_REASON_EXISTING_ANTI_AFFINITY], INTER_POD_AFFINITY);
const PREFILTER_KEY = 'PreFilter' + INTER_POD_AFFINITY;
const PRESCORE_KEY = 'PreScore' + INTER_POD_AFFINITY;

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

function bump(m: Map<string, number>, k: string, d: number): void {
  const v = (m.get(k) ?? 0) + d;
  if (v === 0) m.delete(k); else m.set(k, v);
}

const matchesAll = (terms: readonly AffinityTerm[], pi: PodInfo): boolean => terms.every((t) => termMatches(t, pi));

class FilterState {
  constructor(readonly existingAnti: Map<string, number>, readonly affinity: Map<string, number>,
    readonly anti: Map<string, number>) {}
  clone(): FilterState { return new FilterState(new Map(this.existingAnti), new Map(this.affinity),
    new Map(this.anti)); }

  /** updateWithPod: account an existing pod (delta +1) or its removal (-1) on node. */
  update(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    for (const t of other.requiredAntiAffinity ?? []) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, pod)) bump(this.existingAnti, pair(t.topologyKey, v), delta);
    }
    this.updateIncoming(pod, other, node, delta);
  }

  /** The incoming pod's own required terms against an existing pod. */
  updateIncoming(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    const aff = pod.requiredAffinity;
    if (aff !== null && matchesAll(aff, other)) {
      for (const t of aff) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined) bump(this.affinity, pair(t.topologyKey, v), delta);
      }
    }
    for (const t of pod.requiredAntiAffinity ?? []) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, other)) bump(this.anti, pair(t.topologyKey, v), delta);
    }
  }
}

function preFilter(state: CycleState, pod: PodInfo, all: readonly NodeInfo[], withAnti: readonly NodeInfo[]): Status {
  if (pod.requiredAffinity === null && pod.requiredAntiAffinity === null && withAnti.length === 0) return Status.SKIP;
  const s = new FilterState(new Map(), new Map(), new Map());
  for (const node of withAnti) {
    for (const other of node.podsWithRequiredAntiAffinity) {
      for (const t of other.requiredAntiAffinity ?? []) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod)) bump(s.existingAnti, pair(t.topologyKey, v), 1);
      }
    }
  }
  if (pod.requiredAffinity !== null || pod.requiredAntiAffinity !== null) {
    for (const node of all) for (const other of node.pods) s.updateIncoming(pod, other, node, 1);
  }
  state.write(PREFILTER_KEY, s);
  return Status.SUCCESS;
}

function filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
  const s = state.read<FilterState>(PREFILTER_KEY);
  if (s === undefined) return Status.SUCCESS;
  const aff = pod.requiredAffinity;
  if (aff !== null) {
    let podsExist = true;
    for (const t of aff) {
      const v = node.labels[t.topologyKey];
      if (v === undefined) return AFFINITY;
      if ((s.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    if (!podsExist && !(s.affinity.size === 0 && matchesAll(aff, pod))) return AFFINITY;
  }
  if (s.anti.size > 0) {
    for (const t of pod.requiredAntiAffinity ?? []) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (s.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) return ANTI;
    }
  }
  if (s.existingAnti.size > 0) {
    for (const k of Object.keys(node.labels)) if ((s.existingAnti.get(pair(k,
      node.labels[k] as string)) ?? 0) > 0) return EXISTING;
  }
  return Status.SUCCESS;
}

function scoreExisting(scores: Map<string, number>, pod: PodInfo, other: PodInfo, node: NodeInfo,
  hardWeight: number): void {
  const add = (terms: readonly AffinityTerm[] | null, target: PodInfo, sign: number, weightOf: (t: AffinityTerm) =>
    number) => {
    for (const t of terms ?? []) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, target)) bump(scores, pair(t.topologyKey, v), sign * weightOf(t));
    }
  };
  add(pod.preferredAffinity, other, 1, (t) => t.weight);
  add(pod.preferredAntiAffinity, other, -1, (t) => t.weight);
  if (hardWeight > 0) add(other.requiredAffinity, pod, 1, () => hardWeight);
  add(other.preferredAffinity, pod, 1, (t) => t.weight);
  add(other.preferredAntiAffinity, pod, -1, (t) => t.weight);
}

export function interPodAffinityPlugin(handle: FrameworkHandle, args: { hardPodAffinityWeight?: number } =
  {}): AnyPlugin {
  const hardWeight = args.hardPodAffinityWeight ?? DEFAULT_HARD_POD_AFFINITY_WEIGHT;
  return {
    name: INTER_POD_AFFINITY,
    eventsToRegister: () => [
      { event: { resource: 'Pod', action: Action.Add | Action.Delete | Action.UpdatePodLabel,
        label: 'AssignedPodChange' } },
      { event: { resource: 'Node', action: Action.Add | Action.UpdateNodeLabel, label: 'NodeLabelChange' } },
    ],
    preFilter(state, pod, snapshot) {
      return preFilter(state, pod, snapshot.nodeInfoList, snapshot.havePodsWithRequiredAntiAffinityList);
    },
    preFilterExtensions: {
      addPod(state, pod, added, node) { state.read<FilterState>(PREFILTER_KEY)?.update(pod, added, node,
        1); return Status.SUCCESS; },
      removePod(state, pod, removed, node) {
        state.read<FilterState>(PREFILTER_KEY)?.update(pod, removed, node, -1);
        return Status.SUCCESS;
      },
    },
    filter,
    preScore(state, pod) {
      const snap = handle.snapshot();
      const hasPreferred = pod.preferredAffinity !== null || pod.preferredAntiAffinity !== null;
      if (!hasPreferred && snap.havePodsWithAffinityList.length === 0) return Status.SKIP;
      const scores = new Map<string, number>();
      const keys = new Set<string>();
      for (const node of hasPreferred ? snap.nodeInfoList : snap.havePodsWithAffinityList) {
        for (const other of hasPreferred ? node.pods : node.podsWithAffinity) scoreExisting(scores, pod, other,
          node, hardWeight);
      }
      if (scores.size === 0) return Status.SKIP;
      for (const k of scores.keys()) keys.add(k.slice(0, k.indexOf('\u0000')));
      state.write(PRESCORE_KEY, { scores, keys: [...keys] });
      return Status.SUCCESS;
    },
    score(state, _pod, node) {
      const s = state.read<{ scores: Map<string, number>; keys: string[] }>(PRESCORE_KEY);
      if (s === undefined) return 0;
      let total = 0;
      for (const k of s.keys) {
        const v = node.labels[k];
        if (v !== undefined) total += s.scores.get(pair(k, v)) ?? 0;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores, count) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < count; i++) { const v = scores[i] as number; if (v < min) min = v; if (v > max) max = v; }
      const diff = max - min;
      for (let i = 0; i < count; i++) {
        scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * ((scores[i] as number) - min)) / diff) : 0;
      }
    },
  };
}
