// An RbacSource over fixed lists: for tests, and for authorizing before the apiserver's
// caches of RBAC objects have synced (e.g. with only the bootstrap policy).
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/index.js';
import type { RbacSource } from './rbac.js';

export interface RbacObjects {
  clusterRoles?: ClusterRole[];
  clusterRoleBindings?: ClusterRoleBinding[];
  roles?: Role[];
  roleBindings?: RoleBinding[];
}

export function staticRbacSource(o: RbacObjects): RbacSource {
  const clusterRoles = new Map((o.clusterRoles ?? []).map((r) => [r.metadata?.name ?? '', r]));
  const roles = new Map((o.roles ?? []).map((r) => [`${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`, r]));
  const crbs = [...(o.clusterRoleBindings ?? [])];
  const rbs = o.roleBindings ?? [];
  return {
    clusterRoleBindings: () => crbs,
    roleBindings: (namespace) => rbs.filter((b) => (b.metadata?.namespace ?? '') === namespace),
    clusterRole: (name) => clusterRoles.get(name),
    role: (namespace, name) => roles.get(`${namespace}/${name}`),
  };
}
