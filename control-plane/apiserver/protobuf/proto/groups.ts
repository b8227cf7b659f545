// Messages of the API groups other than core: apps/v1, rbac.authorization.k8s.io/v1, policy/v1,
// coordination.k8s.io/v1, autoscaling/v1.

import { bool, f, i32, i64, message, objectMeta, str, strs, type MessageDesc } from './dsl.js';

export const APPS_V1: readonly MessageDesc[] = [
  message('Deployment', [objectMeta(), f(2, 'spec', 'DeploymentSpec'), f(3, 'status', 'DeploymentStatus')]),
  message('DeploymentSpec', [
    i32(1, 'replicas', 'ptr'), f(2, 'selector', 'LabelSelector', 'null'), f(3, 'template', 'PodTemplateSpec'),
    f(4, 'strategy', 'DeploymentStrategy'), i32(5, 'minReadySeconds'), i32(6, 'revisionHistoryLimit', 'ptr'),
    bool(7, 'paused'), i32(9, 'progressDeadlineSeconds', 'ptr'),
  ]),
  message('DeploymentStrategy', [str(1, 'type'), f(2, 'rollingUpdate', 'RollingUpdateDeployment', 'ptr')]),
  message('RollingUpdateDeployment', [
    f(1, 'maxUnavailable', 'IntOrString', 'ptr'), f(2, 'maxSurge', 'IntOrString', 'ptr'),
  ]),
  message('DeploymentStatus', [
    i64(1, 'observedGeneration'), i32(2, 'replicas'), i32(3, 'updatedReplicas'), i32(7, 'readyReplicas'),
    i32(4, 'availableReplicas'), i32(5, 'unavailableReplicas'), i32(9, 'terminatingReplicas', 'ptr'),
    f(6, 'conditions', 'DeploymentCondition', 'list'), i32(8, 'collisionCount', 'ptr'),
  ]),
  message('DeploymentCondition', [
    str(1, 'type', 'keep'), str(2, 'status', 'keep'), f(6, 'lastUpdateTime', 'Time'),
    f(7, 'lastTransitionTime', 'Time'), str(4, 'reason'), str(5, 'message'),
  ]),
];

export const RBAC_V1: readonly MessageDesc[] = [
  message('Role', [objectMeta(), f(2, 'rules', 'PolicyRule', 'list', 'keep')]),
  message('ClusterRole', [
    objectMeta(), f(2, 'rules', 'PolicyRule', 'list', 'keep'), f(3, 'aggregationRule', 'AggregationRule', 'ptr'),
  ]),
  message('AggregationRule', [f(1, 'clusterRoleSelectors', 'LabelSelector', 'list')]),
  message('PolicyRule', [
    strs(1, 'verbs', 'keep'), strs(2, 'apiGroups'), strs(3, 'resources'), strs(4, 'resourceNames'),
    strs(5, 'nonResourceURLs'),
  ]),
  message('RoleBinding', [objectMeta(), f(2, 'subjects', 'Subject', 'list'), f(3, 'roleRef', 'RoleRef')]),
  message('ClusterRoleBinding', [objectMeta(), f(2, 'subjects', 'Subject', 'list'), f(3, 'roleRef', 'RoleRef')]),
  message('Subject', [str(1, 'kind', 'keep'), str(2, 'apiGroup'), str(3, 'name', 'keep'), str(4, 'namespace')]),
  message('RoleRef', [str(1, 'apiGroup', 'keep'), str(2, 'kind', 'keep'), str(3, 'name', 'keep')]),
];

export const POLICY_V1: readonly MessageDesc[] = [
  message('Eviction', [objectMeta(), f(2, 'deleteOptions', 'DeleteOptions', 'ptr')]),
];

export const COORDINATION_V1: readonly MessageDesc[] = [
  message('Lease', [objectMeta(), f(2, 'spec', 'LeaseSpec')]),
  message('LeaseSpec', [
    str(1, 'holderIdentity', 'ptr'), i32(2, 'leaseDurationSeconds', 'ptr'), f(3, 'acquireTime', 'MicroTime', 'ptr'),
    f(4, 'renewTime', 'MicroTime', 'ptr'), i32(5, 'leaseTransitions', 'ptr'), str(6, 'strategy', 'ptr'),
    str(7, 'preferredHolder', 'ptr'),
  ]),
];

export const AUTOSCALING_V1: readonly MessageDesc[] = [
  message('Scale', [objectMeta(), f(2, 'spec', 'ScaleSpec'), f(3, 'status', 'ScaleStatus')]),
  message('ScaleSpec', [i32(1, 'replicas')]),
  message('ScaleStatus', [i32(1, 'replicas', 'keep'), str(2, 'selector')]),
];

/** authorization.k8s.io/v1 SelfSubjectAccessReview (what `kubectl auth can-i` sends). */
export const AUTHORIZATION_V1: readonly MessageDesc[] = [
  message('SelfSubjectAccessReview', [objectMeta(), f(2, 'spec', 'SelfSubjectAccessReviewSpec')]),
  message('SelfSubjectAccessReviewSpec', [
    f(1, 'resourceAttributes', 'ResourceAttributes', 'ptr'), f(2, 'nonResourceAttributes', 'NonResourceAttributes', 'ptr'),
  ]),
  message('ResourceAttributes', [
    str(1, 'namespace'), str(2, 'verb'), str(3, 'group'), str(4, 'version'), str(5, 'resource'), str(6, 'subresource'),
    str(7, 'name'),
  ]),
  message('NonResourceAttributes', [str(1, 'path'), str(2, 'verb')]),
];
