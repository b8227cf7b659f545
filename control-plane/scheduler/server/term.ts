// One leadership term of the scheduler: a fresh core (cache + queue) rebuilt from the informers'
// stores, the scheduling loop and the housekeeping timer. It exists only while this instance
// leads; when the term's AbortSignal fires (lease lost, or shutdown) it stops popping pods at
// once, its unanswered binds are aborted, and the whole core — queued pods, assumptions — is
// dropped. The next term starts again from the informers (kube-scheduler exits on losing the
// lease and restarts; keeping the informers warm makes the same fresh start take milliseconds).
import { setMaxListeners } from 'node:events';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Node, Pod } from '../../api/index.js';
import { keyOf, type ApiClient, type SharedInformer } from '../../client/index.js';
import type { SchedulerConfiguration } from '../config.js';
import { seededRng } from '../rng.js';
import { Scheduler, type CycleOutcome, type FailureInfo } from '../scheduler-core.js';
import { podKey } from '../pod-info.js';
import { ApiBinder, type AssignedElsewhere } from './binder.js';
import type { EventRecorder } from './events.js';
import { MAX_BINDS_IN_FLIGHT, SCHEDULE_YIELD_AFTER_MS, TICK_INTERVAL_MS } from './limits.js';
import type { SchedulerMetrics } from './metrics.js';
import { clearNomination, patchPodScheduled, podScheduledPatch, preemptVictim } from './status.js';
import type { WriteQueue } from './write-queue.js';

export interface TermLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TermDeps {
  client: ApiClient;
  pods: SharedInformer<Pod>;
  nodes: SharedInformer<Node>;
  config: SchedulerConfiguration;
  metrics: SchedulerMetrics;
  /** undefined: no events at all (--events=none). */
  recorder: EventRecorder | undefined;
  /** Scheduled events too (--events=all). */
  scheduledEvents: boolean;
  writes: WriteQueue;
  assignedElsewhere: AssignedElsewhere;
  log: TermLogger;
  /** Called for every pod bound (tests and the bench count them). */
  onBound?: (pod: Pod, nodeName: string) => void;
}

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class SchedulingTerm {
  readonly scheduler: Scheduler;
  readonly #d: TermDeps;
  readonly #signal: AbortSignal;
  readonly #stop = new AbortController();
  readonly #binds = new Set<Promise<void>>();
  /**
   * Wakes the loop (set only while it sleeps): a pod became available, a bind slot freed, or the term
   * stopped. One resolver instead of racing each wait against a `stopped` promise: every race left a
   * reaction on that promise until the term ended, one per wait — thousands a minute, never freed.
   */
  #wake: (() => void) | undefined;
  /** What the sleeping loop waits for, so the other kind of wake-up does not spin it for nothing. */
  #sleepingFor: 'pod' | 'slot' | undefined;
  readonly #bindStartMs = new Map<string, number>();
  #cycleStartMs = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #loop: Promise<void> | undefined;

  constructor(d: TermDeps, signal: AbortSignal) {
    this.#d = d;
    this.#signal = signal;
    // Every bind in flight listens on the term's signal (MAX_BINDS_IN_FLIGHT of them, plus the loop).
    setMaxListeners(MAX_BINDS_IN_FLIGHT + 16, signal);
    const binder = new ApiBinder({ client: d.client, signal, assignedElsewhere: d.assignedElsewhere,
      onBindDone: (s, result) => d.metrics.bindingDuration.observe({ result }, s) });
    this.scheduler = new Scheduler({
      binder, clock: Date.now, config: d.config, rng: seededRng(Date.now() >>> 0),
      podLister: (pod) => this.#live(pod),
      hooks: {
        onUnschedulable: (pod, info) => this.#guard(() => this.#onUnschedulable(pod, info)),
        onPreempt: (pod, node, victims) => this.#guard(() => this.#onPreempt(pod, node, victims)),
        onNominationCleared: (pod) => this.#guard(() => d.writes.push(() => clearNomination(d.client, pod))),
        onBound: (pod, node) => this.#guard(() => this.#onBound(pod, node)),
      },
    });
  }

  get active(): boolean { return !this.#signal.aborted && !this.#stop.signal.aborted; }
  get bindsInFlight(): number { return this.#binds.size; }

  /** Rebuilds the core from the informers (nodes, then bound pods, then pending ones) and starts scheduling. */
  start(): void {
    const now = Date.now();
    const s = this.scheduler;
    for (const n of this.#d.nodes.store.list()) s.onNodeAdd(n, now);
    const pending: Pod[] = [];
    for (const p of this.#d.pods.store.list()) {
      if (isTerminal(p)) continue;
      if (p.spec?.nodeName) s.onPodAdd(this.#d.assignedElsewhere.overlay(p) ?? p, now);
      else pending.push(p);
    }
    for (const p of pending) {
      const live = this.#d.assignedElsewhere.overlay(p) ?? p;
      if (!live.spec?.nodeName) s.onPodAdd(live, now);
    }
    this.#timer = setInterval(() => { if (this.active) this.scheduler.tick(Date.now()); }, TICK_INTERVAL_MS);
    this.#signal.addEventListener('abort', () => this.abandon(), { once: true });
    this.#loop = this.#run();
  }

  /** Stops scheduling now (the lease is lost): nothing more is popped; queued work is dropped with the term. */
  abandon(): void {
    this.#stop.abort();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Graceful stop: no more pods popped; waits up to timeoutMs for binds in flight. */
  async drain(timeoutMs: number): Promise<void> {
    this.abandon();
    await this.#loop;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#binds]),
      new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); }),
    ]);
    clearTimeout(timer);
  }

  // ---- informer events (eventhandlers.go), routed here while the term runs --------------------

  podAdded(pod: Pod): void {
    if (this.active && !isTerminal(pod)) this.scheduler.onPodAdd(pod, Date.now());
  }

  podUpdated(oldPod: Pod, newPod: Pod): void {
    if (!this.active) return;
    // The pod informer watches non-terminal pods only; a pod turning terminal leaves the cache.
    if (isTerminal(newPod)) this.scheduler.onPodDelete(oldPod, Date.now());
    else this.scheduler.onPodUpdate(oldPod, newPod, Date.now());
  }

  podDeleted(pod: Pod): void {
    if (this.active) this.scheduler.onPodDelete(pod, Date.now());
  }

  nodeAdded(node: Node): void { if (this.active) this.scheduler.onNodeAdd(node, Date.now()); }
  nodeUpdated(o: Node, n: Node): void { if (this.active) this.scheduler.onNodeUpdate(o, n, Date.now()); }
  nodeDeleted(node: Node): void { if (this.active) this.scheduler.onNodeDelete(node); }

  // ---- the loop ---------------------------------------------------------------------------------

  /** scheduleOne as fast as pods come; binds run concurrently, at most MAX_BINDS_IN_FLIGHT. */
  async #run(): Promise<void> {
    this.#stop.signal.addEventListener('abort', () => this.#wake?.(), { once: true });
    this.scheduler.queue.onAvailable(() => { if (this.#sleepingFor === 'pod') this.#wake?.(); });
    let sliceStart = performance.now();
    while (this.active) {
      if (this.#binds.size >= MAX_BINDS_IN_FLIGHT) {
        // Woken by whichever bind ends first (racing the set of binds instead left a reaction on
        // each pending bind per wait: quadratic in the binds in flight).
        await this.#sleep('slot');
        continue;
      }
      this.#cycleStartMs = performance.now();
      const out = this.scheduler.scheduleOne(Date.now());
      if (out === undefined) {
        // Nothing runs between the empty pop and here, so a pod added meanwhile cannot be missed.
        await this.#sleep('pod');
        sliceStart = performance.now();
        continue;
      }
      this.#account(out);
      if (performance.now() - sliceStart >= SCHEDULE_YIELD_AFTER_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  }

  #sleep(what: 'pod' | 'slot'): Promise<void> {
    this.#sleepingFor = what;
    return new Promise<void>((r) => {
      this.#wake = () => { this.#wake = undefined; this.#sleepingFor = undefined; r(); };
    });
  }

  #account(out: CycleOutcome): void {
    const m = this.#d.metrics;
    m.algorithmDuration.observe((performance.now() - this.#cycleStartMs) / 1000);
    if (!('binding' in out)) return;
    const key = podKey(out.pod);
    this.#bindStartMs.set(key, this.#cycleStartMs);
    const p = out.binding.catch((e: unknown) => this.#d.log.warn({ err: String(e) }, 'binding cycle failed'))
      .finally(() => {
        this.#binds.delete(p);
        this.#bindStartMs.delete(key);
        if (this.#sleepingFor === 'slot') this.#wake?.();
      });
    this.#binds.add(p);
  }

  #attemptSeconds(pod: Pod): number {
    const start = this.#bindStartMs.get(podKey(pod)) ?? this.#cycleStartMs;
    return (performance.now() - start) / 1000;
  }

  /** The informer's copy of a pod, overlaid with 409s; undefined if it is gone (or recreated). */
  #live(pod: Pod): Pod | undefined {
    const live = this.#d.pods.store.get(keyOf(pod));
    if (live === undefined || (live.metadata?.uid ?? '') !== (pod.metadata?.uid ?? '') || isTerminal(live)) {
      return undefined;
    }
    return this.#d.assignedElsewhere.overlay(live);
  }

  /** Hooks run while we lead (binds still finishing during a graceful drain included), never after. */
  #guard(fn: () => void): void {
    if (this.#signal.aborted) return;
    try {
      fn();
    } catch (e) {
      this.#d.log.warn({ err: String(e) }, 'scheduler hook failed');
    }
  }

  // ---- hooks ------------------------------------------------------------------------------------

  #onUnschedulable(pod: Pod, info: FailureInfo): void {
    const d = this.#d;
    const result = info.reason === 'Unschedulable' ? 'unschedulable' : 'error';
    const profile = pod.spec?.schedulerName ?? 'default-scheduler';
    d.metrics.attempts.inc({ result, profile });
    d.metrics.attemptDuration.observe({ result, profile }, this.#attemptSeconds(pod));
    // An error (a failed bind, most often) is not the pod's fault: say what it was.
    if (result === 'error') d.log.warn({ pod: keyOf(pod), err: info.message }, 'scheduling attempt failed');
    // Bound by someone else (409) or deleted meanwhile: nothing to report on it.
    const live = this.#live(pod);
    if (live === undefined || live.spec?.nodeName) return;
    d.recorder?.record(live, 'Warning', 'FailedScheduling', 'Scheduling', info.message);
    const patch = podScheduledPatch(live, info.reason, info.message, info.nominatedNodeName, Date.now());
    if (patch !== undefined) d.writes.push(() => patchPodScheduled(d.client, live, patch));
  }

  #onPreempt(preemptor: Pod, nodeName: string, victims: Pod[]): void {
    const d = this.#d;
    d.metrics.preemptionAttempts.inc();
    d.metrics.preemptionVictims.observe(victims.length);
    const schedulerName = preemptor.spec?.schedulerName ?? 'default-scheduler';
    d.log.info({ pod: keyOf(preemptor), node: nodeName, victims: victims.map((v) => keyOf(v)) }, 'preempting');
    for (const v of victims) {
      d.recorder?.record(v, 'Normal', 'Preempted', 'Preempting',
        `Preempted by pod ${preemptor.metadata?.uid ?? keyOf(preemptor)} on node ${nodeName}`);
      d.writes.push(() => preemptVictim(d.client, v, schedulerName, Date.now()));
    }
  }

  #onBound(pod: Pod, nodeName: string): void {
    const d = this.#d;
    const profile = pod.spec?.schedulerName ?? 'default-scheduler';
    d.metrics.attempts.inc({ result: 'scheduled', profile });
    d.metrics.attemptDuration.observe({ result: 'scheduled', profile }, this.#attemptSeconds(pod));
    if (d.scheduledEvents) {
      d.recorder?.record(pod, 'Normal', 'Scheduled', 'Binding',
        `Successfully assigned ${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''} to ${nodeName}`);
    }
    d.onBound?.(pod, nodeName);
  }
}
