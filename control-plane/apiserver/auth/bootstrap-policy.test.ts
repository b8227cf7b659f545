import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { RbacAuthorizer, type AuthorizationAttributes } from './rbac.js';
import { staticRbacSource } from './rbac-source.js';
import type { UserInfo } from './token-file.js';

const authz = new RbacAuthorizer(staticRbacSource({
  clusterRoles: bootstrapClusterRoles(), clusterRoleBindings: bootstrapClusterRoleBindings(),
}));

const authed = (name: string, ...groups: string[]): UserInfo => ({ name, uid: '', groups: [...groups, 'system:authenticated'] });
const scheduler = authed('system:kube-scheduler');
const controllerManager = authed('system:kube-controller-manager');
const node = authed('system:node:n1', 'system:nodes');
const alice = authed('alice');
const anonymous: UserInfo = { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

/** "verb resource[/sub] [ns] [name] [group]" → attributes. */
function can(user: UserInfo, verb: string, target: string, namespace = '', name = '', apiGroup = ''): boolean {
  const [resource = '', subresource = ''] = target.split('/');
  const a: AuthorizationAttributes = { user, verb, isResourceRequest: true, path: '', apiGroup, resource, subresource,
    namespace, name };
  return authz.authorize(a).allowed;
}

function canPath(user: UserInfo, verb: string, path: string): boolean {
  return authz.authorize({ user, verb, isResourceRequest: false, path, apiGroup: '', resource: '', subresource: '',
    namespace: '', name: '' }).allowed;
}

test('every object is labelled and annotated as Kubernetes bootstrap policy, and every binding names a role', () => {
  const roles = bootstrapClusterRoles();
  const names = new Set(roles.map((r) => r.metadata?.name));
  for (const o of [...roles, ...bootstrapClusterRoleBindings()]) {
    assert.equal(o.apiVersion, 'rbac.authorization.k8s.io/v1');
    assert.deepEqual(o.metadata?.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
    assert.deepEqual(o.metadata?.annotations, { 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
  }
  for (const b of bootstrapClusterRoleBindings()) {
    assert.equal(b.kind, 'ClusterRoleBinding');
    assert.ok(names.has(b.roleRef.name), b.roleRef.name);
    assert.deepEqual(b.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.metadata?.name });
  }
  for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:public-info-viewer',
    'system:basic-user', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:node']) {
    assert.ok(names.has(name), name);
  }
  // fresh copies each call: callers may mutate what they store
  const a = bootstrapClusterRoles();
  a[0]?.rules?.[0]?.verbs.push('mutated');
  assert.ok(!bootstrapClusterRoles()[0]?.rules?.[0]?.verbs.includes('mutated'));
});

test('the scheduler can watch the cluster, bind pods, report status and events, and hold its lease', () => {
  for (const r of ['pods', 'nodes', 'namespaces', 'services']) {
    for (const v of ['get', 'list', 'watch']) assert.ok(can(scheduler, v, r), `${v} ${r}`);
  }
  assert.ok(can(scheduler, 'list', 'replicasets', '', '', 'apps'));
  assert.ok(can(scheduler, 'create', 'pods/binding', 'default', 'p'));
  assert.ok(can(scheduler, 'create', 'bindings', 'default'));
  assert.ok(can(scheduler, 'patch', 'pods/status', 'default', 'p'));
  assert.ok(can(scheduler, 'update', 'pods/status', 'default', 'p'));
  assert.ok(can(scheduler, 'create', 'events', 'default'));
  assert.ok(can(scheduler, 'patch', 'events', 'default', 'e', 'events.k8s.io'));
  assert.ok(can(scheduler, 'create', 'leases', 'kube-system', '', 'coordination.k8s.io'));
  assert.ok(can(scheduler, 'get', 'leases', 'kube-system', 'kube-scheduler', 'coordination.k8s.io'));
  assert.ok(can(scheduler, 'update', 'leases', 'kube-system', 'kube-scheduler', 'coordination.k8s.io'));
  // and nothing it does not need
  assert.ok(!can(scheduler, 'delete', 'nodes', '', 'n1'));
  assert.ok(!can(scheduler, 'update', 'nodes', '', 'n1'));
  assert.ok(!can(scheduler, 'update', 'pods', 'default', 'p'));
  assert.ok(!can(scheduler, 'get', 'secrets', 'default', 's'));
  assert.ok(!can(scheduler, 'update', 'leases', 'kube-system', 'kube-controller-manager', 'coordination.k8s.io'));
  assert.ok(!can(scheduler, 'create', 'deployments', 'default', '', 'apps'));
});

test('the controller-manager manages workloads, endpoints, namespaces and its lease', () => {
  for (const [verb, target, group] of [['create', 'replicasets', 'apps'], ['update', 'deployments/status', 'apps'],
    ['delete', 'pods', ''], ['create', 'pods', ''], ['update', 'endpoints', ''], ['create', 'serviceaccounts', ''],
    ['update', 'namespaces/finalize', ''], ['delete', 'namespaces', ''], ['patch', 'nodes', ''],
    ['create', 'events', ''], ['update', 'leases', 'coordination.k8s.io'], ['deletecollection', 'anything', 'x.io']]) {
    assert.ok(can(controllerManager, verb as string, target as string, 'default', 'x', group), `${verb} ${target}`);
  }
  assert.ok(!can(controllerManager, 'create', 'clusterrolebindings', '', '', 'rbac.authorization.k8s.io'));
  assert.ok(!can(controllerManager, 'escalate', 'clusterroles', '', '', 'rbac.authorization.k8s.io'));
});

test('a node registers and heartbeats, runs and reports its pods, reads what they mount', () => {
  assert.ok(can(node, 'create', 'nodes'));
  assert.ok(can(node, 'patch', 'nodes/status', '', 'n1'));
  assert.ok(can(node, 'watch', 'pods'));
  assert.ok(can(node, 'update', 'pods/status', 'default', 'p'));
  assert.ok(can(node, 'create', 'events', 'default'));
  assert.ok(can(node, 'update', 'leases', 'kube-node-lease', 'n1', 'coordination.k8s.io'));
  assert.ok(can(node, 'get', 'configmaps', 'default', 'c'));
  assert.ok(can(node, 'get', 'secrets', 'default', 's'));
  assert.ok(can(node, 'watch', 'services'));
  assert.ok(can(node, 'list', 'endpoints'));
  assert.ok(!can(node, 'delete', 'nodes', '', 'n2'));
  assert.ok(!can(node, 'create', 'pods/binding', 'default', 'p'));
  assert.ok(!can(node, 'create', 'deployments', 'default', '', 'apps'));
});

test('admin ⊃ edit ⊃ view, granted through a RoleBinding', () => {
  const bound = (role: string): RbacAuthorizer => new RbacAuthorizer(staticRbacSource({
    clusterRoles: bootstrapClusterRoles(),
    roleBindings: [{ metadata: { namespace: 'team', name: 'b' }, subjects: [{ kind: 'User', name: 'alice' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role } }],
  }));
  const allowed = (role: string, verb: string, resource: string, group = '', ns = 'team'): boolean =>
    bound(role).authorize({ user: alice, verb, isResourceRequest: true, path: '', apiGroup: group, resource,
      subresource: '', namespace: ns, name: '' }).allowed;
  assert.ok(allowed('view', 'list', 'pods'));
  assert.ok(!allowed('view', 'get', 'secrets'));
  assert.ok(!allowed('view', 'create', 'pods'));
  assert.ok(allowed('edit', 'create', 'deployments', 'apps'));
  assert.ok(allowed('edit', 'get', 'secrets'));
  assert.ok(!allowed('edit', 'create', 'rolebindings', 'rbac.authorization.k8s.io'));
  assert.ok(allowed('admin', 'create', 'rolebindings', 'rbac.authorization.k8s.io'));
  assert.ok(allowed('admin', 'delete', 'pods'));
  assert.ok(!allowed('admin', 'list', 'pods', '', 'other'));
});

test('discovery for every authenticated user; health and version for everyone; nothing else', () => {
  for (const p of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/openapi/v3', '/openapi/v3/apis/apps/v1', '/version',
    '/healthz', '/livez', '/readyz']) {
    assert.ok(canPath(alice, 'get', p), p);
  }
  for (const p of ['/healthz', '/livez', '/readyz', '/version']) assert.ok(canPath(anonymous, 'get', p), p);
  assert.ok(!canPath(anonymous, 'get', '/api'));
  assert.ok(!canPath(anonymous, 'get', '/openapi/v3'));
  assert.ok(!canPath(alice, 'post', '/api'));
  assert.ok(!canPath(alice, 'get', '/metrics'));
  assert.ok(canPath(authed('prom', 'system:monitoring'), 'get', '/metrics'));
  assert.ok(can(alice, 'create', 'selfsubjectaccessreviews', '', '', 'authorization.k8s.io'));
  assert.ok(!can(alice, 'list', 'pods', 'default'));
  assert.ok(!can(anonymous, 'list', 'pods', 'default'));
  assert.ok(can(authed('root', 'system:masters'), 'delete', 'nodes', '', 'n1'));
});

test('the workload kinds of the prune allowlist: the controller-manager runs them, admin/edit/view grant them', () => {
  // What the Job, CronJob and StatefulSet controllers write.
  for (const [verb, target, group] of [['create', 'pods', ''], ['create', 'jobs', 'batch'], ['update', 'jobs/status', 'batch'],
    ['update', 'cronjobs/status', 'batch'], ['delete', 'jobs', 'batch'], ['update', 'statefulsets/status', 'apps'],
    ['create', 'persistentvolumeclaims', '']] as const) {
    assert.ok(can(controllerManager, verb, target, 'default', '', group), `controller-manager ${verb} ${group}/${target}`);
  }
  const rb = (role: string) => staticRbacSource({ clusterRoles: bootstrapClusterRoles(), clusterRoleBindings: [],
    roleBindings: [{ metadata: { name: 'b', namespace: 'team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }] }] });
  const allowed = (role: string, verb: string, resource: string, apiGroup: string) =>
    new RbacAuthorizer(rb(role)).authorize({ user: alice, verb, isResourceRequest: true, path: '', apiGroup, resource, subresource: '', namespace: 'team', name: '' }).allowed;
  for (const [resource, group] of [['jobs', 'batch'], ['cronjobs', 'batch'], ['statefulsets', 'apps'],
    ['ingresses', 'networking.k8s.io'], ['persistentvolumeclaims', '']] as const) {
    assert.ok(allowed('edit', 'create', resource, group), `edit creates ${resource}`);
    assert.ok(allowed('admin', 'delete', resource, group), `admin deletes ${resource}`);
    assert.ok(allowed('view', 'list', resource, group), `view lists ${resource}`);
    assert.ok(!allowed('view', 'create', resource, group), `view does not create ${resource}`);
  }
});
