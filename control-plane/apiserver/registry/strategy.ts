// What the apiserver itself sets or keeps on create, update and status update, per kind —
// Kubernetes' RESTCreateStrategy/RESTUpdateStrategy: system fields (uid, creationTimestamp,
// generation), status reset on create for kinds with a status subresource, status kept on a
// spec update and spec kept on a status update, generation bumped when the spec changes.
import { randomUUID } from 'node:crypto';
import { jsonEqual, type JsonObject, type JsonValue, type ResourceInfo } from '../../api/index.js';
import { podQosClass } from './pod-qos.js';

/** Kinds whose metadata.generation tracks spec changes (and status.observedGeneration). */
const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'ReplicationController', 'StatefulSet', 'Job',
  'CronJob', 'Ingress']);

/**
 * The Job strategy's generateSelector (pkg/registry/batch/job/strategy.go): unless
 * spec.manualSelector is true, the pod template is labelled with the job's uid and name (new and
 * legacy keys) and the selector matches the uid label. A selector the user wrote that names
 * another uid is left for validation to refuse ("`selector` not auto-generated").
 */
export function generateJobSelector(obj: JsonObject): void {
  const m = meta(obj);
  const uid = String(m['uid'] ?? '');
  const name = String(m['name'] ?? '');
  const spec = obj['spec'];
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || spec['manualSelector'] === true) return;
  const template = (spec['template'] ??= {}) as JsonObject;
  const tmeta = (template['metadata'] ??= {}) as JsonObject;
  const labels = (tmeta['labels'] ??= {}) as JsonObject;
  labels['controller-uid'] ??= uid;
  labels['batch.kubernetes.io/controller-uid'] ??= uid;
  labels['job-name'] ??= name;
  labels['batch.kubernetes.io/job-name'] ??= name;
  const selector = (spec['selector'] ??= {}) as JsonObject;
  const matchLabels = (selector['matchLabels'] ??= {}) as JsonObject;
  matchLabels['batch.kubernetes.io/controller-uid'] ??= uid;
}

export function hasStatusSubresource(r: ResourceInfo): boolean {
  return r.subresources.some((s) => s.name === 'status');
}

function meta(obj: JsonObject): JsonObject {
  let m = obj['metadata'] as JsonObject | undefined;
  if (m === undefined || m === null || typeof m !== 'object') {
    m = {};
    obj['metadata'] = m;
  }
  return m;
}

/** The status a new object starts with (what a client sent is dropped, as Kubernetes does). */
function initialStatus(r: ResourceInfo, obj: JsonObject): JsonValue | undefined {
  switch (r.kind) {
    case 'Pod': return { phase: 'Pending', qosClass: podQosClass(obj) };
    case 'Service': return { loadBalancer: {} };
    case 'Node': return obj['status']; // the kubelet registers with its status
    case 'Namespace': return obj['status'] ?? { phase: 'Active' };
    default: return hasStatusSubresource(r) ? {} : obj['status'];
  }
}

/** Fills the system fields of a new object (before defaulting and validation). */
export function prepareForCreate(r: ResourceInfo, obj: JsonObject, nowIso: string): void {
  const m = meta(obj);
  m['uid'] = randomUUID();
  m['creationTimestamp'] = nowIso;
  delete m['resourceVersion'];
  delete m['deletionTimestamp'];
  delete m['deletionGracePeriodSeconds'];
  delete m['selfLink'];
  if (r.kind === 'Namespace') obj['spec'] = { ...((obj['spec'] ?? {}) as JsonObject), finalizers: ['kubernetes'] };
  if (GENERATION_KINDS.has(r.kind)) m['generation'] = 1;
  else delete m['generation'];
  if (r.group === 'batch' && r.kind === 'Job') generateJobSelector(obj);
  if (hasStatusSubresource(r) || r.kind === 'Pod') {
    const status = initialStatus(r, obj);
    if (status === undefined) delete obj['status'];
    else obj['status'] = status;
  }
}

/** Everything but status and metadata: what a generation counts changes of. */
function specOf(obj: JsonObject): JsonObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/**
 * A spec update (PUT/PATCH of the object): the old status is kept for kinds with a status
 * subresource; system fields come from the old object; generation grows on a spec change.
 */
export function prepareForUpdate(r: ResourceInfo, obj: JsonObject, old: JsonObject): void {
  const m = meta(obj);
  const om = meta(old);
  if (m['uid'] === undefined || m['uid'] === '') m['uid'] = om['uid'] ?? '';
  m['creationTimestamp'] = om['creationTimestamp'] ?? null;
  if (om['deletionTimestamp'] !== undefined) m['deletionTimestamp'] = om['deletionTimestamp'];
  else delete m['deletionTimestamp'];
  if (om['deletionGracePeriodSeconds'] !== undefined) m['deletionGracePeriodSeconds'] = om['deletionGracePeriodSeconds'];
  else delete m['deletionGracePeriodSeconds'];
  if (hasStatusSubresource(r) && r.kind !== 'Node') {
    if (old['status'] === undefined) delete obj['status'];
    else obj['status'] = old['status'];
  }
  if (GENERATION_KINDS.has(r.kind)) {
    const oldGen = typeof om['generation'] === 'number' ? om['generation'] : 1;
    m['generation'] = jsonEqual(specOf(obj), specOf(old)) ? oldGen : oldGen + 1;
  }
}

/** A status update: only status changes; spec and metadata come from the old object. */
export function prepareForStatusUpdate(obj: JsonObject, old: JsonObject): JsonObject {
  const next: JsonObject = { ...old };
  const m = meta(obj);
  next['metadata'] = { ...meta(old), resourceVersion: m['resourceVersion'] ?? meta(old)['resourceVersion'] ?? '' };
  if (obj['status'] === undefined) delete next['status'];
  else next['status'] = obj['status'];
  return next;
}

/** Kubernetes' generateName: prefix + 5 characters from an alphabet without vowels or look-alikes. */
export function generateName(prefix: string, random: () => number = Math.random): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(random() * alphabet.length)]!;
  return s;
}
