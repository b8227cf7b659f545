// The RBAC authorizer reads roles and bindings from the watch cache (Kubernetes' RBAC
// authorizer reads informer caches the same way): no store round trip per request.
import { findResource } from '../../api/index.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/index.js';
import type { RbacSource } from '../auth/index.js';
import type { KeyLayout } from '../storage/keys.js';
import type { Cacher } from './cacher.js';

const RBAC = 'rbac.authorization.k8s.io';
const R = {
  clusterRoles: findResource(RBAC, 'clusterroles')!,
  clusterRoleBindings: findResource(RBAC, 'clusterrolebindings')!,
  roles: findResource(RBAC, 'roles')!,
  roleBindings: findResource(RBAC, 'rolebindings')!,
};

export function cacheRbacSource(cacher: Cacher, keys: KeyLayout): RbacSource {
  return {
    clusterRoleBindings: () => (cacher.ready ? cacher.cache(R.clusterRoleBindings).list('') : [])
      .map((o) => o.object as unknown as ClusterRoleBinding),
    roleBindings: (ns) => (cacher.ready
      ? cacher.cache(R.roleBindings).list(keys.collectionPrefix(R.roleBindings, ns)) : [])
      .map((o) => o.object as unknown as RoleBinding),
    clusterRole: (name) => (cacher.ready
      ? cacher.cache(R.clusterRoles).getByKey(keys.objectKey(R.clusterRoles, '', name))?.object as unknown as ClusterRole
      : undefined),
    role: (ns, name) => (cacher.ready
      ? cacher.cache(R.roles).getByKey(keys.objectKey(R.roles, ns, name))?.object as unknown as Role
      : undefined),
  };
}
