// N simulated nodes in one process, the way kwok (and kubemark's hollow nodes) fake a cluster's
// kubelets: each node registers a Node, keeps its Lease renewed and its status reported, and
// every pod bound to it goes Running at once with a pod IP from the node's range — no runtime,
// no processes. Costs are kept flat in N:
// - ONE pods informer for all the nodes (not one watch per node); its handlers only enqueue keys,
//   a bounded number of workers write pod statuses;
// - Lease renewals and node status reports are spread evenly over their period by one ticker
//   walking the node list round robin, with a bound on writes in flight, so 5,000 nodes renewing
//   every 10 s are 500 small writes a second in a steady stream, never a burst of 5,000;
// - a Node's status is written only every report period (nodeStatusReportFrequency), as the kubelet
//   does when nothing changed; the Lease is the heartbeat.
import type { Logger } from 'pino';
import type { Lease, Node, Pod, PodStatus, Taint } from '../../control-plane/api/index.js';
import {
  type ApiClient, isConflict, isNotFound, SharedInformer, WorkQueue, runWorkers,
} from '../../control-plane/client/index.js';
import {
  apiTime, CONTAINER_ID_SCHEME, imageIdOf, type NodeConfig, nodeStatus, NODES, PODS, registerNode, renewNodeLease,
  Semaphore,
} from '../kubelet/index.js';
import { MAX_NODE_INDEX, PodIpAllocator } from '../runtime/index.js';
import { AgentConfigError } from './errors.js';
import {
  SIM_REGISTER_CONCURRENCY, SIM_TICK_MS, SIM_POD_WORKERS, SIM_WRITES_IN_FLIGHT_MAX, SIM_NODES_MAX,
} from './limits.js';

export interface SimulatedNodesOptions {
  client: ApiClient;
  /** Nodes are named `${prefix}-0` … `${prefix}-(count-1)`. */
  prefix: string;
  count: number;
  /** Node i gets node index firstIndex + i (its pod range 127.x.y.0/24). */
  firstIndex: number;
  capacity: NodeConfig['capacity'];
  labels?: Record<string, string>;
  role?: string;
  taints?: Taint[];
  leaseDurationSeconds: number;
  leaseRenewIntervalMs: number;
  statusReportFrequencyMs: number;
  log: Logger;
}

interface SimNode {
  cfg: NodeConfig;
  ips: PodIpAllocator;
  uid: string | undefined;
  lease: Lease | undefined;
  registered: boolean;
  busy: boolean;
}

export interface SimulatedMetrics {
  nodesRegistered: number;
  leaseRenewals: number;
  leaseRenewFailures: number;
  nodeStatusWrites: number;
  nodeStatusWriteFailures: number;
  podsStarted: number;
  podsDeleted: number;
  podStatusFailures: number;
}

/** A round-robin cursor that visits every item once per period, a few per tick. */
class Spreader {
  #cursor = 0;
  #carry = 0;

  /** How many items to visit in a tick of tickMs, for n items per periodMs. */
  take(n: number, periodMs: number, tickMs: number): number[] {
    this.#carry += (n * tickMs) / periodMs;
    const k = Math.floor(this.#carry);
    this.#carry -= k;
    const out: number[] = [];
    for (let i = 0; i < k && n > 0; i++) {
      out.push(this.#cursor);
      this.#cursor = (this.#cursor + 1) % n;
    }
    return out;
  }
}

export class SimulatedNodes {
  readonly metrics: SimulatedMetrics = {
    nodesRegistered: 0, leaseRenewals: 0, leaseRenewFailures: 0, nodeStatusWrites: 0, nodeStatusWriteFailures: 0,
    podsStarted: 0, podsDeleted: 0, podStatusFailures: 0,
  };
  readonly informer: SharedInformer<Pod>;
  readonly #o: SimulatedNodesOptions;
  readonly #nodes: SimNode[] = [];
  readonly #byName = new Map<string, SimNode>();
  /** Pod key → the uid and IP handed out. */
  readonly #pods = new Map<string, { uid: string; ip: string; node: SimNode }>();
  readonly #queue = new WorkQueue<string>({ name: 'simulated-pods' });
  readonly #writes = new Semaphore(SIM_WRITES_IN_FLIGHT_MAX);
  readonly #leaseSpread = new Spreader();
  readonly #statusSpread = new Spreader();
  #ticker: NodeJS.Timeout | undefined;
  #workers: Promise<void> | undefined;
  #stopped = false;

  constructor(o: SimulatedNodesOptions) {
    if (!Number.isInteger(o.count) || o.count < 1 || o.count > SIM_NODES_MAX) {
      throw new AgentConfigError(`--simulated-nodes must be 1..${SIM_NODES_MAX}, not ${o.count}`);
    }
    if (o.firstIndex + o.count - 1 > MAX_NODE_INDEX) {
      throw new AgentConfigError(`node indexes ${o.firstIndex}..${o.firstIndex + o.count - 1} go beyond ${MAX_NODE_INDEX}; ` +
        'lower --node-index or --simulated-nodes');
    }
    this.#o = o;
    for (let i = 0; i < o.count; i++) {
      const cfg: NodeConfig = {
        nodeName: `${o.prefix}-${i}`, nodeIndex: o.firstIndex + i, capacity: o.capacity, kubeletPort: 0,
        containerRuntimeVersion: 'flotilla-simulated://0.1', labels: { ...o.labels, type: 'kwok' },
        ...(o.role !== undefined ? { role: o.role } : {}), ...(o.taints !== undefined ? { taints: o.taints } : {}),
      };
      const n: SimNode = { cfg, ips: new PodIpAllocator(cfg.nodeIndex), uid: undefined, lease: undefined,
        registered: false, busy: false };
      this.#nodes.push(n);
      this.#byName.set(cfg.nodeName, n);
    }
    // One informer for every pod: field selectors cannot say "nodeName is one of these 5,000".
    this.informer = new SharedInformer<Pod>(o.client, PODS, {
      onError: (e) => o.log.warn({ err: (e as Error).message }, 'pod watch failed; retrying'),
    });
  }

  get nodeNames(): string[] {
    return this.#nodes.map((n) => n.cfg.nodeName);
  }

  /** Registers every node (bounded concurrency), then starts heartbeats and the pod loop. */
  async start(): Promise<void> {
    const t0 = Date.now();
    let next = 0;
    const register = async (): Promise<void> => {
      while (next < this.#nodes.length && !this.#stopped) {
        const n = this.#nodes[next++]!;
        await this.#register(n);
      }
    };
    await Promise.all(Array.from({ length: SIM_REGISTER_CONCURRENCY }, register));
    this.#o.log.info({ nodes: this.#nodes.length, ms: Date.now() - t0 }, 'simulated nodes registered');
    this.informer.addEventHandler({
      onAdd: (p) => this.#enqueue(p),
      onUpdate: (_o, p) => this.#enqueue(p),
      onDelete: (p) => {
        const pod = 'tombstone' in p ? p.obj : p;
        this.#queue.add(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
      },
    });
    this.informer.start();
    this.#workers = runWorkers(this.#queue, SIM_POD_WORKERS, (key) => this.#syncPod(key), {
      onError: (key, e) => this.#o.log.warn({ pod: key, err: (e as Error).message }, 'simulated pod sync failed'),
    });
    this.#ticker = setInterval(() => this.#tick(), SIM_TICK_MS);
    await this.informer.waitForSync();
  }

  async #register(n: SimNode): Promise<void> {
    for (let attempt = 0; !this.#stopped; attempt++) {
      try {
        const node = await registerNode(this.#o.client, n.cfg, Date.now());
        n.uid = node.metadata?.uid;
        n.registered = true;
        this.metrics.nodesRegistered++;
        n.lease = await renewNodeLease(this.#o.client, n.cfg.nodeName, this.#o.leaseDurationSeconds, undefined,
          node.metadata);
        return;
      } catch (e) {
        this.#o.log.warn({ node: n.cfg.nodeName, err: (e as Error).message }, 'registering simulated node failed');
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5000)));
      }
    }
  }

  #enqueue(p: Pod): void {
    const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    if (this.#byName.has(p.spec?.nodeName ?? '') || this.#pods.has(key)) this.#queue.add(key);
  }

  /** One tick: the share of lease renewals and status reports that falls in it. */
  #tick(): void {
    const n = this.#nodes.length;
    for (const i of this.#leaseSpread.take(n, this.#o.leaseRenewIntervalMs, SIM_TICK_MS)) {
      const node = this.#nodes[i]!;
      if (!node.registered || node.busy) continue;
      node.busy = true;
      void this.#writes.run(() => this.#renew(node)).finally(() => (node.busy = false));
    }
    for (const i of this.#statusSpread.take(n, this.#o.statusReportFrequencyMs, SIM_TICK_MS)) {
      const node = this.#nodes[i]!;
      if (!node.registered) continue;
      void this.#writes.run(() => this.#report(node));
    }
  }

  async #renew(n: SimNode): Promise<void> {
    if (this.#stopped) return;
    try {
      n.lease = await renewNodeLease(this.#o.client, n.cfg.nodeName, this.#o.leaseDurationSeconds, n.lease,
        n.uid === undefined ? undefined : { uid: n.uid });
      this.metrics.leaseRenewals++;
    } catch (e) {
      n.lease = undefined;
      this.metrics.leaseRenewFailures++;
      this.#o.log.debug({ node: n.cfg.nodeName, err: (e as Error).message }, 'lease renewal failed');
    }
  }

  async #report(n: SimNode): Promise<void> {
    if (this.#stopped) return;
    try {
      const current = await this.#o.client.get<Node>(NODES, '', n.cfg.nodeName);
      await this.#o.client.updateStatus<Node>(NODES, '', { ...current, status: nodeStatus(n.cfg, Date.now(), current) });
      this.metrics.nodeStatusWrites++;
    } catch (e) {
      this.metrics.nodeStatusWriteFailures++;
      if (isNotFound(e)) n.registered = false;
      if (isNotFound(e)) void this.#register(n);
    }
  }

  #release(key: string): void {
    const t = this.#pods.get(key);
    if (t === undefined) return;
    t.node.ips.release(t.ip);
    this.#pods.delete(key);
  }

  /** The whole kubelet for a simulated pod: Running at once; on deletion, confirm at once. */
  async #syncPod(key: string): Promise<void> {
    const pod = this.informer.store.get(key);
    const tracked = this.#pods.get(key);
    const node = this.#byName.get(pod?.spec?.nodeName ?? '');
    if (pod === undefined || node === undefined || (tracked !== undefined && tracked.uid !== pod.metadata?.uid)) {
      this.#release(key);
      if (pod === undefined || node === undefined) return;
    }
    const uid = pod.metadata?.uid ?? '';
    if (pod.metadata?.deletionTimestamp !== undefined) {
      this.#release(key);
      try {
        await this.#writes.run(() => this.#o.client.delete(PODS, pod.metadata?.namespace ?? 'default',
          pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } }));
        this.metrics.podsDeleted++;
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    let t = this.#pods.get(key);
    if (t !== undefined && phase === 'Running' && pod.status?.podIP === t.ip) return;
    if (t === undefined) {
      const ip = this.#claimOrAllocate(node, pod.status?.podIP);
      t = { uid, ip, node };
      this.#pods.set(key, t);
      if (phase === 'Running' && pod.status?.podIP === ip) return;
    }
    const status = simulatedStatus(pod, t.ip, node.ips.range.nodeIP, Date.now());
    try {
      await this.#writes.run(() => this.#o.client.patch(PODS, pod.metadata?.namespace ?? 'default',
        pod.metadata?.name ?? '', 'merge', { status }, { subresource: 'status' }));
      this.metrics.podsStarted++;
    } catch (e) {
      this.metrics.podStatusFailures++;
      if (!isNotFound(e)) throw e;
    }
  }

  /** A restarted agent keeps the IPs its pods already report. */
  #claimOrAllocate(node: SimNode, reported: string | undefined): string {
    if (reported !== undefined && reported.startsWith(node.ips.range.prefix)) {
      try {
        node.ips.claim(reported);
        return reported;
      } catch {
        // taken or not ours: hand out a fresh one
      }
    }
    return node.ips.allocate();
  }

  podsRunning(): number {
    return this.#pods.size;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#ticker);
    this.#queue.shutDown();
    await this.informer.stop();
    await this.#workers;
  }
}

/** The status kwok writes for a pod it "runs": every container running, ready and started. */
export function simulatedStatus(pod: Pod, podIP: string, hostIP: string, nowMs: number): PodStatus {
  const now = apiTime(nowMs);
  const started = pod.status?.startTime ?? now;
  const cond = (type: string) => ({ type, status: 'True' as const, lastProbeTime: null, lastTransitionTime: now });
  const uid = pod.metadata?.uid ?? '';
  const running = (name: string, image: string | undefined) => ({
    name, image: image ?? '', imageID: imageIdOf(image ?? ''), ready: true, started: true, restartCount: 0,
    containerID: `${CONTAINER_ID_SCHEME}sim-${uid}-${name}`, state: { running: { startedAt: now } }, lastState: {},
  });
  const status: PodStatus = {
    phase: 'Running', hostIP, hostIPs: [{ ip: hostIP }], podIP, podIPs: [{ ip: podIP }], startTime: started,
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => running(c.name, c.image)),
  };
  const init = pod.spec?.initContainers ?? [];
  if (init.length > 0) {
    status.initContainerStatuses = init.map((c) => ({
      name: c.name, image: c.image ?? '', imageID: imageIdOf(c.image ?? ''), ready: true, started: false, restartCount: 0,
      containerID: `${CONTAINER_ID_SCHEME}sim-${uid}-${c.name}`,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } }, lastState: {},
    }));
  }
  return status;
}
