// The scheduling framework's vocabulary (pkg/scheduler/framework/interface.go): status codes,
// CycleState, the plugin interfaces of each extension point and the cluster events plugins
// register so the queue knows when a pod they rejected may have become schedulable.
import type { Node, Pod } from '../api/index.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './cache.js';

/**
 * Status codes and what they mean for the queue:
 * - Success: the plugin is satisfied.
 * - Error: an internal failure; the pod goes to backoffQ and is retried after its backoff,
 *   no cluster event needed.
 * - Unschedulable: the node does not fit now, but preemption (PostFilter) or a cluster event
 *   the rejecting plugin registered may help; the pod waits among the unschedulable pods.
 * - UnschedulableAndUnresolvable: as Unschedulable, but preemption on that node cannot help
 *   (DefaultPreemption skips such nodes); events still move the pod.
 * - Wait: Permit only: the pod waits (with a timeout) for allow/reject before binding.
 * - Skip: PreFilter/PreScore: the plugin has nothing to check for this pod, so its Filter /
 *   Score is not called this cycle; Bind: this bind plugin leaves the pod to the next one.
 * - Pending: the pod waits for something outside the scheduler; only an event moves it, and
 *   it gets no backoff.
 */
export const Code = {
  Success: 0, Error: 1, Unschedulable: 2, UnschedulableAndUnresolvable: 3, Wait: 4, Skip: 5, Pending: 6,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export class Status {
  constructor(readonly code: Code, readonly reasons: readonly string[] = [], public plugin = '') {}

  static readonly SUCCESS = new Status(Code.Success);
  static readonly SKIP = new Status(Code.Skip);

  static error(message: string, plugin = ''): Status {
    return new Status(Code.Error, [message], plugin);
  }

  isSuccess(): boolean { return this.code === Code.Success; }
  isSkip(): boolean { return this.code === Code.Skip; }
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable ||
      this.code === Code.Pending;
  }
  message(): string { return this.reasons.join(', '); }
  withPlugin(plugin: string): Status {
    if (this.plugin === plugin) return this;
    return new Status(this.code, this.reasons, plugin);
  }
}

/** Per-cycle scratch space shared by a pod's plugins (framework.CycleState). */
export class CycleState {
  readonly #data = new Map<string, unknown>();
  readonly skipFilterPlugins = new Set<string>();
  readonly skipScorePlugins = new Set<string>();
  /** The Filter plugins not skipped by their PreFilter (set by the framework). */
  filters: readonly FilterPlugin[] = [];
  /** The Score plugins not skipped by their PreScore, with weights (set by the framework). */
  scorers: readonly WeightedScorePlugin[] = [];

  read<T>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.#data.set(key, value);
  }

  /** Shallow copy: plugins that mutate their state in PreFilterExtensions clone it themselves. */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.#data) {
      const cl = (v as { clone?: () => unknown } | null)?.clone;
      c.#data.set(k, typeof cl === 'function' ? cl.call(v) : v);
    }
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    c.filters = this.filters;
    c.scorers = this.scorers;
    return c;
  }
}

// ---- cluster events (framework/types.go ClusterEvent, ActionType) ------------------------

export const Action = {
  Add: 1, Delete: 2,
  UpdateNodeAllocatable: 4, UpdateNodeLabel: 8, UpdateNodeTaint: 16, UpdateNodeCondition: 32,
  UpdatePodLabel: 64, UpdatePodScaleDown: 128, UpdatePodTolerations: 256, UpdatePodSchedulingGatesEliminated: 512,
  UpdatePodOther: 1024,
} as const;
export const ACTION_UPDATE = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024;
export const ACTION_ALL = ACTION_UPDATE | 1 | 2;

/** 'Pod' is an assigned (bound or assumed) pod; 'UnscheduledPod' a pending one; '*' anything. */
export type EventResource = 'Node' | 'Pod' | 'UnscheduledPod' | '*';

export interface ClusterEvent { readonly resource: EventResource; readonly action: number; readonly label: string }

export type QueueingHint = 'Queue' | 'QueueSkip';
/** QueueingHintFn: may the event make this pod (rejected by the plugin) schedulable? */
export type QueueingHintFn = (pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint { readonly event: ClusterEvent; readonly hint?: QueueingHintFn }

export const EVENTS = {
  NodeAdd: { resource: 'Node', action: Action.Add, label: 'NodeAdd' },
  AssignedPodAdd: { resource: 'Pod', action: Action.Add, label: 'AssignedPodAdd' },
  AssignedPodUpdate: { resource: 'Pod', action: ACTION_UPDATE, label: 'AssignedPodUpdate' },
  AssignedPodDelete: { resource: 'Pod', action: Action.Delete, label: 'AssignedPodDelete' },
  UnschedulableTimeout: { resource: '*', action: ACTION_ALL, label: 'UnschedulableTimeout' },
  ForceActivate: { resource: '*', action: ACTION_ALL, label: 'ForceActivate' },
} as const satisfies Record<string, ClusterEvent>;

/** Does a registered event cover an incoming one (ClusterEvent.Match)? */
export function eventMatches(registered: ClusterEvent, incoming: ClusterEvent): boolean {
  if (registered.resource === '*' || incoming.resource === '*') return true;
  return registered.resource === incoming.resource && (registered.action & incoming.action) !== 0;
}

// ---- plugins ------------------------------------------------------------------------------

/** What plugins may ask of the framework running them. */
export interface FrameworkHandle {
  snapshot(): Snapshot;
  /** RunFilterPlugins on one node (preemption's dry run). */
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** RunFilterPluginsWithNominatedPods: as if the pods nominated to the node (priority ≥ pod's) were on it. */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** The node preemption nominated this pod to, if any (in memory, or its status.nominatedNodeName). */
  nominatedNodeOf(pod: PodInfo): string | undefined;
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status;
  rng(): number;
  /** The injected Binder (DefaultBinder calls it). */
  bind(pod: Pod, nodeName: string): Promise<void>;
}

export interface Plugin {
  readonly name: string;
  /** EnqueueExtensions.EventsToRegister: events after which pods this plugin rejected are retried. */
  eventsToRegister?(): readonly ClusterEventWithHint[];
}

export interface PreFilterExtensions {
  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status;
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status;
}

export interface PreFilterPlugin extends Plugin {
  /** Success, Skip (Filter not called for this pod), or a rejection for every node. */
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status;
  readonly preFilterExtensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /**
   * Optional shortcut from the node's row of the snapshot table (NodeInfo.hot): true only when
   * filter() would return Success; false means "ask filter()". The filter window then need not
   * load the NodeInfo of a node every filter passes (a cache miss per node, hundreds per pod).
   */
  filterRow?(state: CycleState, pod: PodInfo, table: Float64Array, at: number): boolean;
}

/** Per-node filter outcome of a failed cycle (framework.Diagnosis). */
export interface Diagnosis {
  readonly nodeToStatus: Map<string, Status>;
  /** The status of every node not in nodeToStatus (a PreFilter rejection), or null. */
  absentStatus: Status | null;
  readonly unschedulablePlugins: Set<string>;
  readonly pendingPlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export interface PostFilterResult { nominatedNodeName: string; victims: Pod[] }

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo,
    diagnosis: Diagnosis): { result: PostFilterResult | null; status: Status };
}

export interface PreScorePlugin extends Plugin {
  /** nodes[0..count) are the feasible nodes. Skip: Score not called for this pod. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Status;
}

export interface ScorePlugin extends Plugin {
  /** An integer in [MIN_NODE_SCORE, MAX_NODE_SCORE] unless normalizeScore maps it there. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Optional: score() computed from the node's table row (see filterRow); NaN when it needs the NodeInfo. */
  scoreRow?(state: CycleState, pod: PodInfo, table: Float64Array, at: number): number;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: Float64Array, count: number): void;
}

export interface WeightedScorePlugin { readonly plugin: ScorePlugin; readonly weight: number }

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Success, a rejection, or Wait with timeoutMs (≤ MAX_PERMIT_WAIT_MS). */
  permit(state: CycleState, pod: PodInfo, nodeName: string): { status: Status; timeoutMs: number };
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  /** Skip: not this plugin's pod, try the next bind plugin. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export type AnyPlugin =
  Plugin & Partial<PreFilterPlugin & FilterPlugin & PostFilterPlugin & PreScorePlugin & ScorePlugin
  & ReservePlugin & PermitPlugin & PreBindPlugin & BindPlugin & PostBindPlugin>;

export type PluginFactory = (args: Record<string, unknown>, handle: FrameworkHandle) => AnyPlugin;

/** The node object behind an event, for hints. */
export type EventObject = Node | Pod | undefined;
