// Integration tests against real store + apiserver processes started by the apiserver's test
// harness (control-plane/apiserver/testing/harness.ts). Everything started here is stopped here.
// (The harness spawns bin/flotilla.js, i.e. the build in dist/.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ConfigMap, type ResourceInfo, type WatchEvent } from '../api/index.js';
import { ApiClient, type KubeObject, type ListOptions, type RequestOptions, type WatchOptions } from './rest-client.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { SharedInformer, isTombstone, type ListerWatcher } from './informer.js';
import { LeaderElector, type LeaseClient } from './leader-election.js';
import { ConnectionError } from './errors.js';
import { sleep } from './flowcontrol.js';
import { startTestApiServer, type TestApiServer } from '../apiserver/testing/harness.js';

const CM = findResource('', 'configmaps')!;
const NS = 'default';

let server: TestApiServer | undefined;
let client: ApiClient;

// FLOTILLA_TEST_BACKEND=etcd runs the same tests with a Debian etcd cluster as the store.
before(async () => {
  server = await startTestApiServer({ backend: process.env['FLOTILLA_TEST_BACKEND'] === 'etcd' ? 'etcd' : 'flotilla' });
  client = ApiClient.fromKubeconfig(server.kubeconfigPath);
});

after(async () => {
  client?.close();
  await server?.stop();
});

const unique = (p: string): string => `${p}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('CRUD round trip with a conflict, through kubeconfig, TLS and a bearer token', async () => {
  const name = unique('crud');
  const created = await client.create<ConfigMap>(CM, NS, { metadata: { name, labels: { t: name } }, data: { a: '1' } });
  assert.equal(created.metadata?.name, name);
  assert.ok(created.metadata?.resourceVersion);
  await assert.rejects(client.create(CM, NS, { metadata: { name } }), isAlreadyExists);
  const got = await client.get<ConfigMap>(CM, NS, name);
  assert.deepEqual(got.data, { a: '1' });
  const updated = await client.update<ConfigMap>(CM, NS, { ...got, data: { a: '2' } });
  assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
  await assert.rejects(client.update(CM, NS, { ...got, data: { a: 'stale' } }), isConflict, 'stale resourceVersion');
  const patched = await client.patch<ConfigMap>(CM, NS, name, 'merge', { data: { b: '3' } });
  assert.deepEqual(patched.data, { a: '2', b: '3' });
  const list = await client.list<ConfigMap>(CM, { namespace: NS, labelSelector: `t=${name}` });
  assert.deepEqual(list.items.map((i) => i.metadata?.name), [name]);
  const oldRv = got.metadata?.resourceVersion ?? '';
  await assert.rejects(client.delete(CM, NS, name, { preconditions: { resourceVersion: oldRv } }),
    isConflict, 'delete precondition on an old resourceVersion');
  await client.delete(CM, NS, name, { propagationPolicy: 'Background' });
  await assert.rejects(client.get(CM, NS, name), isNotFound);
});

test('listAll pages through continue tokens', async () => {
  const label = unique('page');
  for (let i = 0; i < 7; i++) await client.create(CM, NS, { metadata: { name: `${label}-${i}`, labels: { p: label } } });
  const all = await client.listAll<ConfigMap>(CM, { namespace: NS, labelSelector: `p=${label}`, limit: 2 });
  assert.equal(all.items.length, 7);
  assert.ok(all.resourceVersion !== '');
  for (let i = 0; i < 7; i++) await client.delete(CM, NS, `${label}-${i}`);
});

/** Passes through to the client, but can break the running watch and hold the next one. */
class HoldingLW implements ListerWatcher {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;
  #current: { close(): void } | undefined;
  watchRvs: string[] = [];
  constructor(readonly c: ApiClient) {}
  breakAndHold(): void {
    this.#held = new Promise((r) => { this.#release = r; });
    this.#current?.close();
  }
  release(): void {
    this.#held = undefined;
    this.#release?.();
  }
  listAll<T extends KubeObject>(r: ResourceInfo, o: ListOptions): Promise<{ items: T[]; resourceVersion: string }> {
    return this.c.listAll<T>(r, o);
  }
  watch<T extends KubeObject>(r: ResourceInfo, o: WatchOptions): AsyncIterable<WatchEvent<T>> & { close(): void } {
    let inner: { close(): void } | undefined;
    let closed = false;
    const held = this.#held;
    const open = (): AsyncIterable<WatchEvent<T>> & { close(): void } => {
      this.watchRvs.push(o.resourceVersion ?? '');
      const w = this.c.watch<T>(r, o);
      this.#current = w;
      return w;
    };
    return {
      close(): void { closed = true; inner?.close(); },
      async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
        if (held !== undefined) await held;
        if (closed) return;
        const w = open();
        inner = w;
        yield* w;
      },
    };
  }
}

test('informer: adds, updates, deletes; after a 410 from the server it re-lists and delivers the difference',
  { timeout: 120_000 }, async () => {
    const label = unique('inf');
    const lw = new HoldingLW(client);
    const log: string[] = [];
    const inf = new SharedInformer<ConfigMap>(lw, CM, { namespace: NS, labelSelector: `i=${label}`, backoffMinMs: 10 });
    const nameOf = (o: ConfigMap): string => (o.metadata?.name ?? '').slice(label.length + 1);
    inf.addEventHandler({
      onAdd: (o) => log.push(`add ${nameOf(o)}`),
      onUpdate: (o, n) => { if (o.metadata?.resourceVersion !== n.metadata?.resourceVersion) log.push(`update ${nameOf(n)}`); },
      onDelete: (o) => log.push(isTombstone(o) ? `tombstone ${nameOf(o.obj)}` : `delete ${nameOf(o)}`),
    });
    const mk = (n: string): Promise<ConfigMap> =>
      client.create<ConfigMap>(CM, NS, { metadata: { name: `${label}-${n}`, labels: { i: label } }, data: { v: '0' } });
    try {
      await mk('a');
      inf.start();
      assert.equal(await inf.waitForSync(), true);
      await mk('b');
      await mk('d');
      await until(() => log.includes('add b') && log.includes('add d'), 'add b, d');
      await client.patch(CM, NS, `${label}-b`, 'merge', { data: { v: '1' } });
      await until(() => log.includes('update b'), 'update b');
      await client.delete(CM, NS, `${label}-a`);
      await until(() => log.includes('delete a'), 'delete a');
      assert.deepEqual(log, ['add a', 'add b', 'add d', 'update b', 'delete a']);

      // Break the watch, change the world, and restart the apiserver: its new watch cache starts after
      // the informer's last RV, so the informer's next watch gets ERROR 410 and must re-list and diff.
      const relistsBefore = inf.metrics.relistsAfterGone;
      const lastRv = inf.lastSyncResourceVersion();
      lw.breakAndHold();
      await mk('c');
      await client.patch(CM, NS, `${label}-d`, 'merge', { data: { v: '2' } });
      await client.delete(CM, NS, `${label}-b`);
      await server!.killApiServer(0);
      await server!.startApiServer(0);
      log.length = 0;
      lw.release();
      await until(() => inf.metrics.relistsAfterGone > relistsBefore, 'a 410 and a re-list', 30_000);
      await until(() => log.length >= 3, 'the difference after the re-list');
      assert.ok(lw.watchRvs.includes(lastRv), 'the watch resumed from the last RV it had seen');
      assert.deepEqual(log, ['add c', 'update d', 'tombstone b']);
      await client.delete(CM, NS, `${label}-c`);
      await client.delete(CM, NS, `${label}-d`);
      await until(() => inf.store.size === 0, 'deletes seen');
    } finally {
      lw.release();
      await inf.stop();
    }
  });

/** A LeaseClient whose calls hang (until their timeout) while paused: a holder that cannot renew. */
function pausable(c: ApiClient): LeaseClient & { paused: boolean } {
  const gate = async (o?: RequestOptions): Promise<void> => {
    if (w.paused) { await sleep(o?.timeoutMs ?? 1000); throw new ConnectionError('paused'); }
  };
  const w = {
    paused: false,
    async get<T extends KubeObject>(r: ResourceInfo, ns: string, n: string, o?: RequestOptions): Promise<T> {
      await gate(o); return c.get<T>(r, ns, n, o);
    },
    async create<T extends KubeObject>(r: ResourceInfo, ns: string, obj: T, o?: RequestOptions): Promise<T> {
      await gate(o); return c.create<T>(r, ns, obj, o);
    },
    async update<T extends KubeObject>(r: ResourceInfo, ns: string, obj: T, o?: RequestOptions): Promise<T> {
      await gate(o); return c.update<T>(r, ns, obj, o);
    },
  };
  return w;
}

interface Cand { e: LeaderElector; c: ReturnType<typeof pausable>; started: number[]; aborted: number[] }

function cand(lease: string, id: string): Cand {
  const c = pausable(client);
  const x: Cand = { c, started: [], aborted: [], e: undefined as unknown as LeaderElector };
  x.e = new LeaderElector({ client: c, namespace: 'kube-system', name: lease, identity: id,
    onStartedLeading: (signal) => {
      x.started.push(performance.now());
      signal.addEventListener('abort', () => x.aborted.push(performance.now()), { once: true });
    } });
  return x;
}

test('leader election on a real Lease: one leader; graceful handover < 500 ms; a stuck holder is fenced first',
  async () => {
    const lease = unique('lock');
    const a = cand(lease, 'a');
    const b = cand(lease, 'b');
    const c = cand(lease, 'c');
    let overlaps = 0;
    const sampler = setInterval(() => {
      if ([a, b, c].filter((x) => x.e.isLeader()).length > 1) overlaps++;
    }, 2);
    try {
      void a.e.run();
      await until(() => a.e.isLeader(), 'a leads');
      void b.e.run();
      for (let i = 0; i < 60; i++) {
        assert.ok(!(a.e.isLeader() && b.e.isLeader()), 'one leader at a time');
        await sleep(10);
      }
      assert.equal(b.e.getLeader(), 'a');

      const stopAt = performance.now();
      await a.e.stop();
      await until(() => b.e.isLeader(), 'b takes over');
      const handoverMs = (b.started[0] ?? Infinity) - stopAt;
      assert.ok(handoverMs < 500, `graceful handover took ${handoverMs.toFixed(0)} ms`);
      assert.ok((a.aborted[0] ?? Infinity) <= (b.started[0] ?? 0));

      void c.e.run();
      await sleep(400);
      const pausedAt = performance.now();
      b.c.paused = true;
      await until(() => c.e.isLeader(), 'c takes over from the stuck b', 5000);
      const fencedAt = b.aborted[0] ?? Infinity;
      const acquiredAt = c.started[0] ?? 0;
      console.log(`stuck holder fenced at +${(fencedAt - pausedAt).toFixed(0)} ms, ` +
        `standby acquired at +${(acquiredAt - pausedAt).toFixed(0)} ms (graceful handover ${handoverMs.toFixed(0)} ms)`);
      assert.ok(fencedAt < acquiredAt, 'the stuck holder stopped acting before the standby acquired');
      assert.ok(acquiredAt - pausedAt < 2000, 'failover under 2 s');
      assert.equal(b.e.isLeader(), false);
      assert.equal(overlaps, 0, 'never two leaders at a sampled instant');
    } finally {
      clearInterval(sampler);
      b.c.paused = false;
      await Promise.all([a.e.stop(), b.e.stop(), c.e.stop()]);
    }
  });
