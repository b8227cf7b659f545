// Builders for the scheduler's tests: nodes and pods with the fields the plugins read.
import type { Node, Pod, PodSpec, Taint } from '../api/index.js';

export interface NodeOpts { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>;
  taints?: Taint[]; unschedulable?: boolean; extra?: Record<string, string> }

export function makeNode(name: string, o: NodeOpts = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110',
      ...(o.extra ?? {}) } },
  };
}

export interface PodOpts { cpu?: string; memory?: string; priority?: number; labels?: Record<string, string>;
  nodeName?: string; ns?: string; spec?: Partial<PodSpec>; extra?: Record<string, string>; created?: string }

export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = { ...(o.extra ?? {}) };
  if (o.cpu !== undefined) requests['cpu'] = o.cpu;
  if (o.memory !== undefined) requests['memory'] = o.memory;
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${o.ns ?? 'default'}-${name}`, labels: o.labels,
      creationTimestamp: o.created },
    spec: { containers: [{ name: 'c', resources: { requests } }], priority: o.priority, nodeName: o.nodeName,
      schedulerName: 'default-scheduler', ...(o.spec ?? {}) },
  };
}
