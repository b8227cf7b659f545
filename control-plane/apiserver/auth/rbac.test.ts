import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { params, seed } from '../../api/testing/fc.js';
import type { ClusterRole, PolicyRule, RoleBinding } from '../../api/index.js';
import { RbacAuthorizer, forbiddenMessage, forbiddenStatus, type AuthorizationAttributes } from './rbac.js';
import { staticRbacSource } from './rbac-source.js';
import { ruleAllows } from './rbac-rules.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import type { UserInfo } from './token-file.js';

console.log(`rbac.test: fast-check seed ${seed} (replay with FC_SEED=${seed})`);

const alice: UserInfo = { name: 'alice', uid: '', groups: ['dev', 'system:authenticated'] };

function attrs(o: Partial<AuthorizationAttributes>): AuthorizationAttributes {
  return {
    user: alice, verb: 'get', isResourceRequest: true, path: '/', apiGroup: '', resource: 'pods', subresource: '',
    namespace: 'default', name: '', ...o,
  };
}

const cr = (name: string, rules: PolicyRule[]): ClusterRole => ({ metadata: { name }, rules });
const rbRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });

test('rule matching: verbs, groups, resources, subresources, resourceNames, nonResourceURLs', () => {
  const r = (o: Partial<AuthorizationAttributes>, rule: PolicyRule): boolean => ruleAllows(attrs(o), rule);
  const pods: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
  assert.equal(r({ verb: 'get' }, pods), true);
  assert.equal(r({ verb: 'delete' }, pods), false);
  assert.equal(r({ apiGroup: 'apps' }, pods), false);
  assert.equal(r({ resource: 'nodes' }, pods), false);
  assert.equal(r({ subresource: 'status' }, pods), false, 'pods does not cover pods/status');
  assert.equal(r({ verb: 'anything', apiGroup: 'x', resource: 'y' }, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), true);
  assert.equal(r({ verb: 'create', subresource: 'binding' }, { verbs: ['create'], apiGroups: [''], resources: ['pods/binding'] }), true);
  const anyStatus: PolicyRule = { verbs: ['update'], apiGroups: ['*'], resources: ['*/status'] };
  assert.equal(r({ verb: 'update', resource: 'nodes', subresource: 'status' }, anyStatus), true);
  assert.equal(r({ verb: 'update', resource: 'nodes', subresource: 'statusx' }, anyStatus), false);
  assert.equal(r({ verb: 'update', resource: 'nodes' }, anyStatus), false);
  const named: PolicyRule = { verbs: ['get', 'list', 'update'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] };
  assert.equal(r({ name: 'a' }, named), true);
  assert.equal(r({ name: 'b' }, named), false);
  assert.equal(r({ verb: 'list', name: '' }, named), false, 'resourceNames never allow an unnamed list');
  assert.equal(r({ verb: 'list', name: 'a' }, named), true, 'a list pinned by fieldSelector has a name');
  assert.equal(r({ verb: 'get', resource: 'pods', name: 'a' }, { verbs: ['get'], apiGroups: [''], resources: ['pods'],
    resourceNames: [] }), true);
  // non-resource
  const nr = (path: string, rule: PolicyRule, verb = 'get'): boolean =>
    ruleAllows(attrs({ isResourceRequest: false, path, verb }), rule);
  assert.equal(nr('/healthz', { verbs: ['get'], nonResourceURLs: ['/healthz'] }), true);
  assert.equal(nr('/healthz/etcd', { verbs: ['get'], nonResourceURLs: ['/healthz'] }), false);
  assert.equal(nr('/healthz/etcd', { verbs: ['get'], nonResourceURLs: ['/healthz/*'] }), true);
  assert.equal(nr('/apis/apps', { verbs: ['get'], nonResourceURLs: ['/apis*'] }), true);
  assert.equal(nr('/x', { verbs: ['get'], nonResourceURLs: ['*'] }), true);
  assert.equal(nr('/x', { verbs: ['get'], nonResourceURLs: ['*'] }, 'post'), false);
  assert.equal(nr('/api', { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }), false, 'resource rules never match paths');
  assert.equal(r({}, { verbs: ['get'], nonResourceURLs: ['*'] }), false, 'path rules never match resources');
});

test('forbidden messages are Kubernetes\' text', () => {
  assert.equal(forbiddenMessage(attrs({ verb: 'list' })),
    'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.equal(forbiddenMessage(attrs({ verb: 'list', namespace: '', resource: 'nodes' })),
    'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  assert.equal(forbiddenMessage(attrs({ verb: 'create', subresource: 'binding', name: 'p' })),
    'pods "p" is forbidden: User "alice" cannot create resource "pods/binding" in API group "" in the namespace "default"');
  assert.equal(forbiddenMessage(attrs({ verb: 'get', name: 'x' })),
    'pods "x" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"');
  assert.equal(forbiddenMessage(attrs({ verb: 'get', apiGroup: 'apps', resource: 'deployments', name: 'web' })),
    'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the ' +
    'namespace "default"');
  assert.equal(forbiddenMessage(attrs({ isResourceRequest: false, path: '/foo', verb: 'get' })),
    'forbidden: User "alice" cannot get path "/foo"');
  const s = forbiddenStatus(attrs({ verb: 'get', name: 'x' }), 'some reason');
  assert.equal(s.code, 403);
  assert.equal(s.reason, 'Forbidden');
  assert.equal(s.message, 'pods "x" is forbidden: some reason');
  assert.deepEqual(s.details, { name: 'x', kind: 'pods' });
});

test('cluster role bindings apply everywhere; role bindings only in their namespace', () => {
  const source = staticRbacSource({
    clusterRoles: [cr('pod-reader', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }])],
    roles: [{ metadata: { namespace: 'team', name: 'cm-writer' }, rules: [{ verbs: ['create'], apiGroups: [''],
      resources: ['configmaps'] }] }],
    clusterRoleBindings: [{ metadata: { name: 'devs-read' }, roleRef: rbRef('ClusterRole', 'pod-reader'),
      subjects: [{ kind: 'Group', name: 'dev' }] }],
    roleBindings: [
      { metadata: { namespace: 'team', name: 'alice-cm' }, roleRef: rbRef('Role', 'cm-writer'),
        subjects: [{ kind: 'User', name: 'alice' }] },
      { metadata: { namespace: 'team', name: 'alice-admin' }, roleRef: rbRef('ClusterRole', 'admin-lite'),
        subjects: [{ kind: 'User', name: 'alice' }] },
      { metadata: { namespace: 'team', name: 'bob-read' }, roleRef: rbRef('ClusterRole', 'pod-reader'),
        subjects: [{ kind: 'User', name: 'bob' }] },
    ],
  });
  const authz = new RbacAuthorizer(source);
  assert.deepEqual(authz.authorize(attrs({ verb: 'list', namespace: 'anywhere' })), {
    allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "devs-read" of ClusterRole "pod-reader" to Group "dev"' });
  assert.deepEqual(authz.authorize(attrs({ verb: 'create', resource: 'configmaps', namespace: 'team' })), {
    allowed: true, reason: 'RBAC: allowed by RoleBinding "alice-cm/team" of Role "cm-writer" to User "alice"' });
  // the same request elsewhere is denied, and the binding to a missing ClusterRole is reported as Kubernetes does
  const denied = authz.authorize(attrs({ verb: 'create', resource: 'configmaps', namespace: 'other' }));
  assert.deepEqual(denied, { allowed: false, reason:
    'User "alice" cannot create resource "configmaps" in API group "" in the namespace "other"' });
  const missing = authz.authorize(attrs({ verb: 'delete', resource: 'configmaps', namespace: 'team', name: 'c' }));
  assert.deepEqual(missing, { allowed: false, reason: 'User "alice" cannot delete resource "configmaps" in API group ' +
    '"" in the namespace "team": RBAC: clusterrole.rbac.authorization.k8s.io "admin-lite" not found' });
  // a RoleBinding to a ClusterRole grants it only in the binding's namespace
  const bob: UserInfo = { name: 'bob', uid: '', groups: [] };
  assert.equal(authz.authorize(attrs({ user: bob, verb: 'list', namespace: 'team' })).allowed, true);
  assert.equal(authz.authorize(attrs({ user: bob, verb: 'list', namespace: 'other' })).allowed, false);
  assert.equal(authz.authorize(attrs({ user: bob, verb: 'list', namespace: '' })).allowed, false);
});

test('service account subjects: explicit namespace, binding namespace, and the service-account groups', () => {
  const sa: UserInfo = { name: 'system:serviceaccount:team:builder', uid: '',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] };
  const reader = cr('reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
  const rb = (ns: string, subject: RoleBinding['subjects']): RoleBinding =>
    ({ metadata: { namespace: ns, name: 'b' }, roleRef: rbRef('ClusterRole', 'reader'), subjects: subject });
  const allowed = (bindings: RoleBinding[], crb: boolean, ns: string): boolean => new RbacAuthorizer(staticRbacSource({
    clusterRoles: [reader], roleBindings: crb ? [] : bindings,
    clusterRoleBindings: crb ? bindings.map((b) => ({ ...b, metadata: { name: 'c' } })) : [],
  })).authorize(attrs({ user: sa, namespace: ns })).allowed;
  assert.equal(allowed([rb('team', [{ kind: 'ServiceAccount', name: 'builder' }])], false, 'team'), true);
  assert.equal(allowed([rb('team', [{ kind: 'ServiceAccount', name: 'builder', namespace: 'other' }])], false, 'team'), false);
  assert.equal(allowed([rb('team', [{ kind: 'ServiceAccount', name: 'builder', namespace: 'team' }])], true, 'x'), true);
  assert.equal(allowed([rb('team', [{ kind: 'ServiceAccount', name: 'builder' }])], true, 'x'), false,
    'a namespace-less service account subject in a ClusterRoleBinding matches nobody');
  assert.equal(allowed([rb('team', [{ kind: 'Group', name: 'system:serviceaccounts:team' }])], false, 'team'), true);
  assert.equal(allowed([rb('x', [{ kind: 'Group', name: 'system:serviceaccounts' }])], true, 'x'), true);
  assert.equal(allowed([rb('team', [{ kind: 'Robot', name: 'builder' }])], false, 'team'), false);
  const described = new RbacAuthorizer(staticRbacSource({ clusterRoles: [reader],
    roleBindings: [rb('team', [{ kind: 'ServiceAccount', name: 'builder' }])] })).authorize(attrs({ user: sa, namespace: 'team' }));
  assert.equal(described.reason, 'RBAC: allowed by RoleBinding "b/team" of ClusterRole "reader" to ServiceAccount "builder/team"');
});

test('a Role referenced from a ClusterRoleBinding grants nothing; several errors are aggregated', () => {
  const authz = new RbacAuthorizer(staticRbacSource({
    clusterRoleBindings: [
      { metadata: { name: 'x' }, roleRef: rbRef('Role', 'r'), subjects: [{ kind: 'User', name: 'alice' }] },
      { metadata: { name: 'y' }, roleRef: rbRef('Thing', 't'), subjects: [{ kind: 'User', name: 'alice' }] },
    ],
  }));
  assert.deepEqual(authz.authorize(attrs({ verb: 'get', namespace: '', resource: 'nodes' })), { allowed: false, reason:
    'User "alice" cannot get resource "nodes" in API group "" at the cluster scope: RBAC: [role.rbac.authorization.k8s.io ' +
    '"r" not found, unsupported role reference kind: "Thing"]' });
});

const token = fc.stringMatching(/^[a-z*][a-z0-9.-]{0,8}$/);
const arbAttrs: fc.Arbitrary<AuthorizationAttributes> = fc.record({
  user: fc.record({ name: token, uid: fc.constant(''), groups: fc.array(token, { maxLength: 3 }) }),
  verb: fc.oneof(fc.constantFrom('get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection',
    'escalate', 'bind', 'impersonate'), token),
  isResourceRequest: fc.boolean(),
  path: fc.stringMatching(/^\/[a-z0-9/*.-]{0,20}$/),
  apiGroup: fc.oneof(fc.constant(''), token),
  resource: token,
  subresource: fc.oneof(fc.constant(''), token),
  namespace: fc.oneof(fc.constant(''), token),
  name: fc.oneof(fc.constant(''), token),
});

test('property: a member of system:masters (bound to cluster-admin) is allowed everything', () => {
  const authz = new RbacAuthorizer(staticRbacSource({
    clusterRoles: bootstrapClusterRoles(), clusterRoleBindings: bootstrapClusterRoleBindings(),
  }));
  fc.assert(fc.property(arbAttrs, (a) => {
    const d = authz.authorize({ ...a, user: { ...a.user, groups: [...a.user.groups, 'system:masters'] } });
    return d.allowed && d.reason.startsWith('RBAC: allowed by ClusterRoleBinding "cluster-admin"');
  }), params(500));
});

test('property: a user no binding names is denied everything, with Kubernetes\' sentence', () => {
  const bindings = bootstrapClusterRoleBindings().filter((b) => b.metadata?.name === 'cluster-admin');
  const authz = new RbacAuthorizer(staticRbacSource({
    clusterRoles: bootstrapClusterRoles(), clusterRoleBindings: bindings,
  }));
  fc.assert(fc.property(arbAttrs, (a) => {
    const user = { ...a.user, groups: a.user.groups.filter((g) => g !== 'system:masters') };
    const d = authz.authorize({ ...a, user });
    return !d.allowed && d.reason.startsWith(`User "${user.name}" cannot ${a.verb} `);
  }), params(500));
});
