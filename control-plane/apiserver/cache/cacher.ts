// The replica's caches of every resource, fed by ONE store watch on the whole --etcd-prefix
// (without prev_kv: the previous state of a key, needed for deletions and selector transitions,
// is the cache's own copy; asking the store for it doubled the bytes of every update's event
// for the store to read, encode and send and for us to decode). Start: list the
// prefix page by page at one revision R, then watch from R+1 — nothing is missed between.
// Freshness: a LIST without resourceVersion must not return data older than a write
// acknowledged before it began, so it first reads the store's current revision and waits
// for the cache to reach it; if no event arrives the cache asks the store for a progress
// notification (Kubernetes' consistent reads from cache, KEP-2340).
import type { Logger } from 'pino';
import { RESOURCES, type ResourceInfo } from '../../api/index.js';
import { CompactedError, type EtcdClient, type Watcher, type WatchEvent } from '../../../store/client/client.js';
import { APISERVER_LIMITS } from '../limits.js';
import { decodeObject, ObjectStore, type StoredObject } from '../storage/object-store.js';
import type { KeyLayout } from '../storage/keys.js';
import { ResourceCache } from './resource-cache.js';

interface FreshnessWaiter {
  rv: number;
  resolve: (fresh: boolean) => void;
}

export class Cacher {
  readonly #caches = new Map<ResourceInfo, ResourceCache>();
  /** Resource prefixes, longest first, to route an event key to its cache. */
  #routes: { prefix: string; cache: ResourceCache }[] = [];
  #watcher: Watcher | undefined;
  #rv = 0;
  #ready = false;
  #stopped = false;
  #waiters: FreshnessWaiter[] = [];
  #progressRequested = false;
  readonly #store: ObjectStore;

  constructor(private readonly client: EtcdClient, private readonly keys: KeyLayout, private readonly log: Logger,
    private readonly capacity: number = APISERVER_LIMITS.watchCacheEventsPerResource) {
    this.#store = new ObjectStore(client);
  }

  get ready(): boolean {
    return this.#ready;
  }

  get rv(): number {
    return this.#rv;
  }

  cache(r: ResourceInfo): ResourceCache {
    const c = this.#caches.get(r);
    if (!c) throw new Error(`no watch cache for ${r.plural}.${r.group}: the cacher has not started`);
    return c;
  }

  /** Loads every resource at one revision and starts the watch; retries until the store answers. */
  async start(): Promise<void> {
    const deadline = Date.now() + APISERVER_LIMITS.storeStartupTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#load();
        return;
      } catch (e) {
        if (this.#stopped) return;
        if (Date.now() > deadline) throw e;
        this.log.warn({ err: (e as Error).message, attempt }, 'watch cache: initial list failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * attempt)));
      }
    }
  }

  async #load(): Promise<void> {
    const rootPrefix = `${this.keys.root}/`;
    const revision = await this.#store.currentRevision();
    const byResource = new Map<ResourceInfo, StoredObject[]>();
    const routes = RESOURCES.filter((r) => r.kind !== 'Binding')
      .map((r) => ({ prefix: this.keys.resourcePrefix(r), r }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
    const route = (key: string) => routes.find((x) => key.startsWith(x.prefix))?.r;
    let startKey: string | undefined;
    for (;;) {
      const limit = APISERVER_LIMITS.storePageKeys;
      const page = await this.#store.listPage(rootPrefix, { startKey, revision, limit });
      for (const item of page.items) {
        const r = route(item.key);
        if (!r) continue;
        const list = byResource.get(r) ?? [];
        list.push(item);
        byResource.set(r, list);
      }
      if (!page.more || page.items.length === 0) break;
      startKey = `${page.items[page.items.length - 1]!.key}\0`;
    }
    for (const { r } of routes) {
      const items = (byResource.get(r) ?? []).map((s) => ({ key: s.key, object: s.object, rv: s.rv }));
      this.#caches.set(r, new ResourceCache(r, this.capacity, items, revision));
    }
    this.#routes = routes.map(({ prefix, r }) => ({ prefix, cache: this.#caches.get(r)! }));
    this.#rv = revision;
    this.#watcher = this.client.watch(rootPrefix, { prefix: true, startRevision: revision + 1, prevKv: false,
      progressNotify: true }, {
      onEvents: (events) => this.#onEvents(events),
      onProgress: (rv) => {
        this.#progressRequested = false;
        this.#advance(rv);
      },
      onError: (err) => this.#onWatchError(err),
    });
    this.#ready = true;
    this.log.info({ revision, objects: [...this.#caches.values()].reduce((n, c) => n + c.size, 0) },
      'watch cache loaded');
  }

  #onEvents(events: WatchEvent[]): void {
    for (const e of events) {
      const key = e.kv.key.toString('utf8');
      const route = this.#routes.find((x) => key.startsWith(x.prefix));
      if (!route) continue;
      const rv = e.kv.modRevision;
      if (e.type === 'DELETE') {
        route.cache.apply('DELETE', key, {}, rv, false);
      } else {
        route.cache.apply('PUT', key, decodeObject(key, e.kv.value, rv), rv, e.kv.createRevision === rv);
      }
    }
    const last = events[events.length - 1];
    if (last) this.#advance(last.kv.modRevision);
  }

  #advance(rv: number): void {
    if (rv <= this.#rv) return;
    this.#rv = rv;
    this.#progressRequested = false;
    for (const c of this.#caches.values()) c.advance(rv);
    if (this.#waiters.length === 0) return;
    const still: FreshnessWaiter[] = [];
    for (const w of this.#waiters) {
      if (w.rv <= rv) w.resolve(true);
      else still.push(w);
    }
    this.#waiters = still;
  }

  #onWatchError(err: Error): void {
    if (this.#stopped) return;
    // The watch can only end for good when its start revision was compacted (the cache fell
    // too far behind) or the server cancelled it: reload everything, as a re-list does.
    this.log.error({ err: err.message, compacted: err instanceof CompactedError }, 'watch cache: store watch ended; reloading');
    this.#ready = false;
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters = [];
    void this.start();
  }

  /** Resolves true once the cache has every event up to `rv`, false after `timeoutMs`. */
  waitFresh(rv: number, timeoutMs: number = APISERVER_LIMITS.cacheFreshnessWaitMs): Promise<boolean> {
    if (this.#ready && this.#rv >= rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: FreshnessWaiter = { rv, resolve: () => undefined };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        resolve(false);
      }, timeoutMs);
      const progress = setTimeout(() => this.#requestProgress(), APISERVER_LIMITS.cacheProgressRequestAfterMs);
      w.resolve = (fresh) => {
        clearTimeout(timer);
        clearTimeout(progress);
        resolve(fresh);
      };
      this.#waiters.push(w);
    });
  }

  /** The cache is fresh w.r.t. every write acknowledged before this call. */
  async waitConsistent(): Promise<boolean> {
    return this.waitFresh(await this.#store.currentRevision());
  }

  #requestProgress(): void {
    if (this.#progressRequested || !this.#watcher) return;
    this.#progressRequested = true;
    this.#watcher.requestProgress();
  }

  stop(): void {
    this.#stopped = true;
    this.#watcher?.cancel();
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters = [];
  }
}
