// NodeName: a pod with spec.nodeName set only fits that node (plugins/nodename).
import { Code, EVENTS, Status, type AnyPlugin } from '../framework.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
const REJECT = new Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_NODE_NAME], NODE_NAME);

export function nodeNamePlugin(): AnyPlugin {
  return {
    name: NODE_NAME,
    eventsToRegister: () => [{ event: EVENTS.NodeAdd }],
    filterRow(_state, pod) {
      const want = pod.pod.spec?.nodeName;
      return want === undefined || want === '';
    },
    filter(_state, pod, node) {
      const want = pod.pod.spec?.nodeName;
      return want === undefined || want === '' || want === node.name ? Status.SUCCESS : REJECT;
    },
  };
}
