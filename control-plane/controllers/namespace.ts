// Namespace controller (kube pkg/controller/namespace/deletion): a Terminating namespace is emptied
// — every namespaced resource the API serves, listed live and deleted (background propagation) —
// and once nothing is left (pods may take their grace period), the "kubernetes" finalizer is removed
// via PUT .../finalize and the namespace is deleted again, which removes it.
// Order: kube deletes in discovery order; we delete workload controllers first so they cannot
// recreate what we delete, then everything else, pods last among the rest, events at the very end.
// While content remains the NamespaceContentRemaining condition says what, as kube's does.
import type { Namespace, NamespaceCondition, ResourceInfo } from '../api/index.js';
import { RESOURCES } from '../api/index.js';
import { isConflict, isNotFound, type KubeObject } from '../client/index.js';
import { QueueController } from './controller.js';
import { NAMESPACE_DELETES_PER_RESOURCE_MAX, NAMESPACE_RECHECK_MS } from './limits.js';
import { R, type ControllerContext, type Informer } from './types.js';
import { isoSeconds, requeueAfter } from './util.js';

const FIRST = ['deployments', 'daemonsets', 'replicasets', 'replicationcontrollers'];
const LAST = ['pods', 'events'];

/** Namespaced resources that can be listed and deleted, in deletion order. */
export function namespacedResources(): ResourceInfo[] {
  const rs = RESOURCES.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
  const rank = (r: ResourceInfo): number => {
    const f = FIRST.indexOf(r.plural);
    if (f >= 0) return f;
    const l = LAST.indexOf(r.plural);
    return l >= 0 ? 100 + l : 50;
  };
  return rs.sort((a, b) => rank(a) - rank(b));
}

export class NamespaceController extends QueueController {
  readonly #namespaces: Informer<Namespace>;

  constructor(ctx: ControllerContext) {
    super('namespace', ctx);
    this.#namespaces = ctx.informers.informer<Namespace>(R.namespaces);
    this.#namespaces.addEventHandler({
      onAdd: (ns) => this.#maybe(ns),
      onUpdate: (_o, ns) => this.#maybe(ns),
    });
  }

  protected override *initialKeys(): Iterable<string> {
    for (const ns of this.#namespaces.store.list()) if (ns.metadata?.deletionTimestamp !== undefined) yield ns.metadata.name ?? '';
  }

  #maybe(ns: Namespace): void {
    if (ns.metadata?.deletionTimestamp !== undefined) this.enqueue(ns.metadata.name ?? '');
  }

  async sync(name: string): Promise<void> {
    const ns = this.#namespaces.store.getByName('', name);
    if (ns === undefined || ns.metadata?.deletionTimestamp === undefined) return;
    const uid = ns.metadata.uid;
    if ((ns.spec?.finalizers ?? []).includes('kubernetes')) {
      const remaining = await this.#deleteAllContent(name);
      if (remaining.size > 0) {
        await this.#setRemainingCondition(ns, remaining);
        throw requeueAfter(`namespace ${name}: content remains`, NAMESPACE_RECHECK_MS);
      }
      try {
        await this.ctx.client.finalizeNamespace({ ...ns,
          spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes') } });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      this.ctx.log.info({ controller: this.name, namespace: name }, 'namespace emptied and finalized');
    }
    // Finalized: a DELETE now removes it (kube's deleter deletes with a uid precondition).
    try {
      await this.ctx.client.delete(R.namespaces, '', name, uid !== undefined ? { preconditions: { uid } } : {});
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /** Deletes what is in the namespace; answers what is still there per resource (after the deletes). */
  async #deleteAllContent(namespace: string): Promise<Map<string, number>> {
    const remaining = new Map<string, number>();
    for (const r of namespacedResources()) {
      const { items } = await this.ctx.client.listAll<KubeObject>(r, { namespace });
      if (items.length === 0) continue;
      let left = 0;
      for (const obj of items.slice(0, NAMESPACE_DELETES_PER_RESOURCE_MAX)) {
        const m = obj.metadata ?? {};
        if (m.deletionTimestamp !== undefined) { left++; continue; }
        try {
          const out = await this.ctx.client.delete<KubeObject>(r, namespace, m.name ?? '', { propagationPolicy: 'Background' });
          if ((out as KubeObject).metadata?.deletionTimestamp !== undefined) left++;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      left += Math.max(0, items.length - NAMESPACE_DELETES_PER_RESOURCE_MAX);
      if (left > 0) remaining.set(r.group === '' ? r.plural : `${r.plural}.${r.group}`, left);
      // Deleting a workload makes its controller stop; what it owned goes next, through the GC and us.
    }
    return remaining;
  }

  async #setRemainingCondition(ns: Namespace, remaining: Map<string, number>): Promise<void> {
    const message = `Some resources are remaining: ${[...remaining].map(([r, n]) => `${r} has ${n} resource instances`)
      .join(', ')}`;
    const conds = ns.status?.conditions ?? [];
    const prev = conds.find((c) => c.type === 'NamespaceContentRemaining');
    if (prev?.status === 'True' && prev.message === message) return;
    const cond: NamespaceCondition = { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain',
      message, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime ?? '' : isoSeconds(this.ctx.clock.nowMs()) };
    const status = { ...(ns.status ?? {}), conditions: [...conds.filter((c) => c.type !== cond.type), cond] };
    try {
      await this.ctx.client.updateStatus<Namespace>(R.namespaces, '', { ...ns, status });
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  }
}
