// NodeInfo (framework.NodeInfo): a node with its allocatable resources parsed once and the
// running sums of what the pods on it (bound and assumed) request, plus used host ports and
// the pods with affinity terms. Clones share the immutable PodInfos.
import type { Node, Taint } from '../api/index.js';
import { quantityValue, Resources, type HostPort, type PodInfo } from './pod-info.js';

/** Layout of a NodeInfo's row of hot numbers (see NodeInfo.hot). */
export const HOT_ALLOC_CPU = 0;
export const HOT_ALLOC_MEM = 1;
export const HOT_REQ_CPU = 2;
export const HOT_REQ_MEM = 3;
export const HOT_NZ_CPU = 4;
export const HOT_NZ_MEM = 5;
export const HOT_PODS = 6;
export const HOT_ALLOC_PODS = 7;
/** FLAG_* bits: what the plugins' row checks (filterRow, scoreRow) need to know without the NodeInfo. */
export const HOT_FLAGS = 8;
export const HOT_STRIDE = 9;

/** spec.unschedulable. */
export const FLAG_UNSCHEDULABLE = 1;
/** A NoSchedule or NoExecute taint. */
export const FLAG_HARD_TAINTS = 2;
/** A PreferNoSchedule taint. */
export const FLAG_SOFT_TAINTS = 4;
/** Host ports in use. */
export const FLAG_HOST_PORTS = 8;

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
   * The numbers NodeResourcesFit's filter and the two resource scorers read for hundreds of nodes
   * per pod (cpu/memory of allocatable, requested and nonZeroRequested, pod count, allocatable
   * pods), at hot[hotAt .. hotAt + HOT_STRIDE). A snapshot's NodeInfos share one table, row after
   * row in list order, so the filter window reads consecutive memory; other NodeInfos (the cache's,
   * clones) own an 8-slot table. As object fields they were boxed doubles (memory does not fit a
   * small integer): a cache miss per field per node, an eighth of the scheduler's CPU end to end.
   * Kept by setNode, addPod and removePod. The row also carries FLAG_* bits, so the common filters and
   * scorers decide from the row alone (filterRow/scoreRow) without touching this object at all.
   */
  hot: Float64Array;
  hotAt: number;
  /** FLAG_HARD_TAINTS / FLAG_SOFT_TAINTS of the node's taints (setNode). */
  #taintFlags = 0;
  allocatable = new Resources();
  /** Sum of the pods' requests (NodeInfo.Requested). */
  requested = new Resources();
  /** Sum with defaults for unset requests (NodeInfo.NonZeroRequested), used for scoring. */
  nonZeroRequested = new Resources();
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts: HostPort[] = [];

  constructor(readonly name: string, table?: Float64Array, at = 0) {
    this.hot = table ?? new Float64Array(HOT_STRIDE);
    this.hotAt = table === undefined ? 0 : at;
  }

  get allocCpuMilli(): number { return this.hot[this.hotAt + HOT_ALLOC_CPU] as number; }
  get allocMemBytes(): number { return this.hot[this.hotAt + HOT_ALLOC_MEM] as number; }
  get requestedCpuMilli(): number { return this.hot[this.hotAt + HOT_REQ_CPU] as number; }
  get requestedMemBytes(): number { return this.hot[this.hotAt + HOT_REQ_MEM] as number; }
  get nonZeroCpuMilli(): number { return this.hot[this.hotAt + HOT_NZ_CPU] as number; }
  get nonZeroMemBytes(): number { return this.hot[this.hotAt + HOT_NZ_MEM] as number; }
  get podCount(): number { return this.hot[this.hotAt + HOT_PODS] as number; }
  get allocatablePods(): number { return this.hot[this.hotAt + HOT_ALLOC_PODS] as number; }

  /** Moves the hot numbers to row `at` of a snapshot table (copying them there). */
  attach(table: Float64Array, at: number): void {
    copyRow(this.hot, this.hotAt, table, at);
    this.hot = table;
    this.hotAt = at;
  }

  /** Gives the hot numbers a table of their own again (the NodeInfo left the snapshot whose row it had). */
  detach(): void {
    const own = new Float64Array(HOT_STRIDE);
    copyRow(this.hot, this.hotAt, own, 0);
    this.hot = own;
    this.hotAt = 0;
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? EMPTY_LABELS;
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.unschedulable = node.spec?.unschedulable === true;
    let tf = 0;
    for (const t of this.taints) {
      if (t.effect === 'NoSchedule' || t.effect === 'NoExecute') tf |= FLAG_HARD_TAINTS;
      else if (t.effect === 'PreferNoSchedule') tf |= FLAG_SOFT_TAINTS;
    }
    this.#taintFlags = tf;
    const alloc = node.status?.allocatable ?? node.status?.capacity;
    this.allocatable = Resources.fromList(alloc);
    const pods = alloc?.['pods'];
    this.hot[this.hotAt + HOT_ALLOC_PODS] = pods === undefined ? 0 : quantityValue(pods);
    this.#refreshHot();
  }

  #refreshHot(): void {
    const h = this.hot;
    const o = this.hotAt;
    h[o + HOT_ALLOC_CPU] = this.allocatable.cpuMilli;
    h[o + HOT_ALLOC_MEM] = this.allocatable.memBytes;
    h[o + HOT_REQ_CPU] = this.requested.cpuMilli;
    h[o + HOT_REQ_MEM] = this.requested.memBytes;
    h[o + HOT_NZ_CPU] = this.nonZeroRequested.cpuMilli;
    h[o + HOT_NZ_MEM] = this.nonZeroRequested.memBytes;
    h[o + HOT_PODS] = this.pods.length;
    h[o + HOT_FLAGS] = (this.unschedulable ? FLAG_UNSCHEDULABLE : 0) | this.#taintFlags
      | (this.usedPorts.length > 0 ? FLAG_HOST_PORTS : 0);
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

  /** A copy sharing the immutable parts; its hot numbers go to row `at` of `table` if given. */
  clone(table?: Float64Array, at = 0): NodeInfo {
    const c = new NodeInfo(this.name, table, at);
    copyRow(this.hot, this.hotAt, c.hot, c.hotAt);
    c.node = this.node;
    c.generation = this.generation;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.#taintFlags = this.#taintFlags;
    c.allocatable = this.allocatable;
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.pods = this.pods.slice();
    c.podsWithAffinity = this.podsWithAffinity.slice();
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.slice();
    c.usedPorts = this.usedPorts.slice();
    return c;
  }
}

function copyRow(from: Float64Array, fromAt: number, to: Float64Array, toAt: number): void {
  for (let i = 0; i < HOT_STRIDE; i++) to[toAt + i] = from[fromAt + i] as number;
}

function subtract(r: Resources, o: Resources): void {
  r.cpuMilli -= o.cpuMilli;
  r.memBytes -= o.memBytes;
  if (o.scalar !== null && r.scalar !== null) for (const [k, v] of o.scalar) r.scalar.set(k,
    (r.scalar.get(k) ?? 0) - v);
}
