// The scheduler cache (internal/cache/cache.go): NodeInfos with the bound pods from the
// informers plus the pods this scheduler assumed (decided, binding not yet confirmed), so a
// decision counts against the node at once. An assumed pod becomes real when the informer
// reports it bound (addPod/updatePod), is removed by forgetPod when binding fails, and, once
// its binding finished, expires after the TTL if the confirmation never comes.
// updateSnapshot re-clones only the NodeInfos changed since the last snapshot (UpdateSnapshot).
import type { Node, Pod } from '../api/index.js';
import { invariant } from './errors.js';
import { DEFAULT_ASSUMED_POD_TTL_MS, MAX_NODES } from './limits.js';
import { HOT_STRIDE, NodeInfo } from './node-info.js';
import { podInfoOf, podKey, withNodeName, type PodInfo } from './pod-info.js';

interface PodState {
  pi: PodInfo;
  nodeName: string;
  assumed: boolean;
  bindingFinished: boolean;
  deadlineMs: number;
}

/** The NodeInfos one scheduling cycle reads; refreshed by SchedulerCache.updateSnapshot. */
export class Snapshot {
  readonly byName = new Map<string, NodeInfo>();
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityList: NodeInfo[] = [];
  /** Cache generation this snapshot reflects; -1 before the first update. */
  generation = -1;
  owner: SchedulerCache | null = null;
  readonly indexByName = new Map<string, number>();
  /** The hot numbers of nodeInfoList[i] at row i (NodeInfo.hot): the filter window reads them in order. */
  table = new Float64Array(0);

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  numNodes(): number {
    return this.nodeInfoList.length;
  }
}

export interface CacheOptions {
  /** TTL of assumed pods whose binding finished; 0 disables expiry. */
  assumedPodTtlMs?: number;
}

export class SchedulerCache {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #pods = new Map<string, PodState>();
  readonly #assumed = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #ttlMs: number;
  #generation = 0;
  #nodeSetChanged = false;
  #snapshotGeneration = -1;

  constructor(opts: CacheOptions = {}) {
    this.#ttlMs = opts.assumedPodTtlMs ?? DEFAULT_ASSUMED_POD_TTL_MS;
  }

  #touch(ni: NodeInfo): void {
    ni.generation = ++this.#generation;
    this.#dirty.add(ni.name);
  }

  #nodeInfo(name: string): NodeInfo {
    let ni = this.#nodes.get(name);
    if (ni === undefined) {
      ni = new NodeInfo(name);
      this.#nodes.set(name, ni);
    }
    return ni;
  }

  // ---- nodes ----------------------------------------------------------------------------

  /** Adds or replaces a node; false when the cache is full (MAX_NODES). */
  addNode(node: Node): boolean {
    const name = node.metadata?.name ?? '';
    const ni = this.#nodes.get(name);
    if (ni === undefined && this.#nodes.size >= MAX_NODES) return false;
    const info = ni ?? this.#nodeInfo(name);
    if (info.node === null) this.#nodeSetChanged = true;
    info.setNode(node);
    this.#touch(info);
    return true;
  }

  updateNode(node: Node): boolean {
    return this.addNode(node);
  }

  /** Removes a node. Pods still on it keep a node-less NodeInfo until they are removed (as cache.go). */
  removeNode(node: Node | string): void {
    const name = typeof node === 'string' ? node : node.metadata?.name ?? '';
    const ni = this.#nodes.get(name);
    if (ni === undefined) return;
    if (ni.node !== null) this.#nodeSetChanged = true;
    ni.node = null;
    if (ni.pods.length === 0) this.#nodes.delete(name);
    this.#touch(ni);
  }

  // ---- pods -----------------------------------------------------------------------------

  #addToNode(ps: PodState): void {
    const ni = this.#nodeInfo(ps.nodeName);
    ni.addPod(ps.pi);
    this.#touch(ni);
  }

  #removeFromNode(ps: PodState): void {
    const ni = this.#nodes.get(ps.nodeName);
    if (ni === undefined) return;
    ni.removePod(ps.pi.key);
    if (ni.node === null && ni.pods.length === 0) {
      this.#nodes.delete(ps.nodeName);
      this.#dirty.add(ni.name);
    } else {
      this.#touch(ni);
    }
  }

  /** Records the scheduling decision before binding: the pod counts against nodeName now. */
  assumePod(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    invariant(!this.#pods.has(key), () => `pod ${key} is already in the cache, so can't be assumed`);
    const pi = podInfoOf(pod.spec?.nodeName === nodeName ? pod : withNodeName(pod, nodeName));
    const ps: PodState = { pi, nodeName, assumed: true, bindingFinished: false, deadlineMs: Infinity };
    this.#pods.set(key, ps);
    this.#assumed.add(key);
    this.#addToNode(ps);
  }

  /** The bind call returned: start the TTL after which an unconfirmed assumed pod expires. */
  finishBinding(pod: Pod, nowMs: number): void {
    const ps = this.#pods.get(podKey(pod));
    if (ps === undefined || !ps.assumed) return;
    ps.bindingFinished = true;
    ps.deadlineMs = this.#ttlMs > 0 ? nowMs + this.#ttlMs : Infinity;
  }

  /** Binding failed: the assumed pod no longer counts against its node. */
  forgetPod(pod: Pod): void {
    const key = podKey(pod);
    const ps = this.#pods.get(key);
    if (ps === undefined || !ps.assumed) return;
    this.#removeFromNode(ps);
    this.#pods.delete(key);
    this.#assumed.delete(key);
  }

  /** Informer add of a bound pod; confirms an assumed pod (moving it if bound elsewhere). */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined || nodeName === '') return;
    const key = podKey(pod);
    const ps = this.#pods.get(key);
    if (ps !== undefined) this.#removeFromNode(ps);
    const next: PodState = { pi: podInfoOf(pod), nodeName, assumed: false, bindingFinished: false,
      deadlineMs: Infinity };
    this.#pods.set(key, next);
    this.#assumed.delete(key);
    this.#addToNode(next);
  }

  updatePod(_oldPod: Pod | undefined, newPod: Pod): void {
    this.addPod(newPod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const ps = this.#pods.get(key);
    if (ps === undefined) return;
    this.#removeFromNode(ps);
    this.#pods.delete(key);
    this.#assumed.delete(key);
  }

  isAssumedPod(pod: Pod): boolean {
    return this.#assumed.has(podKey(pod));
  }

  /** The pod as the cache knows it (assumed copy with nodeName, or the informer's object). */
  getPod(pod: Pod): Pod | undefined {
    return this.#pods.get(podKey(pod))?.pi.pod;
  }

  /** Removes assumed pods whose binding finished more than the TTL ago; returns them. */
  cleanupAssumedPods(nowMs: number): Pod[] {
    const expired: Pod[] = [];
    for (const key of this.#assumed) {
      const ps = this.#pods.get(key) as PodState;
      if (!ps.bindingFinished || nowMs < ps.deadlineMs) continue;
      expired.push(ps.pi.pod);
    }
    for (const pod of expired) this.forgetPod(pod);
    return expired;
  }

  nodeCount(): number {
    let n = 0;
    for (const ni of this.#nodes.values()) if (ni.node !== null) n++;
    return n;
  }

  podCount(): number {
    return this.#pods.size;
  }

  assumedPodCount(): number {
    return this.#assumed.size;
  }

  // ---- snapshot -------------------------------------------------------------------------

  /** Brings the snapshot up to date, cloning only NodeInfos whose generation moved. */
  updateSnapshot(snap: Snapshot): void {
    if (snap.owner !== this || snap.generation !== this.#snapshotGeneration) {
      this.#rebuild(snap);
      return;
    }
    if (this.#dirty.size === 0) return;
    let affinityChanged = false;
    let structural = this.#nodeSetChanged;
    for (const name of this.#dirty) {
      const ni = this.#nodes.get(name);
      const old = snap.byName.get(name);
      if (old !== undefined && (old.podsWithAffinity.length > 0 || old.podsWithRequiredAntiAffinity.length > 0)) {
        affinityChanged = true;
      }
      if (ni === undefined || ni.node === null) {
        if (old !== undefined) { snap.byName.delete(name); old.detach(); structural = true; }
        continue;
      }
      if (old !== undefined && old.generation === ni.generation) continue;
      // The replaced NodeInfo keeps its numbers (someone may still hold it); its row goes to the clone.
      old?.detach();
      const idx = snap.indexByName.get(name);
      const clone = idx === undefined ? ni.clone() : ni.clone(snap.table, idx * HOT_STRIDE);
      if (clone.podsWithAffinity.length > 0 || clone.podsWithRequiredAntiAffinity.length > 0) affinityChanged = true;
      snap.byName.set(name, clone);
      if (idx === undefined) structural = true;
      else snap.nodeInfoList[idx] = clone;
    }
    if (structural) this.#relist(snap);
    else if (affinityChanged) relistAffinity(snap);
    this.#finish(snap);
  }

  #rebuild(snap: Snapshot): void {
    for (const ni of snap.nodeInfoList) ni.detach();
    snap.byName.clear();
    for (const ni of this.#nodes.values()) if (ni.node !== null) snap.byName.set(ni.name, ni.clone());
    snap.owner = this;
    this.#relist(snap);
    this.#finish(snap);
  }

  #relist(snap: Snapshot): void {
    snap.nodeInfoList = [];
    snap.indexByName.clear();
    // A fresh table: rows move, and copying within the old one could overwrite a row not yet moved.
    const table = new Float64Array(snap.byName.size * HOT_STRIDE);
    // Cache insertion order: stable across snapshots, so the rotating start index spreads pods.
    for (const name of this.#nodes.keys()) {
      const ni = snap.byName.get(name);
      if (ni === undefined) continue;
      const i = snap.nodeInfoList.length;
      snap.indexByName.set(name, i);
      snap.nodeInfoList.push(ni);
      ni.attach(table, i * HOT_STRIDE);
    }
    snap.table = table;
    relistAffinity(snap);
  }

  #finish(snap: Snapshot): void {
    this.#dirty.clear();
    this.#nodeSetChanged = false;
    snap.generation = this.#generation;
    this.#snapshotGeneration = this.#generation;
    invariant(snap.byName.size === snap.nodeInfoList.length, 'snapshot list and map disagree');
  }
}

function relistAffinity(snap: Snapshot): void {
  snap.havePodsWithAffinityList = snap.nodeInfoList.filter((n) => n.podsWithAffinity.length > 0);
  snap.havePodsWithRequiredAntiAffinityList = snap.nodeInfoList.filter((n) =>
    n.podsWithRequiredAntiAffinity.length > 0);
}
