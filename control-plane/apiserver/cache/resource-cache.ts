// One resource's watch cache: the current objects and a ring of recent events, both fed by
// the Cacher's single store watch. Kubernetes' watchCache: LIST and WATCH are served from
// here, and a WATCH from an older resourceVersion replays events after it, or gets 410 Gone
// once those events have left the ring.
import type { JsonObject, ResourceInfo } from '../../api/index.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CachedObject {
  readonly key: string;
  readonly object: JsonObject;
  readonly rv: number;
}

export interface CacheEvent {
  readonly type: WatchEventType;
  readonly key: string;
  /** For DELETED: the last state, with the deletion's resourceVersion. */
  readonly object: JsonObject;
  /** The state before (MODIFIED, DELETED), to tell selector transitions. */
  readonly prevObject: JsonObject | undefined;
  readonly rv: number;
}

/** A live subscriber; `onEvent` runs synchronously as events are applied, in revision order. */
export interface CacheSubscriber {
  onEvent(e: CacheEvent): void;
  /** The cache's revision moved without events for this resource (for bookmarks). */
  onProgress?(rv: number): void;
}

export class ResourceCache {
  readonly #objects = new Map<string, CachedObject>();
  readonly #ring: (CacheEvent | undefined)[];
  #ringStart = 0;
  #ringLength = 0;
  /** Events after this revision are all in the ring (or none happened). */
  #oldestReplayableRv: number;
  #rv: number;
  readonly #subscribers = new Set<CacheSubscriber>();
  #sorted: CachedObject[] | undefined;

  constructor(readonly resource: ResourceInfo, capacity: number, initial: readonly CachedObject[], rv: number) {
    this.#ring = new Array<CacheEvent | undefined>(capacity);
    for (const o of initial) this.#objects.set(o.key, o);
    this.#rv = rv;
    this.#oldestReplayableRv = rv;
  }

  get rv(): number {
    return this.#rv;
  }

  get size(): number {
    return this.#objects.size;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** The oldest resourceVersion a watch may start from (events after it are all kept). */
  get oldestRv(): number {
    return this.#oldestReplayableRv;
  }

  getByKey(key: string): CachedObject | undefined {
    return this.#objects.get(key);
  }

  /** Position of `key` (or where it would go) in the sorted view. */
  #indexOf(key: string): number {
    const all = this.#sorted!;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Objects whose key starts with `prefix`, in key order (as etcd lists them). */
  list(prefix: string): CachedObject[] {
    if (this.#sorted === undefined) {
      this.#sorted = [...this.#objects.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    const all = this.#sorted;
    if (prefix === '') return all;
    const lo = this.#indexOf(prefix);
    const out: CachedObject[] = [];
    for (let i = lo; i < all.length && all[i]!.key.startsWith(prefix); i++) out.push(all[i]!);
    return out;
  }

  /** Applies one store event; revisions must not go backwards (a broken invariant crashes). */
  apply(type: 'PUT' | 'DELETE', key: string, object: JsonObject, rv: number, isCreate: boolean): void {
    if (rv < this.#rv) throw new Error(`watch cache ${this.resource.plural}: event at revision ${rv} after ${this.#rv}`);
    const prev = this.#objects.get(key);
    let ev: CacheEvent;
    if (type === 'DELETE') {
      if (!prev) {
        this.#rv = rv;
        return; // a delete of a key we never held (e.g. a non-object key under the prefix)
      }
      const last = { ...prev.object, metadata: { ...(prev.object['metadata'] as JsonObject), resourceVersion: String(rv) } };
      this.#objects.delete(key);
      ev = { type: 'DELETED', key, object: last, prevObject: prev.object, rv };
    } else {
      this.#objects.set(key, { key, object, rv });
      ev = { type: isCreate || !prev ? 'ADDED' : 'MODIFIED', key, object, prevObject: prev?.object, rv };
    }
    if (!prev || type === 'DELETE') this.#sorted = undefined;
    else if (this.#sorted) this.#sorted[this.#indexOf(key)] = this.#objects.get(key)!;
    this.#rv = rv;
    this.#push(ev);
    for (const s of this.#subscribers) s.onEvent(ev);
  }

  /** Every event up to `rv` has been applied (a progress notification, or another resource's event). */
  advance(rv: number): void {
    if (rv <= this.#rv) return;
    this.#rv = rv;
    for (const s of this.#subscribers) s.onProgress?.(rv);
  }

  #push(ev: CacheEvent): void {
    const cap = this.#ring.length;
    if (this.#ringLength === cap) {
      const dropped = this.#ring[this.#ringStart]!;
      this.#oldestReplayableRv = dropped.rv;
      this.#ringStart = (this.#ringStart + 1) % cap;
      this.#ringLength--;
    }
    this.#ring[(this.#ringStart + this.#ringLength) % cap] = ev;
    this.#ringLength++;
  }

  /** Events with revision > rv, or undefined when some of them have left the ring (410 Gone). */
  eventsAfter(rv: number): CacheEvent[] | undefined {
    if (rv < this.#oldestReplayableRv) return undefined;
    const out: CacheEvent[] = [];
    const cap = this.#ring.length;
    for (let i = 0; i < this.#ringLength; i++) {
      const ev = this.#ring[(this.#ringStart + i) % cap]!;
      if (ev.rv > rv) out.push(ev);
    }
    return out;
  }

  subscribe(s: CacheSubscriber): () => void {
    this.#subscribers.add(s);
    return () => this.#subscribers.delete(s);
  }
}
