// NodeUnschedulable: nodes with spec.unschedulable refuse pods that do not tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint (plugins/nodeunschedulable).
import type { Node } from '../../api/index.js';
import { Action, Code, Status, type AnyPlugin } from '../framework.js';
import { tolerated } from './helpers.js';
import { FLAG_UNSCHEDULABLE, HOT_FLAGS } from '../node-info.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const REJECT = new Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_UNSCHEDULABLE], NODE_UNSCHEDULABLE);
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeUnschedulablePlugin(): AnyPlugin {
  return {
    name: NODE_UNSCHEDULABLE,
    eventsToRegister: () => [{
      event: { resource: 'Node', action: Action.Add | Action.UpdateNodeTaint, label: 'NodeSchedulable' },
      // isSchedulableAfterNodeChange: only a node that is (now) schedulable helps.
      hint: (_pod, _old, newObj) => ((newObj as Node | undefined)?.spec?.unschedulable === true ? 'QueueSkip' :
        'Queue'),
    }],
    filterRow(_state, _pod, table, at) {
      return ((table[at + HOT_FLAGS] as number) & FLAG_UNSCHEDULABLE) === 0;
    },
    filter(_state, pod, node) {
      if (!node.unschedulable) return Status.SUCCESS;
      return tolerated(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT) ? Status.SUCCESS : REJECT;
    },
  };
}
