// Unit tests of the process's pieces with a fake API client: event aggregation and rate limits,
// the PodScheduled patch, flag parsing, and a SchedulingTerm's hooks (preemption deletes the
// victim and nominates the node; a 409 "already assigned" bind is dropped, not retried or reported).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, ResourceInfo, Status } from '../../api/index.js';
import { ApiError, SharedInformer, sleep, type ApiClient, type ListerWatcher } from '../../client/index.js';
import { makeNode, makePod } from '../test-helpers.js';
import { AssignedElsewhere } from './binder.js';
import { SchedulerFlagError } from './errors.js';
import { EventRecorder } from './events.js';
import { EVENT_BURST_PER_POD } from './limits.js';
import { SchedulerMetrics } from './metrics.js';
import { resolveSchedulerOptions } from './options.js';
import { podScheduledPatch } from './status.js';
import { SchedulingTerm } from './term.js';
import { WriteQueue } from './write-queue.js';
import { defaultConfiguration } from '../config.js';
import { isPodUpdated } from '../queue.js';

interface Call { verb: string; resource: string; name: string; body: unknown }

/** Records every call; binds of names in `conflicts` answer 409 "already assigned". */
function fakeClient(conflicts = new Set<string>()): { client: ApiClient; calls: Call[] } {
  const calls: Call[] = [];
  const rec = (verb: string, r: ResourceInfo, name: string, body: unknown): void => {
    calls.push({ verb, resource: r.plural, name, body });
  };
  const client = {
    async create(r: ResourceInfo, _ns: string, obj: { metadata?: { name?: string } }) {
      rec('create', r, obj.metadata?.name ?? '', obj);
      return obj;
    },
    async patch(r: ResourceInfo, _ns: string, name: string, _t: string, patch: unknown) {
      rec('patch', r, name, patch);
      return {};
    },
    async delete(r: ResourceInfo, _ns: string, name: string, o: unknown) {
      rec('delete', r, name, o);
      return {};
    },
    async createSubresource(r: ResourceInfo, _ns: string, name: string, sub: string, body: unknown) {
      rec(sub, r, name, body);
      if (conflicts.has(name)) {
        throw new ApiError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 409, reason: 'Conflict',
          message: `Operation cannot be fulfilled on pods "${name}": pod ${name} is already assigned to node "n9"`,
        } as Status);
      }
      return {};
    },
  };
  return { client: client as unknown as ApiClient, calls };
}

const noLw = {} as ListerWatcher;
const quiet = { info: () => undefined, warn: () => undefined };

function term(client: ApiClient, nodes: Node[], pods: Pod[], events = true): SchedulingTerm {
  const podInf = new SharedInformer<Pod>(noLw, { group: '', version: 'v1', plural: 'pods' } as ResourceInfo);
  const nodeInf = new SharedInformer<Node>(noLw, { group: '', version: 'v1', plural: 'nodes' } as ResourceInfo);
  for (const p of pods) podInf.store.set(p);
  for (const n of nodes) nodeInf.store.set(n);
  const metrics = new SchedulerMetrics({ pendingCounts: () => undefined, bindsInFlight: () => 0 }, false);
  const writes = new WriteQueue({ concurrency: 4, maxPending: 100 });
  const recorder = events ? new EventRecorder({ client, writes, component: 'default-scheduler', instance: 't' })
    : undefined;
  return new SchedulingTerm({ client, pods: podInf, nodes: nodeInf, config: defaultConfiguration(), metrics, recorder,
    scheduledEvents: true, writes, assignedElsewhere: new AssignedElsewhere(), log: quiet },
  new AbortController().signal);
}

test('events: a repeat is aggregated into a count; new messages are limited per pod', async () => {
  const { client, calls } = fakeClient();
  const writes = new WriteQueue({ concurrency: 2, maxPending: 100 });
  let now = 1_000_000;
  const r = new EventRecorder({ client, writes, component: 'default-scheduler', instance: 'i', nowMs: () => now });
  const pod = makePod('p');
  assert.equal(r.record(pod, 'Warning', 'FailedScheduling', 'Scheduling', 'no'), 'created');
  await writes.idle(1000);
  for (let i = 0; i < 5; i++) {
    assert.equal(r.record(pod, 'Warning', 'FailedScheduling', 'Scheduling', 'no'), 'aggregated');
  }
  now += 3_000;
  r.flush();
  await writes.idle(1000);
  const patch = calls.find((c) => c.verb === 'patch');
  assert.deepEqual(patch?.body, { count: 6, lastTimestamp: new Date(1_000_000).toISOString().replace('.000Z', 'Z') });
  const outcomes = Array.from({ length: EVENT_BURST_PER_POD + 2 }, (_, i) =>
    r.record(pod, 'Warning', 'FailedScheduling', 'Scheduling', `message ${i}`));
  assert.equal(outcomes.filter((o) => o === 'created').length, EVENT_BURST_PER_POD - 1);
  assert.equal(outcomes.filter((o) => o === 'dropped').length, 3);
});

test('queue: a status-only update does not retry a parked pod (isPodUpdated)', () => {
  const pod = makePod('p', { cpu: '1' });
  pod.metadata!.resourceVersion = '1';
  const statusOnly: Pod = { ...pod, metadata: { ...pod.metadata, resourceVersion: '2' },
    status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } };
  assert.equal(isPodUpdated(pod, statusOnly), false);
  const relabelled: Pod = { ...statusOnly, metadata: { ...statusOnly.metadata, labels: { a: 'b' } } };
  assert.equal(isPodUpdated(pod, relabelled), true);
});

test('PodScheduled patch: skipped when unchanged, carries the resourceVersion and nominatedNodeName', () => {
  const pod = makePod('p');
  pod.metadata!.resourceVersion = '42';
  const patch = podScheduledPatch(pod, 'Unschedulable', 'msg', 'n1', 0) as { metadata: unknown; status: {
    conditions: { status: string; reason: string }[]; nominatedNodeName: string } };
  assert.deepEqual(patch.metadata, { resourceVersion: '42' });
  assert.equal(patch.status.conditions[0]?.reason, 'Unschedulable');
  assert.equal(patch.status.nominatedNodeName, 'n1');
  pod.status = { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'msg' }],
    nominatedNodeName: 'n1' };
  assert.equal(podScheduledPatch(pod, 'Unschedulable', 'msg', 'n1', 0), undefined);
  assert.notEqual(podScheduledPatch(pod, 'Unschedulable', 'other', undefined, 0), undefined);
  // '' clears a nomination: the field is removed (null); with none to clear, nothing changes.
  const cleared = podScheduledPatch(pod, 'Unschedulable', 'msg', '', 0) as { status: Record<string, unknown> };
  assert.equal(cleared.status['nominatedNodeName'], null);
  pod.status = { conditions: pod.status.conditions };
  assert.equal(podScheduledPatch(pod, 'Unschedulable', 'msg', '', 0), undefined);
});

test('flags: kube-scheduler durations and booleans; bad values name the flag', () => {
  const o = resolveSchedulerOptions({ kubeconfig: '/k', leaderElect: 'false', leaderElectLeaseDuration: '3s',
    leaderElectRenewDeadline: '2s', leaderElectRetryPeriod: '500ms', securePort: '0' });
  assert.equal(o.leaderElect, false);
  assert.deepEqual([o.leaseDurationMs, o.renewDeadlineMs, o.retryPeriodMs, o.securePort], [3000, 2000, 500, 0]);
  assert.equal(resolveSchedulerOptions({ kubeconfig: '/k', leaderElect: true }).leaderElect, true);
  assert.throws(() => resolveSchedulerOptions({ kubeconfig: '/k', leaderElect: 'maybe' }), SchedulerFlagError);
  assert.throws(() => resolveSchedulerOptions({ kubeconfig: '/k', leaderElectRetryPeriod: 'soon' }),
    /--leader-elect-retry-period/);
  assert.throws(() => resolveSchedulerOptions({}), /--kubeconfig/);
  assert.throws(() => resolveSchedulerOptions({ kubeconfig: '/k', events: 'some' }), /--events/);
});

test('term: preemption deletes the victim and nominates the node on the preemptor', async () => {
  const { client, calls } = fakeClient();
  const victim = makePod('low', { cpu: '1', priority: 0, nodeName: 'n1' });
  const high = makePod('high', { cpu: '1', priority: 100 });
  const t = term(client, [makeNode('n1', { cpu: '1' })], [victim, high]);
  t.start();
  await sleep(50);
  t.abandon();
  const del = calls.find((c) => c.verb === 'delete');
  assert.equal(del?.name, 'low');
  const status = calls.find((c) => c.verb === 'patch' && c.name === 'high')?.body as
    { status: { nominatedNodeName?: string } } | undefined;
  assert.equal(status?.status.nominatedNodeName, 'n1');
  assert.ok(calls.some((c) => c.verb === 'create' && (c.body as { reason?: string }).reason === 'Preempted'));
  assert.ok(calls.some((c) => c.verb === 'patch' && c.name === 'low'), 'DisruptionTarget condition on the victim');
});

test('term: a 409 "already assigned" bind is dropped — no retry, no FailedScheduling, no status patch', async () => {
  const { client, calls } = fakeClient(new Set(['taken']));
  const t = term(client, [makeNode('n1')], [makePod('taken', { cpu: '100m' }), makePod('ok', { cpu: '100m' })]);
  t.start();
  await sleep(50);
  assert.equal(t.scheduler.queue.size, 0, 'nothing requeued');
  assert.equal(t.scheduler.cache.assumedPodCount(), 1, 'only "ok" stays assumed (until the informer confirms it)');
  t.abandon();
  assert.equal(calls.filter((c) => c.verb === 'binding').length, 2);
  assert.ok(!calls.some((c) => c.name === 'taken' && c.verb !== 'binding'), JSON.stringify(calls));
  assert.ok(calls.some((c) => c.verb === 'create' && (c.body as { reason?: string }).reason === 'Scheduled'));
});
