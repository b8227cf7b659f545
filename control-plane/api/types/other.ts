// coordination.k8s.io/v1, rbac.authorization.k8s.io/v1, autoscaling/v1 and policy/v1 types.
import type { DeleteOptions, ObjectMeta, TypeMeta } from './meta.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** RFC 3339 with microseconds (MicroTime). */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

export interface Lease extends TypeMeta {
  metadata?: ObjectMeta;
  spec?: LeaseSpec;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Role extends TypeMeta {
  metadata?: ObjectMeta;
  rules?: PolicyRule[];
}

export interface AggregationRule {
  clusterRoleSelectors?: import('./meta.js').LabelSelector[];
}

export interface ClusterRole extends TypeMeta {
  metadata?: ObjectMeta;
  rules?: PolicyRule[];
  aggregationRule?: AggregationRule;
}

export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

export interface RoleBinding extends TypeMeta {
  metadata?: ObjectMeta;
  subjects?: Subject[];
  roleRef: RoleRef;
}

export interface ClusterRoleBinding extends TypeMeta {
  metadata?: ObjectMeta;
  subjects?: Subject[];
  roleRef: RoleRef;
}

/** autoscaling/v1 Scale, the body of the scale subresource. */
export interface Scale extends TypeMeta {
  metadata?: ObjectMeta;
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** policy/v1 Eviction, the body of POST pods/eviction. */
export interface Eviction extends TypeMeta {
  metadata?: ObjectMeta;
  deleteOptions?: DeleteOptions;
}
