// CronJob controller (kube pkg/controller/cronjob, the v2 controller). sync(key):
// - reconcile status.active with the Jobs the CronJob controls (finished ones leave the list and
//   move lastSuccessfulTime; vanished ones are dropped; unknown running ones are added);
// - delete finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first;
// - unless suspended: find the most recent schedule time in (lastScheduleTime or creation,
//   now] — not earlier than now − startingDeadlineSeconds — and, if it is still within the
//   starting deadline, create Job "<name>-<minutes since epoch>" from the jobTemplate with a
//   controller reference and the batch.kubernetes.io/cronjob-scheduled-timestamp annotation,
//   honouring concurrencyPolicy (Forbid skips while a Job runs, Replace deletes the running ones);
// - requeue for the next schedule time (+100 ms, kube's nextScheduleDelta).
// The schedule is evaluated in spec.timeZone (or the process's zone) by control-plane/api/cron.ts; the
// clock is ctx.clock, so tests drive time.
import type { CronJob, CronJobStatus, Job, ObjectReference } from '../api/index.js';
import { mostRecentActivation, nextActivation, parseCronSchedule, isValidTimeZone } from '../api/cron.js';
import { isAlreadyExists, isNotFound, isTombstone } from '../client/index.js';
import { QueueController } from './controller.js';
import { jobFinishedAtMs } from './job.js';
import { CRONJOB_HISTORY_DELETES_PER_SYNC_MAX, CRONJOB_NEXT_SCHEDULE_DELTA_MS } from './limits.js';
import { R, type ControllerContext, type EventSink, type Informer } from './types.js';
import { controllerRefOf, isoSeconds, jsonEq, keyFor, newControllerRef, splitNsName, timeMs } from './util.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

const finishedAs = (j: Job): 'Complete' | 'Failed' | undefined => {
  for (const c of j.status?.conditions ?? []) {
    if (c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed')) return c.type;
  }
  return undefined;
};

/** getJobName: the scheduled time in minutes since the epoch, so every schedule time names one Job. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata?.name ?? ''}-${Math.floor(scheduledMs / 60_000)}`;
}

/** getJobFromTemplate2: labels/annotations of the template, the scheduled-time annotation, our controller reference. */
export function jobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const t = cj.spec?.jobTemplate;
  const annotations = { ...(t?.metadata?.annotations ?? {}),
    [SCHEDULED_TIMESTAMP_ANNOTATION]: isoSeconds(scheduledMs) };
  const metadata: Job['metadata'] = { name: jobNameFor(cj, scheduledMs), namespace: cj.metadata?.namespace ?? '', annotations,
    ownerReferences: [newControllerRef(cj, R.cronJobs)] };
  if (t?.metadata?.labels !== undefined) metadata.labels = { ...t.metadata.labels };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: structuredClone(t?.spec ?? { template: {} }) };
}

function refTo(j: Job): ObjectReference {
  return { kind: 'Job', namespace: j.metadata?.namespace ?? '', name: j.metadata?.name ?? '', uid: j.metadata?.uid ?? '',
    apiVersion: 'batch/v1', resourceVersion: j.metadata?.resourceVersion ?? '' };
}

const startedMs = (j: Job): number => {
  const s = timeMs(j.status?.startTime);
  return Number.isFinite(s) ? s : timeMs(j.metadata?.creationTimestamp);
};

export class CronJobController extends QueueController {
  readonly #cronJobs: Informer<CronJob>;
  readonly #jobs: Informer<Job>;
  readonly #events: EventSink;

  constructor(ctx: ControllerContext) {
    super('cronjob', ctx);
    this.#cronJobs = ctx.informers.informer<CronJob>(R.cronJobs);
    this.#jobs = ctx.informers.informer<Job>(R.jobs);
    this.#events = ctx.events('cronjob-controller');
    this.#cronJobs.addEventHandler({
      onAdd: (cj) => this.enqueue(keyFor(cj)),
      onUpdate: (_o, cj) => this.enqueue(keyFor(cj)),
    });
    const owner = (j: Job): void => {
      const ref = controllerRefOf(j.metadata);
      if (ref?.kind !== 'CronJob') return;
      const cj = this.#cronJobs.store.getByName(j.metadata?.namespace ?? '', ref.name);
      if (cj?.metadata?.uid === ref.uid) this.enqueue(keyFor(cj));
    };
    this.#jobs.addEventHandler({
      onAdd: owner,
      onUpdate: (_o, j) => owner(j),
      onDelete: (j) => owner(isTombstone(j) ? j.obj : j),
    });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#cronJobs.store.listKeys();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitNsName(key);
    const cj = this.#cronJobs.store.getByName(namespace, name);
    if (cj === undefined || cj.metadata?.deletionTimestamp !== undefined) return;
    const children = this.#jobs.store.listByNamespace(namespace)
      .filter((j) => controllerRefOf(j.metadata)?.uid === cj.metadata?.uid);
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    await this.#reconcileActive(cj, status, children);
    await this.#cleanupHistory(cj, children);
    const requeueMs = await this.#schedule(cj, status, children);
    await this.#updateStatus(cj, status);
    if (requeueMs !== undefined) this.enqueueAfter(key, requeueMs);
  }

  async #reconcileActive(cj: CronJob, status: CronJobStatus, children: readonly Job[]): Promise<void> {
    const byUid = new Map(children.map((j) => [j.metadata?.uid ?? '', j]));
    const active: ObjectReference[] = [];
    for (const ref of status.active ?? []) {
      const j = byUid.get(ref.uid ?? '');
      if (j === undefined) {
        // Not in the cache: confirm with the server before forgetting it (kube does the same).
        const gone = await this.ctx.client.get<Job>(R.jobs, ref.namespace ?? '', ref.name ?? '')
          .then((x) => x.metadata?.uid !== ref.uid, (e: unknown) => { if (isNotFound(e)) return true; throw e; });
        if (gone) this.#events.event(R.cronJobs, cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        else active.push(ref);
        continue;
      }
      if (finishedAs(j) === undefined) active.push(ref);
    }
    for (const j of children) {
      const outcome = finishedAs(j);
      const listed = active.some((r) => r.uid === j.metadata?.uid);
      if (outcome === undefined && !listed) active.push(refTo(j));
      if (outcome !== undefined && (status.active ?? []).some((r) => r.uid === j.metadata?.uid)) {
        this.#events.event(R.cronJobs, cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, condition: ${outcome}`);
      }
      const done = jobFinishedAtMs(j);
      if (outcome === 'Complete' && Number.isFinite(done) && !(timeMs(status.lastSuccessfulTime) >= done)) {
        status.lastSuccessfulTime = isoSeconds(done);
      }
    }
    if (active.length > 0) status.active = active;
    else delete status.active;
  }

  /** cleanupFinishedJobs: keep the newest successfulJobsHistoryLimit Complete and failedJobsHistoryLimit Failed. */
  async #cleanupHistory(cj: CronJob, children: readonly Job[]): Promise<void> {
    const excess = (kind: 'Complete' | 'Failed', limit: number | undefined): Job[] => {
      if (limit === undefined) return [];
      const done = children.filter((j) => finishedAs(j) === kind && j.metadata?.deletionTimestamp === undefined)
        .sort((a, b) => startedMs(a) - startedMs(b));
      return done.slice(0, Math.max(0, done.length - limit));
    };
    const victims = [...excess('Complete', cj.spec?.successfulJobsHistoryLimit), ...excess('Failed', cj.spec?.failedJobsHistoryLimit)]
      .slice(0, CRONJOB_HISTORY_DELETES_PER_SYNC_MAX);
    for (const j of victims) await this.#deleteJob(cj, j);
  }

  async #deleteJob(cj: CronJob, j: { metadata?: { name?: string; namespace?: string } }): Promise<void> {
    const name = j.metadata?.name ?? '';
    try {
      await this.ctx.client.delete(R.jobs, j.metadata?.namespace ?? '', name, { propagationPolicy: 'Background' });
      this.#events.event(R.cronJobs, cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    } catch (e) {
      if (!isNotFound(e)) {
        this.#events.event(R.cronJobs, cj, 'Warning', 'FailedDelete', `Deleted job: ${name}`);
        throw e;
      }
    }
  }

  /** The scheduling half of syncCronJob: returns how long until the key should be looked at again. */
  async #schedule(cj: CronJob, status: CronJobStatus, children: readonly Job[]): Promise<number | undefined> {
    if (cj.spec?.suspend === true) return undefined;
    const parsed = parseCronSchedule(cj.spec?.schedule ?? '');
    if (!parsed.ok) {
      this.#events.event(R.cronJobs, cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule ?? '')} : ${parsed.error}`);
      return undefined;
    }
    const tz = cj.spec?.timeZone;
    if (tz !== undefined && !isValidTimeZone(tz)) {
      this.#events.event(R.cronJobs, cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}`);
      return undefined;
    }
    const nowMs = this.ctx.clock.nowMs();
    const sds = cj.spec?.startingDeadlineSeconds;
    let earliest = timeMs(status.lastScheduleTime ?? cj.metadata?.creationTimestamp);
    if (!Number.isFinite(earliest)) earliest = nowMs;
    if (sds !== undefined) earliest = Math.max(earliest, nowMs - sds * 1000);
    const { timeMs: scheduled } = mostRecentActivation(parsed.value, earliest, nowMs, tz);
    const next = nextActivation(parsed.value, nowMs, tz);
    const requeue = next === undefined ? undefined : next - nowMs + CRONJOB_NEXT_SCHEDULE_DELTA_MS;
    if (scheduled === undefined) return requeue;
    if (sds !== undefined && scheduled + sds * 1000 < nowMs) {
      this.#events.event(R.cronJobs, cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${isoSeconds(scheduled)}`);
      return requeue;
    }
    const jobName = jobNameFor(cj, scheduled);
    if (children.some((j) => j.metadata?.name === jobName)) return requeue; // this run exists already
    const active = status.active ?? [];
    if (cj.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) return requeue;
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of active) await this.#deleteJob(cj, { metadata: { name: ref.name ?? '', namespace: ref.namespace ?? '' } });
      delete status.active;
    }
    let created: Job;
    try {
      created = await this.ctx.client.create<Job>(R.jobs, cj.metadata?.namespace ?? '', jobFromTemplate(cj, scheduled));
      this.#events.event(R.cronJobs, cj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.#events.event(R.cronJobs, cj, 'Warning', 'FailedCreate', `Error creating job: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
      // Created by an earlier sync whose watch event has not reached the cache yet.
      created = await this.ctx.client.get<Job>(R.jobs, cj.metadata?.namespace ?? '', jobName);
      if (controllerRefOf(created.metadata)?.uid !== cj.metadata?.uid) return requeue;
    }
    if (!(status.active ?? []).some((r) => r.uid === created.metadata?.uid)) {
      status.active = [...(status.active ?? []), refTo(created)];
    }
    status.lastScheduleTime = isoSeconds(scheduled);
    return requeue;
  }

  /**
   * Writes the status with the cached copy's resourceVersion. A conflict means our copy was stale, and
   * the status we computed from it may be missing what a newer sync recorded (lastScheduleTime, active):
   * it is not retried on a fresh copy but thrown, so the key is synced again from the updated cache.
   */
  async #updateStatus(cj: CronJob, status: CronJobStatus): Promise<void> {
    if (jsonEq(cj.status ?? {}, status)) return;
    try {
      await this.ctx.client.updateStatus<CronJob>(R.cronJobs, cj.metadata?.namespace ?? '', { ...cj, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
