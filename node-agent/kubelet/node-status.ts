// The Node object and its heartbeats, as the kubelet keeps them (kubelet_node_status.go,
// nodelease/controller.go): the kubelet registers its Node (creating it, or taking over an
// existing one of the same name), computes its status every nodeStatusUpdateFrequency and
// writes it when it changed or nodeStatusReportFrequency has passed, and renews its Lease in
// kube-node-lease every quarter of the lease duration — the cheap heartbeat the node lifecycle
// controller watches.
import os from 'node:os';
import type { Lease, Node, NodeCondition, Taint } from '../../control-plane/api/index.js';
import {
  type ApiClient, formatMicroTime, isAlreadyExists, isConflict, isNotFound, nowMicros,
} from '../../control-plane/client/index.js';
import { nodePodRange } from '../runtime/index.js';
import { KubeletConfigError } from './errors.js';
import { KUBELET_VERSION } from './limits.js';
import { apiTime } from './pod-status.js';
import { LEASES, NODE_LEASE_NAMESPACE, NODES } from './resources.js';

export interface NodeConfig {
  nodeName: string;
  nodeIndex: number;
  /** Extra labels (--node-labels). */
  labels?: Record<string, string>;
  /** node-role.kubernetes.io/<role> (--node-role). */
  role?: string;
  taints?: Taint[];
  capacity: { cpu: string; memory: string; pods: string };
  kubeletPort: number;
  containerRuntimeVersion: string;
}

/** capacity from the host (cAdvisor's machine info): CPUs and memory of this machine. */
export function hostCapacity(maxPods: number): NodeConfig['capacity'] {
  return { cpu: String(os.availableParallelism()), memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: String(maxPods) };
}

/** --register-with-taints: "key=value:Effect,key:Effect". */
export function parseTaints(s: string | undefined): Taint[] {
  if (s === undefined || s.trim() === '') return [];
  return s.split(',').map((part) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part.trim());
    if (m === null) throw new KubeletConfigError(`taint "${part}" is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
    const t: Taint = { key: m[1] ?? '', effect: m[3] ?? 'NoSchedule' };
    if (m[2] !== undefined && m[2] !== '') t.value = m[2];
    return t;
  });
}

/** --node-labels: "k=v,k2=v2". */
export function parseLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (s === undefined || s.trim() === '') return out;
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new KubeletConfigError(`label "${part}" is not key=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** The conditions of a healthy node (setters.go ReadyCondition, MemoryPressure, DiskPressure, PIDPressure). */
export function healthyConditions(nowMs: number, old: NodeCondition[] | undefined): NodeCondition[] {
  const now = apiTime(nowMs);
  const want: NodeCondition[] = [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
  const prev = new Map((old ?? []).map((c) => [c.type, c]));
  return want.map((c) => {
    const p = prev.get(c.type);
    const kept = p !== undefined && p.status === c.status && p.lastTransitionTime !== undefined;
    const since = kept ? p.lastTransitionTime! : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: since };
  });
}

/** The Node the kubelet registers (initialNode) with its first status. */
export function buildNode(cfg: NodeConfig, nowMs: number, old?: Node): Node {
  const range = nodePodRange(cfg.nodeIndex);
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': cfg.nodeName, 'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': ARCH[process.arch] ?? process.arch, 'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': ARCH[process.arch] ?? process.arch, ...cfg.labels,
  };
  if (cfg.role !== undefined && cfg.role !== '') labels[`node-role.kubernetes.io/${cfg.role}`] = '';
  const node: Node = {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: cfg.nodeName, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { podCIDR: range.cidr, podCIDRs: [range.cidr] },
    status: nodeStatus(cfg, nowMs, old),
  };
  if ((cfg.taints ?? []).length > 0) node.spec!.taints = cfg.taints!.map((t) => ({ ...t }));
  return node;
}

export function nodeStatus(cfg: NodeConfig, nowMs: number, old?: Node): NonNullable<Node['status']> {
  const range = nodePodRange(cfg.nodeIndex);
  return {
    capacity: { ...cfg.capacity }, allocatable: { ...cfg.capacity },
    conditions: healthyConditions(nowMs, old?.status?.conditions),
    addresses: [{ type: 'InternalIP', address: range.nodeIP }, { type: 'Hostname', address: cfg.nodeName }],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '', kernelVersion: os.release(), osImage: `${os.type()} (flotilla)`,
      containerRuntimeVersion: cfg.containerRuntimeVersion, kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION, operatingSystem: 'linux', architecture: ARCH[process.arch] ?? process.arch,
    },
  };
}

/** The status without heartbeat times: what decides whether a write is due before the report period. */
export function statusFingerprint(s: Node['status']): string {
  const conditions = (s?.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined }));
  return JSON.stringify({ ...s, conditions });
}

/**
 * registerWithAPIServer + tryRegisterWithAPIServer: create the Node; when it exists, take it over
 * (labels merged, taints and podCIDR set when absent, status replaced). Returns the stored Node.
 */
export async function registerNode(client: ApiClient, cfg: NodeConfig, nowMs: number): Promise<Node> {
  const fresh = buildNode(cfg, nowMs);
  try {
    return await client.create<Node>(NODES, '', fresh);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  const existing = await client.get<Node>(NODES, '', cfg.nodeName);
  const merged: Node = {
    ...existing,
    metadata: { ...existing.metadata, labels: { ...existing.metadata?.labels, ...fresh.metadata?.labels } },
    spec: { ...fresh.spec, ...existing.spec },
  };
  const updated = await client.update<Node>(NODES, '', merged);
  return client.updateStatus<Node>(NODES, '', { ...updated, status: nodeStatus(cfg, nowMs, existing) });
}

/** A Lease's renewal (nodelease controller): PUT with the cached resourceVersion; re-read on conflict. */
export async function renewNodeLease(client: ApiClient, nodeName: string, durationSeconds: number,
  cached: Lease | undefined, owner: { uid?: string } | undefined): Promise<Lease> {
  const now = formatMicroTime(nowMicros());
  let base = cached;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (base === undefined) {
      try {
        base = await client.get<Lease>(LEASES, NODE_LEASE_NAMESPACE, nodeName);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        const lease: Lease = {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: now },
        };
        if (owner?.uid !== undefined) {
          lease.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: owner.uid }];
        }
        return client.create<Lease>(LEASES, NODE_LEASE_NAMESPACE, lease);
      }
    }
    const next: Lease = {
      ...base, spec: { ...base.spec, holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: now },
    };
    try {
      return await client.update<Lease>(LEASES, NODE_LEASE_NAMESPACE, next);
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
      base = undefined;
    }
  }
  throw new KubeletConfigError(`lease ${NODE_LEASE_NAMESPACE}/${nodeName}: conflicting writers; is another agent ` +
    'running with this node name?');
}
