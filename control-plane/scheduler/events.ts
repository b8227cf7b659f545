// Which cluster events a node update is (eventhandlers.go nodeSchedulingPropertiesChange):
// allocatable, labels, taints (incl. spec.unschedulable) and conditions, each its own action.
import type { Node } from '../api/index.js';
import { Action, type ClusterEvent } from './framework.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function nodeUpdateEvents(oldNode: Node, newNode: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const ev = (action: number, label: string) => out.push({ resource: 'Node', action, label });
  if (oldNode.spec?.unschedulable !== newNode.spec?.unschedulable) ev(Action.UpdateNodeTaint,
    'NodeSpecUnschedulableChange');
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) ev(Action.UpdateNodeAllocatable,
    'NodeAllocatableChange');
  if (!same(oldNode.metadata?.labels, newNode.metadata?.labels)) ev(Action.UpdateNodeLabel, 'NodeLabelChange');
  if (!same(oldNode.spec?.taints, newNode.spec?.taints)) ev(Action.UpdateNodeTaint, 'NodeTaintChange');
  if (!same(oldNode.status?.conditions, newNode.status?.conditions)) ev(Action.UpdateNodeCondition,
    'NodeConditionChange');
  return out;
}
