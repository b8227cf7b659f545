// The scheduler's pure core (pkg/scheduler/schedule_one.go): pop a pod, filter nodes (a
// rotating window, stopping after numFeasibleNodesToFind), score, pick the best with random
// tie-breaking, assume it in the cache, Reserve and Permit, then bind asynchronously so the
// next pod is scheduled without waiting. Failures run PostFilter (preemption) and requeue.
// No timers or I/O: time comes in as nowMs (and `clock` for the async binding cycle).
import type { Node, Pod } from '../api/index.js';
import { SchedulerCache, Snapshot } from './cache.js';
import { defaultConfiguration, type SchedulerConfiguration } from './config.js';
import { FitError } from './fit-error.js';
import { Action, Code, CycleState, EVENTS, Status, type ClusterEvent, type ClusterEventWithHint,
  type Diagnosis } from './framework.js';
import {
  ADAPTIVE_PERCENTAGE_BASE, ADAPTIVE_PERCENTAGE_NODES_PER_POINT, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND,
  MIN_FEASIBLE_NODES_TO_FIND,
} from './limits.js';
import { HOT_STRIDE, type NodeInfo } from './node-info.js';
import { Nominator } from './nominator.js';
import { podInfoOf, podKey, withNodeName, type PodInfo } from './pod-info.js';
import { SchedulingQueue, type QueuedPodInfo } from './queue.js';
import { seededRng } from './rng.js';
import { Framework, type Binder } from './runtime.js';
import { nodeUpdateEvents } from './events.js';

export type { Binder } from './runtime.js';

export interface ScheduleSuccess { nodeName: string; evaluatedNodes: number; feasibleNodes: number }
export type ScheduleResult = ScheduleSuccess | { failure: FitError };

export interface FailureInfo {
  /** 'Unschedulable' (PodScheduled=False reason) or 'SchedulerError'. */
  reason: 'Unschedulable' | 'SchedulerError';
  message: string;
  /**
   * Set when the nomination changes (the caller writes status.nominatedNodeName): the node preemption
   * nominated, or '' when it is cleared (no preemption candidate, or a Reserve/Permit/Bind failure).
   */
  nominatedNodeName?: string;
}

export interface SchedulerHooks {
  /** The pod could not be scheduled this attempt (write its PodScheduled condition). */
  onUnschedulable?(pod: Pod, info: FailureInfo): void;
  /** Preemption chose victims on nodeName: the caller deletes them. */
  onPreempt?(preemptor: Pod, nodeName: string, victims: Pod[]): void;
  /** A lower-priority pod lost its nomination to a preemptor's (the caller clears its status.nominatedNodeName). */
  onNominationCleared?(pod: Pod): void;
  onBound?(pod: Pod, nodeName: string): void;
}

export interface SchedulerOptions {
  binder: Binder;
  /** The clock for the asynchronous binding cycle (finishBinding's TTL start). */
  clock: () => number;
  /** Seeded RNG for tie-breaking; default seededRng(1). */
  rng?: () => number;
  config?: SchedulerConfiguration;
  cache?: SchedulerCache;
  hooks?: SchedulerHooks;
  /**
   * The informer's current copy of a pod (undefined: deleted). Consulted before a failed pod is
   * requeued, as handleSchedulingFailure reads the pod lister: a pod that is gone, or that someone
   * bound meanwhile (a bind answered 409), is not requeued. Without it every failed pod is requeued.
   */
  podLister?: (pod: Pod) => Pod | undefined;
}

export type CycleOutcome =
  | { pod: Pod; nodeName: string; binding: Promise<void> }
  | { pod: Pod; failure: FailureInfo }
  | { pod: Pod; skipped: true };

/** Equal label maps (as reflect.DeepEqual on the maps; key order does not matter). */
function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (a === b) return true;
  const ka = a === undefined ? [] : Object.keys(a);
  const kb = b === undefined ? [] : Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.hasOwn(b as object, k) || (a as Record<string, string>)[k] !== b?.[k]) return false;
  return true;
}

/** numFeasibleNodesToFind: all below 100 nodes, else the (adaptive) percentage, at least 100. */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct === 0) {
    pct = ADAPTIVE_PERCENTAGE_BASE - Math.trunc(numAllNodes / ADAPTIVE_PERCENTAGE_NODES_PER_POINT);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly snapshot = new Snapshot();
  readonly frameworks = new Map<string, Framework>();
  readonly nominator = new Nominator();
  readonly #config: SchedulerConfiguration;
  readonly #rng: () => number;
  readonly #clock: () => number;
  readonly #hooks: SchedulerHooks;
  readonly #podLister: ((pod: Pod) => Pod | undefined) | undefined;
  readonly #bindings = new Set<Promise<void>>();
  #nextStartNodeIndex = 0;
  #feasible: NodeInfo[] = [];
  /** Row offset of #feasible[i] in the snapshot's table (-1: score it from the NodeInfo). */
  #feasibleRows = new Int32Array(0);
  #totals = new Float64Array(16);

  constructor(opts: SchedulerOptions) {
    this.#config = opts.config ?? defaultConfiguration();
    this.#rng = opts.rng ?? seededRng(1);
    this.#clock = opts.clock;
    this.#hooks = opts.hooks ?? {};
    this.#podLister = opts.podLister;
    this.cache = opts.cache ?? new SchedulerCache();
    const events = new Map<string, readonly ClusterEventWithHint[]>();
    for (const p of this.#config.profiles) {
      const fwk = new Framework(p, { binder: opts.binder, rng: this.#rng, nominator: this.nominator });
      fwk.setSnapshot(this.snapshot);
      this.frameworks.set(p.schedulerName, fwk);
      for (const [k, v] of fwk.eventsByPlugin()) events.set(k, v);
    }
    this.queue = new SchedulingQueue({
      initialBackoffMs: this.#config.podInitialBackoffMs, maxBackoffMs: this.#config.podMaxBackoffMs,
        pluginEvents: events,
    });
  }

  /** Is this pod ours (its schedulerName names one of the profiles)? */
  responsibleFor(pod: Pod): boolean {
    return this.frameworks.has(pod.spec?.schedulerName ?? 'default-scheduler');
  }

  // ---- informer event handlers (eventhandlers.go) ------------------------------------------

  onPodAdd(pod: Pod, nowMs: number): void {
    if (pod.spec?.nodeName) {
      this.nominator.remove(podKey(pod));
      this.cache.addPod(pod);
      this.queue.moveAllToActiveOrBackoffQueue(EVENTS.AssignedPodAdd, undefined, pod, nowMs);
    } else if (this.responsibleFor(pod)) {
      this.queue.add(pod, nowMs);
      this.#updateNomination(undefined, pod);
    }
  }

  /**
   * UpdateNominatedPod for a pending pod: status.nominatedNodeName (e.g. written by a previous leader)
   * counts as a nomination; a status write that removed it ends it. A status that never had one
   * leaves an in-memory nomination in place (it may be newer than the status), with the pod's new
   * PodInfo, so other pods' filters see its current labels.
   */
  #updateNomination(oldPod: Pod | undefined, pod: Pod): void {
    const fromStatus = pod.status?.nominatedNodeName;
    if (fromStatus) { this.nominator.add(podInfoOf(pod), fromStatus); return; }
    const key = podKey(pod);
    if (oldPod?.status?.nominatedNodeName) { this.nominator.remove(key); return; }
    const current = this.nominator.nodeOf(key);
    if (current !== undefined) this.nominator.add(podInfoOf(pod), current);
  }

  onPodUpdate(oldPod: Pod, newPod: Pod, nowMs: number): void {
    if (newPod.spec?.nodeName) {
      if (!oldPod.spec?.nodeName) this.queue.delete(newPod);
      this.nominator.remove(podKey(newPod));
      this.cache.updatePod(oldPod, newPod);
      const labels = !sameLabels(oldPod.metadata?.labels, newPod.metadata?.labels);
      const ev: ClusterEvent = { resource: 'Pod', action: labels ? Action.UpdatePodLabel : Action.UpdatePodOther,
        label: 'AssignedPodUpdate' };
      this.queue.moveAllToActiveOrBackoffQueue(ev, oldPod, newPod, nowMs);
    } else if (this.responsibleFor(newPod)) {
      this.queue.update(oldPod, newPod, nowMs);
      this.#updateNomination(oldPod, newPod);
    }
  }

  onPodDelete(pod: Pod, nowMs: number): void {
    this.nominator.remove(podKey(pod));
    if (pod.spec?.nodeName || this.cache.getPod(pod) !== undefined) {
      this.cache.removePod(pod);
      this.queue.assignedPodDeleted(pod, nowMs);
    } else {
      this.queue.delete(pod);
      for (const f of this.frameworks.values()) f.getWaitingPod(podInfoOf(pod).key)?.reject('', 'pod deleted');
    }
  }

  onNodeAdd(node: Node, nowMs: number): void {
    this.cache.addNode(node);
    this.queue.moveAllToActiveOrBackoffQueue(EVENTS.NodeAdd, undefined, node, nowMs);
  }

  onNodeUpdate(oldNode: Node, newNode: Node, nowMs: number): void {
    this.cache.updateNode(newNode);
    for (const ev of nodeUpdateEvents(oldNode, newNode)) this.queue.moveAllToActiveOrBackoffQueue(ev, oldNode,
      newNode, nowMs);
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node);
  }

  /** Periodic housekeeping (the caller's timer, ~1 s): backoff flush, leftovers, assumed TTL, permit timeouts. */
  tick(nowMs: number): void {
    this.queue.flushBackoffQCompleted(nowMs);
    this.queue.flushUnschedulablePodsLeftover(nowMs);
    for (const pod of this.cache.cleanupAssumedPods(nowMs)) this.queue.assignedPodDeleted(pod, nowMs);
    for (const f of this.frameworks.values()) f.rejectExpiredWaitingPods(nowMs);
  }

  /** Resolves when every binding started so far has finished. */
  async waitForBindings(): Promise<void> {
    while (this.#bindings.size > 0) await Promise.all([...this.#bindings]);
  }

  get bindingsInFlight(): number { return this.#bindings.size; }

  // ---- the scheduling cycle ---------------------------------------------------------------

  /** ScheduleOne: pops one pod and runs its scheduling cycle; undefined when activeQ is empty. */
  scheduleOne(nowMs: number): CycleOutcome | undefined {
    const q = this.queue.pop(nowMs);
    if (q === undefined) return undefined;
    const fwk = this.frameworks.get(q.pod.spec?.schedulerName ?? 'default-scheduler');
    // skipPodSchedule: being deleted, or already in the cache (assumed, or bound and not yet dequeued).
    if (fwk === undefined || this.cache.getPod(q.pod) !== undefined || q.pod.metadata?.deletionTimestamp) {
      this.queue.done(q.key);
      return { pod: q.pod, skipped: true };
    }
    this.cache.updateSnapshot(this.snapshot);
    const state = new CycleState();
    const pi = q.pi;
    const result = this.schedulePod(fwk, state, pi);
    if ('failure' in result) return this.#handleFailure(fwk, state, q, result.failure, nowMs);
    const nodeName = result.nodeName;
    const assumed = withNodeName(q.pod, nodeName);
    this.nominator.remove(pi.key);
    this.cache.assumePod(assumed, nodeName);
    const assumedInfo = podInfoOf(assumed);
    let st = fwk.runReservePlugins(state, assumedInfo, nodeName);
    if (st.isSuccess() || st.code === Code.Wait) {
      st = fwk.runPermitPlugins(state, assumedInfo, nodeName, nowMs);
    }
    if (!st.isSuccess() && st.code !== Code.Wait) {
      fwk.runUnreservePlugins(state, assumedInfo, nodeName);
      this.cache.forgetPod(assumed);
      this.queue.assignedPodDeleted(assumed, nowMs);
      return this.#requeueRejected(q, st, nowMs);
    }
    const binding = this.#bindingCycle(fwk, state, q, assumedInfo, nodeName);
    this.#bindings.add(binding);
    void binding.finally(() => this.#bindings.delete(binding));
    return { pod: q.pod, nodeName, binding };
  }

  async #bindingCycle(fwk: Framework, state: CycleState, q: QueuedPodInfo, pi: PodInfo,
    nodeName: string): Promise<void> {
    let st = await fwk.waitOnPermit(pi);
    if (st.isSuccess()) st = await fwk.runPreBindPlugins(state, pi, nodeName);
    if (st.isSuccess()) st = await fwk.runBindPlugins(state, pi, nodeName);
    const nowMs = this.#clock();
    if (!st.isSuccess()) {
      fwk.runUnreservePlugins(state, pi, nodeName);
      this.cache.forgetPod(pi.pod);
      this.queue.assignedPodDeleted(pi.pod, nowMs);
      this.#requeueRejected(q, st, nowMs);
      return;
    }
    this.cache.finishBinding(pi.pod, nowMs);
    this.queue.done(q.key);
    fwk.runPostBindPlugins(state, pi, nodeName);
    this.#hooks.onBound?.(q.pod, nodeName);
  }

  #requeueRejected(q: QueuedPodInfo, st: Status, nowMs: number): CycleOutcome {
    q.unschedulablePlugins.clear();
    q.pendingPlugins.clear();
    if (st.isRejected() && st.plugin !== '') q.unschedulablePlugins.add(st.plugin);
    this.#requeueIfStillPending(q, nowMs);
    // clearNominatedNode (schedule_one.go): a pod that got as far as Reserve gives up any nomination.
    const hadNomination = this.nominator.nodeOf(q.key) !== undefined || !!q.pod.status?.nominatedNodeName;
    this.nominator.remove(q.key);
    const info: FailureInfo = { reason: st.isRejected() ? 'Unschedulable' : 'SchedulerError', message: st.message() };
    if (hadNomination) info.nominatedNodeName = '';
    this.#hooks.onUnschedulable?.(q.pod, info);
    return { pod: q.pod, failure: info };
  }

  /**
   * handleSchedulingFailure's lister check: a pod deleted meanwhile, or assigned to a node (by another
   * scheduler, or a bind that landed although its answer failed), is dropped ("Pod has been assigned
   * to node. Abort adding it back to queue."); otherwise the informer's latest copy is requeued.
   */
  #requeueIfStillPending(q: QueuedPodInfo, nowMs: number): boolean {
    if (this.#podLister !== undefined) {
      const live = this.#podLister(q.pod);
      if (live === undefined || live.spec?.nodeName) { this.queue.done(q.key); return false; }
      if (live !== q.pod) { q.pod = live; q.pi = podInfoOf(live); }
    }
    this.queue.addUnschedulableIfNotPresent(q, nowMs);
    return true;
  }

  #handleFailure(fwk: Framework, state: CycleState, q: QueuedPodInfo, fit: FitError, nowMs: number): CycleOutcome {
    const d = fit.diagnosis;
    let nominated: string | undefined;
    // PostFilter runs for every FitError (schedule_one.go), so its message is always appended.
    if (fwk.postFilterPlugins.length > 0 && fit.numAllNodes > 0) {
      const { result, status } = fwk.runPostFilterPlugins(state, q.pi, d);
      d.postFilterMsg = status.message();
      if (status.isSuccess() && result !== null && result.nominatedNodeName !== '') {
        nominated = result.nominatedNodeName;
        this.#hooks.onPreempt?.(q.pod, nominated, result.victims);
      } else if (result !== null && result.nominatedNodeName === '') {
        // No candidate anywhere (ModeOverride with ""): an old nomination no longer holds room.
        nominated = '';
      }
    }
    q.unschedulablePlugins = new Set(d.unschedulablePlugins);
    q.pendingPlugins = new Set(d.pendingPlugins);
    const pending = this.#requeueIfStillPending(q, nowMs);
    if (nominated !== undefined) this.#nominate(q, pending ? nominated : '');
    const info: FailureInfo = { reason: 'Unschedulable', message: fit.message };
    if (nominated !== undefined) info.nominatedNodeName = nominated;
    this.#hooks.onUnschedulable?.(q.pod, info);
    return { pod: q.pod, failure: info };
  }

  /**
   * Records a PostFilter nomination ('' clears it). As prepareCandidate does, pods of lower priority
   * nominated to the same node lose their nomination: the preemptor's victims free room for it alone.
   */
  #nominate(q: QueuedPodInfo, nodeName: string): void {
    if (nodeName === '') { this.nominator.remove(q.key); return; }
    for (const other of this.nominator.lowerPriorityOn(nodeName, q.pi.priority)) {
      this.nominator.remove(other.key);
      this.#hooks.onNominationCleared?.(other.pod);
    }
    this.nominator.add(q.pi, nodeName);
  }

  /** SchedulePod: the algorithm on the current snapshot (no cache or queue changes). */
  schedulePod(fwk: Framework, state: CycleState, pi: PodInfo): ScheduleResult {
    const snap = this.snapshot;
    const numAll = snap.numNodes();
    const diagnosis: Diagnosis = {
      nodeToStatus: new Map(), absentStatus: null, unschedulablePlugins: new Set(), pendingPlugins: new Set(),
      preFilterMsg: '', postFilterMsg: '',
    };
    if (numAll === 0) return { failure: new FitError(pi.pod, 0, diagnosis) };
    const pre = fwk.runPreFilterPlugins(state, pi, snap);
    if (!pre.isSuccess()) {
      diagnosis.absentStatus = pre.code === Code.Error ? new Status(Code.Error, pre.reasons, pre.plugin) : pre;
      diagnosis.preFilterMsg = pre.message();
      if (pre.plugin !== '') (pre.code === Code.Pending ? diagnosis.pendingPlugins :
        diagnosis.unschedulablePlugins).add(pre.plugin);
      return { failure: new FitError(pi.pod, numAll, diagnosis) };
    }
    const count = this.#findFeasible(fwk, state, pi, diagnosis);
    if (count === 0) return { failure: new FitError(pi.pod, numAll, diagnosis) };
    const evaluated = diagnosis.nodeToStatus.size + count;
    if (count === 1) return { nodeName: (this.#feasible[0] as NodeInfo).name, evaluatedNodes: evaluated,
      feasibleNodes: 1 };
    const ps = fwk.runPreScorePlugins(state, pi, this.#feasible, count);
    if (!ps.isSuccess()) return { nodeName: (this.#feasible[0] as NodeInfo).name, evaluatedNodes: evaluated,
      feasibleNodes: count };
    if (this.#totals.length < count) this.#totals = new Float64Array(count * 2);
    fwk.runScorePlugins(state, pi, this.#feasible, count, this.#totals, this.snapshot.table, this.#feasibleRows);
    return { nodeName: this.#selectHost(count), evaluatedNodes: evaluated, feasibleNodes: count };
  }

  /** findNodesThatPassFilters: the nominated node first, then a window from the rotating start index. */
  #findFeasible(fwk: Framework, state: CycleState, pi: PodInfo, d: Diagnosis): number {
    const snap = this.snapshot;
    const list = snap.nodeInfoList;
    const numAll = list.length;
    const nominated = fwk.nominatedNodeOf(pi);
    const want = numFeasibleNodesToFind(fwk.percentageOfNodesToScore ?? this.#config.percentageOfNodesToScore, numAll);
    if (this.#feasible.length < want) {
      this.#feasible = new Array<NodeInfo>(want);
      this.#feasibleRows = new Int32Array(want);
    }
    const feasible = this.#feasible;
    const rows = this.#feasibleRows;
    if (nominated) {
      const ni = snap.get(nominated);
      if (ni !== undefined && fwk.runFilterPluginsWithNominatedPods(state, pi, ni).isSuccess()) {
        feasible[0] = ni;
        rows[0] = -1;
        return 1;
      }
    }
    // nodeInfoList[i]'s hot numbers are row i of snap.table: plugins with filterRow read that, not the NodeInfo.
    const table = snap.table;
    let count = 0;
    let processed = 0;
    const start = this.#nextStartNodeIndex % numAll;
    for (; processed < numAll && count < want; processed++) {
      const idx = (start + processed) % numAll;
      const ni = list[idx] as NodeInfo;
      const at = idx * HOT_STRIDE;
      const st = fwk.runFilterPluginsAt(state, pi, ni, table, at);
      if (st.code === Code.Success) { rows[count] = at; feasible[count++] = ni; continue; }
      d.nodeToStatus.set(ni.name, st);
      if (st.plugin !== '') (st.code === Code.Pending ? d.pendingPlugins : d.unschedulablePlugins).add(st.plugin);
    }
    this.#nextStartNodeIndex = (start + processed) % numAll;
    return count;
  }

  /** selectHost: the highest total score; ties broken uniformly (reservoir sampling) with the RNG. */
  #selectHost(count: number): string {
    const totals = this.#totals;
    let best = 0;
    let bestScore = totals[0] as number;
    let ties = 1;
    for (let i = 1; i < count; i++) {
      const s = totals[i] as number;
      if (s > bestScore) { bestScore = s; best = i; ties = 1; }
      else if (s === bestScore) {
        ties++;
        if (Math.floor(this.#rng() * ties) === 0) best = i;
      }
    }
    return (this.#feasible[best] as NodeInfo).name;
  }
}
