// SharedInformer: client-go's reflector + indexer + event handlers in one object. The reflector
// lists (paged), then watches from the list's resourceVersion with bookmarks on; when a watch ends
// it watches again from the last resourceVersion seen (events and bookmarks advance it); when the
// server says that version is gone (410), it lists again and delivers the difference between the
// cache and the new list ("Replace"): adds, updates, and deletes whose final state is unknown
// (DeletedFinalStateUnknown tombstones). Handlers run synchronously in event order and should only
// enqueue keys (client-go runs them on a per-listener goroutine; ours share the one event loop).
import type { ResourceInfo, WatchEvent } from '../api/index.js';
import { isTooOld } from './errors.js';
import { sleep } from './flowcontrol.js';
import * as L from './limits.js';
import type { KubeObject, ListOptions, WatchOptions } from './rest-client.js';
import { Indexer, keyOf, type IndexFunc } from './store.js';

/** What the informer needs of a client; ApiClient is one. */
export interface ListerWatcher {
  listAll<T extends KubeObject>(r: ResourceInfo, o: ListOptions): Promise<{ items: T[]; resourceVersion: string }>;
  watch<T extends KubeObject>(r: ResourceInfo, o: WatchOptions): AsyncIterable<WatchEvent<T>> & { close(): void };
}

/** cache.DeletedFinalStateUnknown: the object vanished while we were not watching; `obj` is its last known state. */
export interface DeletedFinalStateUnknown<T> {
  readonly tombstone: true;
  readonly key: string;
  readonly obj: T;
}

export function isTombstone<T>(o: T | DeletedFinalStateUnknown<T>): o is DeletedFinalStateUnknown<T> {
  return typeof o === 'object' && o !== null && (o as { tombstone?: unknown }).tombstone === true;
}

/** cache.ResourceEventHandlerFuncs. */
export interface EventHandler<T> {
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions<T> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object as onUpdate(obj, obj) this often (0/undefined: never). */
  resyncPeriodMs?: number;
  pageSize?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /** Errors of list/watch (retried) and of handlers (dropped) are reported here. */
  onError?: (e: unknown) => void;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Server-side timeout of each watch; randomised in [v, 2v) (client-go's minWatchTimeout). */
  watchTimeoutSeconds?: number;
}

export interface InformerMetrics {
  lists: number;
  relistsAfterGone: number;
  watches: number;
  watchErrors: number;
  listErrors: number;
  events: number;
  handlerErrors: number;
}

export class SharedInformer<T extends KubeObject> {
  readonly store: Indexer<T>;
  readonly resource: ResourceInfo;
  readonly metrics: InformerMetrics = {
    lists: 0, relistsAfterGone: 0, watches: 0, watchErrors: 0, listErrors: 0, events: 0, handlerErrors: 0,
  };
  readonly #lw: ListerWatcher;
  readonly #o: InformerOptions<T>;
  readonly #handlers: EventHandler<T>[] = [];
  readonly #stop = new AbortController();
  #synced = false;
  #syncWaiters: ((synced: boolean) => void)[] = [];
  #resourceVersion = '';
  #watch: { close(): void } | undefined;
  #loop: Promise<void> | undefined;
  #resyncTimer: ReturnType<typeof setInterval> | undefined;

  constructor(lw: ListerWatcher, resource: ResourceInfo, o: InformerOptions<T> = {}) {
    this.#lw = lw;
    this.resource = resource;
    this.#o = o;
    this.store = new Indexer<T>(o.indexers ?? {});
  }

  /** Adds a handler; once synced, it first gets onAdd(obj, true) for every cached object (as client-go). */
  addEventHandler(h: EventHandler<T>): void {
    this.#handlers.push(h);
    if (this.#synced) for (const obj of this.store.list()) this.#call(() => h.onAdd?.(obj, true));
  }

  /** Starts list-and-watch in the background (SharedInformer.Run); idempotent. */
  start(): void {
    if (this.#loop !== undefined || this.#stop.signal.aborted) return;
    this.#loop = this.#run();
    const period = this.#o.resyncPeriodMs ?? 0;
    if (period > 0) {
      this.#resyncTimer = setInterval(() => {
        if (!this.#synced) return;
        for (const obj of this.store.list()) this.#dispatch((h) => h.onUpdate?.(obj, obj));
      }, period);
    }
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** cache.WaitForCacheSync: true once the first list is in the cache; false if stopped or aborted first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#stop.signal.aborted || signal?.aborted === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean): void => { signal?.removeEventListener('abort', onAbort); resolve(v); };
      const onAbort = (): void => {
        this.#syncWaiters = this.#syncWaiters.filter((w) => w !== done);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(done);
    });
  }

  /** The resourceVersion the next watch starts from (reflector.LastSyncResourceVersion). */
  lastSyncResourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Stops list/watch and resync; resolves when the loop has ended. Handlers get no further calls. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#watch?.close();
    if (this.#resyncTimer !== undefined) clearInterval(this.#resyncTimer);
    for (const w of this.#syncWaiters.splice(0)) w(false);
    await this.#loop;
  }

  async #run(): Promise<void> {
    const min = this.#o.backoffMinMs ?? L.INFORMER_BACKOFF_MIN_MS;
    const max = this.#o.backoffMaxMs ?? L.INFORMER_BACKOFF_MAX_MS;
    let backoffMs = min;
    let needList = true;
    let lastWasGone = false;
    while (!this.#stop.signal.aborted) {
      try {
        if (needList) await this.#list();
        needList = false;
        await this.#watchOnce();
        backoffMs = min;
        lastWasGone = false;
        continue;
      } catch (e) {
        if (this.#stop.signal.aborted) break;
        if (isTooOld(e)) {
          // reflector: "The resourceVersion for the provided watch is too old" -> relist.
          needList = true;
          this.metrics.relistsAfterGone++;
          if (!lastWasGone) { lastWasGone = true; continue; }
        } else {
          if (needList) this.metrics.listErrors++;
          else this.metrics.watchErrors++;
          this.#o.onError?.(e);
        }
      }
      try {
        await sleep(backoffMs * (1 + Math.random() * 0.5), this.#stop.signal);
      } catch {
        break;
      }
      backoffMs = Math.min(backoffMs * 2, max);
    }
  }

  async #list(): Promise<void> {
    this.metrics.lists++;
    const o: ListOptions = { signal: this.#stop.signal, limit: this.#o.pageSize ?? L.DEFAULT_LIST_PAGE_SIZE };
    if (this.#o.namespace !== undefined) o.namespace = this.#o.namespace;
    if (this.#o.labelSelector !== undefined) o.labelSelector = this.#o.labelSelector;
    if (this.#o.fieldSelector !== undefined) o.fieldSelector = this.#o.fieldSelector;
    const { items, resourceVersion } = await this.#lw.listAll<T>(this.resource, o);
    if (this.#stop.signal.aborted) return;
    this.#replace(items);
    this.#resourceVersion = resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w(true);
    }
  }

  /** DeltaFIFO.Replace: deliver the difference between the cache and a fresh list. */
  #replace(items: T[]): void {
    const initial = !this.#synced;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.store.set(obj);
      if (old === undefined) this.#dispatch((h) => h.onAdd?.(obj, initial));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
        this.#dispatch((h) => h.onUpdate?.(old, obj));
      }
    }
    for (const key of this.store.listKeys()) {
      if (seen.has(key)) continue;
      const old = this.store.delete(key);
      if (old === undefined) continue;
      const tomb: DeletedFinalStateUnknown<T> = { tombstone: true, key, obj: old };
      this.#dispatch((h) => h.onDelete?.(tomb));
    }
  }

  async #watchOnce(): Promise<void> {
    const base = this.#o.watchTimeoutSeconds ?? L.INFORMER_MIN_WATCH_TIMEOUT_SECONDS;
    const o: WatchOptions = {
      resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, signal: this.#stop.signal,
      timeoutSeconds: Math.floor(base * (1 + Math.random())),
    };
    if (this.#o.namespace !== undefined) o.namespace = this.#o.namespace;
    if (this.#o.labelSelector !== undefined) o.labelSelector = this.#o.labelSelector;
    if (this.#o.fieldSelector !== undefined) o.fieldSelector = this.#o.fieldSelector;
    this.metrics.watches++;
    const stream = this.#lw.watch<T>(this.resource, o);
    this.#watch = stream;
    try {
      for await (const ev of stream) {
        if (this.#stop.signal.aborted) return;
        this.#handle(ev);
      }
    } finally {
      stream.close();
      this.#watch = undefined;
    }
  }

  #handle(ev: WatchEvent<T>): void {
    this.metrics.events++;
    const obj = ev.object;
    const rv = obj.metadata?.resourceVersion;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const old = this.store.set(obj);
        if (old === undefined) this.#dispatch((h) => h.onAdd?.(obj, false));
        else this.#dispatch((h) => h.onUpdate?.(old, obj));
        break;
      }
      case 'DELETED': {
        this.store.delete(keyOf(obj));
        this.#dispatch((h) => h.onDelete?.(obj));
        break;
      }
      default:
        break; // BOOKMARK only moves the resourceVersion; ERROR never reaches here (WatchStream throws).
    }
    if (rv !== undefined && rv !== '') this.#resourceVersion = rv;
  }

  #dispatch(fn: (h: EventHandler<T>) => void): void {
    for (const h of this.#handlers) this.#call(() => fn(h));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.metrics.handlerErrors++;
      this.#o.onError?.(e);
    }
  }
}
