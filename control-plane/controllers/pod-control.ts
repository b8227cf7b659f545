// Pod creation and deletion on behalf of an owner (kube's RealPodControl), and the ranking of pods
// to delete first when scaling down (kube's ActivePodsWithRanks).
import type { Pod, PodTemplateSpec, ResourceInfo } from '../api/index.js';
import type { KubeObject } from '../client/index.js';
import { ControllerError } from './errors.js';
import { R, type ControllerClient, type EventSink } from './types.js';
import { controllerRefOf, errorMessage, isPodReady, newControllerRef, podReadyCondition, timeMs } from './util.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

/** controller.GetPodFromTemplate: labels, annotations, finalizers and spec of the template; generateName "<owner>-". */
export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, ownerResource: ResourceInfo): Pod {
  const labels = { ...(template.metadata?.labels ?? {}) };
  if (Object.keys(labels).length === 0) throw new ControllerError('unable to create pods, no labels');
  const metadata: Pod['metadata'] = {
    generateName: `${owner.metadata?.name ?? ''}-`, namespace: owner.metadata?.namespace ?? '', labels,
    ownerReferences: [newControllerRef(owner, ownerResource)],
  };
  if (template.metadata?.annotations !== undefined) metadata.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers !== undefined) metadata.finalizers = [...template.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template.spec ?? { containers: [] }) };
}

export class PodControl {
  constructor(private readonly client: ControllerClient, private readonly events: EventSink) {}

  /** CreatePods: "Created pod: NAME" (SuccessfulCreate) or "Error creating: ..." (FailedCreate) on the owner. */
  async create(template: PodTemplateSpec, owner: KubeObject, ownerResource: ResourceInfo): Promise<Pod> {
    try {
      const pod = podFromTemplate(template, owner, ownerResource);
      const created = await this.client.create<Pod>(R.pods, owner.metadata?.namespace ?? '', pod);
      this.events.event(ownerResource, owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
      return created;
    } catch (e) {
      this.events.event(ownerResource, owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(e)}`);
      throw e;
    }
  }

  /** DeletePod: "Deleted pod: NAME" (SuccessfulDelete) or "Error deleting: ..." (FailedDelete). */
  async delete(pod: Pod, owner: KubeObject, ownerResource: ResourceInfo): Promise<void> {
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.delete(R.pods, pod.metadata?.namespace ?? '', name);
      this.events.event(ownerResource, owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (e) {
      this.events.event(ownerResource, owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
      throw e;
    }
  }
}

/**
 * slowStartBatch: calls fn in batches of 1, 2, 4, ... (in parallel within a batch) until `count`
 * calls are made or a batch has a failure, so a pod spec the server refuses fails once, not 500
 * times. Returns the successes and the first error.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<unknown>):
  Promise<{ successes: number; error: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length > 0) return { successes, error: failed[0]!.reason };
    remaining -= batch;
  }
  return { successes, error: undefined };
}

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(p: Pod): number {
  const v = Number(p.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION] ?? '0');
  return Number.isFinite(v) ? v : 0;
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** afterOrZero: a missing time sorts first, else the later time first. */
function afterOrZero(a: number, b: number): number {
  const za = !Number.isFinite(a);
  const zb = !Number.isFinite(b);
  if (za || zb) return za === zb ? 0 : za ? -1 : 1;
  return b - a;
}

/**
 * ActivePodsWithRanks.Less, without the logarithmic bucketing: unscheduled < scheduled; Pending <
 * Unknown < Running; not ready < ready; lower pod-deletion-cost first; more pods of the same owner
 * family on the node (rank) first; ready for less time first; more restarts first; newer first.
 */
export function comparePodsForDeletion(a: Pod, ra: number, b: Pod, rb: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ya = isPodReady(a);
  if (ya !== isPodReady(b)) return ya ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (ra !== rb) return rb - ra;
  if (ya) {
    const readySince = (p: Pod): number => timeMs(podReadyCondition(p)?.lastTransitionTime);
    const t = afterOrZero(readySince(a), readySince(b));
    if (t !== 0) return t;
  }
  const ra2 = maxRestarts(a);
  const rb2 = maxRestarts(b);
  if (ra2 !== rb2) return rb2 - ra2;
  return afterOrZero(timeMs(a.metadata?.creationTimestamp), timeMs(b.metadata?.creationTimestamp));
}

/** getPodsToDelete: the `diff` best pods to delete; rank = active related pods on the same node. */
export function podsToDelete(filtered: readonly Pod[], related: readonly Pod[], diff: number): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (p.metadata?.deletionTimestamp !== undefined) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = filtered.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => comparePodsForDeletion(x.p, x.rank, y.p, y.rank));
  return ranked.slice(0, diff).map((x) => x.p);
}

/** The controller reference's owner uid, or undefined for an orphan. */
export function controllerUid(p: KubeObject): string | undefined {
  return controllerRefOf(p.metadata)?.uid;
}
