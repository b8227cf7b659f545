// An in-memory world for unit tests: one object serves as the apiserver (a recording client with
// Kubernetes' write semantics that matter to controllers: generateName, uid, resourceVersion,
// generation, finalizers and deletionTimestamp, graceful pod deletion, namespace finalize) and as
// the informers (Indexers + handlers). Writes reach the informers when deliver() runs — at once
// with autoDeliver, or when a test chooses, to exercise expectations and stale caches.
import type { Namespace, ResourceInfo, Status } from '../../api/index.js';
import { alreadyExists, applyMergePatch, conflict, notFound, type JsonValue } from '../../api/index.js';
import {
  ApiError, Indexer, keyOf, type DeleteCallOptions, type EventHandler, type KubeObject, type ListOptions,
  type PatchType,
} from '../../client/index.js';
import {
  R, standardIndexers, type ControllerClient, type ControllerContext, type EventSink, type Informer,
  type InformerSource,
  type Log,
} from '../types.js';
import { isoSeconds } from '../util.js';

export interface Action {
  verb: 'create' | 'update' | 'updateStatus' | 'patch' | 'delete' | 'finalize' | 'get' | 'list';
  resource: string;
  namespace: string;
  name: string;
  body?: unknown;
  options?: DeleteCallOptions;
}

export interface RecordedEvent { object: string; type: string; reason: string; message: string }

class FakeInformer<T extends KubeObject> implements Informer<T> {
  readonly store: Indexer<T>;
  readonly handlers: EventHandler<T>[] = [];
  constructor(r: ResourceInfo) {
    this.store = new Indexer<T>(standardIndexers(r) as Record<string, (o: T) => readonly string[]>);
  }
  addEventHandler(h: EventHandler<T>): void { this.handlers.push(h); }
  hasSynced(): boolean { return true; }
}

const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob']);
const rkey = (r: ResourceInfo): string => `${r.group}/${r.plural}`;
const silent: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export class FakeWorld implements InformerSource, ControllerClient {
  readonly actions: Action[] = [];
  readonly events: RecordedEvent[] = [];
  autoDeliver = true;
  nowMs = Date.parse('2024-01-01T00:00:00Z');
  /** Return an error to make the matching call fail (checked before every write). */
  failWhen: ((a: Action) => Error | undefined) | undefined;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #resources = new Map<string, ResourceInfo>();
  readonly #informers = new Map<string, FakeInformer<KubeObject>>();
  #pending: (() => void)[] = [];
  #seq = 0;

  context(): ControllerContext {
    const sink = (component: string): EventSink => ({
      event: (_r, obj, type, reason, message) => {
        void component;
        this.events.push({ object: obj.metadata?.name ?? '', type, reason, message });
      },
    });
    return { client: this, informers: this, events: sink, clock: { nowMs: () => this.nowMs }, log: silent };
  }

  informer<T extends KubeObject>(r: ResourceInfo): Informer<T> {
    let inf = this.#informers.get(rkey(r));
    if (inf === undefined) {
      inf = new FakeInformer<KubeObject>(r);
      this.#informers.set(rkey(r), inf);
      for (const obj of this.#bucket(r).values()) inf.store.set(structuredClone(obj));
    }
    return inf as unknown as Informer<T>;
  }

  /** Puts an object in the world (and the caches) without recording an action. */
  seed<T extends KubeObject>(r: ResourceInfo, obj: T): T {
    const o = structuredClone(obj);
    const m = (o.metadata ??= {});
    m.uid ??= `uid-${++this.#seq}`;
    m.resourceVersion = String(++this.#seq);
    m.creationTimestamp ??= isoSeconds(this.nowMs);
    if (GENERATION_KINDS.has(r.kind)) m.generation ??= 1;
    this.#bucket(r).set(keyOf(o), o);
    this.#publish(r, o, 'set');
    this.deliver();
    return structuredClone(o);
  }

  /** The server-side copy (not the cache). */
  obj<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string): T | undefined {
    const o = this.#bucket(r).get(namespace === '' ? name : `${namespace}/${name}`);
    return o === undefined ? undefined : structuredClone(o) as T;
  }

  list<T extends KubeObject>(r: ResourceInfo, namespace?: string): T[] {
    return [...this.#bucket(r).values()].filter((o) => namespace === undefined || o.metadata?.namespace === namespace)
      .map((o) => structuredClone(o) as T);
  }

  deliver(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const fn of pending) fn();
  }

  writes(): Action[] {
    return this.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list');
  }

  clearActions(): void {
    this.actions.length = 0;
    this.events.length = 0;
  }

  // ---- ControllerClient ----

  async get<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string): Promise<T> {
    this.#record({ verb: 'get', resource: r.plural, namespace, name });
    const o = this.obj<T>(r, namespace, name);
    if (o === undefined) throw new ApiError(notFound({ group: r.group, resource: r.plural }, name));
    return o;
  }

  async listAll<T extends KubeObject>(r: ResourceInfo, o: ListOptions = {}):
    Promise<{ items: T[]; resourceVersion: string }> {
    this.#record({ verb: 'list', resource: r.plural, namespace: o.namespace ?? '', name: '' });
    return { items: this.list<T>(r, o.namespace === '' ? undefined : o.namespace), resourceVersion: String(this.#seq) };
  }

  async create<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T): Promise<T> {
    const o = structuredClone(obj);
    const m = (o.metadata ??= {});
    if ((m.name ?? '') === '' && m.generateName !== undefined) m.name = `${m.generateName}${(++this.#seq).toString(36).padStart(5, '0')}`;
    if (r.namespaced) m.namespace = namespace;
    this.#record({ verb: 'create', resource: r.plural, namespace, name: m.name ?? '', body: o });
    if (this.#bucket(r).has(keyOf(o))) throw new ApiError(alreadyExists({ group: r.group, resource: r.plural }, m.name ?? ''));
    m.uid = `uid-${++this.#seq}`;
    m.resourceVersion = String(++this.#seq);
    m.creationTimestamp = isoSeconds(this.nowMs);
    if (GENERATION_KINDS.has(r.kind)) m.generation = 1;
    this.#bucket(r).set(keyOf(o), o);
    this.#publish(r, o, 'set');
    return structuredClone(o);
  }

  async update<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T): Promise<T> {
    return this.#write(r, namespace, obj, 'update');
  }

  async updateStatus<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T): Promise<T> {
    return this.#write(r, namespace, obj, 'updateStatus');
  }

  async patch<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string, type: PatchType, patch: unknown,
    o: { subresource?: string } = {}): Promise<T> {
    this.#record({ verb: 'patch', resource: o.subresource ? `${r.plural}/${o.subresource}` : r.plural, namespace, name,
      body: patch });
    if (type !== 'merge') throw new Error('the fake world applies merge patches only');
    const cur = this.obj<T>(r, namespace, name);
    if (cur === undefined) throw new ApiError(notFound({ group: r.group, resource: r.plural }, name));
    const res = applyMergePatch(cur as unknown as JsonValue, patch as JsonValue);
    if (!res.ok) throw new Error('bad patch');
    const next = res.value as unknown as T;
    const wantRv = (patch as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    if (wantRv === undefined) next.metadata!.resourceVersion = cur.metadata?.resourceVersion;
    return this.#commit(r, next, cur, o.subresource === 'status' ? 'updateStatus' : 'update');
  }

  async delete<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string, o: DeleteCallOptions = {}):
    Promise<T | Status> {
    this.#record({ verb: 'delete', resource: r.plural, namespace, name, options: o });
    const cur = this.obj<T>(r, namespace, name);
    if (cur === undefined) throw new ApiError(notFound({ group: r.group, resource: r.plural }, name));
    if (o.preconditions?.uid !== undefined && o.preconditions.uid !== cur.metadata?.uid) {
      throw new ApiError(conflict({ group: r.group, resource: r.plural }, name, 'Precondition failed: UID'));
    }
    const m = cur.metadata!;
    const finalizers = new Set(m.finalizers ?? []);
    if (o.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    if (o.propagationPolicy === 'Orphan') finalizers.add('orphan');
    const pod = cur as { spec?: { nodeName?: string }; status?: { phase?: string } };
    const graceful = r.kind === 'Pod' && (pod.spec?.nodeName ?? '') !== '' && o.gracePeriodSeconds !== 0 &&
      pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
    const nsPending = r.kind === 'Namespace' && ((cur as Namespace).spec?.finalizers ?? []).length > 0;
    if (finalizers.size > 0 || graceful || nsPending) {
      m.deletionTimestamp ??= isoSeconds(this.nowMs);
      if (finalizers.size > 0) m.finalizers = [...finalizers];
      if (r.kind === 'Namespace') (cur as Namespace).status = { phase: 'Terminating' };
      m.resourceVersion = String(++this.#seq);
      this.#bucket(r).set(keyOf(cur), cur);
      this.#publish(r, cur, 'set');
      return structuredClone(cur);
    }
    this.#remove(r, cur);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  }

  async finalizeNamespace(ns: Namespace): Promise<Namespace> {
    this.#record({ verb: 'finalize', resource: 'namespaces', namespace: '', name: ns.metadata?.name ?? '', body: ns });
    const cur = this.obj<Namespace>(R.namespaces, '', ns.metadata?.name ?? '');
    if (cur === undefined) throw new ApiError(notFound({ group: '', resource: 'namespaces' }, ns.metadata?.name ?? ''));
    cur.spec = { finalizers: ns.spec?.finalizers ?? [] };
    cur.metadata!.resourceVersion = String(++this.#seq);
    this.#bucket(R.namespaces).set(keyOf(cur), cur);
    this.#publish(R.namespaces, cur, 'set');
    return structuredClone(cur);
  }

  // ---- internals ----

  #write<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, verb: 'update' | 'updateStatus'): T {
    const name = obj.metadata?.name ?? '';
    this.#record({ verb, resource: r.plural, namespace, name, body: obj });
    const cur = this.obj<T>(r, namespace, name);
    if (cur === undefined) throw new ApiError(notFound({ group: r.group, resource: r.plural }, name));
    return this.#commit(r, structuredClone(obj), cur, verb);
  }

  #commit<T extends KubeObject>(r: ResourceInfo, next: T, cur: T, verb: 'update' | 'updateStatus'): T {
    const name = cur.metadata?.name ?? '';
    const rv = next.metadata?.resourceVersion;
    if (rv !== undefined && rv !== cur.metadata?.resourceVersion) {
      throw new ApiError(conflict({ group: r.group, resource: r.plural }, name));
    }
    let out: T;
    if (verb === 'updateStatus') {
      out = { ...cur, status: (next as { status?: unknown }).status } as T;
    } else {
      out = { ...next, status: (cur as { status?: unknown }).status } as T;
      const cm = cur.metadata!;
      out.metadata = { ...next.metadata, uid: cm.uid, creationTimestamp: cm.creationTimestamp,
        deletionTimestamp: cm.deletionTimestamp, generation: cm.generation };
      if (out.metadata.deletionTimestamp === undefined) delete out.metadata.deletionTimestamp;
      if (GENERATION_KINDS.has(r.kind) && JSON.stringify((next as { spec?: unknown }).spec) !==
        JSON.stringify((cur as { spec?: unknown }).spec)) out.metadata.generation = (cm.generation ?? 1) + 1;
      if (cm.deletionTimestamp !== undefined && (out.metadata.finalizers ?? []).length === 0) {
        this.#remove(r, out);
        return structuredClone(out);
      }
    }
    out.metadata!.resourceVersion = String(++this.#seq);
    this.#bucket(r).set(keyOf(out), out);
    this.#publish(r, out, 'set');
    return structuredClone(out);
  }

  #remove(r: ResourceInfo, obj: KubeObject): void {
    this.#bucket(r).delete(keyOf(obj));
    this.#publish(r, obj, 'delete');
  }

  #record(a: Action): void {
    this.actions.push(a);
    const err = a.verb === 'get' || a.verb === 'list' ? undefined : this.failWhen?.(a);
    if (err !== undefined) throw err;
  }

  #bucket(r: ResourceInfo): Map<string, KubeObject> {
    let b = this.#objects.get(rkey(r));
    if (b === undefined) { b = new Map(); this.#objects.set(rkey(r), b); this.#resources.set(rkey(r), r); }
    return b;
  }

  #publish(r: ResourceInfo, obj: KubeObject, op: 'set' | 'delete'): void {
    const copy = structuredClone(obj);
    this.#pending.push(() => {
      const inf = this.#informers.get(rkey(r));
      if (inf === undefined) return;
      if (op === 'delete') {
        const old = inf.store.delete(keyOf(copy));
        if (old !== undefined) for (const h of inf.handlers) h.onDelete?.(old);
        return;
      }
      const old = inf.store.set(copy);
      for (const h of inf.handlers) {
        if (old === undefined) h.onAdd?.(copy, false);
        else h.onUpdate?.(old, copy);
      }
    });
    if (this.autoDeliver) this.deliver();
  }
}

/** A ready, running pod status (what a kubelet would write), Ready since `sinceMs`. */
export function readyStatus(sinceMs: number, podIP = ''): { phase: string; podIP?: string; conditions: object[] } {
  return { phase: 'Running', ...(podIP !== '' ? { podIP } : {}),
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: isoSeconds(sinceMs) }] };
}
