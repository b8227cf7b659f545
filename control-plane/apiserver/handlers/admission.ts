// Built-in admission that every write passes (the subset of kube-apiserver's default plugins
// that matters here): NamespaceLifecycle — no new objects in a namespace that does not exist
// or is being deleted, and the system namespaces cannot be deleted.
import { failure, findResource, type JsonObject, notFound, type ResourceInfo, type Status } from '../../api/index.js';
import type { HandlerDeps } from './deps.js';

const NAMESPACES = findResource('', 'namespaces')!;
export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Events may still be written into a terminating namespace (Kubernetes lets them, to report the cleanup). */
export async function admitCreate(d: HandlerDeps, r: ResourceInfo, namespace: string): Promise<Status | null> {
  if (!r.namespaced) return null;
  const key = d.keys.objectKey(NAMESPACES, '', namespace);
  let ns: JsonObject | undefined = d.cacher.ready ? d.cacher.cache(NAMESPACES).getByKey(key)?.object : undefined;
  if (!ns) ns = (await d.store.get(key))?.object; // the cache may not have seen a namespace created a moment ago
  if (!ns) return notFound({ group: '', resource: 'namespaces' }, namespace);
  const phase = ((ns['status'] ?? {}) as JsonObject)['phase'];
  if ((phase === 'Terminating' || (ns['metadata'] as JsonObject)['deletionTimestamp']) && r.kind !== 'Event') {
    return failure(403, 'Forbidden',
      `${r.plural} "" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { group: r.group, kind: r.plural, causes: [{ reason: 'NamespaceTerminating',
        message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] });
  }
  return null;
}

export function admitDelete(r: ResourceInfo, name: string): Status | null {
  if (r.kind === 'Namespace' && IMMORTAL_NAMESPACES.has(name)) {
    return failure(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      { name, kind: 'namespaces' });
  }
  return null;
}
