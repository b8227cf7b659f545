import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job, Pod } from '../api/index.js';
import { failureBackoffMs, JobController } from './job.js';
import { FakeWorld, readyStatus } from './testing/fake.js';
import { R } from './types.js';
import { isoSeconds } from './util.js';

/** A job as the apiserver stores it: defaulted, with the generated selector and template labels. */
function job(spec: Partial<NonNullable<Job['spec']>> = {}, restartPolicy = 'Never'): Job {
  const labels = { 'batch.kubernetes.io/controller-uid': 'job-uid', 'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'job-uid', 'job-name': 'pi' };
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid' },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } }, ...spec,
      template: { metadata: { labels }, spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }] } } },
    status: {},
  };
}

function setup(j: Job = job()) {
  const w = new FakeWorld();
  const c = new JobController(w.context());
  w.seed(R.jobs, j);
  return { w, c };
}

const pods = (w: FakeWorld): Pod[] => w.list<Pod>(R.pods, 'ns');
const live = (w: FakeWorld): Pod[] => pods(w).filter((p) => p.metadata?.deletionTimestamp === undefined &&
  p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
const status = (w: FakeWorld) => w.obj<Job>(R.jobs, 'ns', 'pi')!.status!;
const condition = (w: FakeWorld, type: string) => (status(w).conditions ?? []).find((c) => c.type === type);

function finish(w: FakeWorld, p: Pod, phase: 'Succeeded' | 'Failed'): void {
  w.seed(R.pods, { ...p, spec: { ...p.spec!, nodeName: 'n1' }, status: { phase, containerStatuses: [{ name: 'c', ready: false,
    restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1,
      finishedAt: isoSeconds(w.nowMs) } } }] } } as Pod);
}

test('a one-pod job: pod with owner, labels and generateName; startTime; Complete + completionTime after success', async () => {
  const { w, c } = setup();
  await c.sync('ns/pi');
  const [p] = pods(w);
  assert.ok(p);
  assert.match(p.metadata!.name!, /^pi-/);
  assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-name'], 'pi');
  assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'Job');
  assert.equal(p.metadata?.ownerReferences?.[0]?.controller, true);
  assert.equal(status(w).active, 1);
  assert.ok(status(w).startTime);
  await c.sync('ns/pi');
  assert.equal(pods(w).length, 1, 'idempotent: no second pod');
  w.nowMs += 5000;
  finish(w, p, 'Succeeded');
  await c.sync('ns/pi');
  assert.equal(status(w).succeeded, 1);
  assert.equal(status(w).active, 0);
  assert.equal(condition(w, 'Complete')?.status, 'True');
  assert.equal(condition(w, 'SuccessCriteriaMet')?.status, 'True');
  assert.equal(status(w).completionTime, isoSeconds(w.nowMs));
  assert.ok(w.events.some((e) => e.reason === 'Completed'));
});

test('parallelism and completions: at most parallelism active, never more than completions - succeeded', async () => {
  const { w, c } = setup(job({ parallelism: 2, completions: 3 }));
  await c.sync('ns/pi');
  assert.equal(live(w).length, 2);
  finish(w, live(w)[0]!, 'Succeeded');
  await c.sync('ns/pi');
  assert.equal(live(w).length, 2, 'replaced: 2 remaining completions, parallelism 2');
  finish(w, live(w)[0]!, 'Succeeded');
  await c.sync('ns/pi');
  assert.equal(live(w).length, 1, 'only one completion left');
  finish(w, live(w)[0]!, 'Succeeded');
  await c.sync('ns/pi');
  assert.equal(status(w).succeeded, 3);
  assert.equal(condition(w, 'Complete')?.status, 'True');
});

test('backoffLimit: failures are retried after the failure backoff, then Failed with BackoffLimitExceeded', async () => {
  const { w, c } = setup(job({ backoffLimit: 1 }));
  await c.sync('ns/pi');
  finish(w, live(w)[0]!, 'Failed');
  await c.sync('ns/pi');
  assert.equal(live(w).length, 0, 'the replacement waits out the 10 s backoff');
  w.nowMs += failureBackoffMs(1);
  await c.sync('ns/pi');
  assert.equal(live(w).length, 1);
  finish(w, live(w)[0]!, 'Failed');
  await c.sync('ns/pi');
  assert.equal(status(w).failed, 2);
  assert.equal(condition(w, 'Failed')?.reason, 'BackoffLimitExceeded');
  assert.equal(condition(w, 'FailureTarget')?.status, 'True');
  assert.equal(status(w).completionTime, undefined);
  assert.equal(failureBackoffMs(2), 20_000);
});

test('activeDeadlineSeconds: active pods are deleted and the job Failed with DeadlineExceeded', async () => {
  const { w, c } = setup(job({ activeDeadlineSeconds: 30 }));
  await c.sync('ns/pi');
  w.seed(R.pods, { ...live(w)[0]!, spec: { ...live(w)[0]!.spec!, nodeName: 'n1' }, status: readyStatus(w.nowMs) });
  w.nowMs += 31_000;
  await c.sync('ns/pi');
  assert.equal(condition(w, 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(live(w).length, 0);
  assert.ok(w.writes().some((a) => a.verb === 'delete' && a.resource === 'pods'));
});

test('a work queue (completions unset) completes once a pod succeeded and none is active', async () => {
  const { w, c } = setup(job({ completions: undefined, parallelism: 2 }));
  await c.sync('ns/pi');
  assert.equal(live(w).length, 2);
  finish(w, live(w)[0]!, 'Succeeded');
  await c.sync('ns/pi');
  assert.equal(live(w).length, 1, 'no new pods after the first success');
  assert.equal(condition(w, 'Complete'), undefined);
  finish(w, live(w)[0]!, 'Succeeded');
  await c.sync('ns/pi');
  assert.equal(condition(w, 'Complete')?.status, 'True');
});

test('suspend deletes active pods and sets Suspended; ttlSecondsAfterFinished deletes a finished job', async () => {
  const { w, c } = setup(job({ suspend: true }));
  await c.sync('ns/pi');
  assert.equal(pods(w).length, 0);
  assert.equal(condition(w, 'Suspended')?.status, 'True');
  const done: Job = { ...job({ ttlSecondsAfterFinished: 10 }), status: { completionTime: isoSeconds(w.nowMs),
    conditions: [{ type: 'Complete', status: 'True' }] } };
  const w2 = new FakeWorld();
  const c2 = new JobController(w2.context());
  w2.seed(R.jobs, done);
  await c2.sync('ns/pi');
  assert.ok(w2.obj(R.jobs, 'ns', 'pi'), 'not yet: 10 s to go');
  w2.nowMs += 10_000;
  await c2.sync('ns/pi');
  const del = w2.writes().find((a) => a.verb === 'delete' && a.resource === 'jobs');
  assert.equal(del?.options?.propagationPolicy, 'Foreground');
});
