// coordination.k8s.io/v1, rbac.authorization.k8s.io/v1, autoscaling/v1 and policy/v1 schemas.
import { MICRO_TIME, atomicList, field, i32, kindSchema, str, strList, struct, type ObjectSchema } from './dsl.js';
import { DELETE_OPTIONS, LABEL_SELECTOR, OBJECT_META } from './meta-schemas.js';

export const LEASE = kindSchema('io.k8s.api.coordination.v1.Lease', { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
  'Lease defines a lease concept.', OBJECT_META, {
    spec: field(struct('io.k8s.api.coordination.v1.LeaseSpec', 'LeaseSpec is a specification of a Lease.', {
      holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: i32('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
      acquireTime: field(MICRO_TIME, 'acquireTime is a time when the current lease was acquired.'),
      renewTime: field(MICRO_TIME, 'renewTime is a time when the current holder of a lease has last updated the lease.'),
      leaseTransitions: i32('leaseTransitions is the number of transitions of a lease between holders.'),
      strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
      preferredHolder: str('PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up.'),
    }), 'spec contains the specification of the Lease.'),
  });

const RBAC = 'io.k8s.api.rbac.v1';
const rbacGvk = (kind: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', kind });

const POLICY_RULE = struct(`${RBAC}.PolicyRule`, 'PolicyRule holds information that describes a policy rule.', {
  verbs: strList('Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule.', { required: true }),
  apiGroups: strList('APIGroups is the name of the APIGroup that contains the resources.'),
  resources: strList('Resources is a list of resources this rule applies to.'),
  resourceNames: strList('ResourceNames is an optional white list of names that the rule applies to.'),
  nonResourceURLs: strList('NonResourceURLs is a set of partial urls that a user should have access to.'),
});
const SUBJECT = struct(`${RBAC}.Subject`, 'Subject contains a reference to the object or user identities a role binding applies to.', {
  kind: str('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount".', { required: true }),
  apiGroup: str('APIGroup holds the API group of the referenced subject.'),
  name: str('Name of the object being referenced.', { required: true }),
  namespace: str('Namespace of the referenced object.'),
});
const ROLE_REF = struct(`${RBAC}.RoleRef`, 'RoleRef contains information that points to the role being used', {
  apiGroup: str('APIGroup is the group for the resource being referenced', { required: true }),
  kind: str('Kind is the type of resource being referenced', { required: true }),
  name: str('Name is the name of resource being referenced', { required: true }),
});

export const ROLE = kindSchema(`${RBAC}.Role`, rbacGvk('Role'),
  'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.', OBJECT_META, {
    rules: atomicList(POLICY_RULE, 'Rules holds all the PolicyRules for this Role'),
  });
export const CLUSTER_ROLE = kindSchema(`${RBAC}.ClusterRole`, rbacGvk('ClusterRole'),
  'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
  OBJECT_META, {
    rules: atomicList(POLICY_RULE, 'Rules holds all the PolicyRules for this ClusterRole'),
    aggregationRule: field(struct(`${RBAC}.AggregationRule`, 'AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole', {
      clusterRoleSelectors: atomicList(LABEL_SELECTOR, 'ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules.'),
    }), 'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole.'),
  });
const binding = (kind: string, description: string) => kindSchema(`${RBAC}.${kind}`, rbacGvk(kind), description, OBJECT_META, {
  subjects: atomicList(SUBJECT, 'Subjects holds references to the objects the role applies to.'),
  roleRef: field(ROLE_REF, 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.', { required: true }),
});
export const ROLE_BINDING = binding('RoleBinding', 'RoleBinding references a role, but does not contain it.');
export const CLUSTER_ROLE_BINDING = binding('ClusterRoleBinding', 'ClusterRoleBinding references a ClusterRole, but not contain it.');

export const SCALE = kindSchema('io.k8s.api.autoscaling.v1.Scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  'Scale represents a scaling request for a resource.', OBJECT_META, {
    spec: field(struct('io.k8s.api.autoscaling.v1.ScaleSpec', 'ScaleSpec describes the attributes of a scale subresource.', {
      replicas: i32('replicas is the desired number of instances for the scaled object.'),
    }), 'spec defines the behavior of the scale.'),
    status: field(struct('io.k8s.api.autoscaling.v1.ScaleStatus', 'ScaleStatus represents the current status of a scale subresource.', {
      replicas: i32('replicas is the actual number of observed instances of the scaled object.', { required: true }),
      selector: str('selector is the label query over pods that should match the replicas count.'),
    }), 'status is the current status of the scale.'),
  });

export const EVICTION = kindSchema('io.k8s.api.policy.v1.Eviction', { group: 'policy', version: 'v1', kind: 'Eviction' },
  'Eviction evicts a pod from its node subject to certain policies and safety constraints.', OBJECT_META, {
    deleteOptions: field(DELETE_OPTIONS, 'DeleteOptions may be provided'),
  });

export const OTHER_KINDS: readonly ObjectSchema[] = [
  LEASE, ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING, SCALE, EVICTION,
];
