// The roles and bindings an RBAC cluster starts with: Kubernetes' bootstrap policy
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go), reduced to the resources
// Flotilla serves plus the common ones clients expect to be grantable. Every object
// carries the label kubernetes.io/bootstrapping=rbac-defaults and the annotation
// rbac.authorization.kubernetes.io/autoupdate=true, so a reconciler may refresh it.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '../../api/index.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];

interface RuleOptions { names?: string[] }

/** rbacv1helpers.NewRule(verbs...).Groups(groups...).Resources(resources...). */
function rule(verbs: string[], groups: string[], resources: string[], o: RuleOptions = {}): PolicyRule {
  const r: PolicyRule = { verbs: [...verbs], apiGroups: [...groups], resources: [...resources] };
  if (o.names !== undefined) r.resourceNames = [...o.names];
  return r;
}

function urls(verbs: string[], paths: string[]): PolicyRule {
  return { verbs: [...verbs], nonResourceURLs: [...paths] };
}

function metadata(name: string): ClusterRole['metadata'] {
  return {
    name,
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  };
}

function clusterRole(name: string, rules: PolicyRule[]): ClusterRole {
  return { apiVersion: RBAC_API_VERSION, kind: 'ClusterRole', metadata: metadata(name), rules };
}

function binding(roleName: string, subjects: Subject[]): ClusterRoleBinding {
  return {
    apiVersion: RBAC_API_VERSION, kind: 'ClusterRoleBinding', metadata: metadata(roleName),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName }, subjects,
  };
}

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name });
const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name });

/** Read access of `view` (no secrets, no RBAC objects), as the aggregated view role has it. */
function viewRules(): PolicyRule[] {
  return [
    rule(READ, [''], ['pods', 'pods/log', 'pods/status', 'configmaps', 'endpoints', 'persistentvolumeclaims',
      'persistentvolumeclaims/status', 'replicationcontrollers', 'replicationcontrollers/scale',
      'replicationcontrollers/status', 'serviceaccounts', 'services', 'services/status', 'bindings', 'events',
      'limitranges', 'resourcequotas', 'resourcequotas/status', 'namespaces', 'namespaces/status']),
    rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale',
      'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets',
      'statefulsets/scale', 'statefulsets/status']),
    rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
    rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(READ, ['coordination.k8s.io'], ['leases']),
  ];
}

/** Write access of `edit`: workloads, config and secrets, services — not roles, bindings or quotas. */
function editRules(): PolicyRule[] {
  return [
    rule(READ_WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
    rule(['create'], [''], ['pods/eviction']),
    rule(READ_WRITE, [''], ['configmaps', 'events', 'endpoints', 'persistentvolumeclaims', 'replicationcontrollers',
      'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(READ_WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets',
      'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
    rule(READ_WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
    rule(READ_WRITE, ['batch'], ['cronjobs', 'jobs']),
    rule(READ_WRITE, ['policy'], ['poddisruptionbudgets']),
    rule(READ_WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
    rule(READ_WRITE, ['discovery.k8s.io'], ['endpointslices']),
    rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
    ...viewRules(),
  ];
}

/** `admin`: edit plus roles and bindings in the namespace and local access reviews. */
function adminRules(): PolicyRule[] {
  return [
    rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings']),
    rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
    ...editRules(),
  ];
}

/** What a scheduler does: watch the cluster, bind pods, report status and events, hold the leader lease. */
function schedulerRules(): PolicyRule[] {
  return [
    rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
    // Leader election: any lease may be created, only the scheduler's own read and renewed (as Kubernetes).
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], { names: ['kube-scheduler'] }),
    rule(READ, [''], ['nodes', 'namespaces', 'services', 'replicationcontrollers', 'persistentvolumeclaims',
      'persistentvolumes']),
    rule([...READ, 'delete'], [''], ['pods']),
    rule(['create'], [''], ['bindings', 'pods/binding']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(READ, ['apps'], ['replicasets', 'statefulsets']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  ];
}

/**
 * The controller-manager runs every controller under its own identity (Kubernetes without
 * --use-service-account-credentials), so this is the union of the controllers' roles:
 * the garbage collector and namespace controller need read/update/delete on everything.
 */
function controllerManagerRules(): PolicyRule[] {
  return [
    rule(['get', 'list', 'watch', 'patch', 'update', 'delete', 'deletecollection'], ['*'], ['*']),
    rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
    rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
    rule(READ_WRITE, [''], ['pods', 'pods/status', 'endpoints', 'services', 'services/status', 'namespaces',
      'namespaces/status', 'namespaces/finalize', 'nodes', 'nodes/status', 'serviceaccounts', 'configmaps', 'secrets',
      'replicationcontrollers', 'replicationcontrollers/status', 'replicationcontrollers/scale',
      'persistentvolumes', 'persistentvolumeclaims', 'persistentvolumeclaims/status']),
    rule(['create'], [''], ['pods/eviction', 'pods/binding', 'bindings', 'serviceaccounts/token']),
    rule(READ_WRITE, ['apps'], ['deployments', 'deployments/status', 'deployments/scale', 'replicasets',
      'replicasets/status', 'replicasets/scale', 'daemonsets', 'daemonsets/status', 'statefulsets',
      'statefulsets/status', 'statefulsets/scale', 'controllerrevisions']),
    rule(READ_WRITE, ['batch'], ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']),
    rule(READ_WRITE, ['discovery.k8s.io'], ['endpointslices']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  ];
}

/** A node agent: register and heartbeat its node, run and report its pods, read what pods mount. */
function nodeRules(): PolicyRule[] {
  return [
    rule(['create', 'get', 'list', 'watch', 'update', 'patch'], [''], ['nodes']),
    rule(['update', 'patch'], [''], ['nodes/status']),
    rule([...READ, 'create', 'delete'], [''], ['pods']), // create/delete: mirror pods
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
    // Node heartbeats are leases in kube-node-lease; a ClusterRole cannot name a namespace (nor does Kubernetes').
    rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
    rule(READ, [''], ['configmaps', 'secrets', 'services', 'endpoints']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    rule([...READ, 'create'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  ];
}

const HEALTH_AND_VERSION = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/** ClusterRoles created at first start (bootstrappolicy.ClusterRoles()). */
export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', adminRules()),
    clusterRole('edit', editRules()),
    clusterRole('view', viewRules()),
    clusterRole('system:discovery', [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*',
      ...HEALTH_AND_VERSION])]),
    clusterRole('system:public-info-viewer', [urls(['get'], HEALTH_AND_VERSION)]),
    clusterRole('system:monitoring', [urls(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz',
      '/livez/*', '/readyz/*', '/healthz/*'])]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:kube-scheduler', schedulerRules()),
    clusterRole('system:kube-controller-manager', controllerManagerRules()),
    clusterRole('system:node', nodeRules()),
  ];
}

/** ClusterRoleBindings created at first start (bootstrappolicy.ClusterRoleBindings()). */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding('cluster-admin', [group('system:masters')]),
    binding('system:discovery', [group('system:authenticated')]),
    binding('system:basic-user', [group('system:authenticated')]),
    binding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    binding('system:monitoring', [group('system:monitoring')]),
    binding('system:kube-scheduler', [user('system:kube-scheduler')]),
    binding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    // Kubernetes leaves this binding empty and lets the Node authorizer decide; we have no
    // Node authorizer, so the group of node agents gets the role directly (pre-1.8 behaviour).
    binding('system:node', [group('system:nodes')]),
  ];
}
