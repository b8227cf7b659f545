// The informer's local cache: client-go's cache.Indexer (threadSafeMap + indices). Objects are keyed
// by MetaNamespaceKeyFunc ("ns/name", or "name" when cluster-scoped). Every indexer maps an object to
// index values; the "namespace" index is always there (cache.NamespaceIndex). Objects handed out are
// the cache's own: callers must not mutate them (client-go's rule too).
import type { KubeObject } from './rest-client.js';
import { ClientConfigError } from './errors.js';

export type IndexFunc<T> = (obj: T) => readonly string[];

export const NAMESPACE_INDEX = 'namespace';

/** cache.MetaNamespaceKeyFunc. */
export function keyOf(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace ?? '';
  return ns === '' ? name : `${ns}/${name}`;
}

/** cache.SplitMetaNamespaceKey. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** cache.MetaNamespaceIndexFunc. */
export const namespaceIndexFunc: IndexFunc<KubeObject> = (obj) => [obj.metadata?.namespace ?? ''];

export class Indexer<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  /** index name -> index value -> keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /** Adds indexers (cache.Indexer.AddIndexers); allowed only while the store is empty. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    if (this.#items.size > 0) throw new ClientConfigError('indexers can be added only before the informer has started');
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.#indexers.has(name) && name !== NAMESPACE_INDEX) throw new ClientConfigError(`indexer "${name}" already exists`);
      this.#indexers.set(name, fn);
      this.#indices.set(name, new Map());
    }
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  getByName(namespace: string, name: string): T | undefined {
    return this.#items.get(namespace === '' ? name : `${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  listKeys(): string[] {
    return [...this.#items.keys()];
  }

  /** Keys whose object has `value` in the index `indexName` (cache.Indexer.IndexKeys). */
  indexKeys(indexName: string, value: string): string[] {
    const index = this.#indices.get(indexName);
    if (index === undefined) throw new ClientConfigError(`no indexer named "${indexName}"`);
    return [...(index.get(value) ?? [])];
  }

  /** Objects whose `indexName` values include `value` (cache.Indexer.ByIndex). */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.#items.get(k)).filter((o): o is T => o !== undefined);
  }

  listByNamespace(namespace: string): T[] {
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  /** Stores obj; returns the object it replaced. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    if (old === undefined) {
      this.#index(key, obj);
      return old;
    }
    // An update seldom moves an object between index values (the namespace never): re-index only
    // the indexers whose values changed, instead of a delete and an add on sets holding every key.
    for (const [name, fn] of this.#indexers) {
      const before = fn(old);
      const after = fn(obj);
      if (sameValues(before, after)) continue;
      const index = this.#indices.get(name)!;
      removeKey(index, key, before);
      addKey(index, key, after);
    }
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old === undefined) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #index(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) addKey(this.#indices.get(name)!, key, fn(obj));
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) removeKey(this.#indices.get(name)!, key, fn(obj));
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function addKey(index: Map<string, Set<string>>, key: string, values: readonly string[]): void {
  for (const v of values) {
    let keys = index.get(v);
    if (keys === undefined) index.set(v, keys = new Set());
    keys.add(key);
  }
}

function removeKey(index: Map<string, Set<string>>, key: string, values: readonly string[]): void {
  for (const v of values) {
    const keys = index.get(v);
    if (keys === undefined) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(v);
  }
}
