// DefaultPreemption (plugins/defaultpreemption, framework/preemption) as PostFilter: on nodes
// rejected as Unschedulable (not ...AndUnresolvable), dry-run removing every lower-priority pod,
// keep the node if the pod then passes the filters, reprieve victims most-important first
// while it still fits; pick the candidate with the lowest highest-victim priority, then the
// lowest priority sum, then the fewest victims. The caller deletes the victims and sets
// status.nominatedNodeName; PodDisruptionBudgets are not considered.
import { Code, Status, type AnyPlugin, type CycleState, type Diagnosis, type FrameworkHandle } from '../framework.js';
import { nodesAvailableMessage, reasonHistogram } from '../fit-error.js';
import { DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE, DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE } from '../limits.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS_STATUS = new Status(Code.UnschedulableAndUnresolvable, [NO_VICTIMS], DEFAULT_PREEMPTION);
const NOT_HELPFUL_STATUS = new Status(Code.UnschedulableAndUnresolvable, [NOT_HELPFUL], DEFAULT_PREEMPTION);

export interface PreemptionArgs { minCandidateNodesPercentage?: number; minCandidateNodesAbsolute?: number }

interface Candidate { node: string; victims: PodInfo[] }

/** MoreImportantPod: higher priority first, then the earlier created. */
const moreImportant = (a: PodInfo, b: PodInfo): number => b.priority - a.priority || a.creationMs - b.creationMs;

function selectVictimsOnNode(h: FrameworkHandle, state: CycleState, pod: PodInfo, node: NodeInfo): PodInfo[] | Status {
  const potential = node.pods.filter((p) => p.priority < pod.priority);
  if (potential.length === 0) return NO_VICTIMS_STATUS;
  for (const p of potential) {
    node.removePod(p.key);
    h.runPreFilterExtensionRemovePod(state, pod, p, node);
  }
  const st = h.runFilterPluginsWithNominatedPods(state, pod, node);
  if (!st.isSuccess()) return st;
  potential.sort(moreImportant);
  const victims: PodInfo[] = [];
  for (const p of potential) {
    node.addPod(p);
    h.runPreFilterExtensionAddPod(state, pod, p, node);
    if (!h.runFilterPluginsWithNominatedPods(state, pod, node).isSuccess()) {
      node.removePod(p.key);
      h.runPreFilterExtensionRemovePod(state, pod, p, node);
      victims.push(p);
    }
  }
  return victims;
}

/** pickOneNodeForPreemption, without PDBs and start times. */
export function pickCandidate(cands: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  let bestKey: number[] = [];
  for (const c of cands) {
    const highest = c.victims.reduce((m, v) => Math.max(m, v.priority), -Infinity);
    // Priorities are shifted to be positive before summing, as Kubernetes does.
    const sum = c.victims.reduce((s, v) => s + v.priority + 2 ** 31 + 1, 0);
    const key = [highest, sum, c.victims.length];
    if (best === undefined || lexLess(key, bestKey)) { best = c; bestKey = key; }
  }
  return best;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
  return false;
}

function numCandidates(args: PreemptionArgs, numNodes: number): number {
  const pct = args.minCandidateNodesPercentage ?? DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE;
  const abs = args.minCandidateNodesAbsolute ?? DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE;
  return Math.min(numNodes, Math.max(Math.trunc((numNodes * pct) / 100), abs));
}

/** podTerminatingByPreemption: being deleted, with the DisruptionTarget condition the scheduler wrote. */
function terminatingByPreemption(p: PodInfo): boolean {
  if (p.pod.metadata?.deletionTimestamp === undefined) return false;
  const c = p.pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  return c?.status === 'True' && c.reason === 'PreemptionByScheduler';
}

/**
 * PodEligibleToPreemptOthers: a pod whose nominated node still has a lower-priority victim of a
 * preemption terminating waits for it instead of preempting again — unless the filters now rule that
 * node out for good (UnschedulableAndUnresolvable, e.g. a new taint), when it may look elsewhere.
 * Pods terminating for other reasons (a finalizer, a long grace period) do not hold it back.
 */
function waitsForVictims(h: FrameworkHandle, pod: PodInfo, d: Diagnosis): boolean {
  const nominated = h.nominatedNodeOf(pod);
  if (!nominated) return false;
  const st = d.nodeToStatus.get(nominated) ?? d.absentStatus;
  if (st?.code === Code.UnschedulableAndUnresolvable) return false;
  const node = h.snapshot().get(nominated);
  return node?.pods.some((p) => p.priority < pod.priority && terminatingByPreemption(p)) ?? false;
}

function preempt(h: FrameworkHandle, args: PreemptionArgs, state: CycleState, pod: PodInfo, d: Diagnosis) {
  if (pod.pod.spec?.preemptionPolicy === 'Never') {
    return { result: null, status: new Status(Code.Unschedulable, ['not eligible due to preemptionPolicy=Never.'],
      DEFAULT_PREEMPTION) };
  }
  if (waitsForVictims(h, pod, d)) {
    return { result: null, status: new Status(Code.Unschedulable, ['not eligible due to a terminating pod on the ' +
      'nominated node.'], DEFAULT_PREEMPTION) };
  }
  const all = h.snapshot().nodeInfoList;
  const potential = all.filter((n) => (d.nodeToStatus.get(n.name) ?? d.absentStatus)?.code === Code.Unschedulable);
  const statuses = new Map<string, Status>();
  const cands: Candidate[] = [];
  const want = numCandidates(args, potential.length);
  const offset = potential.length === 0 ? 0 : Math.floor(h.rng() * potential.length);
  for (let i = 0; i < potential.length && cands.length < want; i++) {
    const node = potential[(offset + i) % potential.length] as NodeInfo;
    const r = selectVictimsOnNode(h, state.clone(), pod, node.clone());
    if (r instanceof Status) statuses.set(node.name, r);
    else if (r.length > 0) cands.push({ node: node.name, victims: r });
  }
  const best = pickCandidate(cands);
  if (best === undefined) {
    const msg = nodesAvailableMessage(all.length, reasonHistogram(statuses, all.length, NOT_HELPFUL_STATUS));
    return { result: { nominatedNodeName: '', victims: [] }, status: new Status(Code.Unschedulable, [msg],
      DEFAULT_PREEMPTION) };
  }
  return { result: { nominatedNodeName: best.node, victims: best.victims.map((v) => v.pod) }, status: Status.SUCCESS };
}

export function defaultPreemptionPlugin(handle: FrameworkHandle, args: PreemptionArgs = {}): AnyPlugin {
  return {
    name: DEFAULT_PREEMPTION,
    postFilter(state, pod, diagnosis) {
      const { result, status } = preempt(handle, args, state, pod, diagnosis);
      // The plugin prefixes its message, giving "... preemption: 0/N nodes are available: ...".
      if (status.reasons.length > 0) return { result, status: new Status(status.code,
        [`preemption: ${status.message()}`], DEFAULT_PREEMPTION) };
      return { result, status };
    },
  };
}
