// NodePorts (plugins/nodeports): a pod's host ports must be free on the node; 0.0.0.0
// conflicts with every address of the same protocol and port (HostPortInfo.CheckConflict).
import { Action, Code, Status, type AnyPlugin } from '../framework.js';
import type { HostPort } from '../pod-info.js';
import { FLAG_HOST_PORTS, HOT_FLAGS } from '../node-info.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
const REJECT = new Status(Code.Unschedulable, [ERR_REASON_NODE_PORTS], NODE_PORTS);

export function portsConflict(want: readonly HostPort[], used: readonly HostPort[]): boolean {
  for (const w of want) {
    for (const u of used) {
      if (u.port !== w.port || u.protocol !== w.protocol) continue;
      if (u.ip === w.ip || u.ip === '0.0.0.0' || w.ip === '0.0.0.0') return true;
    }
  }
  return false;
}

export function nodePortsPlugin(): AnyPlugin {
  return {
    name: NODE_PORTS,
    eventsToRegister: () => [
      { event: { resource: 'Pod', action: Action.Delete, label: 'AssignedPodDelete' } },
      { event: { resource: 'Node', action: Action.Add, label: 'NodeAdd' } },
    ],
    preFilter(_state, pod) {
      return pod.hostPorts === null ? Status.SKIP : Status.SUCCESS;
    },
    filterRow(_state, pod, table, at) {
      return pod.hostPorts === null || ((table[at + HOT_FLAGS] as number) & FLAG_HOST_PORTS) === 0;
    },
    filter(_state, pod, node) {
      if (pod.hostPorts === null || node.usedPorts.length === 0) return Status.SUCCESS;
      return portsConflict(pod.hostPorts, node.usedPorts) ? REJECT : Status.SUCCESS;
    },
  };
}
