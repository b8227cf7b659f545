// FitError (framework/types.go): why a pod fits no node, worded as kube-scheduler does:
// "0/N nodes are available: <count> <reason>, ... ." with the "<count> <reason>" strings
// sorted, then the PostFilter (preemption) message.
import type { Pod } from '../api/index.js';
import type { Diagnosis, Status } from './framework.js';
import { MAX_FIT_ERROR_REASONS } from './limits.js';

/** The reason histogram: each reason counted once per node that gave it. */
export function reasonHistogram(nodeToStatus: ReadonlyMap<string, Status>, numAllNodes: number,
  absent: Status | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const st of nodeToStatus.values()) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const absentNodes = numAllNodes - nodeToStatus.size;
  if (absent !== null && absentNodes > 0) for (const r of absent.reasons) counts.set(r,
    (counts.get(r) ?? 0) + absentNodes);
  return counts;
}

/** "0/N nodes are available: 3 Insufficient cpu, 2 node(s) were unschedulable." */
export function nodesAvailableMessage(numAllNodes: number, counts: ReadonlyMap<string, number>): string {
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  const shown = parts.length > MAX_FIT_ERROR_REASONS ? parts.slice(0, MAX_FIT_ERROR_REASONS) : parts;
  return shown.length === 0 ? `0/${numAllNodes} nodes are available.` :
    `0/${numAllNodes} nodes are available: ${shown.join(', ')}.`;
}

export class FitError {
  constructor(readonly pod: Pod, readonly numAllNodes: number, readonly diagnosis: Diagnosis) {}

  /** FitError.Error(). */
  get message(): string {
    const d = this.diagnosis;
    let msg = d.preFilterMsg !== ''
      ? `0/${this.numAllNodes} nodes are available: ${d.preFilterMsg}.`
      : nodesAvailableMessage(this.numAllNodes, reasonHistogram(d.nodeToStatus, this.numAllNodes, d.absentStatus));
    if (d.postFilterMsg !== '') msg += ` ${d.postFilterMsg}`;
    return msg;
  }

  toString(): string {
    return this.message;
  }
}
