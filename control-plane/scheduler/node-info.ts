// NodeInfo (framework.NodeInfo): a node with its allocatable resources parsed once and the
// running sums of what the pods on it (bound and assumed) request, plus used host ports and
// the pods with affinity terms. Clones share the immutable PodInfos.
import type { Node, Taint } from '../api/index.js';
import { quantityValue, Resources, type HostPort, type PodInfo } from './pod-info.js';

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});
const NO_TAINTS: readonly Taint[] = Object.freeze([]);

export class NodeInfo {
  node: Node | null = null;
  /** Bumped by the cache on every change (cache.go's generation), read by UpdateSnapshot. */
  generation = 0;
  labels: Readonly<Record<string, string>> = EMPTY_LABELS;
  taints: readonly Taint[] = NO_TAINTS;
  unschedulable = false;
  /**
   * Copies of the cpu and memory of `allocatable`, `requested` and `nonZeroRequested`, and the
   * pod count: NodeResourcesFit's filter and the two resource scorers run on hundreds of nodes per
   * pod and read only these, from this one object. Read through the three Resources objects and
   * the pods array they cost several cache misses per node, a third of the scheduling cycle.
   * Kept by setNode, addPod and removePod.
   */
  allocCpuMilli = 0;
  allocMemBytes = 0;
  requestedCpuMilli = 0;
  requestedMemBytes = 0;
  nonZeroCpuMilli = 0;
  nonZeroMemBytes = 0;
  podCount = 0;
  allocatable = new Resources();
  allocatablePods = 0;
  /** Sum of the pods' requests (NodeInfo.Requested). */
  requested = new Resources();
  /** Sum with defaults for unset requests (NodeInfo.NonZeroRequested), used for scoring. */
  nonZeroRequested = new Resources();
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts: HostPort[] = [];

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? EMPTY_LABELS;
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.unschedulable = node.spec?.unschedulable === true;
    const alloc = node.status?.allocatable ?? node.status?.capacity;
    this.allocatable = Resources.fromList(alloc);
    const pods = alloc?.['pods'];
    this.allocatablePods = pods === undefined ? 0 : quantityValue(pods);
    this.#refreshHot();
  }

  #refreshHot(): void {
    this.allocCpuMilli = this.allocatable.cpuMilli;
    this.allocMemBytes = this.allocatable.memBytes;
    this.requestedCpuMilli = this.requested.cpuMilli;
    this.requestedMemBytes = this.requested.memBytes;
    this.nonZeroCpuMilli = this.nonZeroRequested.cpuMilli;
    this.nonZeroMemBytes = this.nonZeroRequested.memBytes;
    this.podCount = this.pods.length;
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.requiredAntiAffinity !== null) this.podsWithRequiredAntiAffinity.push(pi);
    this.requested.add(pi.requests);
    this.nonZeroRequested.add(pi.nonZero);
    if (pi.hostPorts !== null) for (const p of pi.hostPorts) this.usedPorts.push(p);
    this.#refreshHot();
  }

  /** Removes the pod with this key; false when it is not here. */
  removePod(key: string): boolean {
    const i = this.pods.findIndex((p) => p.key === key);
    if (i < 0) return false;
    const pi = this.pods[i] as PodInfo;
    this.pods[i] = this.pods[this.pods.length - 1] as PodInfo;
    this.pods.pop();
    if (pi.hasAffinity) this.podsWithAffinity = this.podsWithAffinity.filter((p) => p.key !== key);
    if (pi.requiredAntiAffinity !== null) {
      this.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.filter((p) => p.key !== key);
    }
    subtract(this.requested, pi.requests);
    subtract(this.nonZeroRequested, pi.nonZero);
    if (pi.hostPorts !== null) {
      for (const p of pi.hostPorts) {
        const j = this.usedPorts.indexOf(p);
        if (j >= 0) this.usedPorts.splice(j, 1);
      }
    }
    this.#refreshHot();
    return true;
  }

  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.generation = this.generation;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.allocCpuMilli = this.allocCpuMilli;
    c.allocMemBytes = this.allocMemBytes;
    c.requestedCpuMilli = this.requestedCpuMilli;
    c.requestedMemBytes = this.requestedMemBytes;
    c.nonZeroCpuMilli = this.nonZeroCpuMilli;
    c.nonZeroMemBytes = this.nonZeroMemBytes;
    c.podCount = this.podCount;
    c.allocatable = this.allocatable;
    c.allocatablePods = this.allocatablePods;
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.pods = this.pods.slice();
    c.podsWithAffinity = this.podsWithAffinity.slice();
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.slice();
    c.usedPorts = this.usedPorts.slice();
    return c;
  }
}

function subtract(r: Resources, o: Resources): void {
  r.cpuMilli -= o.cpuMilli;
  r.memBytes -= o.memBytes;
  if (o.scalar !== null && r.scalar !== null) for (const [k, v] of o.scalar) r.scalar.set(k,
    (r.scalar.get(k) ?? 0) - v);
}
