// Pod writes the scheduler makes besides binding, as kube-scheduler does them:
// - updatePod (schedule_one.go): the PodScheduled condition False with reason Unschedulable or
//   SchedulerError and the FitError message, and status.nominatedNodeName after preemption —
//   skipped when nothing would change; sent as a strategic merge patch on pods/NAME/status that
//   carries the resourceVersion we decided on, so it cannot overwrite a pod bound meanwhile (409:
//   dropped, the next attempt writes again);
// - prepareCandidate (preemption.go): a victim gets the DisruptionTarget condition
//   (PreemptionByScheduler), then is deleted gracefully (its own grace period).
import type { Pod, PodCondition } from '../../api/index.js';
import type { ApiClient } from '../../client/index.js';
import { isConflict, isNotFound } from '../../client/index.js';
import { PODS } from './binder.js';
import { isoSeconds, truncateMessage } from './events.js';

export type StatusClient = Pick<ApiClient, 'patch' | 'delete'>;

/** The PodScheduled=False patch, or undefined when the pod already says exactly this. */
export function podScheduledPatch(live: Pod, reason: string, message: string, nominatedNodeName: string | undefined,
  nowMs: number): Record<string, unknown> | undefined {
  const conds = live.status?.conditions ?? [];
  const cur = conds.find((c) => c.type === 'PodScheduled');
  const msg = truncateMessage(message);
  const sameCondition = cur !== undefined && cur.status === 'False' && cur.reason === reason && cur.message === msg;
  // '' clears a nomination: the field is removed (null in the patch), as an empty value is omitted.
  const want = nominatedNodeName === '' ? undefined : nominatedNodeName;
  const nominatedChanges = nominatedNodeName !== undefined && (live.status?.nominatedNodeName || undefined) !== want;
  if (sameCondition && !nominatedChanges) return undefined;
  const cond: PodCondition = { type: 'PodScheduled', status: 'False', reason, message: msg,
    lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : isoSeconds(nowMs) };
  const status: Record<string, unknown> = { conditions: [{ ...cond, lastProbeTime: null }] };
  if (nominatedChanges) status['nominatedNodeName'] = want ?? null;
  return { metadata: { resourceVersion: live.metadata?.resourceVersion }, status };
}

/** Applies a podScheduledPatch; a conflict (the pod moved on) or a vanished pod is not an error. */
export async function patchPodScheduled(client: StatusClient, live: Pod, patch: Record<string, unknown>):
  Promise<void> {
  try {
    await client.patch<Pod>(PODS, live.metadata?.namespace ?? 'default', live.metadata?.name ?? '', 'strategic', patch,
      { subresource: 'status' });
  } catch (e) {
    if (!isConflict(e) && !isNotFound(e)) throw e;
  }
}

/**
 * prepareCandidate's ClearNominatedNodeName for a lower-priority nominee of the preemptor's node. Sent
 * even when the copy we hold shows no nomination yet: the patch that set it may still be queued.
 */
export async function clearNomination(client: StatusClient, pod: Pod): Promise<void> {
  try {
    await client.patch<Pod>(PODS, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', 'strategic',
      { status: { nominatedNodeName: null } }, { subresource: 'status' });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** prepareCandidate for one victim: DisruptionTarget condition, then a graceful delete. */
export async function preemptVictim(client: StatusClient, victim: Pod, schedulerName: string,
  nowMs: number): Promise<void> {
  const ns = victim.metadata?.namespace ?? 'default';
  const name = victim.metadata?.name ?? '';
  const cond = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
    message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: isoSeconds(nowMs) };
  try {
    await client.patch<Pod>(PODS, ns, name, 'strategic', { status: { conditions: [cond] } }, { subresource: 'status' });
    await client.delete(PODS, ns, name, { preconditions: { uid: victim.metadata?.uid ?? '' } });
  } catch (e) {
    if (!isNotFound(e) && !isConflict(e)) throw e;
  }
}
