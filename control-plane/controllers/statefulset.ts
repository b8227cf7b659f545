// StatefulSet controller (kube pkg/controller/statefulset). sync(key):
// - claim pods (selector + controller reference) and index them by the ordinal in "<set>-<n>";
// - the update revision is "<set>-<hash of the template>" (computeHash; there are no
//   ControllerRevision objects, so no history and no `kubectl rollout undo sts`); pods carry it as
//   controller-revision-hash, plus statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index;
// - replicas [start, start+replicas): a missing pod is created (its volumeClaimTemplates' PVCs
//   "<claim>-<pod>" first, mounted as the claim's volume); a Failed pod is deleted to be recreated.
//   OrderedReady creates one pod at a time in ordinal order and waits for it to be Running and Ready;
//   Parallel creates them all;
// - condemned pods (ordinal out of range) are deleted from the highest ordinal down, one at a time
//   and only while every other pod is Running and Ready under OrderedReady, all at once under Parallel;
// - RollingUpdate (once the set is whole and ready): delete the highest-ordinal pod at or above the
//   partition whose revision is not the update revision, one at a time; its replacement gets the new
//   template. OnDelete never deletes for an update;
// - status: replicas, readyReplicas, availableReplicas, currentReplicas/updatedReplicas and
//   currentRevision/updateRevision (current := update once every pod is updated and ready), which
//   `kubectl rollout status sts/NAME` reads, and observedGeneration.
import type { Pod, PodTemplateSpec, StatefulSet, StatefulSetStatus, Volume } from '../api/index.js';
import { labelSelectorAsSelector, type LabelSelector, type PersistentVolumeClaim } from '../api/index.js';
import { isAlreadyExists, isNotFound, isTombstone } from '../client/index.js';
import { QueueController } from './controller.js';
import { ControllerError } from './errors.js';
import { computeHash } from './deployment-util.js';
import { STATEFULSET_BURST_REPLICAS } from './limits.js';
import { PodControl } from './pod-control.js';
import { claimObjects } from './ref-manager.js';
import { R, type ControllerContext, type EventSink, type Informer } from './types.js';
import { controllerRefOf, isPodAvailable, isPodReady, jsonEq, keyFor, newControllerRef, splitNsName } from './util.js';

export const STATEFULSET_REVISION_LABEL = 'controller-revision-hash';
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const STATEFULSET_POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal in "<set>-<n>", or -1 when the pod's name is not of the set (getParentNameAndOrdinal). */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const prefix = `${set.metadata?.name ?? ''}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : -1;
}

export function updateRevisionOf(set: StatefulSet): string {
  return `${set.metadata?.name ?? ''}-${computeHash(set.spec?.template ?? {}, set.status?.collisionCount)}`;
}

const runningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
const terminating = (p: Pod): boolean => p.metadata?.deletionTimestamp !== undefined;
const revisionOf = (p: Pod): string => p.metadata?.labels?.[STATEFULSET_REVISION_LABEL] ?? '';

/** newVersionedStatefulSetPod: identity labels, hostname/subdomain, claim volumes; generateName is not used. */
export function podForOrdinal(set: StatefulSet, ordinal: number, revision: string):
  { template: PodTemplateSpec; name: string } {
  const name = `${set.metadata?.name ?? ''}-${ordinal}`;
  const t = structuredClone(set.spec?.template ?? {});
  t.metadata = { ...(t.metadata ?? {}), labels: { ...(t.metadata?.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: name,
    [STATEFULSET_POD_INDEX_LABEL]: String(ordinal), [STATEFULSET_REVISION_LABEL]: revision } };
  const spec = t.spec ?? { containers: [] };
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const claims = set.spec?.volumeClaimTemplates ?? [];
  if (claims.length > 0) {
    const names = new Set(claims.map((c) => c.metadata?.name ?? ''));
    const volumes: Volume[] = (spec.volumes ?? []).filter((v) => !names.has(v.name));
    for (const c of claims) {
      volumes.push({ name: c.metadata?.name ?? '', persistentVolumeClaim: { claimName: `${c.metadata?.name ?? ''}-${name}` } });
    }
    spec.volumes = volumes;
  }
  t.spec = spec;
  return { template: t, name };
}

export class StatefulSetController extends QueueController {
  readonly #sets: Informer<StatefulSet>;
  readonly #pods: Informer<Pod>;
  readonly #events: EventSink;
  readonly #podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super('statefulset', ctx);
    this.#sets = ctx.informers.informer<StatefulSet>(R.statefulSets);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    this.#events = ctx.events('statefulset-controller');
    this.#podControl = new PodControl(ctx.client, this.#events);
    this.#sets.addEventHandler({
      onAdd: (s) => this.enqueue(keyFor(s)),
      onUpdate: (_o, s) => this.enqueue(keyFor(s)),
    });
    const podChanged = (p: Pod): void => {
      const ref = controllerRefOf(p.metadata);
      if (ref === undefined) { this.#enqueueMatching(p); return; }
      if (ref.kind !== 'StatefulSet') return;
      const set = this.#sets.store.getByName(p.metadata?.namespace ?? '', ref.name);
      if (set?.metadata?.uid === ref.uid) this.enqueue(keyFor(set));
    };
    this.#pods.addEventHandler({
      onAdd: podChanged,
      onUpdate: (o, p) => { if (o.metadata?.resourceVersion !== p.metadata?.resourceVersion) podChanged(p); },
      onDelete: (p) => podChanged(isTombstone(p) ? p.obj : p),
    });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#sets.store.listKeys();
  }

  #enqueueMatching(p: Pod): void {
    for (const s of this.#sets.store.listByNamespace(p.metadata?.namespace ?? '')) {
      const sel = labelSelectorAsSelector(s.spec?.selector);
      if (sel.ok && !sel.value.isEverything() && sel.value.matches(p.metadata?.labels ?? {})) this.enqueue(keyFor(s));
    }
  }

  #selector(set: StatefulSet): LabelSelector {
    const r = labelSelectorAsSelector(set.spec?.selector);
    if (!r.ok) throw new ControllerError(`invalid selector: ${r.error.message}`);
    return r.value;
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitNsName(key);
    const set = this.#sets.store.getByName(namespace, name);
    if (set === undefined || set.metadata?.deletionTimestamp !== undefined) return;
    const selector = this.#selector(set);
    if (selector.isEverything()) return;
    const pods = await claimObjects({ client: this.ctx.client, owner: set, ownerResource: R.statefulSets,
      childResource: R.pods,
      selector, candidates: this.#pods.store.listByNamespace(namespace) });
    const updateRevision = updateRevisionOf(set);
    const currentRevision = set.status?.currentRevision || updateRevision;
    let actError: unknown;
    try {
      await this.#act(set, pods, updateRevision);
    } catch (e) {
      actError = e;
    }
    await this.#updateStatus(set, this.computeStatus(set, pods, currentRevision, updateRevision));
    if (actError !== undefined) throw actError;
  }

  /** One step of updateStatefulSet: at most one ordered action (or a burst under Parallel). */
  async #act(set: StatefulSet, pods: readonly Pod[], updateRevision: string): Promise<void> {
    const start = set.spec?.ordinals?.start ?? 0;
    const replicas = set.spec?.replicas ?? 1;
    const parallel = set.spec?.podManagementPolicy === 'Parallel';
    const byOrdinal = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const p of pods) {
      const o = ordinalOf(set, p);
      if (o < 0) continue;
      if (o >= start && o < start + replicas) byOrdinal.set(o, p);
      else condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
    let created = 0;
    for (let o = start; o < start + replicas; o++) {
      const p = byOrdinal.get(o);
      if (p === undefined) {
        await this.#createPod(set, o, updateRevision);
        if (!parallel || ++created >= STATEFULSET_BURST_REPLICAS) return;
        continue;
      }
      if (p.status?.phase === 'Failed' && !terminating(p)) {
        await this.#podControl.delete(p, set, R.statefulSets);
        if (!parallel) return;
        continue;
      }
      // OrderedReady: the next ordinal waits for this one to be Running and Ready (and not terminating).
      if (!parallel && (terminating(p) || !runningAndReady(p))) return;
    }
    if (created > 0) return;
    const live = [...byOrdinal.values()];
    const allReady = live.every((p) => runningAndReady(p) && !terminating(p));
    for (const p of condemned) {
      if (terminating(p)) { if (!parallel) return; continue; }
      if (!parallel && !allReady) return;
      await this.#podControl.delete(p, set, R.statefulSets);
      if (!parallel) return;
    }
    if (condemned.length > 0 || set.spec?.updateStrategy?.type === 'OnDelete') return;
    // RollingUpdate from the highest ordinal down to the partition, one unavailable pod at a time.
    if (live.length < replicas || !allReady) return;
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let o = start + replicas - 1; o >= start + partition; o--) {
      const p = byOrdinal.get(o);
      if (p === undefined || revisionOf(p) === updateRevision) continue;
      await this.#podControl.delete(p, set, R.statefulSets);
      return;
    }
  }

  async #createPod(set: StatefulSet, ordinal: number, revision: string): Promise<void> {
    const { template, name } = podForOrdinal(set, ordinal, revision);
    for (const c of set.spec?.volumeClaimTemplates ?? []) await this.#ensureClaim(set, c, name);
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: set.metadata?.namespace ?? '',
      labels: { ...(template.metadata?.labels ?? {}) }, ownerReferences: [newControllerRef(set, R.statefulSets)] },
    spec: structuredClone(template.spec ?? { containers: [] }) };
    if (template.metadata?.annotations !== undefined) pod.metadata!.annotations = { ...template.metadata.annotations };
    try {
      await this.ctx.client.create<Pod>(R.pods, set.metadata?.namespace ?? '', pod);
      this.#events.event(R.statefulSets, set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} successful`);
    } catch (e) {
      if (isAlreadyExists(e)) return; // created by an earlier sync; the cache will catch up
      this.#events.event(R.statefulSets, set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} failed error: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  /** createPersistentVolumeClaims: "<claim>-<pod>", labelled with the set's selector; Retain = no owner reference. */
  async #ensureClaim(set: StatefulSet, claim: PersistentVolumeClaim, podName: string): Promise<void> {
    const name = `${claim.metadata?.name ?? ''}-${podName}`;
    const pvc: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: set.metadata?.namespace ?? '',
        labels: { ...(claim.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) } },
      spec: structuredClone(claim.spec ?? {}) };
    if (claim.metadata?.annotations !== undefined) pvc.metadata!.annotations = { ...claim.metadata.annotations };
    try {
      await this.ctx.client.create(R.persistentVolumeClaims, set.metadata?.namespace ?? '', pvc);
      this.#events.event(R.statefulSets, set, 'Normal', 'SuccessfulCreate',
        `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata?.name ?? ''} success`);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  computeStatus(set: StatefulSet, pods: readonly Pod[], currentRevision: string, updateRevision: string):
    StatefulSetStatus {
    const nowMs = this.ctx.clock.nowMs();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const st: StatefulSetStatus = { observedGeneration: set.metadata?.generation ?? 0, replicas: 0, readyReplicas: 0,
      currentReplicas: 0, updatedReplicas: 0, currentRevision, updateRevision, availableReplicas: 0 };
    for (const p of pods) {
      if (ordinalOf(set, p) < 0 || terminating(p)) continue;
      st.replicas++;
      if (runningAndReady(p)) {
        st.readyReplicas = (st.readyReplicas ?? 0) + 1;
        if (isPodAvailable(p, minReady, nowMs)) st.availableReplicas = (st.availableReplicas ?? 0) + 1;
      }
      if (revisionOf(p) === currentRevision) st.currentReplicas = (st.currentReplicas ?? 0) + 1;
      if (revisionOf(p) === updateRevision) st.updatedReplicas = (st.updatedReplicas ?? 0) + 1;
    }
    // completeRollingUpdate: once every pod runs the update revision and is ready, it becomes current.
    if (set.spec?.updateStrategy?.type !== 'OnDelete' && st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas) {
      st.currentRevision = updateRevision;
      st.currentReplicas = st.updatedReplicas;
    }
    if (set.status?.collisionCount !== undefined) st.collisionCount = set.status.collisionCount;
    if (set.status?.conditions !== undefined) st.conditions = set.status.conditions;
    return st;
  }

  /** A conflict is thrown, not retried: currentRevision came from our (stale) copy; the next sync recomputes it. */
  async #updateStatus(set: StatefulSet, st: StatefulSetStatus): Promise<void> {
    if (jsonEq(set.status ?? {}, st)) return;
    try {
      await this.ctx.client.updateStatus<StatefulSet>(R.statefulSets, set.metadata?.namespace ?? '', { ...set, status: st });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
