import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, Job } from '../api/index.js';
import { CronJobController, jobNameFor, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob.js';
import { FakeWorld } from './testing/fake.js';
import { R } from './types.js';
import { isoSeconds } from './util.js';

const T0 = Date.parse('2024-01-01T00:00:30Z');

function cronJob(spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'ns', creationTimestamp: isoSeconds(T0) },
    spec: { schedule: '*/5 * * * *', timeZone: 'UTC', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1, ...spec,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'busybox' }] } } } } },
    status: {},
  };
}

function setup(cj: CronJob = cronJob()) {
  const w = new FakeWorld();
  w.nowMs = T0;
  const c = new CronJobController(w.context());
  w.seed(R.cronJobs, cj);
  return { w, c };
}

const jobs = (w: FakeWorld): Job[] => w.list<Job>(R.jobs, 'ns').sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
const status = (w: FakeWorld) => w.obj<CronJob>(R.cronJobs, 'ns', 'tick')!.status!;

async function finishAll(w: FakeWorld, outcome: 'Complete' | 'Failed'): Promise<void> {
  for (const j of jobs(w)) {
    if ((j.status?.conditions ?? []).length > 0) continue;
    await w.updateStatus(R.jobs, 'ns', { ...j, status: { startTime: j.metadata?.creationTimestamp,
      completionTime: outcome === 'Complete' ? isoSeconds(w.nowMs) : undefined,
      conditions: [{ type: outcome, status: 'True', lastTransitionTime: isoSeconds(w.nowMs) }] } });
  }
}

test('nothing before the first schedule time; then one Job named <cronjob>-<minutes>, owned, annotated', async () => {
  const { w, c } = setup();
  await c.sync('ns/tick');
  assert.equal(jobs(w).length, 0, '00:00:30 — the first */5 time is 00:05');
  w.nowMs = Date.parse('2024-01-01T00:05:01Z');
  await c.sync('ns/tick');
  const [j] = jobs(w);
  const at = Date.parse('2024-01-01T00:05:00Z');
  assert.equal(j?.metadata?.name, jobNameFor(cronJob(), at));
  assert.equal(j?.metadata?.name, `tick-${at / 60_000}`);
  assert.equal(j?.metadata?.ownerReferences?.[0]?.kind, 'CronJob');
  assert.equal(j?.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], '2024-01-01T00:05:00Z');
  assert.equal(j?.metadata?.labels?.['app'], 'tick');
  assert.equal(status(w).lastScheduleTime, '2024-01-01T00:05:00Z');
  assert.equal(status(w).active?.[0]?.name, j?.metadata?.name);
  await c.sync('ns/tick');
  assert.equal(jobs(w).length, 1, 'idempotent within one schedule slot');
});

test('a finished job leaves active and sets lastSuccessfulTime; history limits delete the oldest', async () => {
  const { w, c } = setup(cronJob({ successfulJobsHistoryLimit: 2 }));
  for (let i = 1; i <= 4; i++) {
    w.nowMs = T0 + i * 5 * 60_000;
    await c.sync('ns/tick');
    w.nowMs += 1000;
    await finishAll(w, 'Complete');
    await c.sync('ns/tick');
  }
  assert.equal(status(w).active, undefined);
  assert.ok(status(w).lastSuccessfulTime);
  assert.equal(jobs(w).length, 2, 'successfulJobsHistoryLimit 2');
  const del = w.writes().filter((a) => a.verb === 'delete' && a.resource === 'jobs');
  assert.equal(del.length, 2);
  assert.equal(del[0]?.options?.propagationPolicy, 'Background');
});

test('concurrencyPolicy Forbid skips while a job runs; Replace deletes the running one', async () => {
  const forbid = setup(cronJob({ concurrencyPolicy: 'Forbid' }));
  forbid.w.nowMs = T0 + 5 * 60_000;
  await forbid.c.sync('ns/tick');
  forbid.w.nowMs = T0 + 10 * 60_000;
  await forbid.c.sync('ns/tick');
  assert.equal(jobs(forbid.w).length, 1, 'Forbid: the second run is skipped');

  const replace = setup(cronJob({ concurrencyPolicy: 'Replace' }));
  replace.w.nowMs = T0 + 5 * 60_000;
  await replace.c.sync('ns/tick');
  const first = jobs(replace.w)[0]!.metadata!.name!;
  replace.w.nowMs = T0 + 10 * 60_000;
  await replace.c.sync('ns/tick');
  assert.equal(replace.w.obj(R.jobs, 'ns', first), undefined, 'Replace: the running job is deleted');
  assert.equal(jobs(replace.w).length, 1);
  assert.equal(status(replace.w).active?.length, 1);

  const allow = setup();
  allow.w.nowMs = T0 + 5 * 60_000;
  await allow.c.sync('ns/tick');
  allow.w.nowMs = T0 + 10 * 60_000;
  await allow.c.sync('ns/tick');
  assert.equal(jobs(allow.w).length, 2, 'Allow: runs overlap');
});

test('suspend creates nothing; startingDeadlineSeconds skips a run missed by more than the deadline', async () => {
  const s = setup(cronJob({ suspend: true }));
  s.w.nowMs = T0 + 60 * 60_000;
  await s.c.sync('ns/tick');
  assert.equal(jobs(s.w).length, 0);

  const d = setup(cronJob({ startingDeadlineSeconds: 30 }));
  d.w.nowMs = Date.parse('2024-01-01T00:05:45Z'); // 45 s late for 00:05
  await d.c.sync('ns/tick');
  assert.equal(jobs(d.w).length, 0, 'too late to start the 00:05 run');
  d.w.nowMs = Date.parse('2024-01-01T00:10:10Z');
  await d.c.sync('ns/tick');
  assert.equal(jobs(d.w).length, 1, 'the 00:10 run is within its deadline');
});

test('after a long outage only the most recent missed time runs (one job, not one per slot)', async () => {
  const { w, c } = setup(cronJob({ schedule: '* * * * *' }));
  w.nowMs = T0 + 3 * 86_400_000 + 5_000;
  await c.sync('ns/tick');
  assert.equal(jobs(w).length, 1);
  assert.equal(status(w).lastScheduleTime, isoSeconds(Math.floor(w.nowMs / 60_000) * 60_000));
});

test('a sync from a stale cache never overwrites lastScheduleTime: the conflict requeues instead', async () => {
  const { w, c } = setup(cronJob({ schedule: '* * * * *' }));
  w.nowMs = T0 + 60_000;
  w.autoDeliver = false;
  await c.sync('ns/tick');
  assert.equal(status(w).lastScheduleTime, '2024-01-01T00:01:00Z');
  // The caches have seen neither the new Job nor the status write: a second sync works from stale copies.
  await assert.rejects(c.sync('ns/tick'), /the object has been modified|Conflict|conflict/i);
  w.deliver();
  await c.sync('ns/tick');
  assert.equal(status(w).lastScheduleTime, '2024-01-01T00:01:00Z');
  assert.equal(jobs(w).length, 1);
});
