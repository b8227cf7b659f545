// What a new cluster needs before anyone can use it, created idempotently by every replica
// at start (a replica that loses the race sees AlreadyExists and moves on): the system
// namespaces, the bootstrap RBAC policy, and the `kubernetes` Service in `default`.
import type { Logger } from 'pino';
import { findResource, isStatus, type JsonObject } from '../api/index.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './auth/bootstrap-policy.js';
import type { HandlerDeps } from './handlers/deps.js';
import { createObject } from './handlers/write.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(d: HandlerDeps, group: string, plural: string, namespace: string, obj: JsonObject, log: Logger):
  Promise<void> {
  const r = findResource(group, plural)!;
  const name = String((obj['metadata'] as JsonObject)['name']);
  const key = d.keys.objectKey(r, namespace, name);
  for (let attempt = 1; ; attempt++) {
    if (await d.store.get(key)) return;
    const out = await createObject(d, r, namespace, structuredClone(obj), false);
    if (!isStatus(out)) {
      log.info({ resource: plural, namespace, name }, 'bootstrap: created');
      return;
    }
    // Another replica bootstrapping at the same moment may have won (409, or its service IP is taken): look again.
    if (await d.store.get(key)) return;
    if (attempt >= 5) {
      throw new Error(`bootstrap: creating ${plural} ${namespace}/${name} failed: ${out.message ?? out.reason ?? out.code}`);
    }
    await new Promise((res) => setTimeout(res, 100 * attempt));
  }
}

export async function bootstrapCluster(d: HandlerDeps, log: Logger): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(d, '', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, log);
  }
  const rbac = 'rbac.authorization.k8s.io';
  for (const role of bootstrapClusterRoles()) {
    await ensure(d, rbac, 'clusterroles', '', { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', ...role } as unknown as JsonObject, log);
  }
  for (const b of bootstrapClusterRoleBindings()) {
    await ensure(d, rbac, 'clusterrolebindings', '', { apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', ...b } as unknown as JsonObject, log);
  }
  const first = d.serviceIps.ips.range.format(d.serviceIps.ips.range.first);
  await ensure(d, '', 'services', 'default', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: first, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  }, log);
}
