// Validation entry points by kind: create, update and status update, returning field
// errors or the 422 Status Kubernetes answers with. Objects are first checked against the
// schema's types (a mistyped object is a 400, as decoding it would be in Kubernetes), so the
// per-kind rules only ever see well-typed objects and never throw on odd input.
import { goQuote } from '../go-format.js';
import { type JsonValue } from '../json.js';
import { findResourceForKind } from '../registry.js';
import { decode } from '../schema/decode.js';
import { schemaForKind } from '../schema/index.js';
import type { GroupVersionKind } from '../schema/dsl.js';
import { badRequest, isStatus } from '../status.js';
import type { Status } from '../types/meta.js';
import * as apps from './apps.js';
import * as core from './core-kinds.js';
import { invalidStatus, type FieldError } from './field-errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDnsSubdomain } from './names.js';
import * as other from './other-kinds.js';
import * as pod from './pod.js';
import * as net from './networking.js';
import * as storage from './storage.js';
import * as workloads from './workloads.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- each entry receives the object typed by its kind */
interface KindRules {
  create(obj: any): FieldError[];
  update(obj: any, old: any): FieldError[];
  /** Status subresource updates (the strategy has already copied the spec from the old object). */
  status?(obj: any, old: any): FieldError[];
}

const metaOnlyUpdate = (create: (o: any) => FieldError[]) => (obj: any, old: any): FieldError[] =>
  [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...create(obj).filter((e) => !e.field.startsWith('metadata.'))];

const statusMetaOnly = (obj: any, old: any): FieldError[] => validateObjectMetaUpdate(obj?.metadata, old?.metadata);

const RULES: Record<string, KindRules> = {
  '/Pod': { create: pod.validatePodCreate, update: pod.validatePodUpdate, status: pod.validatePodStatusUpdate },
  '/Binding': { create: (b) => [...validateObjectMeta(b.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain }), ...pod.validateBinding(b)],
    update: () => [] },
  '/Service': { create: core.validateService, update: core.validateServiceUpdate, status: statusMetaOnly },
  '/Namespace': { create: core.validateNamespace, update: (n, o) => validateObjectMetaUpdate(n?.metadata, o?.metadata), status: statusMetaOnly },
  '/Node': { create: core.validateNode, update: core.validateNodeUpdate, status: core.validateNodeUpdate },
  '/ConfigMap': { create: core.validateConfigMap, update: core.validateConfigMapUpdate },
  '/Secret': { create: core.validateSecret, update: core.validateSecretUpdate },
  '/ServiceAccount': { create: core.validateServiceAccount, update: metaOnlyUpdate(core.validateServiceAccount) },
  '/Event': { create: core.validateEvent, update: metaOnlyUpdate(core.validateEvent) },
  '/Endpoints': { create: core.validateEndpoints, update: metaOnlyUpdate(core.validateEndpoints) },
  '/ReplicationController': { create: core.validateReplicationController, update: metaOnlyUpdate(core.validateReplicationController),
    status: statusMetaOnly },
  'apps/Deployment': { create: apps.validateDeployment, update: apps.validateDeploymentUpdate, status: statusMetaOnly },
  'apps/ReplicaSet': { create: apps.validateReplicaSet, update: apps.validateReplicaSetUpdate, status: statusMetaOnly },
  'apps/DaemonSet': { create: apps.validateDaemonSet, update: apps.validateDaemonSetUpdate, status: statusMetaOnly },
  'apps/StatefulSet': { create: workloads.validateStatefulSet, update: workloads.validateStatefulSetUpdate, status: statusMetaOnly },
  'batch/Job': { create: workloads.validateJob, update: workloads.validateJobUpdate, status: statusMetaOnly },
  'batch/CronJob': { create: workloads.validateCronJob, update: workloads.validateCronJobUpdate, status: statusMetaOnly },
  '/PersistentVolumeClaim': { create: storage.validatePersistentVolumeClaim, update: storage.validatePersistentVolumeClaimUpdate,
    status: statusMetaOnly },
  '/PersistentVolume': { create: storage.validatePersistentVolume, update: storage.validatePersistentVolumeUpdate, status: statusMetaOnly },
  'networking.k8s.io/Ingress': { create: net.validateIngress, update: net.validateIngressUpdate, status: statusMetaOnly },
  'coordination.k8s.io/Lease': { create: other.validateLease, update: metaOnlyUpdate(other.validateLease) },
  'rbac.authorization.k8s.io/Role': { create: other.validateRole, update: metaOnlyUpdate(other.validateRole) },
  'rbac.authorization.k8s.io/ClusterRole': { create: other.validateClusterRole, update: metaOnlyUpdate(other.validateClusterRole) },
  'rbac.authorization.k8s.io/RoleBinding': { create: other.validateRoleBinding, update: (b, o) => other.validateBindingUpdate(b, o, true) },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { create: other.validateClusterRoleBinding,
    update: (b, o) => other.validateBindingUpdate(b, o, false) },
  'autoscaling/Scale': { create: other.validateScale, update: metaOnlyUpdate(other.validateScale) },
  'policy/Eviction': { create: (e) => validateObjectMeta(e.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain }), update: () => [] },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export type Operation = 'create' | 'update' | 'status';

/** Decodes like the apiserver would (zero values for absent required fields); a Status when mistyped. */
function typed(gvk: GroupVersionKind, obj: unknown): { value: unknown } | Status {
  const schema = schemaForKind(gvk);
  if (schema === undefined) return badRequest(`no kind ${goQuote(gvk.kind)} is registered for version ${goQuote(gvk.version)}`);
  const d = decode(schema, obj as JsonValue);
  if (d.typeError === undefined) return { value: d.value };
  return badRequest(`${gvk.kind} in version ${goQuote(gvk.version)} cannot be handled as a ${gvk.kind}: ${d.typeError}`);
}

/** The field errors of an object (old is required for update and status). */
export function validateFields(gvk: GroupVersionKind, op: Operation, obj: unknown, old?: unknown): FieldError[] {
  const rules = RULES[`${gvk.group}/${gvk.kind}`];
  if (rules === undefined) return [];
  if (op === 'create') return rules.create(obj);
  if (op === 'status' && rules.status) return rules.status(obj, old);
  return rules.update(obj, old);
}

/**
 * Validates an object of a kind: null when valid, otherwise the Status to answer with —
 * 400 when the object is not even of the kind's shape, 422 Invalid with field causes
 * (`Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: ...`).
 */
export function validate(gvk: GroupVersionKind, op: Operation, obj: unknown, old?: unknown): Status | null {
  const cur = typed(gvk, obj);
  if (isStatus(cur)) return cur;
  const prev = old === undefined ? undefined : typed(gvk, old);
  if (prev !== undefined && isStatus(prev)) return prev;
  const errs = validateFields(gvk, op, cur.value, prev?.value);
  if (errs.length === 0) return null;
  const name = (obj as { metadata?: { name?: string } }).metadata?.name ?? '';
  const group = findResourceForKind(gvk.group, gvk.kind)?.group ?? gvk.group;
  return invalidStatus({ group, kind: gvk.kind }, name, errs);
}

export * from './field-errors.js';
export { validateLabelSelector } from './meta.js';
export { validateDeleteOptions } from './other-kinds.js';
