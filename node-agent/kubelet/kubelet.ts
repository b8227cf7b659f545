// The kubelet of one node: registers the Node and keeps its heartbeats (heartbeat.ts), watches
// the pods bound to it (fieldSelector spec.nodeName=NODE, as the kubelet's apiserver pod source),
// runs one serialised worker per pod (pod-worker.ts), removes sandboxes of pods that are no
// longer bound to it (housekeeping: HandlePodCleanups), and serves container logs (server.ts).
// A restarted kubelet finds the runtime's sandboxes (the runtime adopted their processes) and
// gives each back to the worker of the same pod UID: running containers are not restarted.
import type { Logger } from 'pino';
import type { ConfigMap, Pod, Secret } from '../../control-plane/api/index.js';
import { type ApiClient, isNotFound, isTombstone, SharedInformer } from '../../control-plane/client/index.js';
import { type ContainerRuntime, type ImageCatalogue, nodePodRange, type Sandbox } from '../runtime/index.js';
import type { ObjectSource } from './env.js';
import { ApiEventRecorder, type EventRecorder, NO_EVENTS } from './events.js';
import { NodeHeartbeat } from './heartbeat.js';
import {
  HOUSEKEEPING_INTERVAL_MS, NODE_LEASE_DURATION_SECONDS, NODE_LEASE_RENEW_FRACTION, NODE_STATUS_REPORT_FREQUENCY_MS,
  NODE_STATUS_UPDATE_FREQUENCY_MS, POD_SYNCS_IN_FLIGHT_MAX,
} from './limits.js';
import type { NodeConfig } from './node-status.js';
import { PodWorker, type WorkerHost } from './pod-worker.js';
import { CONFIGMAPS, PODS, SECRETS } from './resources.js';
import { Semaphore } from './semaphore.js';

export interface KubeletOptions {
  client: ApiClient;
  runtime: ContainerRuntime;
  node: NodeConfig;
  log: Logger;
  /** Checked before a container starts (ErrImagePull); the runtime checks again. */
  images?: ImageCatalogue;
  leaseDurationSeconds?: number;
  nodeStatusUpdateFrequencyMs?: number;
  nodeStatusReportFrequencyMs?: number;
  housekeepingIntervalMs?: number;
  /** Record events (default true). */
  events?: boolean;
}

export interface KubeletMetrics {
  podSyncs: number;
  statusWrites: number;
  statusWriteFailures: number;
  orphansRemoved: number;
}

export class Kubelet implements WorkerHost {
  readonly client: ApiClient;
  readonly runtime: ContainerRuntime;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly images: ImageCatalogue | undefined;
  readonly log: Logger;
  readonly events: EventRecorder;
  readonly source: ObjectSource;
  readonly heartbeat: NodeHeartbeat;
  readonly informer: SharedInformer<Pod>;
  readonly metrics: KubeletMetrics = { podSyncs: 0, statusWrites: 0, statusWriteFailures: 0, orphansRemoved: 0 };
  readonly #o: KubeletOptions;
  readonly #workers = new Map<string, PodWorker>();
  readonly #sem = new Semaphore(POD_SYNCS_IN_FLIGHT_MAX);
  readonly #adoptable = new Map<string, Sandbox>();
  #housekeeping: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(o: KubeletOptions) {
    this.#o = o;
    this.client = o.client;
    this.runtime = o.runtime;
    this.nodeName = o.node.nodeName;
    this.hostIP = nodePodRange(o.node.nodeIndex).nodeIP;
    this.images = o.images;
    this.log = o.log;
    this.events = o.events === false ? NO_EVENTS : new ApiEventRecorder(o.client, o.node.nodeName);
    this.source = apiSource(o.client);
    const lease = o.leaseDurationSeconds ?? NODE_LEASE_DURATION_SECONDS;
    const update = o.nodeStatusUpdateFrequencyMs ?? NODE_STATUS_UPDATE_FREQUENCY_MS;
    this.heartbeat = new NodeHeartbeat(o.client, o.node, {
      leaseDurationSeconds: lease, leaseRenewIntervalMs: lease * 1000 * NODE_LEASE_RENEW_FRACTION,
      statusUpdateFrequencyMs: update,
      statusReportFrequencyMs: o.nodeStatusReportFrequencyMs ?? Math.max(update, NODE_STATUS_REPORT_FREQUENCY_MS),
      log: o.log,
    });
    this.informer = new SharedInformer<Pod>(o.client, PODS, {
      fieldSelector: `spec.nodeName=${o.node.nodeName}`,
      onError: (e) => this.log.warn({ err: (e as Error).message }, 'pod watch failed; retrying'),
    });
  }

  allocatable(): Record<string, string> {
    return { ...this.#o.node.capacity };
  }

  limit<T>(fn: () => Promise<T>): Promise<T> {
    this.metrics.podSyncs++;
    return this.#sem.run(fn);
  }

  onStatusWrite(ok: boolean): void {
    if (ok) this.metrics.statusWrites++;
    else this.metrics.statusWriteFailures++;
  }

  /** Starts registration, heartbeats, the pod watch and housekeeping; resolves once the pods are listed. */
  async start(): Promise<void> {
    for (const sb of this.runtime.listSandboxes()) this.#adoptable.set(sb.uid, sb);
    this.#unsubscribe = this.runtime.onContainerExit((c) => {
      for (const w of this.#workers.values()) if (w.sandbox?.id === c.sandboxId) w.kick();
    });
    void this.heartbeat.start();
    this.informer.addEventHandler({
      onAdd: (pod) => this.#upsert(pod),
      onUpdate: (old, pod) => {
        if (old.metadata?.uid !== pod.metadata?.uid) this.#gone(old);
        this.#upsert(pod);
      },
      onDelete: (obj) => this.#gone(isTombstone(obj) ? obj.obj : obj),
    });
    this.informer.start();
    await this.informer.waitForSync();
    this.#housekeeping = setInterval(() => void this.housekeeping(), this.#o.housekeepingIntervalMs ??
      HOUSEKEEPING_INTERVAL_MS);
    this.#housekeeping.unref();
    await this.housekeeping();
  }

  #upsert(pod: Pod): void {
    if (this.#stopped) return;
    const uid = pod.metadata?.uid ?? '';
    let w = this.#workers.get(uid);
    if (w === undefined) {
      const adopted = this.#adoptable.get(uid);
      this.#adoptable.delete(uid);
      if (adopted !== undefined) this.log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` }, 'adopted pod sandbox');
      w = new PodWorker(this, pod, adopted);
      this.#workers.set(uid, w);
      w.kick();
      return;
    }
    const before = w.pod;
    w.pod = pod;
    // Our own status writes come back as updates: only spec and deletion changes need a sync
    // (the kubelet's pod config drops status-only updates the same way).
    if (JSON.stringify(before.spec) !== JSON.stringify(pod.spec) ||
      before.metadata?.deletionTimestamp !== pod.metadata?.deletionTimestamp ||
      before.metadata?.deletionGracePeriodSeconds !== pod.metadata?.deletionGracePeriodSeconds) {
      w.kick();
    }
  }

  #gone(pod: Pod): void {
    const w = this.#workers.get(pod.metadata?.uid ?? '');
    if (w === undefined) return;
    w.deleted = true;
    w.kick();
  }

  /** HandlePodCleanups: drop finished workers; remove sandboxes of pods not bound here any more. */
  async housekeeping(): Promise<void> {
    if (this.#stopped || !this.informer.hasSynced()) return;
    for (const [uid, w] of this.#workers) if (w.done) this.#workers.delete(uid);
    const known = new Set(this.#workers.keys());
    for (const sb of this.runtime.listSandboxes()) {
      if (known.has(sb.uid)) continue;
      this.#adoptable.delete(sb.uid);
      this.log.info({ pod: `${sb.namespace}/${sb.name}`, uid: sb.uid }, 'removing orphaned pod sandbox');
      try {
        await this.runtime.removePodSandbox(sb.id);
        this.metrics.orphansRemoved++;
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'removing orphaned sandbox failed');
      }
    }
  }

  /** The worker of a pod by namespace and name (log requests). */
  workerByName(namespace: string, name: string): PodWorker | undefined {
    for (const w of this.#workers.values()) {
      if (w.pod.metadata?.namespace === namespace && w.pod.metadata?.name === name && !w.done) return w;
    }
    return undefined;
  }

  get podCount(): number {
    return this.#workers.size;
  }

  /** Stops watching and syncing; containers keep running (the runtime is closed by the caller). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#housekeeping);
    this.heartbeat.stop();
    this.#unsubscribe?.();
    await this.informer.stop();
    for (const w of this.#workers.values()) w.stop();
    await Promise.all([...this.#workers.values()].map((w) => w.idle()));
  }
}

/** configMaps and secrets straight from the apiserver (the kubelet's Get strategy). */
export function apiSource(client: ApiClient): ObjectSource {
  const get = async <T extends ConfigMap | Secret>(r: typeof CONFIGMAPS, ns: string, name: string):
    Promise<T | undefined> => {
    try {
      return await client.get<T>(r, ns, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  return {
    configMap: (ns, name) => get<ConfigMap>(CONFIGMAPS, ns, name),
    secret: (ns, name) => get<Secret>(SECRETS, ns, name),
  };
}
