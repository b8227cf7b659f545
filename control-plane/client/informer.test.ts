import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ResourceInfo, WatchEvent } from '../api/index.js';
import { findResource } from '../api/index.js';
import { SharedInformer, isTombstone, type ListerWatcher } from './informer.js';
import type { KubeObject, ListOptions, WatchOptions } from './rest-client.js';
import { ApiError, ConnectionError } from './errors.js';
import { sleep } from './flowcontrol.js';
import { Indexer } from './store.js';

const PODS = findResource('', 'pods')!;

/** A watch the test drives: push events, end it, or fail it. */
class FakeWatch<T> implements AsyncIterable<WatchEvent<T>> {
  readonly #queue: (WatchEvent<T> | Error | 'end')[] = [];
  #wake: (() => void) | undefined;
  closed = false;
  constructor(readonly opts: WatchOptions) {}
  push(x: WatchEvent<T> | Error | 'end'): void { this.#queue.push(x); this.#wake?.(); }
  close(): void { this.closed = true; this.#wake?.(); }
  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    for (;;) {
      if (this.closed) return;
      const x = this.#queue.shift();
      if (x === undefined) { await new Promise<void>((r) => { this.#wake = r; }); continue; }
      if (x === 'end') return;
      if (x instanceof Error) throw x;
      yield x;
    }
  }
}

class FakeLW implements ListerWatcher {
  lists: { items: KubeObject[]; resourceVersion: string }[] = [];
  listCalls: ListOptions[] = [];
  watches: FakeWatch<KubeObject>[] = [];
  async listAll<T extends KubeObject>(_r: ResourceInfo,
    o: ListOptions): Promise<{ items: T[]; resourceVersion: string }> {
    this.listCalls.push(o);
    const next = this.lists.shift();
    if (next === undefined) throw new ConnectionError('no list scripted');
    return next as { items: T[]; resourceVersion: string };
  }
  watch<T extends KubeObject>(_r: ResourceInfo, o: WatchOptions): AsyncIterable<WatchEvent<T>> & { close(): void } {
    const w = new FakeWatch<KubeObject>(o);
    this.watches.push(w);
    return w as unknown as FakeWatch<T>;
  }
}

const pod = (name: string, rv: string, node = ''): Pod =>
  ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, spec: { containers: [], nodeName: node } }) as Pod;

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

const gone = (): ApiError => new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  reason: 'Expired', message: 'too old resource version', code: 410 });

test('informer: list, watch from the list RV, re-watch from the last RV, re-list on 410 delivering the difference', async () => {
  const lw = new FakeLW();
  lw.lists.push({ items: [pod('a', '1', 'n1'), pod('b', '2', 'n1')], resourceVersion: '2' });
  const log: string[] = [];
  const inf = new SharedInformer<Pod>(lw, PODS, {
    namespace: 'ns', backoffMinMs: 1, backoffMaxMs: 5, pageSize: 50,
    indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
  });
  inf.addEventHandler({
    onAdd: (o, initial) => log.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}${initial ? ' initial' : ''}`),
    onUpdate: (o, n) => log.push(`update ${o.metadata?.name}@${o.metadata?.resourceVersion}->${n.metadata?.resourceVersion}`),
    onDelete: (o) => log.push(isTombstone(o) ? `tombstone ${o.key}@${o.obj.metadata?.resourceVersion}`
      : `delete ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
  });
  assert.equal(inf.hasSynced(), false);
  inf.start();
  assert.equal(await inf.waitForSync(), true);
  assert.deepEqual(lw.listCalls.map((c) => [c.namespace, c.limit]), [['ns', 50]]);
  assert.deepEqual(inf.store.byIndex('byNode', 'n1').map((p) => p.metadata?.name).sort(), ['a', 'b']);

  await until(() => lw.watches.length === 1, 'first watch');
  const w1 = lw.watches[0]!;
  assert.equal(w1.opts.resourceVersion, '2');
  assert.equal(w1.opts.allowWatchBookmarks, true);
  assert.equal(w1.opts.namespace, 'ns');
  w1.push({ type: 'MODIFIED', object: pod('a', '3', 'n2') });
  w1.push({ type: 'ADDED', object: pod('c', '4') });
  w1.push({ type: 'DELETED', object: pod('b', '5', 'n1') });
  w1.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '8' } } as Pod });
  w1.push('end');
  await until(() => lw.watches.length === 2, 're-watch after the stream ended');
  assert.equal(lw.watches[1]!.opts.resourceVersion, '8', 'the bookmark advanced the RV');
  assert.deepEqual(inf.store.byIndex('byNode', 'n1'), []);
  assert.deepEqual(inf.store.byIndex('byNode', 'n2').map((p) => p.metadata?.name), ['a']);

  lw.lists.push({ items: [pod('c', '9'), pod('d', '10')], resourceVersion: '10' });
  lw.watches[1]!.push(gone());
  await until(() => lw.watches.length === 3, 'watch after the re-list');
  assert.equal(lw.watches[2]!.opts.resourceVersion, '10');
  assert.equal(inf.metrics.relistsAfterGone, 1);
  assert.deepEqual(log, [
    'add a@1 initial', 'add b@2 initial',
    'update a@1->3', 'add c@4', 'delete b@5',
    'update c@4->9', 'add d@10', 'tombstone ns/a@3',
  ]);
  assert.deepEqual(inf.store.listKeys().sort(), ['ns/c', 'ns/d']);
  assert.equal(inf.lastSyncResourceVersion(), '10');

  // A handler added late gets the cache as initial adds.
  const late: string[] = [];
  inf.addEventHandler({ onAdd: (o, initial) => late.push(`${o.metadata?.name}:${initial}`) });
  assert.deepEqual(late.sort(), ['c:true', 'd:true']);

  await inf.stop();
  assert.equal(lw.watches[2]!.closed, true);
});

test('informer: a broken watch is retried from the last RV with backoff; list errors are retried', async () => {
  const lw = new FakeLW();
  const errors: unknown[] = [];
  const inf = new SharedInformer<Pod>(lw, PODS, { backoffMinMs: 1, backoffMaxMs: 4, onError: (e) => errors.push(e) });
  inf.start();
  await until(() => lw.listCalls.length >= 2, 'list retried after failing');
  lw.lists.push({ items: [pod('a', '5')], resourceVersion: '5' });
  assert.equal(await inf.waitForSync(), true);
  await until(() => lw.watches.length === 1, 'watch');
  lw.watches[0]!.push({ type: 'MODIFIED', object: pod('a', '6') });
  lw.watches[0]!.push(new ConnectionError('connection reset'));
  await until(() => lw.watches.length === 2, 're-watch');
  assert.equal(lw.watches[1]!.opts.resourceVersion, '6');
  assert.ok(inf.metrics.listErrors >= 1 && inf.metrics.watchErrors === 1);
  assert.ok(errors.some((e) => e instanceof ConnectionError));
  await inf.stop();
});

test('informer: resync re-delivers cached objects as updates; stop() ends waitForSync with false', async () => {
  const lw = new FakeLW();
  lw.lists.push({ items: [pod('a', '1')], resourceVersion: '1' });
  const updates: string[] = [];
  const inf = new SharedInformer<Pod>(lw, PODS, { resyncPeriodMs: 20 });
  inf.addEventHandler({ onUpdate: (o, n) => { assert.equal(o, n); updates.push(n.metadata?.name ?? ''); } });
  inf.start();
  await until(() => updates.length >= 2, 'two resyncs');
  await inf.stop();

  const never = new SharedInformer<Pod>(new FakeLW(), PODS, { backoffMinMs: 1 });
  never.start();
  const waiting = never.waitForSync();
  await never.stop();
  assert.equal(await waiting, false);
});

test('indexer: namespace index, custom index, updates move objects between index values', () => {
  const idx = new Indexer<Pod>({ byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
  idx.set(pod('a', '1', 'n1'));
  idx.set({ ...pod('z', '1', 'n1'), metadata: { name: 'z', namespace: 'other' } });
  assert.deepEqual(idx.listByNamespace('ns').map((p) => p.metadata?.name), ['a']);
  assert.equal(idx.byIndex('byNode', 'n1').length, 2);
  idx.set(pod('a', '2', 'n2'));
  assert.deepEqual(idx.indexKeys('byNode', 'n1'), ['other/z']);
  assert.deepEqual(idx.indexKeys('byNode', 'n2'), ['ns/a']);
  idx.delete('ns/a');
  assert.deepEqual(idx.indexKeys('byNode', 'n2'), []);
  assert.equal(idx.getByName('other', 'z')?.metadata?.name, 'z');
  assert.throws(() => idx.byIndex('nope', 'x'), /no indexer named "nope"/);
  assert.throws(() => idx.addIndexers({ late: () => [] }), /only before/);
});
