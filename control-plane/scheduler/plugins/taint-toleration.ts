// TaintToleration (plugins/tainttoleration): Filter refuses nodes with an untolerated
// NoSchedule/NoExecute taint; Score counts untolerated PreferNoSchedule taints, normalized
// in reverse (fewer is better).
import { Action, Code, Status, type AnyPlugin, type CycleState } from '../framework.js';
import type { PodInfo } from '../pod-info.js';
import type { Toleration } from '../../api/index.js';
import { defaultNormalizeScore, findUntoleratedTaint, tolerated } from './helpers.js';
import { FLAG_HARD_TAINTS, FLAG_SOFT_TAINTS, HOT_FLAGS } from '../node-info.js';

export const TAINT_TOLERATION = 'TaintToleration';
const PRESCORE_KEY = 'PreScore' + TAINT_TOLERATION;

const hardEffect = (e: string): boolean => e === 'NoSchedule' || e === 'NoExecute';

export function taintTolerationPlugin(): AnyPlugin {
  return {
    name: TAINT_TOLERATION,
    eventsToRegister: () => [
      { event: { resource: 'Node', action: Action.Add | Action.UpdateNodeTaint, label: 'NodeTaintChange' } },
      { event: { resource: 'UnscheduledPod', action: Action.UpdatePodTolerations, label: 'PodTolerationChange' } },
    ],
    filterRow(_state, _pod, table, at) {
      return ((table[at + HOT_FLAGS] as number) & FLAG_HARD_TAINTS) === 0;
    },
    filter(_state, pod, node) {
      const taint = findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations, hardEffect);
      if (taint === undefined) return Status.SUCCESS;
      const reason = `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
      return new Status(Code.UnschedulableAndUnresolvable, [reason], TAINT_TOLERATION);
    },
    preScore(state: CycleState, pod: PodInfo) {
      // getAllTolerationPreferNoSchedule: tolerations with an empty or PreferNoSchedule effect.
      const tols = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write(PRESCORE_KEY, tols);
      return Status.SUCCESS;
    },
    scoreRow(_state, _pod, table, at) {
      // Only PreferNoSchedule taints count: none, score 0.
      return ((table[at + HOT_FLAGS] as number) & FLAG_SOFT_TAINTS) === 0 ? 0 : NaN;
    },
    score(state, _pod, node) {
      if (node.taints.length === 0) return 0;
      const tols = state.read<Toleration[]>(PRESCORE_KEY) ?? [];
      let n = 0;
      for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerated(tols, taint)) n++;
      return n;
    },
    normalizeScore(_state, _pod, scores, count) {
      defaultNormalizeScore(scores, count, true);
    },
  };
}
