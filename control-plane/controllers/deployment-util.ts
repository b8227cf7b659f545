// Pure helpers of the Deployment controller, after kube pkg/controller/deployment/util: the
// pod-template hash, maxSurge/maxUnavailable resolution, revisions, conditions, and the status
// `kubectl rollout status` reads.
import type { Deployment, DeploymentStatus, IntOrString, PodTemplateSpec, ReplicaSet, WorkloadCondition }
  from '../api/index.js';
import { ControllerError } from './errors.js';
import { MAX_COLLISION_COUNT } from './limits.js';
import { byCreation, isoSeconds, jsonEq, timeMs } from './util.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Deployment annotations not copied to its ReplicaSets (kube annotationsToSkip). */
const SKIPPED_ANNOTATIONS = new Set([LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, 'deprecated.deployment.rollback.to']);

// Condition reasons, as kube's deployment util names them.
export const REASON = {
  newRSAvailable: 'NewReplicaSetAvailable', rsUpdated: 'ReplicaSetUpdated', timedOut: 'ProgressDeadlineExceeded',
  newRSCreated: 'NewReplicaSetCreated', foundNewRS: 'FoundNewReplicaSet', paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed', minAvailable: 'MinimumReplicasAvailable', minUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** JSON with object keys sorted at every level: a stable rendering of a template to hash. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * controller.ComputeHash: FNV-32a of the template (here: its sorted-key JSON, not Go's %#v dump,
 * so the values differ from Kubernetes') plus the collision count, rendered like
 * rand.SafeEncodeString of the decimal number (no vowels, no look-alike characters).
 */
export function computeHash(template: PodTemplateSpec, collisionCount: number | undefined): string {
  const text = stableJson(template) + (collisionCount === undefined ? '' : `#${collisionCount}`);
  return [...String(fnv32a(text))].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** EqualIgnoreHash: templates equal once the pod-template-hash label is dropped from both. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): unknown => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels !== undefined) {
      delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    return c;
  };
  return jsonEq(strip(a), strip(b));
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean, fallback: string): number {
  const value = v ?? fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (m === null) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new ControllerError(`invalid value for IntOrString: invalid value "${value}": must be an integer or percentage`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function replicasOf(d: { spec?: { replicas?: number } }): number {
  return d.spec?.replicas ?? 1;
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; both zero means unavailable 1. */
export function resolveFenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const maxSurge = scaledValue(ru?.maxSurge, desired, true, '25%');
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, desired);
}

export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = Number(obj?.metadata?.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;
export const sumSpec = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, r) => n + specReplicas(r), 0);
export const sumStatus = (rss: readonly (ReplicaSet | undefined)[], f: 'replicas' | 'readyReplicas' | 'availableReplicas'):
  number => rss.reduce((n, r) => n + (r?.status?.[f] ?? 0), 0);
export const activeRSs = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] =>
  rss.filter((r): r is ReplicaSet => r !== undefined && specReplicas(r) > 0);

/** FindNewReplicaSet: the oldest RS whose template equals the deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/**
 * setNewReplicaSetAnnotations: copy the deployment's annotations (minus kube's skip list), set the
 * revision (remembering the previous ones in revision-history) and the desired/max replica counts.
 * Returns whether anything changed.
 */
export function setReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number): boolean {
  const before = JSON.stringify(rs.metadata?.annotations ?? {});
  const ann = { ...(rs.metadata?.annotations ?? {}) };
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (!SKIPPED_ANNOTATIONS.has(k)) ann[k] = v;
  const old = ann[REVISION_ANNOTATION];
  const oldNum = old === undefined ? 0 : Number(old);
  if (!(oldNum >= newRevision)) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    if (old !== undefined && old !== '') {
      const hist = ann[REVISION_HISTORY_ANNOTATION];
      ann[REVISION_HISTORY_ANNOTATION] = hist === undefined || hist === '' ? old : `${hist},${old}`;
    }
  }
  ann[DESIRED_REPLICAS_ANNOTATION] = String(replicasOf(d));
  ann[MAX_REPLICAS_ANNOTATION] = String(replicasOf(d) + maxSurge(d));
  rs.metadata = { ...(rs.metadata ?? {}), annotations: ann };
  return JSON.stringify(ann) !== before;
}

export function getCondition(s: DeploymentStatus | undefined, type: string): WorkloadCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string,
  nowMs: number): WorkloadCondition {
  const t = isoSeconds(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: same status and reason → unchanged; same status → keep lastTransitionTime. */
export function setCondition(s: DeploymentStatus, c: WorkloadCondition): void {
  const cur = getCondition(s, c.type);
  if (cur !== undefined && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur !== undefined && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (s.conditions === undefined) return;
  s.conditions = s.conditions.filter((x) => x.type !== type);
  if (s.conditions.length === 0) delete s.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== 2147483647;
}

/** DeploymentComplete: everything updated and available, and this generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than last written. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld ||
    (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** DeploymentTimedOut: the Progressing condition was last updated more than progressDeadlineSeconds ago. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (c === undefined || c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  const from = timeMs(c.lastUpdateTime);
  return Number.isFinite(from) && from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/** calculateStatus: counts from the RSs, plus the Available condition. */
export function calculateStatus(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment,
  nowMs: number): DeploymentStatus {
  const available = sumStatus(all, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0, replicas: sumStatus(all, 'replicas'),
    updatedReplicas: sumStatus([newRS], 'replicas'), readyReplicas: sumStatus(all, 'readyReplicas'),
    availableReplicas: available, unavailableReplicas: Math.max(0, sumSpec(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions !== undefined) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASON.minAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.minUnavailable,
      'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/** getReplicaSetFraction / GetProportion: a proportional share of a scaling of the whole deployment. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  let fraction: number;
  if (replicasOf(d) === 0) {
    fraction = -specReplicas(rs);
  } else {
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const ann = Number(rs.metadata?.annotations?.[MAX_REPLICAS_ANNOTATION]);
    const annotated = Number.isInteger(ann) && ann > 0 ? ann : (d.status?.replicas ?? 0);
    fraction = annotated === 0 ? 0 : Math.round((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
  }
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export function checkCollisionCount(n: number): void {
  if (n > MAX_COLLISION_COUNT) {
    throw new ControllerError(`pod-template-hash collided ${n} times (MAX_COLLISION_COUNT); check for stray ReplicaSets`);
  }
}
