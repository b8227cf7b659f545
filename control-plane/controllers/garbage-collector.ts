// Garbage collector (kube pkg/controller/garbagecollector), level-triggered over uids. The
// dependency graph is the informers' caches: every informer indexes objects by uid and by the
// uids of their owners, so "dependents of X" and "is owner X present" are index lookups.
// sync(uid) does, for the object with that uid:
// - deleting with the `orphan` finalizer: remove its ownerReference from every dependent, then the finalizer;
// - deleting with `foregroundDeletion`: delete its dependents that block owner deletion (foreground
//   themselves when they have dependents), and once none is left remove the finalizer;
// - otherwise, if it has owners: those absent (404 or a different uid, confirmed with a live GET as
//   kube's "virtual node" check) are dangling; those deleting in foreground are waiting. With no
//   solid owner left the object is deleted (background, or foreground when an owner waits for it);
//   with a solid owner, references to dangling/waiting owners are removed.
// Events are ignored, as kube's GC ignores them.
import type { OwnerReference, ResourceInfo } from '../api/index.js';
import { findResourceForKind, parseApiVersion, RESOURCES } from '../api/index.js';
import { isConflict, isNotFound, isTombstone, type KubeObject } from '../client/index.js';
import { QueueController } from './controller.js';
import { GC_DEPENDENTS_PER_SYNC_MAX } from './limits.js';
import { OWNER_UID_INDEX, UID_INDEX, type ControllerContext, type Informer } from './types.js';
import { errorMessage } from './util.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

interface Node { r: ResourceInfo; obj: KubeObject }

/** Resources the collector watches: every list/watch/delete-able one but events. */
export function gcResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => r.verbs.includes('watch') && r.verbs.includes('delete') && r.verbs.includes('list') &&
    !(r.group === '' && r.plural === 'events'));
}

export class GarbageCollector extends QueueController {
  readonly #informers: { r: ResourceInfo; inf: Informer<KubeObject> }[];

  constructor(ctx: ControllerContext, resources: ResourceInfo[] = gcResources()) {
    super('garbage-collector', ctx);
    this.#informers = resources.map((r) => ({ r, inf: ctx.informers.informer<KubeObject>(r) }));
    for (const { inf } of this.#informers) {
      inf.addEventHandler({
        onAdd: (o) => this.#changed(o),
        onUpdate: (old, o) => { this.#changed(o); this.#ownersOf(old); },
        onDelete: (o) => this.#deleted(isTombstone(o) ? o.obj : o),
      });
    }
  }

  protected override *initialKeys(): Iterable<string> {
    for (const { inf } of this.#informers) {
      for (const o of inf.store.list()) if (needsAttention(o)) yield o.metadata?.uid ?? '';
    }
  }

  #changed(o: KubeObject): void {
    if (needsAttention(o)) this.enqueue(o.metadata?.uid ?? '');
    this.#ownersOf(o);
  }

  /** A dependent changed or went: owners waiting in foreground deletion may be done. */
  #ownersOf(o: KubeObject): void {
    for (const ref of o.metadata?.ownerReferences ?? []) {
      const owner = this.#find(ref.uid);
      if (owner !== undefined && owner.obj.metadata?.deletionTimestamp !== undefined) this.enqueue(ref.uid);
    }
  }

  #deleted(o: KubeObject): void {
    const uid = o.metadata?.uid ?? '';
    for (const d of this.#dependents(uid)) this.enqueue(d.obj.metadata?.uid ?? '');
    this.#ownersOf(o);
  }

  #find(uid: string): Node | undefined {
    for (const { r, inf } of this.#informers) {
      const hit = inf.store.byIndex(UID_INDEX, uid)[0];
      if (hit !== undefined) return { r, obj: hit };
    }
    return undefined;
  }

  #dependents(uid: string): Node[] {
    const out: Node[] = [];
    for (const { r, inf } of this.#informers) {
      for (const obj of inf.store.byIndex(OWNER_UID_INDEX, uid)) out.push({ r, obj });
    }
    return out;
  }

  async sync(uid: string): Promise<void> {
    const node = this.#find(uid);
    if (node === undefined) return;
    const m = node.obj.metadata ?? {};
    const finalizers = m.finalizers ?? [];
    if (m.deletionTimestamp !== undefined && finalizers.includes(ORPHAN_FINALIZER)) {
      await this.#orphan(node);
      return;
    }
    if (m.deletionTimestamp !== undefined && finalizers.includes(FOREGROUND_FINALIZER)) {
      await this.#foreground(node);
      return;
    }
    if ((m.ownerReferences ?? []).length > 0 && m.deletionTimestamp === undefined) await this.#attemptToDelete(node);
  }

  async #orphan(node: Node): Promise<void> {
    const uid = node.obj.metadata?.uid ?? '';
    for (const d of this.#dependents(uid).slice(0, GC_DEPENDENTS_PER_SYNC_MAX)) await this.#removeOwnerRefs(d, [uid]);
    if (this.#dependents(uid).length > GC_DEPENDENTS_PER_SYNC_MAX) this.enqueue(uid);
    await this.#removeFinalizer(node, ORPHAN_FINALIZER);
    this.ctx.log.info({ controller: this.name, object: describe(node) }, 'orphaned dependents');
  }

  async #foreground(node: Node): Promise<void> {
    const uid = node.obj.metadata?.uid ?? '';
    const blocking = this.#dependents(uid).filter((d) =>
      (d.obj.metadata?.ownerReferences ?? []).some((ref) => ref.uid === uid && ref.blockOwnerDeletion === true));
    if (blocking.length === 0) { await this.#removeFinalizer(node, FOREGROUND_FINALIZER); return; }
    for (const d of blocking.slice(0, GC_DEPENDENTS_PER_SYNC_MAX)) {
      if (d.obj.metadata?.deletionTimestamp !== undefined) continue;
      const hasDependents = this.#dependents(d.obj.metadata?.uid ?? '').length > 0;
      await this.#delete(d, hasDependents ? 'Foreground' : 'Background');
    }
    // The dependents' deletions re-enqueue us (handlers); nothing else to wait for here.
  }

  async #attemptToDelete(node: Node): Promise<void> {
    const solid: OwnerReference[] = [];
    const gone: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of node.obj.metadata?.ownerReferences ?? []) {
      const state = await this.#ownerState(node, ref);
      (state === 'absent' ? gone : state === 'waiting' ? waiting : solid).push(ref);
    }
    if (solid.length > 0) {
      if (gone.length + waiting.length > 0) await this.#removeOwnerRefs(node, [...gone, ...waiting].map((r) => r.uid));
      return;
    }
    const hasDependents = this.#dependents(node.obj.metadata?.uid ?? '').length > 0;
    const policy = waiting.length > 0 && hasDependents ? 'Foreground' : 'Background';
    this.ctx.log.info({ controller: this.name, object: describe(node), policy }, 'deleting object whose owners are gone');
    await this.#delete(node, policy);
  }

  /** absent | waiting (owner deleting in foreground) | solid; unknown kinds count as solid (never guess). */
  async #ownerState(node: Node, ref: OwnerReference): Promise<'absent' | 'waiting' | 'solid'> {
    const cached = this.#find(ref.uid);
    const ownerState = (o: KubeObject): 'waiting' | 'solid' =>
      o.metadata?.deletionTimestamp !== undefined && (o.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)
        ? 'waiting' : 'solid';
    if (cached !== undefined) return ownerState(cached.obj);
    const r = findResourceForKind(parseApiVersion(ref.apiVersion).group, ref.kind);
    if (r === undefined) return 'solid';
    const ns = r.namespaced ? node.obj.metadata?.namespace ?? '' : '';
    try {
      const live = await this.ctx.client.get<KubeObject>(r, ns, ref.name);
      return live.metadata?.uid !== ref.uid ? 'absent' : ownerState(live);
    } catch (e) {
      if (isNotFound(e)) return 'absent';
      throw e;
    }
  }

  async #removeOwnerRefs(node: Node, uids: string[]): Promise<void> {
    const refs = (node.obj.metadata?.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
    const resourceVersion = node.obj.metadata?.resourceVersion;
    await this.#patch(node, { metadata: { ownerReferences: refs, resourceVersion } });
  }

  async #removeFinalizer(node: Node, finalizer: string): Promise<void> {
    const finalizers = (node.obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    await this.#patch(node, { metadata: { finalizers, resourceVersion: node.obj.metadata?.resourceVersion } });
  }

  async #patch(node: Node, patch: unknown): Promise<void> {
    const m = node.obj.metadata ?? {};
    try {
      await this.ctx.client.patch(node.r, m.namespace ?? '', m.name ?? '', 'merge', patch);
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) throw new Error(`${describe(node)} changed while the collector patched it: ${errorMessage(e)}`);
      throw e;
    }
  }

  async #delete(node: Node, policy: 'Foreground' | 'Background'): Promise<void> {
    const m = node.obj.metadata ?? {};
    try {
      await this.ctx.client.delete(node.r, m.namespace ?? '', m.name ?? '',
        { propagationPolicy: policy, ...(m.uid !== undefined ? { preconditions: { uid: m.uid } } : {}) });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function needsAttention(o: KubeObject): boolean {
  const m = o.metadata ?? {};
  if (m.deletionTimestamp !== undefined) {
    const f = m.finalizers ?? [];
    return f.includes(ORPHAN_FINALIZER) || f.includes(FOREGROUND_FINALIZER);
  }
  return (m.ownerReferences ?? []).length > 0;
}

function describe(n: Node): string {
  const m = n.obj.metadata ?? {};
  return `${n.r.plural}/${m.namespace ? `${m.namespace}/` : ''}${m.name ?? ''}`;
}
