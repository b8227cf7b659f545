// Node lifecycle controller (kube pkg/controller/nodelifecycle, plus its NoExecute taint manager):
// - health: a node is heard from when its Lease in kube-node-lease is renewed or its Ready
//   condition's heartbeat moves. Times are OUR observation times (as kube's probeTimestamp), reset
//   when a term starts, so a new leader gives every node a full grace period. A node not heard from
//   for --node-monitor-grace-period gets Ready (and the pressure conditions) = Unknown,
//   "Kubelet stopped posting node status.", and its pods are marked not ready (MarkPodsNotReady).
// - taints: Ready=Unknown → node.kubernetes.io/unreachable, Ready=False → node.kubernetes.io/not-ready,
//   with NoSchedule at once and NoExecute through a per-zone rate limit (--node-eviction-rate; in a
//   zone with more than 55% of nodes unhealthy: --secondary-node-eviction-rate for large clusters,
//   none for small ones; when every zone is fully down no NoExecute taint is added at all — kube's
//   "master disruption" guard). Taints go when the node is Ready again.
// - eviction: pods on a NoExecute-tainted node that do not tolerate the taint are deleted; those
//   that do, after their tolerationSeconds (counted from the taint's timeAdded). Pods without a
//   toleration for not-ready/unreachable get the DefaultTolerationSeconds one (--pod-eviction-timeout).
import type { Lease, Node, NodeCondition, Pod, Taint, Toleration } from '../api/index.js';
import { isConflict, isNotFound, isTombstone } from '../client/index.js';
import { QueueController, runPeriodic } from './controller.js';
import { EVICTIONS_PER_NODE_SYNC_MAX, LARGE_CLUSTER_SIZE_THRESHOLD, UNHEALTHY_ZONE_THRESHOLD } from './limits.js';
import { NODE_NAME_INDEX, R, type ControllerContext, type EventSink, type Informer } from './types.js';
import { errorMessage, isoSeconds, keyFor, requeueAfter, timeMs } from './util.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const OUR_KEYS = new Set([TAINT_UNREACHABLE, TAINT_NOT_READY]);

export interface NodeLifecycleOptions {
  monitorPeriodMs: number;
  gracePeriodMs: number;
  podEvictionTimeoutMs: number;
  evictionRate: number;
  secondaryEvictionRate: number;
}

interface Health { probeMs: number; leaseRenew: string | undefined; heartbeat: string | undefined }

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if ((t.effect ?? '') !== '' && t.effect !== taint.effect) return false;
  if ((t.key ?? '') !== '' && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.operator ?? 'Equal') === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

export class NodeLifecycleController extends QueueController {
  readonly #nodes: Informer<Node>;
  readonly #leases: Informer<Lease>;
  readonly #pods: Informer<Pod>;
  readonly #events: EventSink;
  readonly #health = new Map<string, Health>();
  readonly #zoneLastTaintMs = new Map<string, number>();

  constructor(ctx: ControllerContext, readonly o: NodeLifecycleOptions) {
    super('node-lifecycle', ctx);
    this.#nodes = ctx.informers.informer<Node>(R.nodes);
    this.#leases = ctx.informers.informer<Lease>(R.leases);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    this.#events = ctx.events('node-controller');
    this.#nodes.addEventHandler({
      onAdd: (n) => this.enqueue(n.metadata?.name ?? ''),
      onUpdate: (_o, n) => this.enqueue(n.metadata?.name ?? ''),
      onDelete: (n) => this.#health.delete((isTombstone(n) ? n.obj : n).metadata?.name ?? ''),
    });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#nodes.store.listKeys();
  }

  protected override onStart(): void {
    this.#health.clear();
    this.#zoneLastTaintMs.clear();
  }

  protected override async runExtras(signal: AbortSignal): Promise<void> {
    await runPeriodic(signal, this.o.monitorPeriodMs, () => this.monitorNodeHealth(),
      (e) => this.ctx.log.warn({ controller: this.name, err: errorMessage(e) }, 'node health pass failed'));
  }

  /** One pass of monitorNodeHealth: observe, mark Unknown, then taint (rate-limited per zone). */
  async monitorNodeHealth(): Promise<void> {
    const now = this.ctx.clock.nowMs();
    const nodes = this.#nodes.store.list();
    for (const n of nodes) await this.#observe(n, now);
    const zones = new Map<string, { total: number; unhealthy: number }>();
    for (const n of this.#nodes.store.list()) {
      const z = n.metadata?.labels?.[ZONE_LABEL] ?? '';
      const s = zones.get(z) ?? { total: 0, unhealthy: 0 };
      s.total++;
      if (readyStatus(n) !== 'True') s.unhealthy++;
      zones.set(z, s);
    }
    const allDown = [...zones.values()].every((s) => s.total > 0 && s.unhealthy === s.total);
    for (const n of this.#nodes.store.list()) await this.#reconcileTaints(n, zones, allDown, nodes.length, now);
  }

  async #observe(n: Node, now: number): Promise<void> {
    const name = n.metadata?.name ?? '';
    const lease = this.#leases.store.getByName(NODE_LEASE_NAMESPACE, name);
    const renew = lease?.spec?.renewTime;
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    let h = this.#health.get(name);
    if (h === undefined) {
      h = { probeMs: now, leaseRenew: renew, heartbeat: ready?.lastHeartbeatTime };
      this.#health.set(name, h);
    }
    if (renew !== h.leaseRenew) { h.leaseRenew = renew; h.probeMs = now; }
    if (ready?.lastHeartbeatTime !== h.heartbeat) { h.heartbeat = ready?.lastHeartbeatTime; h.probeMs = now; }
    if (now - h.probeMs <= this.o.gracePeriodMs || ready?.status === 'Unknown') return;
    const t = isoSeconds(now);
    const conditions: NodeCondition[] = [...(n.status?.conditions ?? [])];
    if (ready === undefined) {
      conditions.push({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.', lastHeartbeatTime: t, lastTransitionTime: t });
    }
    const next = conditions.map((c) => (['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].includes(c.type) &&
      c.status !== 'Unknown' ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.', lastTransitionTime: t } : c));
    try {
      await this.ctx.client.updateStatus<Node>(R.nodes, '', { ...n, status: { ...(n.status ?? {}), conditions: next } });
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return;
      throw e;
    }
    this.ctx.log.info({ controller: this.name, node: name }, 'node stopped posting status: Ready=Unknown');
    this.#events.event(R.nodes, n, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    await this.#markPodsNotReady(name, t);
  }

  async #markPodsNotReady(node: string, t: string): Promise<void> {
    for (const p of this.#pods.store.byIndex(NODE_NAME_INDEX, node)) {
      const conds = p.status?.conditions ?? [];
      if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: t } : c));
      try {
        await this.ctx.client.updateStatus<Pod>(R.pods, p.metadata?.namespace ?? '', { ...p, status: { ...p.status, conditions: next } });
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
      }
    }
  }

  async #reconcileTaints(n: Node, zones: Map<string, { total: number; unhealthy: number }>, allDown: boolean,
    clusterSize: number, now: number): Promise<void> {
    const status = readyStatus(n);
    const key = status === 'Unknown' ? TAINT_UNREACHABLE : status === 'False' ? TAINT_NOT_READY : undefined;
    const current = n.spec?.taints ?? [];
    const ours = current.filter((t) => OUR_KEYS.has(t.key));
    const others = current.filter((t) => !OUR_KEYS.has(t.key));
    const want: Taint[] = [];
    if (key !== undefined) {
      const keep = (effect: string): Taint => ours.find((t) => t.key === key && t.effect === effect) ??
        { key, effect, timeAdded: isoSeconds(now) };
      want.push(keep('NoSchedule'));
      const hasNoExecute = ours.some((t) => t.key === key && t.effect === 'NoExecute');
      if (hasNoExecute || this.#mayTaintNoExecute(n, zones, allDown, clusterSize, now)) want.push(keep('NoExecute'));
    }
    const same = ours.length === want.length &&
      want.every((w) => ours.some((t) => t.key === w.key && t.effect === w.effect));
    if (same) return;
    try {
      await this.ctx.client.update<Node>(R.nodes, '', { ...n, spec: { ...(n.spec ?? {}), taints: [...others, ...want] } });
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return;
      throw e;
    }
    this.ctx.log.info({ controller: this.name, node: n.metadata?.name, taints: want.map((t) => `${t.key}:${t.effect}`) },
      'node taints updated');
    this.enqueue(n.metadata?.name ?? '');
  }

  /** The per-zone rate limit on NoExecute taints (kube's zone states and eviction QPS). */
  #mayTaintNoExecute(n: Node, zones: Map<string, { total: number; unhealthy: number }>, allDown: boolean,
    clusterSize: number, now: number): boolean {
    if (allDown) return false;
    const zone = n.metadata?.labels?.[ZONE_LABEL] ?? '';
    const s = zones.get(zone) ?? { total: 1, unhealthy: 1 };
    const partial = s.unhealthy > 2 && s.unhealthy / s.total >= UNHEALTHY_ZONE_THRESHOLD && s.unhealthy < s.total;
    const secondary = clusterSize > LARGE_CLUSTER_SIZE_THRESHOLD ? this.o.secondaryEvictionRate : 0;
    const rate = partial ? secondary : this.o.evictionRate;
    if (rate <= 0) return false;
    const last = this.#zoneLastTaintMs.get(zone);
    if (last !== undefined && now - last < 1000 / rate) return false;
    this.#zoneLastTaintMs.set(zone, now);
    return true;
  }

  /** The taint manager for one node: evict what does not tolerate its NoExecute taints, when due. */
  async sync(name: string): Promise<void> {
    const node = this.#nodes.store.getByName('', name);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (node === undefined || taints.length === 0) return;
    const now = this.ctx.clock.nowMs();
    let nextMs = Infinity;
    let evicted = 0;
    for (const p of this.#pods.store.byIndex(NODE_NAME_INDEX, name)) {
      if (p.metadata?.deletionTimestamp !== undefined || evicted >= EVICTIONS_PER_NODE_SYNC_MAX) continue;
      const due = this.#evictionDueMs(p, taints);
      if (due === undefined) continue;
      if (due > now) { nextMs = Math.min(nextMs, due); continue; }
      evicted++;
      try {
        await this.ctx.client.delete(R.pods, p.metadata?.namespace ?? '', p.metadata?.name ?? '');
        this.#events.event(R.pods, p, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${keyFor(p)}`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (nextMs !== Infinity) throw requeueAfter(`node ${name}: next eviction due`, nextMs - now);
  }

  /** When a pod must go: now if a taint is not tolerated, else the earliest timeAdded + tolerationSeconds. */
  #evictionDueMs(p: Pod, taints: Taint[]): number | undefined {
    const tolerations = [...(p.spec?.tolerations ?? [])];
    let due: number | undefined;
    for (const taint of taints) {
      const added = timeMs(taint.timeAdded);
      const base = Number.isFinite(added) ? added : this.ctx.clock.nowMs();
      const matching = tolerations.filter((t) => tolerates(t, taint));
      if (matching.length === 0) {
        // DefaultTolerationSeconds admission: not-ready/unreachable are tolerated for the eviction timeout.
        if (!OUR_KEYS.has(taint.key)) return 0;
        const at = base + this.o.podEvictionTimeoutMs;
        due = due === undefined ? at : Math.min(due, at);
        continue;
      }
      if (matching.some((t) => t.tolerationSeconds === undefined)) continue; // tolerated forever
      const seconds = Math.min(...matching.map((t) => t.tolerationSeconds ?? 0));
      const at = base + Math.max(0, seconds) * 1000;
      due = due === undefined ? at : Math.min(due, at);
    }
    return due;
  }
}

function readyStatus(n: Node): string {
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}
