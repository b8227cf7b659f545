import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, ResourceInfo, Status } from '../api/index.js';
import { LeaderElector, durationMsOf, formatMicroTime, type LeaseClient } from './leader-election.js';
import { ApiError, ClientConfigError, ConnectionError } from './errors.js';
import type { KubeObject, RequestOptions } from './rest-client.js';
import { sleep } from './flowcontrol.js';
import { DEFAULT_LEASE_DURATION_MS, LEASE_DURATION_MS_ANNOTATION } from './limits.js';

const fail = (code: number, reason: Status['reason']): ApiError =>
  new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message: String(reason), code });

/** An in-memory Lease store with the apiserver's compare-and-swap on resourceVersion. */
class FakeLeases {
  readonly leases = new Map<string, Lease>();
  rv = 1;
  writes = 0;
  clientFor(): LeaseClient & { paused: boolean } {
    const leases = this.leases;
    const bump = (): string => { this.writes++; return String(++this.rv); };
    const gate = async (o?: RequestOptions): Promise<void> => {
      await sleep(1);
      if (c.paused) { await sleep(o?.timeoutMs ?? 1000); throw new ConnectionError('timed out'); }
    };
    const c = {
      paused: false,
      async get<T extends KubeObject>(_r: ResourceInfo, ns: string, name: string, o?: RequestOptions): Promise<T> {
        await gate(o);
        const l = leases.get(`${ns}/${name}`);
        if (l === undefined) throw fail(404, 'NotFound');
        return structuredClone(l) as T;
      },
      async create<T extends KubeObject>(_r: ResourceInfo, ns: string, obj: T, o?: RequestOptions): Promise<T> {
        await gate(o);
        const key = `${ns}/${obj.metadata?.name}`;
        if (leases.has(key)) throw fail(409, 'AlreadyExists');
        const l = structuredClone(obj) as Lease;
        l.metadata = { ...l.metadata, resourceVersion: bump() };
        leases.set(key, l);
        return structuredClone(l) as T;
      },
      async update<T extends KubeObject>(_r: ResourceInfo, ns: string, obj: T, o?: RequestOptions): Promise<T> {
        await gate(o);
        const key = `${ns}/${obj.metadata?.name}`;
        const cur = leases.get(key);
        if (cur === undefined) throw fail(404, 'NotFound');
        if (cur.metadata?.resourceVersion !== obj.metadata?.resourceVersion) throw fail(409, 'Conflict');
        const l = structuredClone(obj) as Lease;
        l.metadata = { ...l.metadata, resourceVersion: bump() };
        leases.set(key, l);
        return structuredClone(l) as T;
      },
    };
    return c;
  }
}

interface Candidate {
  elector: LeaderElector;
  client: ReturnType<FakeLeases['clientFor']>;
  startedAt: number[];
  abortedAt: number[];
  newLeaders: string[];
}

function candidate(store: FakeLeases, identity: string, o: { leaseDurationMs?: number; renewDeadlineMs?: number;
  retryPeriodMs?: number } = {}): Candidate {
  const client = store.clientFor();
  const c: Candidate = {
    client, startedAt: [], abortedAt: [], newLeaders: [], elector: undefined as unknown as LeaderElector,
  };
  c.elector = new LeaderElector({ client, namespace: 'kube-system', name: 'lock', identity, ...o,
    onStartedLeading: (signal) => {
      c.startedAt.push(performance.now());
      signal.addEventListener('abort', () => c.abortedAt.push(performance.now()), { once: true });
    },
    onNewLeader: (id) => c.newLeaders.push(id),
  });
  return c;
}

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

test('leader election: MicroTime has six fractional digits in UTC; durations read from the annotation', () => {
  assert.equal(formatMicroTime(1_700_000_000_123_456), '2023-11-14T22:13:20.123456Z');
  assert.equal(formatMicroTime(1_700_000_000_000_007), '2023-11-14T22:13:20.000007Z');
  assert.equal(durationMsOf({ spec: { leaseDurationSeconds: 2 } }), 2000);
  assert.equal(durationMsOf({ metadata: { annotations: { [LEASE_DURATION_MS_ANNOTATION]: '1500' } },
    spec: { leaseDurationSeconds: 2 } }), 1500);
  assert.equal(durationMsOf({ metadata: { annotations: { [LEASE_DURATION_MS_ANNOTATION]: 'x' } },
    spec: { leaseDurationSeconds: 3 } }), 3000);
});

test('leader election: options must keep renewDeadline < leaseDuration and retryPeriod below renewDeadline', () => {
  const client = new FakeLeases().clientFor();
  const base = { client, namespace: 'ns', name: 'l', identity: 'a', onStartedLeading: () => {} };
  assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 1000, renewDeadlineMs: 1000 }), ClientConfigError);
  assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 300, retryPeriodMs: 300 }), ClientConfigError);
  assert.throws(() => new LeaderElector({ ...base, identity: '' }), ClientConfigError);
});

test('leader election: two candidates, one leader at a time; the Lease record is written as Kubernetes does', async () => {
  const store = new FakeLeases();
  const a = candidate(store, 'a');
  const b = candidate(store, 'b');
  void a.elector.run();
  await until(() => a.elector.isLeader(), 'a leads');
  void b.elector.run();
  for (let i = 0; i < 100; i++) {
    assert.ok(!(a.elector.isLeader() && b.elector.isLeader()), 'never two leaders');
    await sleep(10);
  }
  assert.equal(a.elector.isLeader(), true);
  assert.equal(b.elector.isLeader(), false);
  assert.equal(b.elector.getLeader(), 'a');
  assert.deepEqual(b.newLeaders, ['a']);
  const lease = store.leases.get('kube-system/lock')!;
  const spec = lease.spec!;
  assert.equal(spec.holderIdentity, 'a');
  assert.equal(spec.leaseDurationSeconds, 2);
  assert.equal(spec.leaseTransitions, 0);
  assert.match(spec.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.notEqual(spec.renewTime, spec.acquireTime, 'renewals move renewTime only');
  assert.equal(lease.metadata?.annotations?.[LEASE_DURATION_MS_ANNOTATION], String(DEFAULT_LEASE_DURATION_MS));
  await a.elector.stop();
  await until(() => b.elector.isLeader(), 'b takes over');
  assert.equal(store.leases.get('kube-system/lock')?.spec?.leaseTransitions, 1);
  await b.elector.stop();
  assert.equal(store.leases.get('kube-system/lock')?.spec?.holderIdentity, '');
  assert.equal(a.elector.metrics.acquisitions, 1);
  assert.equal(a.elector.metrics.releases, 1);
});

test('leader election: a graceful stop hands over in under 500 ms; the old leader stopped acting first', async () => {
  const store = new FakeLeases();
  const a = candidate(store, 'a');
  const b = candidate(store, 'b');
  void a.elector.run();
  await until(() => a.elector.isLeader(), 'a leads');
  void b.elector.run();
  await sleep(300);
  const stopAt = performance.now();
  await a.elector.stop();
  assert.equal(a.elector.isLeader(), false);
  await until(() => b.elector.isLeader(), 'b leads');
  const handoverMs = (b.startedAt[0] ?? Infinity) - stopAt;
  assert.ok(handoverMs < 500, `handover took ${handoverMs.toFixed(0)} ms`);
  assert.ok((a.abortedAt[0] ?? Infinity) <= (b.startedAt[0] ?? 0), 'a stopped before b started');
  await b.elector.stop();
});

test('leader election: a holder that cannot renew is fenced before anyone else acquires', async () => {
  const store = new FakeLeases();
  const a = candidate(store, 'a');
  const b = candidate(store, 'b');
  void a.elector.run();
  await until(() => a.elector.isLeader(), 'a leads');
  void b.elector.run();
  await sleep(300);
  const pausedAt = performance.now();
  a.client.paused = true;
  await until(() => b.elector.isLeader(), 'b leads', 4000);
  const fencedAt = a.abortedAt[0] ?? Infinity;
  const acquiredAt = b.startedAt[0] ?? 0;
  assert.ok(fencedAt < acquiredAt, `a fenced at +${(fencedAt - pausedAt).toFixed(0)} ms, b acquired at ` +
    `+${(acquiredAt - pausedAt).toFixed(0)} ms`);
  assert.ok(fencedAt - pausedAt <= 1000 + 250, 'fenced within renewDeadline of the last successful renew (+ timer slack)');
  assert.ok(acquiredAt - pausedAt < 2000, `failover under 2 s (${(acquiredAt - pausedAt).toFixed(0)} ms)`);
  assert.equal(a.elector.isLeader(), false);
  assert.ok(a.elector.metrics.renewFailures >= 1);
  a.client.paused = false;
  await sleep(400);
  assert.equal(a.elector.isLeader(), false, 'a sees b holding the lease and stays standby');
  assert.equal(b.elector.isLeader(), true);
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});
