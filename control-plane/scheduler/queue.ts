// The scheduling queue (internal/queue/scheduling_queue.go). activeQ: pods to try now, by
// priority then enqueue time (PrioritySort). backoffQ: pods waiting out a per-pod exponential
// backoff (initial doubling per attempt up to max). unschedulablePods: pods rejected by
// plugins; they move back only on a cluster event one of those plugins registered (and whose
// QueueingHint says Queue), or after maxUnschedulableStayMs. Events seen while a pod is being
// scheduled are remembered, so a pod that fails right after a helpful event is not parked.
// Gated pods (spec.schedulingGates) wait until an update removes their gates.
import type { Pod } from '../api/index.js';
import { eventMatches, EVENTS, type ClusterEvent, type ClusterEventWithHint } from './framework.js';
import { Heap } from './heap.js';
import {
  DEFAULT_POD_INITIAL_BACKOFF_MS, DEFAULT_POD_MAX_BACKOFF_MS, DEFAULT_UNSCHEDULABLE_POD_MAX_STAY_MS,
  MAX_IN_FLIGHT_EVENTS, MAX_QUEUED_PODS,
} from './limits.js';
import { podInfoOf, podKey, type PodInfo } from './pod-info.js';

export const SCHEDULING_GATES = 'SchedulingGates';

export interface QueuedPodInfo {
  pod: Pod;
  pi: PodInfo;
  readonly key: string;
  /** When the pod was last added to a queue: activeQ order and backoff start. */
  timestampMs: number;
  initialAttemptMs: number | null;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt (Unschedulable / ...AndUnresolvable). */
  unschedulablePlugins: Set<string>;
  /** Plugins that answered Pending. */
  pendingPlugins: Set<string>;
  gated: boolean;
  heapIndex: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableStayMs?: number;
  maxQueuedPods?: number;
  /** EventsToRegister of every enabled plugin, by plugin name. */
  pluginEvents?: ReadonlyMap<string, readonly ClusterEventWithHint[]>;
}

type Where = 'active' | 'backoff' | 'unschedulable';

interface InFlightEvent { seq: number; event: ClusterEvent; oldObj: unknown; newObj: unknown }

/**
 * isPodUpdated (scheduling_queue.go): did anything but the status, resourceVersion, generation or
 * managedFields change? Only such an update is worth retrying a parked pod for.
 */
export function isPodUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod): string => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = p.metadata ?? {};
    return JSON.stringify({ ...p, metadata: meta, status: undefined });
  };
  return strip(oldPod) !== strip(newPod);
}

const isGated = (pod: Pod): boolean => (pod.spec?.schedulingGates?.length ?? 0) > 0;

export class SchedulingQueue {
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxStayMs: number;
  readonly #maxPods: number;
  readonly #pluginEvents: ReadonlyMap<string, readonly ClusterEventWithHint[]>;
  readonly #activeQ = new Heap<QueuedPodInfo>((a, b) => a.pi.priority > b.pi.priority
    || (a.pi.priority === b.pi.priority && a.timestampMs < b.timestampMs));
  readonly #backoffQ = new Heap<QueuedPodInfo>((a, b) => this.backoffExpiryMs(a) < this.backoffExpiryMs(b));
  readonly #unschedulable = new Map<string, { qpi: QueuedPodInfo; sinceMs: number }>();
  readonly #where = new Map<string, Where>();
  readonly #infos = new Map<string, QueuedPodInfo>();
  readonly #inFlight = new Map<string, number>();
  /**
   * Events since the oldest pod in flight, oldest first (#events[#eventsHead..]); done() drops those
   * no pod in flight can need any more, as activeQueue.done does. Cleared only when nothing was in
   * flight, they piled up while binds overlapped (every bound pod's update is an event): up to
   * MAX_IN_FLIGHT_EVENTS, each holding two Pod objects alive into the old generation.
   */
  #events: InFlightEvent[] = [];
  #eventsHead = 0;
  /** Seq of the last event not recorded (MAX_IN_FLIGHT_EVENTS reached); pods in flight then may have missed it. */
  #droppedSeq = -1;
  #seq = 0;
  #waiters: (() => void)[] = [];
  #onAvailable: (() => void) | null = null;

  constructor(opts: QueueOptions = {}) {
    this.#initialBackoffMs = opts.initialBackoffMs ?? DEFAULT_POD_INITIAL_BACKOFF_MS;
    this.#maxBackoffMs = opts.maxBackoffMs ?? DEFAULT_POD_MAX_BACKOFF_MS;
    this.#maxStayMs = opts.maxUnschedulableStayMs ?? DEFAULT_UNSCHEDULABLE_POD_MAX_STAY_MS;
    this.#maxPods = opts.maxQueuedPods ?? MAX_QUEUED_PODS;
    this.#pluginEvents = opts.pluginEvents ?? new Map();
  }

  // ---- sizes and signalling ---------------------------------------------------------------

  get activeCount(): number { return this.#activeQ.size; }
  get backoffCount(): number { return this.#backoffQ.size; }
  get unschedulableCount(): number { return this.#unschedulable.size; }
  get size(): number { return this.#where.size; }

  /** Where a pending pod waits, if it is queued. */
  whereIs(pod: Pod): Where | undefined { return this.#where.get(podKey(pod)); }

  /** Called (synchronously) whenever activeQ goes from empty to non-empty. */
  onAvailable(cb: (() => void) | null): void { this.#onAvailable = cb; }

  /** Resolves when pop() would return a pod. */
  waitForPod(): Promise<void> {
    if (this.#activeQ.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** When the earliest backoff ends (the caller's timer should call flushBackoffQCompleted then). */
  nextBackoffExpiryMs(): number | undefined {
    const top = this.#backoffQ.peek();
    return top === undefined ? undefined : this.backoffExpiryMs(top);
  }

  /** calculateBackoffDuration: initial * 2^(attempts-1), capped at max. */
  backoffDurationMs(attempts: number): number {
    let d = this.#initialBackoffMs;
    for (let i = 1; i < attempts; i++) {
      d *= 2;
      if (d >= this.#maxBackoffMs) return this.#maxBackoffMs;
    }
    return Math.min(d, this.#maxBackoffMs);
  }

  backoffExpiryMs(q: QueuedPodInfo): number {
    return q.timestampMs + this.backoffDurationMs(q.attempts);
  }

  // ---- placing pods -------------------------------------------------------------------------

  #pushActive(q: QueuedPodInfo): void {
    const wasEmpty = this.#activeQ.size === 0;
    this.#activeQ.push(q);
    this.#where.set(q.key, 'active');
    if (wasEmpty) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
      this.#onAvailable?.();
    }
  }

  #detach(key: string): void {
    const where = this.#where.get(key);
    const q = this.#infos.get(key);
    if (where === undefined || q === undefined) return;
    if (where === 'active') this.#activeQ.remove(q);
    else if (where === 'backoff') this.#backoffQ.remove(q);
    else this.#unschedulable.delete(key);
    this.#where.delete(key);
  }

  #parkUnschedulable(q: QueuedPodInfo, nowMs: number): void {
    this.#unschedulable.set(q.key, { qpi: q, sinceMs: nowMs });
    this.#where.set(q.key, 'unschedulable');
  }

  /** Active if its backoff is over (or it never failed), else backoffQ. */
  #requeue(q: QueuedPodInfo, nowMs: number): void {
    this.#detach(q.key);
    if (q.attempts > 0 && this.backoffExpiryMs(q) > nowMs) {
      this.#backoffQ.push(q);
      this.#where.set(q.key, 'backoff');
    } else {
      this.#pushActive(q);
    }
  }

  /** A new pending pod. False when the queue is full (MAX_QUEUED_PODS) or it is already queued. */
  add(pod: Pod, nowMs: number): boolean {
    const key = podKey(pod);
    if (this.#where.has(key) || this.#inFlight.has(key)) return false;
    if (this.#where.size >= this.#maxPods) return false;
    const q: QueuedPodInfo = {
      pod, pi: podInfoOf(pod), key, timestampMs: nowMs, initialAttemptMs: null, attempts: 0,
      unschedulablePlugins: new Set(), pendingPlugins: new Set(), gated: isGated(pod), heapIndex: -1,
    };
    this.#infos.set(key, q);
    if (q.gated) {
      q.pendingPlugins.add(SCHEDULING_GATES);
      this.#parkUnschedulable(q, nowMs);
    } else {
      this.#pushActive(q);
    }
    return true;
  }

  /** A pending pod changed. A queued pod is updated in place; an unschedulable one is retried. */
  update(oldPod: Pod | undefined, newPod: Pod, nowMs: number): void {
    const key = podKey(newPod);
    const q = this.#infos.get(key);
    const where = this.#where.get(key);
    if (q === undefined || where === undefined) {
      if (!this.#inFlight.has(key)) this.add(newPod, nowMs);
      return;
    }
    q.pod = newPod;
    q.pi = podInfoOf(newPod);
    const wasGated = q.gated;
    q.gated = isGated(newPod);
    if (where === 'active') this.#activeQ.fix(q);
    else if (where === 'backoff') this.#backoffQ.fix(q);
    else if (wasGated && !q.gated) {
      q.pendingPlugins.delete(SCHEDULING_GATES);
      this.#requeue(q, nowMs);
    } else if (!q.gated && (oldPod === undefined || isPodUpdated(oldPod, newPod))) {
      // The pod's own update may make it schedulable (e.g. tolerations added, requests scaled down);
      // a status-only update (the scheduler's own PodScheduled condition) may not (isPodUpdated).
      this.#requeue(q, nowMs);
    }
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.#detach(key);
    this.#infos.delete(key);
  }

  /** The next pod to schedule (after moving pods whose backoff ended), or undefined. */
  pop(nowMs: number): QueuedPodInfo | undefined {
    this.flushBackoffQCompleted(nowMs);
    const q = this.#activeQ.pop();
    if (q === undefined) return undefined;
    this.#where.delete(q.key);
    q.attempts++;
    q.initialAttemptMs ??= nowMs;
    this.#inFlight.set(q.key, this.#seq);
    return q;
  }

  /** The scheduling (and binding) of a popped pod ended. */
  done(key: string): void {
    if (!this.#inFlight.delete(key)) return;
    if (this.#where.get(key) === undefined) this.#infos.delete(key);
    this.#pruneEvents();
  }

  /**
   * Drops the events older than every pod still in flight. pop() inserts into #inFlight with a seq
   * that never decreases and a key is never re-inserted while in flight, so the Map's first entry
   * (insertion order) holds the smallest seq.
   */
  #pruneEvents(): void {
    const oldest = this.#inFlight.values().next();
    if (oldest.done === true) {
      this.#events = [];
      this.#eventsHead = 0;
      return;
    }
    const events = this.#events;
    let head = this.#eventsHead;
    while (head < events.length && (events[head] as InFlightEvent).seq < oldest.value) head++;
    // Compact once the dropped prefix is at least half: amortized O(1) per event.
    if (head > 0 && head * 2 >= events.length) {
      this.#events = events.slice(head);
      head = 0;
    }
    this.#eventsHead = head;
  }

  /** Did an event recorded since the pod was popped (seq ≥ sinceSeq) possibly make it schedulable? */
  #helpedInFlight(q: QueuedPodInfo, sinceSeq: number): boolean {
    const events = this.#events;
    for (let i = this.#eventsHead; i < events.length; i++) {
      const e = events[i] as InFlightEvent;
      if (e.seq >= sinceSeq && this.#helps(q, e.event, e.oldObj, e.newObj)) return true;
    }
    return false;
  }

  /**
   * A popped pod failed: qpi.unschedulablePlugins / pendingPlugins name the rejecting plugins
   * (both empty: an error, so the pod backs off). Parked among unschedulable pods unless a
   * relevant event arrived while it was in flight.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, nowMs: number): void {
    if (this.#where.has(q.key)) { this.done(q.key); return; }
    const sinceSeq = this.#inFlight.get(q.key) ?? this.#seq;
    q.timestampMs = nowMs;
    this.#infos.set(q.key, q);
    const rejected = q.unschedulablePlugins.size > 0 || q.pendingPlugins.size > 0;
    if (!rejected || this.#droppedSeq >= sinceSeq || this.#helpedInFlight(q, sinceSeq)) {
      this.#backoffQ.push(q);
      this.#where.set(q.key, 'backoff');
    } else {
      this.#parkUnschedulable(q, nowMs);
    }
    this.done(q.key);
  }

  /** Would this event possibly make the pod schedulable (isPodWorthRequeuing)? */
  #helps(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    if (event.resource === '*') return true;
    for (const set of [q.unschedulablePlugins, q.pendingPlugins]) {
      for (const plugin of set) {
        for (const reg of this.#pluginEvents.get(plugin) ?? []) {
          if (!eventMatches(reg.event, event)) continue;
          if (reg.hint === undefined || reg.hint(q.pod, oldObj, newObj) === 'Queue') return true;
        }
      }
    }
    return false;
  }

  /** MoveAllToActiveOrBackoffQueue: retry the unschedulable pods this event may help. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj: unknown, newObj: unknown, nowMs: number,
    preCheck?: (pod: Pod) => boolean): number {
    if (this.#inFlight.size > 0) {
      if (this.#events.length - this.#eventsHead >= MAX_IN_FLIGHT_EVENTS) this.#droppedSeq = this.#seq;
      else this.#events.push({ seq: this.#seq, event, oldObj, newObj });
    }
    this.#seq++;
    // Every bound pod's informer update comes here: skip the copy of an empty set.
    if (this.#unschedulable.size === 0) return 0;
    let moved = 0;
    for (const { qpi } of [...this.#unschedulable.values()]) {
      if (qpi.gated) continue;
      if (preCheck !== undefined && !preCheck(qpi.pod)) continue;
      if (!this.#helps(qpi, event, oldObj, newObj)) continue;
      this.#requeue(qpi, nowMs);
      moved++;
    }
    return moved;
  }

  /** Moves pods whose backoff ended to activeQ. */
  flushBackoffQCompleted(nowMs: number): number {
    let moved = 0;
    for (;;) {
      const top = this.#backoffQ.peek();
      if (top === undefined || this.backoffExpiryMs(top) > nowMs) return moved;
      this.#backoffQ.pop();
      this.#where.delete(top.key);
      this.#pushActive(top);
      moved++;
    }
  }

  /** flushUnschedulablePodsLeftover: pods parked longer than maxUnschedulableStayMs are retried. */
  flushUnschedulablePodsLeftover(nowMs: number): number {
    let moved = 0;
    for (const { qpi, sinceMs } of [...this.#unschedulable.values()]) {
      if (qpi.gated || nowMs - sinceMs <= this.#maxStayMs) continue;
      this.#requeue(qpi, nowMs);
      moved++;
    }
    return moved;
  }

  /** A bound pod was deleted: resources, ports and spreading may have freed up. */
  assignedPodDeleted(pod: Pod, nowMs: number): number {
    return this.moveAllToActiveOrBackoffQueue(EVENTS.AssignedPodDelete, pod, undefined, nowMs);
  }

  /** Pending pods, for debugging and the lead's /debug endpoint. */
  pendingPods(): { active: Pod[]; backoff: Pod[]; unschedulable: Pod[] } {
    return {
      active: this.#activeQ.values().map((q) => q.pod),
      backoff: this.#backoffQ.values().map((q) => q.pod),
      unschedulable: [...this.#unschedulable.values()].map((u) => u.qpi.pod),
    };
  }
}

