// PodTopologySpread (plugins/podtopologyspread): DoNotSchedule constraints filter nodes where
// placing the pod would make (matching pods in the node's domain + self) - (global minimum)
// exceed maxSkew; ScheduleAnyway constraints score nodes with fewer matching pods higher.
// Nodes count only when they carry every constraint's key and, by the default
// nodeAffinityPolicy Honor, match the pod's nodeSelector/required node affinity.
import type { Pod, TopologySpreadConstraint } from '../../api/index.js';
import type { LabelSelector } from '../../api/index.js';
import { Action, Code, Status, type AnyPlugin, type CycleState, type FrameworkHandle } from '../framework.js';
import { MAX_NODE_SCORE } from '../limits.js';
import type { NodeInfo } from '../node-info.js';
import { compileSelector, type PodInfo } from '../pod-info.js';
import { findUntoleratedTaint } from './helpers.js';
import { requiredNodeAffinityMatches } from './node-affinity.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';
const SKEW = new Status(Code.Unschedulable, [ERR_REASON_CONSTRAINTS_NOT_MATCH], POD_TOPOLOGY_SPREAD);
const MISSING = new Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_NODE_LABEL_NOT_MATCH], POD_TOPOLOGY_SPREAD);
const PREFILTER_KEY = 'PreFilter' + POD_TOPOLOGY_SPREAD;
const PRESCORE_KEY = 'PreScore' + POD_TOPOLOGY_SPREAD;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function compile(pod: Pod, c: TopologySpreadConstraint): Constraint {
  const sel = { ...(c.labelSelector ?? {}) };
  // matchLabelKeys: the pod's values for those keys are ANDed into the selector.
  const labels = pod.metadata?.labels ?? {};
  const extra = (c.matchLabelKeys ?? []).filter((k) => labels[k] !== undefined)
    .map((k) => ({ key: k, operator: 'In', values: [labels[k] as string] }));
  if (extra.length > 0) sel.matchExpressions = [...(sel.matchExpressions ?? []), ...extra];
  return {
    maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector: compileSelector(sel), minDomains: c.minDomains ?? 1,
    honorAffinity: c.nodeAffinityPolicy !== 'Ignore', honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

function constraintsOf(pod: Pod, when: string): Constraint[] {
  return (pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === when).map((c) =>
    compile(pod, c));
}

function nodeEligible(pod: PodInfo, cs: readonly Constraint[], node: NodeInfo): boolean {
  for (const c of cs) if (node.labels[c.topologyKey] === undefined) return false;
  const c0 = cs[0];
  if (c0 === undefined) return false;
  if (c0.honorAffinity && !requiredNodeAffinityMatches(pod.pod.spec, node)) return false;
  const hard = (e: string) => e === 'NoSchedule' || e === 'NoExecute';
  if (c0.honorTaints && findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations, hard) !== undefined) return false;
  return true;
}

function countMatching(c: Constraint, ns: string, node: NodeInfo): number {
  let n = 0;
  for (const p of node.pods) if (p.namespace === ns && c.selector.matches(p.labels)) n++;
  return n;
}

class FilterState {
  constructor(readonly constraints: Constraint[], readonly counts: Map<string, number>[]) {}
  clone(): FilterState { return new FilterState(this.constraints, this.counts.map((m) => new Map(m))); }

  minMatch(i: number): number {
    const m = this.counts[i] as Map<string, number>;
    const c = this.constraints[i] as Constraint;
    if (m.size < c.minDomains) return 0;
    let min = Infinity;
    for (const v of m.values()) if (v < min) min = v;
    return min === Infinity ? 0 : min;
  }

  update(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    if (other.namespace !== pod.namespace || !nodeEligible(pod, this.constraints, node)) return;
    this.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels)) return;
      const m = this.counts[i] as Map<string, number>;
      const v = node.labels[c.topologyKey] as string;
      m.set(v, (m.get(v) ?? 0) + delta);
    });
  }
}

function preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
  const cs = constraintsOf(pod.pod, 'DoNotSchedule');
  if (cs.length === 0) return Status.SKIP;
  const counts = cs.map(() => new Map<string, number>());
  for (const node of nodes) {
    if (!nodeEligible(pod, cs, node)) continue;
    cs.forEach((c, i) => {
      const v = node.labels[c.topologyKey] as string;
      const m = counts[i] as Map<string, number>;
      m.set(v, (m.get(v) ?? 0) + countMatching(c, pod.namespace, node));
    });
  }
  state.write(PREFILTER_KEY, new FilterState(cs, counts));
  return Status.SUCCESS;
}

function filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
  const s = state.read<FilterState>(PREFILTER_KEY);
  if (s === undefined) return Status.SUCCESS;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i] as Constraint;
    const value = node.labels[c.topologyKey];
    if (value === undefined) return MISSING;
    const self = c.selector.matches(pod.labels) ? 1 : 0;
    const matchNum = (s.counts[i] as Map<string, number>).get(value) ?? 0;
    if (matchNum + self - s.minMatch(i) > c.maxSkew) return SKEW;
  }
  return Status.SUCCESS;
}

interface ScoreState { constraints: Constraint[]; counts: Map<string, number>[]; weights: number[] }

function preScore(state: CycleState, pod: PodInfo, all: readonly NodeInfo[]): Status {
  const cs = constraintsOf(pod.pod, 'ScheduleAnyway');
  if (cs.length === 0) return Status.SKIP;
  const counts = cs.map(() => new Map<string, number>());
  for (const node of all) {
    if (!nodeEligible(pod, cs, node)) continue;
    cs.forEach((c, i) => {
      const v = node.labels[c.topologyKey] as string;
      const m = counts[i] as Map<string, number>;
      m.set(v, (m.get(v) ?? 0) + countMatching(c, pod.namespace, node));
    });
  }
  // topologyNormalizingWeight: log(domains + 2), so constraints over few domains weigh less.
  const weights = counts.map((m) => Math.log(m.size + 2));
  state.write(PRESCORE_KEY, { constraints: cs, counts, weights } satisfies ScoreState);
  return Status.SUCCESS;
}

function score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
  const s = state.read<ScoreState>(PRESCORE_KEY);
  if (s === undefined) return 0;
  let total = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i] as Constraint;
    const v = node.labels[c.topologyKey];
    if (v === undefined) return -1; // ignored node: normalized to 0
    const cnt = (s.counts[i] as Map<string, number>).get(v) ?? 0;
    total += cnt * (s.weights[i] as number) + (c.maxSkew - 1);
  }
  return Math.round(total);
}

function normalize(scores: Float64Array, count: number): void {
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < count; i++) {
    const s = scores[i] as number;
    if (s < 0) continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  for (let i = 0; i < count; i++) {
    const s = scores[i] as number;
    if (s < 0) scores[i] = 0;
    else if (max === 0) scores[i] = MAX_NODE_SCORE;
    else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
  }
}

export function podTopologySpreadPlugin(handle: FrameworkHandle): AnyPlugin {
  return {
    name: POD_TOPOLOGY_SPREAD,
    eventsToRegister: () => [
      { event: { resource: 'Pod', action: Action.Add | Action.Delete | Action.UpdatePodLabel,
        label: 'AssignedPodChange' } },
      { event: { resource: 'Node', action: Action.Add | Action.Delete | Action.UpdateNodeLabel | Action.UpdateNodeTaint,
        label: 'NodeChange' } },
    ],
    preFilter(state, pod, snapshot) { return preFilter(state, pod, snapshot.nodeInfoList); },
    preFilterExtensions: {
      addPod(state, pod, added, node) { state.read<FilterState>(PREFILTER_KEY)?.update(pod, added, node,
        1); return Status.SUCCESS; },
      removePod(state, pod, removed, node) {
        state.read<FilterState>(PREFILTER_KEY)?.update(pod, removed, node, -1);
        return Status.SUCCESS;
      },
    },
    filter,
    preScore(state, pod) { return preScore(state, pod, handle.snapshot().nodeInfoList); },
    score,
    normalizeScore(_state, _pod, scores, count) { normalize(scores, count); },
  };
}
