// DaemonSet controller (kube pkg/controller/daemon). sync(key):
// - claim pods (adopt orphans matching the selector, release ours that stopped matching);
// - map them to nodes by their target node (spec.nodeName, else the node their required node affinity
//   names with matchFields metadata.name — GetTargetNodeName), and for every node decide
//   NodeShouldRunDaemonPod (nodeName, nodeSelector + required node affinity, NoSchedule/NoExecute taints
//   against the template's tolerations plus the ones DaemonSet pods always get);
// - only when the expectations of the previous sync are met: create the missing pods (slow start, at most
//   DAEMONSET_BURST_REPLICAS), unbound, with the required node affinity replaced by that single node so the
//   scheduler places them (ScheduleDaemonSetPods, the only mode since 1.12); delete pods on nodes that must
//   not run one, failed pods (replaced on the next pass) and duplicates (the oldest stays);
// - RollingUpdate: delete old-template pods while no more than maxUnavailable pods are unavailable
//   (updatedNumberScheduled climbs as replacements come up); OnDelete: never delete for an update;
// - status: desired/current/misscheduled/ready/available/updated counts and observedGeneration, which
//   `kubectl rollout status ds/NAME` reads.
import type { DaemonSet, DaemonSetStatus, Node, NodeSelectorTerm, Pod, PodSpec,
  PodTemplateSpec, Taint, Toleration } from '../api/index.js';
import { labelSelectorAsSelector, type LabelSelector } from '../api/index.js';
import { isConflict, isNotFound, isTombstone } from '../client/index.js';
import { findUntoleratedTaint, requirementMatches } from '../scheduler/plugins/helpers.js';
import { QueueController } from './controller.js';
import { AggregateSyncError, ControllerError } from './errors.js';
import { computeHash, scaledValue } from './deployment-util.js';
import { Expectations } from './expectations.js';
import { DAEMONSET_BURST_REPLICAS, SLOW_START_INITIAL_BATCH_SIZE, STATUS_UPDATE_ATTEMPTS } from './limits.js';
import { PodControl, slowStartBatch } from './pod-control.js';
import { claimObjects } from './ref-manager.js';
import { R, type ControllerContext, type EventSink, type Informer } from './types.js';
import {
  byCreation, controllerRefOf, errorMessage, forEachLimited, isPodAvailable, isPodReady, jsonEq, keyFor, splitNsName,
} from './util.js';

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey). */
export const DAEMONSET_HASH_LABEL = 'controller-revision-hash';
const DELETES_IN_FLIGHT_MAX = 16;

/**
 * util.AddOrUpdateDaemonPodTolerations: DaemonSet pods tolerate not-ready/unreachable (NoExecute, for
 * ever), the pressure conditions and unschedulable (NoSchedule); network-unavailable with hostNetwork.
 */
export function daemonPodTolerations(spec: PodSpec | undefined): Toleration[] {
  const out = [...(spec?.tolerations ?? [])];
  const add = (key: string, effect: 'NoExecute' | 'NoSchedule'): void => {
    if (out.some((t) => t.key === key && t.effect === effect && t.operator === 'Exists')) return;
    out.push({ key, operator: 'Exists', effect });
  };
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec?.hostNetwork === true) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return out;
}

/** Some taint with one of these effects that no toleration tolerates (the scheduler's TaintToleration predicate). */
function untolerated(taints: readonly Taint[], tols: readonly Toleration[], effects: readonly string[]): boolean {
  return findUntoleratedTaint(taints, tols, (e) => effects.includes(e)) !== undefined;
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name));
}

/**
 * NodeShouldRunDaemonPod: [shouldRun, shouldContinueRunning]. A node the pod does not fit by name or
 * affinity: neither. An untolerated NoSchedule taint: keep a pod already there; NoExecute: neither.
 */
export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node): [boolean, boolean] {
  const spec = ds.spec?.template?.spec;
  const name = node.metadata?.name ?? '';
  if ((spec?.nodeName ?? '') !== '' && spec?.nodeName !== name) return [false, false];
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return [false, false];
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined && !terms.some((t) => termMatches(t, node))) return [false, false];
  const taints = node.spec?.taints ?? [];
  const tols = daemonPodTolerations(spec);
  if (!untolerated(taints, tols, ['NoSchedule', 'NoExecute'])) return [true, true];
  return [false, !untolerated(taints, tols, ['NoExecute'])];
}

/** util.GetTargetNodeName: spec.nodeName, else the single name the required node affinity's matchFields names. */
export function targetNodeName(p: Pod): string | undefined {
  if ((p.spec?.nodeName ?? '') !== '') return p.spec?.nodeName;
  const terms = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** The template a pod for `node` is made from: hash label, DaemonSet tolerations, affinity pinned to the node. */
export function podTemplateForNode(ds: DaemonSet, hash: string, node: string): PodTemplateSpec {
  const t = structuredClone(ds.spec?.template ?? {});
  t.metadata = { ...(t.metadata ?? {}), labels: { ...(t.metadata?.labels ?? {}), [DAEMONSET_HASH_LABEL]: hash } };
  const spec: PodSpec = t.spec ?? { containers: [] };
  spec.tolerations = daemonPodTolerations(spec);
  // ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become one term naming the node.
  const affinity = spec.affinity ?? {};
  affinity.nodeAffinity = { ...(affinity.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } };
  spec.affinity = affinity;
  t.spec = spec;
  return t;
}

/** The template hash the pods carry (controller.ComputeHash of the template with the collision count). */
export function daemonSetHash(ds: DaemonSet): string {
  return computeHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
}

/** RollingUpdate's maxUnavailable against the desired count (percentages round up, as kube's DS); at least 1. */
export function daemonMaxUnavailable(ds: DaemonSet, desired: number): number {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const n = scaledValue(ru?.maxUnavailable, desired, true, '1');
  return n > 0 ? n : 1;
}

interface NodePlan { create: string[]; remove: Pod[] }

export class DaemonSetController extends QueueController {
  readonly creates: Expectations;
  readonly deletes: Expectations;
  readonly #sets: Informer<DaemonSet>;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #events: EventSink;
  readonly #podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super('daemonset', ctx);
    this.creates = new Expectations(ctx.clock);
    this.deletes = new Expectations(ctx.clock);
    this.#sets = ctx.informers.informer<DaemonSet>(R.daemonSets);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    this.#nodes = ctx.informers.informer<Node>(R.nodes);
    this.#events = ctx.events('daemonset-controller');
    this.#podControl = new PodControl(ctx.client, this.#events);
    this.#sets.addEventHandler({
      onAdd: (ds) => this.enqueue(keyFor(ds)),
      onUpdate: (_o, ds) => this.enqueue(keyFor(ds)),
      onDelete: (ds) => {
        const key = keyFor(isTombstone(ds) ? ds.obj : ds);
        this.creates.delete(key);
        this.deletes.delete(key);
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podEvent(p, 'add'),
      onUpdate: (o, p) => this.#podUpdated(o, p),
      onDelete: (p) => this.#podEvent(isTombstone(p) ? p.obj : p, 'delete'),
    });
    // shouldIgnoreNodeUpdate: only labels, taints and spec changes can change where daemons run.
    this.#nodes.addEventHandler({
      onAdd: () => this.#enqueueAll(),
      onUpdate: (o, n) => {
        if (!jsonEq(o.metadata?.labels ?? {}, n.metadata?.labels ?? {}) || !jsonEq(o.spec ?? {}, n.spec ?? {})) {
          this.#enqueueAll();
        }
      },
      onDelete: () => this.#enqueueAll(),
    });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#sets.store.listKeys();
  }

  protected override onStart(): void {
    this.creates.clear();
    this.deletes.clear();
  }

  #enqueueAll(): void {
    for (const k of this.#sets.store.listKeys()) this.enqueue(k);
  }

  #owner(p: Pod): DaemonSet | undefined {
    const ref = controllerRefOf(p.metadata);
    if (ref === undefined || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.#sets.store.getByName(p.metadata?.namespace ?? '', ref.name);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  #podEvent(p: Pod, what: 'add' | 'delete'): void {
    const ds = this.#owner(p);
    if (ds === undefined) {
      // An orphan: a DaemonSet whose selector matches may adopt it.
      if (what === 'add' && controllerRefOf(p.metadata) === undefined) this.#enqueueMatching(p);
      return;
    }
    const key = keyFor(ds);
    if (what === 'add' && p.metadata?.deletionTimestamp === undefined) this.creates.creationObserved(key);
    else this.deletes.deletionObserved(key, keyFor(p));
    this.enqueue(key);
  }

  #podUpdated(prev: Pod, cur: Pod): void {
    if (prev.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp !== undefined) { this.#podEvent(cur, 'delete'); return; }
    const ds = this.#owner(cur);
    if (ds === undefined) {
      if (controllerRefOf(cur.metadata) === undefined) this.#enqueueMatching(cur);
      return;
    }
    this.enqueue(keyFor(ds));
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && !isPodReady(prev) && isPodReady(cur)) this.enqueueAfter(keyFor(ds), minReady * 1000 + 1);
  }

  #enqueueMatching(p: Pod): void {
    for (const ds of this.#sets.store.listByNamespace(p.metadata?.namespace ?? '')) {
      const sel = labelSelectorAsSelector(ds.spec?.selector);
      if (sel.ok && sel.value.matches(p.metadata?.labels ?? {})) this.enqueue(keyFor(ds));
    }
  }

  #selector(ds: DaemonSet): LabelSelector {
    const r = labelSelectorAsSelector(ds.spec?.selector);
    if (!r.ok) throw new ControllerError(`invalid selector: ${r.error.message}`);
    return r.value;
  }

  /** getNodesToDaemonPods: claimed pods by target node (terminal pods being deleted left out). */
  async #podsByNode(ds: DaemonSet): Promise<Map<string, Pod[]>> {
    const ns = ds.metadata?.namespace ?? '';
    const terminalDeleted = (p: Pod): boolean => p.metadata?.deletionTimestamp !== undefined &&
      (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded');
    const candidates = this.#pods.store.listByNamespace(ns).filter((p) => !terminalDeleted(p));
    const claimed = await claimObjects({ client: this.ctx.client, owner: ds, ownerResource: R.daemonSets,
      childResource: R.pods, selector: this.#selector(ds), candidates });
    const out = new Map<string, Pod[]>();
    for (const p of claimed) {
      const node = targetNodeName(p);
      if (node === undefined) continue;
      const list = out.get(node) ?? [];
      list.push(p);
      out.set(node, list);
    }
    for (const list of out.values()) list.sort(byCreation);
    return out;
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitNsName(key);
    const ds = this.#sets.store.getByName(namespace, name);
    if (ds === undefined) { this.creates.delete(key); this.deletes.delete(key); return; }
    try {
      this.#selector(ds);
    } catch (e) {
      this.ctx.log.warn({ controller: this.name, key, err: errorMessage(e) }, 'skipping: invalid selector');
      return;
    }
    // An empty selector would select every pod of the namespace (kube: "empty selector is not allowed").
    if (Object.keys(ds.spec?.selector?.matchLabels ?? {}).length === 0 && (ds.spec?.selector?.matchExpressions ?? [])
      .length === 0) return;
    const nodes = this.#nodes.store.list();
    const hash = daemonSetHash(ds);
    let byNode = await this.#podsByNode(ds);
    let manageError: unknown;
    const satisfied = (): boolean => this.creates.satisfied(key) && this.deletes.satisfied(key);
    if (ds.metadata?.deletionTimestamp === undefined && satisfied()) {
      try {
        const acted = await this.#manage(key, ds, nodes, byNode, hash);
        if (!acted && ds.spec?.updateStrategy?.type !== 'OnDelete') await this.#rollingUpdate(key, ds, nodes, byNode, hash);
      } catch (e) {
        manageError = e;
      }
      byNode = await this.#podsByNode(ds);
    }
    const st = await this.#updateStatus(ds, nodes, byNode, hash);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (manageError === undefined && minReady > 0 && st.numberReady !== (st.numberAvailable ?? 0)) {
      this.enqueueAfter(key, minReady * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  /** podsShouldBeOnNode over every node: which nodes need a pod, which pods must go. */
  #plan(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>): NodePlan {
    const plan: NodePlan = { create: [], remove: [] };
    const known = new Set<string>();
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      known.add(name);
      const pods = byNode.get(name) ?? [];
      const [shouldRun, shouldContinue] = nodeShouldRunDaemonPod(ds, node);
      if (shouldRun && pods.length === 0) { plan.create.push(name); continue; }
      if (shouldContinue) {
        const running: Pod[] = [];
        for (const p of pods) {
          if (p.metadata?.deletionTimestamp !== undefined) continue;
          // A failed daemon pod is deleted; the next pass creates its replacement.
          if (p.status?.phase === 'Failed') { plan.remove.push(p); continue; }
          running.push(p);
        }
        // Duplicates (surge is not implemented): the oldest stays.
        plan.remove.push(...running.slice(1));
        continue;
      }
      for (const p of pods) if (p.metadata?.deletionTimestamp === undefined) plan.remove.push(p);
    }
    // Pods aimed at nodes that no longer exist: bound ones are the pod GC's; unbound ones could never schedule.
    for (const [node, pods] of byNode) {
      if (known.has(node)) continue;
      for (const p of pods) if (p.metadata?.deletionTimestamp === undefined && (p.spec?.nodeName ?? '') === '') plan.remove.push(p);
    }
    return plan;
  }

  /** manage + syncNodes: returns true when it created or deleted anything. */
  async #manage(key: string, ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>, hash: string):
    Promise<boolean> {
    const plan = this.#plan(ds, nodes, byNode);
    if (plan.create.length === 0 && plan.remove.length === 0) return false;
    await this.#syncNodes(key, ds, plan.create, plan.remove, hash);
    return true;
  }

  async #syncNodes(key: string, ds: DaemonSet, create: readonly string[], remove: readonly Pod[], hash: string):
    Promise<void> {
    const toCreate = create.slice(0, DAEMONSET_BURST_REPLICAS);
    const toDelete = remove.slice(0, DAEMONSET_BURST_REPLICAS);
    this.creates.expectCreations(key, toCreate.length);
    this.deletes.expectDeletions(key, toDelete.map(keyFor));
    const errors: unknown[] = [];
    let i = 0;
    const { error } = await slowStartBatch(toCreate.length, SLOW_START_INITIAL_BATCH_SIZE, async () => {
      const node = toCreate[i++]!;
      try {
        await this.#podControl.create(podTemplateForNode(ds, hash, node), ds, R.daemonSets);
      } catch (e) {
        this.creates.creationObserved(key);
        if (!isConflict(e)) throw e;
      }
    });
    // Creations never attempted will not be observed either.
    for (let k = i; k < toCreate.length; k++) this.creates.creationObserved(key);
    if (error !== undefined) errors.push(error);
    errors.push(...await forEachLimited(toDelete, DELETES_IN_FLIGHT_MAX, async (p) => {
      try {
        await this.#podControl.delete(p, ds, R.daemonSets);
      } catch (e) {
        this.deletes.deletionObserved(key, keyFor(p));
        if (!isNotFound(e)) throw e;
      }
    }));
    if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateSyncError(errors);
  }

  /**
   * rollingUpdate with maxSurge = 0: old pods that are unavailable go at once; available old pods go while
   * fewer than maxUnavailable daemon pods are unavailable (a node waiting for its pod counts as unavailable).
   */
  async #rollingUpdate(key: string, ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>,
    hash: string): Promise<void> {
    const nowMs = this.ctx.clock.nowMs();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(ds, n)[0]).length;
    const maxUnavailable = daemonMaxUnavailable(ds, desired);
    let unavailable = 0;
    const now: Pod[] = [];
    const candidates: Pod[] = [];
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      if (!nodeShouldRunDaemonPod(ds, node)[0]) continue;
      const pods = (byNode.get(name) ?? []).filter((p) => p.metadata?.deletionTimestamp === undefined);
      if (pods.length > 1) continue; // duplicates: manage() resolves them first
      const pod = pods[0];
      if (pod === undefined) { unavailable++; continue; }
      const updated = pod.metadata?.labels?.[DAEMONSET_HASH_LABEL] === hash;
      const available = isPodAvailable(pod, minReady, nowMs);
      if (updated) { if (!available) unavailable++; continue; }
      if (!available) { unavailable++; now.push(pod); } else candidates.push(pod);
    }
    // Nodes whose only pod is terminating are waiting for a replacement: unavailable too.
    for (const node of nodes) {
      const pods = byNode.get(node.metadata?.name ?? '') ?? [];
      if (pods.length > 0 && pods.every((p) => p.metadata?.deletionTimestamp !== undefined) &&
        nodeShouldRunDaemonPod(ds, node)[0]) unavailable++;
    }
    const budget = Math.max(0, maxUnavailable - unavailable);
    const remove = [...now, ...candidates.slice(0, budget)];
    if (remove.length === 0) return;
    this.ctx.log.debug({ controller: this.name, key, maxUnavailable, unavailable, deleting: remove.length },
      'rolling update: deleting old pods');
    await this.#syncNodes(key, ds, [], remove, hash);
  }

  /** updateDaemonSetStatus: counted per node from the oldest pod there. */
  computeStatus(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>, hash: string): DaemonSetStatus {
    const nowMs = this.ctx.clock.nowMs();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desired = 0; let current = 0; let mis = 0; let ready = 0; let available = 0; let updated = 0;
    for (const node of nodes) {
      const pods = byNode.get(node.metadata?.name ?? '') ?? [];
      const [shouldRun] = nodeShouldRunDaemonPod(ds, node);
      if (!shouldRun) { if (pods.length > 0) mis++; continue; }
      desired++;
      const pod = pods[0];
      if (pod === undefined) continue;
      current++;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, nowMs)) available++;
      }
      if (pods.some((p) => p.metadata?.labels?.[DAEMONSET_HASH_LABEL] === hash)) updated++;
    }
    const st: DaemonSetStatus = { currentNumberScheduled: current, numberMisscheduled: mis,
      desiredNumberScheduled: desired, numberReady: ready, observedGeneration: ds.metadata?.generation ?? 0,
      updatedNumberScheduled: updated,
      numberAvailable: available, numberUnavailable: desired - available };
    if (ds.status?.collisionCount !== undefined) st.collisionCount = ds.status.collisionCount;
    if (ds.status?.conditions !== undefined) st.conditions = ds.status.conditions;
    return st;
  }

  async #updateStatus(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>, hash: string):
    Promise<DaemonSetStatus> {
    const st = this.computeStatus(ds, nodes, byNode, hash);
    let cur = ds;
    for (let attempt = 0; attempt < STATUS_UPDATE_ATTEMPTS; attempt++) {
      if (jsonEq(cur.status ?? {}, st)) return st;
      try {
        await this.ctx.client.updateStatus<DaemonSet>(R.daemonSets, cur.metadata?.namespace ?? '', { ...cur, status: st });
        return st;
      } catch (e) {
        if (isNotFound(e)) return st;
        if (!isConflict(e) || attempt + 1 >= STATUS_UPDATE_ATTEMPTS) throw e;
        cur = await this.ctx.client.get<DaemonSet>(R.daemonSets, cur.metadata?.namespace ?? '', cur.metadata?.name ?? '');
      }
    }
    return st;
  }
}
