// Node and pod objects built from a workload's templates.
import type { NodeTemplate, PodTemplate } from './workload.js';

export function nodeObject(name: string, i: number, t: NodeTemplate): Record<string, unknown> {
  const zones = t.zones ?? 1;
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' };
  for (const [k, v] of Object.entries(t.labels ?? {})) labels[k] = v.replace('{zone}', `zone-${i % zones}`);
  const capacity = { cpu: '4', memory: '16Gi', pods: '110', ...(t.capacity ?? {}) };
  const tainted = (t.taints ?? []).length > 0 && i % (t.taintEvery ?? 1) === 0;
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels },
    spec: tainted ? { taints: t.taints } : {},
    status: {
      capacity, allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated by flotilla bench sched' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.32.0-flotilla', architecture: 'amd64', operatingSystem: 'linux' },
    },
  };
}

export function podObject(name: string, t: PodTemplate): Record<string, unknown> {
  const container: Record<string, unknown> = { name: 'c', image: 'flotilla/hello' };
  if (t.requests) container['resources'] = { requests: t.requests };
  const spec: Record<string, unknown> = { containers: [container], ...(t.spec ?? {}) };
  if (t.nodeSelector) spec['nodeSelector'] = t.nodeSelector;
  if (t.priority !== undefined) spec['priority'] = t.priority;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { ...(t.labels ?? {}), bench: 'sched' } }, spec };
}
