// Job controller (kube pkg/controller/job), NonIndexed completion mode. sync(key):
// - claim pods (selector + controller reference; the apiserver labelled the template with the job's
//   uid and name), count active / succeeded / failed / ready / terminating;
// - terminal checks in kube's order: backoffLimit (failed pods plus container restarts under
//   restartPolicy OnFailure) → Failed/BackoffLimitExceeded; activeDeadlineSeconds since startTime →
//   Failed/DeadlineExceeded; enough successes (completions, or for a work queue any success once no
//   pod is active) → Complete. Terminal jobs get FailureTarget+Failed or SuccessCriteriaMet+Complete
//   (1.31+ adds the interim condition first; we add both at once) and their active pods deleted;
//   Complete sets completionTime, which `kubectl get jobs` DURATION reads;
// - otherwise keep min(parallelism, completions - succeeded) pods active (a work queue: parallelism
//   until the first success), created with generateName "<job>-" and a controller reference, after
//   kube's failure backoff (10 s doubling per failure, capped); suspend deletes active pods;
// - ttlSecondsAfterFinished: a finished job is deleted (foreground) once the TTL has passed (kube's
//   TTL-after-finished controller, folded in here).
// Differences: counts are not tracked with the batch.kubernetes.io/job-tracking finalizer; succeeded
// and failed never decrease, so a terminated pod deleted early is still counted, but a pod deleted
// before we saw it terminate is not. No Indexed mode, podFailurePolicy or successPolicy.
import type { Job, JobCondition, JobStatus, Pod } from '../api/index.js';
import { labelSelectorAsSelector, type LabelSelector } from '../api/index.js';
import { isConflict, isNotFound, isTombstone } from '../client/index.js';
import { QueueController } from './controller.js';
import { AggregateSyncError, ControllerError } from './errors.js';
import { Expectations } from './expectations.js';
import {
  JOB_POD_FAILURE_BACKOFF_MAX_MS, JOB_POD_FAILURE_BACKOFF_MS, JOB_PODS_PER_SYNC_MAX, SLOW_START_INITIAL_BATCH_SIZE,
} from './limits.js';
import { PodControl, podsToDelete, slowStartBatch } from './pod-control.js';
import { claimObjects } from './ref-manager.js';
import { R, type ControllerContext, type EventSink, type Informer } from './types.js';
import {
  controllerRefOf, errorMessage, forEachLimited, isoSeconds, isPodActive, isPodReady, jsonEq, keyFor, splitNsName,
  timeMs,
} from './util.js';

const DELETES_IN_FLIGHT_MAX = 16;

const conditionTrue = (j: Job, type: string): boolean => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** IsJobFinished: a Complete or Failed condition is True. */
export function isJobFinished(j: Job): boolean {
  return conditionTrue(j, 'Complete') || conditionTrue(j, 'Failed');
}

/** When the job finished (completionTime, else the Failed condition's transition time). */
export function jobFinishedAtMs(j: Job): number {
  const done = timeMs(j.status?.completionTime);
  if (Number.isFinite(done)) return done;
  return timeMs((j.status?.conditions ?? []).find((c) => c.type === 'Failed' && c.status === 'True')?.lastTransitionTime);
}

/** The pod-creation delay after `failures` failures (kube: 10 s · 2^(n−1), capped). */
export function failureBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(JOB_POD_FAILURE_BACKOFF_MAX_MS, JOB_POD_FAILURE_BACKOFF_MS * 2 ** Math.min(failures - 1, 30));
}

function setCondition(conds: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string,
  nowIso: string): JobCondition[] {
  const i = conds.findIndex((c) => c.type === type);
  const prev = conds[i];
  if (prev !== undefined && prev.status === status && prev.reason === reason) return conds;
  const c: JobCondition = { type, status, lastProbeTime: nowIso,
    lastTransitionTime: prev !== undefined && prev.status === status ? prev.lastTransitionTime ?? nowIso : nowIso,
    reason, message };
  return i < 0 ? [...conds, c] : conds.map((x, k) => (k === i ? c : x));
}

function lastFailureMs(pods: readonly Pod[]): number {
  let last = NaN;
  for (const p of pods) {
    if (p.status?.phase !== 'Failed') continue;
    for (const c of p.status.containerStatuses ?? []) {
      const t = timeMs(c.state?.terminated?.finishedAt);
      if (Number.isFinite(t) && !(t <= last)) last = t;
    }
  }
  return last;
}

interface Tally {
  active: Pod[]; succeeded: number; failed: number; ready: number; terminating: number; restarts: number;
}

function tally(job: Job, pods: readonly Pod[]): Tally {
  const active = pods.filter(isPodActive);
  const onFailure = job.spec?.template?.spec?.restartPolicy === 'OnFailure';
  const restarts = onFailure ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? [])
    .reduce((m, c) => m + (c.restartCount ?? 0), 0), 0) : 0;
  return {
    active,
    // Never below what was recorded: a counted pod may since have been deleted.
    succeeded: Math.max(job.status?.succeeded ?? 0, pods.filter((p) => p.status?.phase === 'Succeeded').length),
    failed: Math.max(job.status?.failed ?? 0, pods.filter((p) => p.status?.phase === 'Failed').length),
    ready: active.filter(isPodReady).length,
    terminating: pods.filter((p) => p.metadata?.deletionTimestamp !== undefined && p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed').length,
    restarts,
  };
}

export class JobController extends QueueController {
  readonly creates: Expectations;
  readonly deletes: Expectations;
  readonly #jobs: Informer<Job>;
  readonly #pods: Informer<Pod>;
  readonly #events: EventSink;
  readonly #podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super('job', ctx);
    this.creates = new Expectations(ctx.clock);
    this.deletes = new Expectations(ctx.clock);
    this.#jobs = ctx.informers.informer<Job>(R.jobs);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    this.#events = ctx.events('job-controller');
    this.#podControl = new PodControl(ctx.client, this.#events);
    this.#jobs.addEventHandler({
      onAdd: (j) => this.enqueue(keyFor(j)),
      onUpdate: (_o, j) => this.enqueue(keyFor(j)),
      onDelete: (j) => {
        const key = keyFor(isTombstone(j) ? j.obj : j);
        this.creates.delete(key);
        this.deletes.delete(key);
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podEvent(p, p.metadata?.deletionTimestamp === undefined ? 'add' : 'delete'),
      onUpdate: (o, p) => {
        if (o.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        if (p.metadata?.deletionTimestamp !== undefined && o.metadata?.deletionTimestamp === undefined) this.#podEvent(p, 'delete');
        else this.#podEvent(p, 'update');
      },
      onDelete: (p) => this.#podEvent(isTombstone(p) ? p.obj : p, 'delete'),
    });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#jobs.store.listKeys();
  }

  protected override onStart(): void {
    this.creates.clear();
    this.deletes.clear();
  }

  #podEvent(p: Pod, what: 'add' | 'update' | 'delete'): void {
    const ref = controllerRefOf(p.metadata);
    if (ref === undefined) {
      if (what === 'add') this.#enqueueMatching(p);
      return;
    }
    if (ref.kind !== 'Job') return;
    const job = this.#jobs.store.getByName(p.metadata?.namespace ?? '', ref.name);
    if (job === undefined || job.metadata?.uid !== ref.uid) return;
    const key = keyFor(job);
    if (what === 'add') this.creates.creationObserved(key);
    if (what === 'delete') this.deletes.deletionObserved(key, keyFor(p));
    this.enqueue(key);
  }

  #enqueueMatching(p: Pod): void {
    for (const j of this.#jobs.store.listByNamespace(p.metadata?.namespace ?? '')) {
      const sel = labelSelectorAsSelector(j.spec?.selector);
      if (sel.ok && !sel.value.isEverything() && sel.value.matches(p.metadata?.labels ?? {})) this.enqueue(keyFor(j));
    }
  }

  #selector(job: Job): LabelSelector {
    const r = labelSelectorAsSelector(job.spec?.selector);
    if (!r.ok) throw new ControllerError(`invalid selector: ${r.error.message}`);
    return r.value;
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitNsName(key);
    const job = this.#jobs.store.getByName(namespace, name);
    if (job === undefined) { this.creates.delete(key); this.deletes.delete(key); return; }
    if (isJobFinished(job)) { await this.#ttl(key, job); return; }
    if (job.metadata?.deletionTimestamp !== undefined) return;
    const selector = this.#selector(job);
    if (selector.isEverything()) return; // an empty selector would claim every pod of the namespace
    const pods = await claimObjects({ client: this.ctx.client, owner: job, ownerResource: R.jobs, childResource: R.pods,
      selector, candidates: this.#pods.store.listByNamespace(namespace) });
    const nowMs = this.ctx.clock.nowMs();
    const nowIso = isoSeconds(nowMs);
    const t = tally(job, pods);
    const status: JobStatus = structuredClone(job.status ?? {});
    let conds = status.conditions ?? [];
    const suspended = job.spec?.suspend === true;
    if (!suspended) status.startTime ??= nowIso;
    const spec = job.spec;
    const deadlineMs = spec?.activeDeadlineSeconds !== undefined && status.startTime !== undefined
      ? timeMs(status.startTime) + spec.activeDeadlineSeconds * 1000 : NaN;
    let failure: [string, string] | undefined;
    if (t.failed + t.restarts > (spec?.backoffLimit ?? 6)) failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
    else if (!suspended && deadlineMs <= nowMs) failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
    const completions = spec?.completions;
    const complete = failure === undefined && (completions !== undefined ? t.succeeded >= completions
      : t.succeeded > 0 && t.active.length === 0);
    let active = t.active.length;
    let manageError: unknown;
    // Events about the job's state go out once the status saying so is written (a stale copy would repeat them).
    const notes: ['Normal' | 'Warning', string, string][] = [];
    if (failure !== undefined || complete) {
      manageError = await this.#deletePods(key, job, t.active).catch((e: unknown) => e);
      if (manageError === undefined) active = 0;
      if (failure !== undefined) {
        conds = setCondition(conds, 'FailureTarget', 'True', failure[0], failure[1], nowIso);
        conds = setCondition(conds, 'Failed', 'True', failure[0], failure[1], nowIso);
        notes.push(['Warning', failure[0], failure[1]]);
      } else {
        conds = setCondition(conds, 'SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', nowIso);
        conds = setCondition(conds, 'Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', nowIso);
        status.completionTime = nowIso;
        notes.push(['Normal', 'Completed', 'Job completed']);
      }
    } else if (suspended) {
      manageError = await this.#deletePods(key, job, t.active).catch((e: unknown) => e);
      if (manageError === undefined) active = 0;
      if (!conditionTrue(job, 'Suspended')) notes.push(['Normal', 'Suspended', 'Job suspended']);
      conds = setCondition(conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowIso);
    } else {
      if (conditionTrue(job, 'Suspended')) {
        conds = setCondition(conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowIso);
        notes.push(['Normal', 'Resumed', 'Job resumed']);
      }
      try {
        active = await this.#manage(key, job, t, pods, nowMs);
      } catch (e) {
        manageError = e;
      }
      if (Number.isFinite(deadlineMs)) this.enqueueAfter(key, deadlineMs - nowMs + 1);
    }
    if (conds.length > 0) status.conditions = conds;
    Object.assign(status, { active, succeeded: t.succeeded, failed: t.failed, ready: t.ready,
      terminating: t.terminating });
    if (await this.#updateStatus(job, status)) {
      for (const [type, reason, msg] of notes) this.#events.event(R.jobs, job, type, reason, msg);
    }
    if (manageError !== undefined) throw manageError;
  }

  /** manageJob: returns the number of active pods after its creations and deletions. */
  async #manage(key: string, job: Job, t: Tally, pods: readonly Pod[], nowMs: number): Promise<number> {
    const active = t.active.length;
    if (!(this.creates.satisfied(key) && this.deletes.satisfied(key))) return active;
    const parallelism = job.spec?.parallelism ?? 1;
    const completions = job.spec?.completions;
    const want = completions !== undefined ? Math.max(0, Math.min(parallelism, completions - t.succeeded))
      : t.succeeded > 0 ? active : parallelism;
    if (active > want) {
      const victims = podsToDelete(t.active, t.active, active - want);
      await this.#deletePods(key, job, victims);
      return active - victims.length;
    }
    if (active === want) return active;
    const backoff = failureBackoffMs(t.failed);
    const since = lastFailureMs(pods);
    if (backoff > 0 && Number.isFinite(since) && since + backoff > nowMs) {
      this.enqueueAfter(key, since + backoff - nowMs);
      return active;
    }
    const n = Math.min(want - active, JOB_PODS_PER_SYNC_MAX);
    this.creates.expectCreations(key, n);
    const template = job.spec?.template ?? {};
    const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async () => {
      try {
        await this.#podControl.create(template, job, R.jobs);
      } catch (e) {
        this.creates.creationObserved(key);
        throw e;
      }
    });
    for (let k = successes + (error === undefined ? 0 : 1); k < n; k++) this.creates.creationObserved(key);
    if (error !== undefined) throw error;
    return active + successes;
  }

  async #deletePods(key: string, job: Job, pods: readonly Pod[]): Promise<void> {
    if (pods.length === 0) return;
    const victims = pods.slice(0, JOB_PODS_PER_SYNC_MAX);
    this.deletes.expectDeletions(key, victims.map(keyFor));
    const errors = await forEachLimited(victims, DELETES_IN_FLIGHT_MAX, async (p) => {
      try {
        await this.#podControl.delete(p, job, R.jobs);
      } catch (e) {
        this.deletes.deletionObserved(key, keyFor(p));
        if (!isNotFound(e)) throw e;
      }
    });
    if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateSyncError(errors);
  }

  /** The TTL-after-finished controller's part: delete the job (foreground: pods first) when its time is up. */
  async #ttl(key: string, job: Job): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || job.metadata?.deletionTimestamp !== undefined) return;
    const finished = jobFinishedAtMs(job);
    if (!Number.isFinite(finished)) return;
    const left = finished + ttl * 1000 - this.ctx.clock.nowMs();
    if (left > 0) { this.enqueueAfter(key, left); return; }
    try {
      await this.ctx.client.delete(R.jobs, job.metadata?.namespace ?? '', job.metadata?.name ?? '',
        { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata?.uid ?? '' } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * Writes the status with the cached copy's resourceVersion; true when written (or unchanged). A
   * conflict is thrown, not retried on a fresh copy: our status was computed from a stale job
   * (startTime, completionTime, counts) and the key is synced again from the updated cache.
   */
  async #updateStatus(job: Job, status: JobStatus): Promise<boolean> {
    if (jsonEq(job.status ?? {}, status)) return true;
    try {
      await this.ctx.client.updateStatus<Job>(R.jobs, job.metadata?.namespace ?? '', { ...job, status });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      this.ctx.log.debug({ controller: this.name, err: errorMessage(e), conflict: isConflict(e) }, 'status update failed');
      throw e;
    }
  }
}
