// The scheduler process's moving parts (cmd/kube-scheduler/app/server.go Run): an API client,
// shared informers for pods (non-terminal, as kube-scheduler's pod informer) and nodes that run
// all the time — also on a standby, so a takeover starts from a warm cache — a Lease-based
// LeaderElector, and while leading a SchedulingTerm (the core plus its loop). /metrics, /livez,
// /readyz are served over plain HTTP. stop() is the graceful path: stop popping pods, let binds
// in flight finish briefly, then release the lease so a standby takes over at once.
import type { Node, Pod } from '../../api/index.js';
import { findResource } from '../../api/index.js';
import {
  ApiClient, isTombstone, LeaderElector, SharedInformer, type DeletedFinalStateUnknown,
} from '../../client/index.js';
import { RepeatLimiter } from '../../../lib/repeat-limiter.js';
import { AssignedElsewhere } from './binder.js';
import { EventRecorder } from './events.js';
import { HealthServer } from './http.js';
import {
  API_MAX_SOCKETS, EVENT_SERIES_FLUSH_MS, MAX_PENDING_WRITES, SHUTDOWN_BIND_WAIT_MS, WRITE_CONCURRENCY,
} from './limits.js';
import { SchedulerMetrics } from './metrics.js';
import type { SchedulerServerOptions } from './options.js';
import { SchedulingTerm, type TermLogger } from './term.js';
import { WriteQueue } from './write-queue.js';

const PODS = findResource('', 'pods')!;
const NODES = findResource('', 'nodes')!;
/** kube-scheduler's pod informer skips terminal pods (newPodInformer's field selector). */
export const NON_TERMINAL_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export interface ServerLogger extends TermLogger {
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface SchedulerServerHooks {
  /** Every pod this instance bound (tests and benches count them). */
  onBound?: (pod: Pod, nodeName: string) => void;
  /** Prometheus default process metrics (off for in-process test instances). */
  processMetrics?: boolean;
}

const unwrap = <T>(o: T | DeletedFinalStateUnknown<T>): T => (isTombstone(o) ? o.obj : o);

export class SchedulerServer {
  readonly client: ApiClient;
  /** Leader election's own client (kube-scheduler's "leader-election" client): renewals never queue behind binds. */
  readonly #leaseClient: ApiClient;
  readonly pods: SharedInformer<Pod>;
  readonly nodes: SharedInformer<Node>;
  readonly metrics: SchedulerMetrics;
  readonly writes: WriteQueue;
  readonly recorder: EventRecorder | undefined;
  readonly assignedElsewhere = new AssignedElsewhere();
  readonly #o: SchedulerServerOptions;
  readonly #log: ServerLogger;
  readonly #hooks: SchedulerServerHooks;
  readonly #http: HealthServer;
  readonly #elector: LeaderElector | undefined;
  /** Without leader election: the one term's signal. */
  readonly #solo = new AbortController();
  readonly #errors = new RepeatLimiter({ intervalMs: 10_000, keysMax: 64 });
  #term: SchedulingTerm | undefined;
  #flushTimer: ReturnType<typeof setInterval> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(o: SchedulerServerOptions, log: ServerLogger, hooks: SchedulerServerHooks = {}) {
    this.#o = o;
    this.#log = log;
    this.#hooks = hooks;
    this.client = ApiClient.fromKubeconfig(o.kubeconfigPath, { qps: o.qps, burst: o.burst, maxSockets: API_MAX_SOCKETS,
      userAgent: 'flotilla-scheduler/0.1' });
    this.#leaseClient = ApiClient.fromKubeconfig(o.kubeconfigPath, { maxSockets: 2,
      userAgent: 'flotilla-scheduler/0.1 leader-election' });
    this.metrics = new SchedulerMetrics({
      pendingCounts: () => {
        const q = this.#term?.scheduler.queue;
        return q === undefined ? undefined :
          { active: q.activeCount, backoff: q.backoffCount, unschedulable: q.unschedulableCount };
      },
      bindsInFlight: () => this.#term?.bindsInFlight ?? 0,
    }, hooks.processMetrics ?? true);
    this.metrics.leader.set({ name: o.leaseName }, 0);
    this.writes = new WriteQueue({ concurrency: WRITE_CONCURRENCY, maxPending: MAX_PENDING_WRITES,
      onDropped: () => this.metrics.writesDropped.inc(), onError: (e) => this.#warn('write', e) });
    const component = o.config.profiles[0]?.schedulerName ?? 'default-scheduler';
    this.recorder = o.events === 'none' ? undefined : new EventRecorder({ client: this.client, writes: this.writes,
      component, instance: o.identity, onOutcome: (outcome) => this.metrics.events.inc({ outcome }) });
    const onError = (e: unknown): void => this.#warn('informer', e);
    this.pods = new SharedInformer<Pod>(this.client, PODS, { fieldSelector: NON_TERMINAL_PODS, onError });
    this.nodes = new SharedInformer<Node>(this.client, NODES, { onError });
    this.#wireInformers();
    this.#http = new HealthServer(this.metrics.registry, () => this.ready());
    this.#elector = o.leaderElect ? new LeaderElector({
      client: this.#leaseClient, namespace: o.leaseNamespace, name: o.leaseName, identity: o.identity,
      leaseDurationMs: o.leaseDurationMs, renewDeadlineMs: o.renewDeadlineMs, retryPeriodMs: o.retryPeriodMs,
      onStartedLeading: (signal) => this.#startTerm(signal),
      onStoppedLeading: () => this.#log.info({ identity: o.identity }, 'leaderelection lost'),
      onNewLeader: (id) => this.#log.info({ leader: id, us: id === o.identity }, 'new leader observed'),
      onError: (e) => this.#warn('leaderelection', e),
    }) : undefined;
  }

  get identity(): string { return this.#o.identity; }
  get port(): number { return this.#http.port; }
  /** Scheduling right now (leading and not stopping). */
  get scheduling(): boolean { return this.#term?.active === true; }
  get term(): SchedulingTerm | undefined { return this.#term; }

  ready(): boolean {
    return this.pods.hasSynced() && this.nodes.hasSynced() && this.#stopping === undefined;
  }

  /** Serve health, sync the informers, then campaign (or, without --leader-elect, schedule at once). */
  async start(): Promise<void> {
    await this.#http.listen(this.#o.bindAddress, this.#o.securePort);
    this.#log.info({ address: this.#o.bindAddress, port: this.port, identity: this.#o.identity },
      'serving /metrics, /livez, /readyz over HTTP');
    this.pods.start();
    this.nodes.start();
    const synced = await Promise.all([this.pods.waitForSync(), this.nodes.waitForSync()]);
    if (!synced.every(Boolean)) return; // stopped while syncing
    this.#log.info({ pods: this.pods.store.list().length, nodes: this.nodes.store.list().length },
      'informer caches synced');
    if (this.recorder !== undefined) {
      this.#flushTimer = setInterval(() => this.recorder?.flush(), EVENT_SERIES_FLUSH_MS);
    }
    if (this.#elector !== undefined) {
      void this.#elector.run();
      this.#log.info({ lease: `${this.#o.leaseNamespace}/${this.#o.leaseName}`, identity: this.#o.identity },
        'attempting to acquire leader lease');
    } else {
      this.#startTerm(this.#solo.signal);
    }
  }

  #startTerm(signal: AbortSignal): void {
    if (this.#stopping !== undefined || signal.aborted) return;
    const t0 = performance.now();
    const term = new SchedulingTerm({
      client: this.client, pods: this.pods, nodes: this.nodes, config: this.#o.config, metrics: this.metrics,
      recorder: this.recorder, scheduledEvents: this.#o.events === 'all', writes: this.writes,
      assignedElsewhere: this.assignedElsewhere, log: this.#log, onBound: this.#hooks.onBound,
    }, signal);
    this.#term = term;
    term.start();
    this.metrics.terms.inc();
    this.metrics.leader.set({ name: this.#o.leaseName }, 1);
    this.#log.info({ identity: this.#o.identity, rebuildMs: Math.round((performance.now() - t0) * 10) / 10,
      pending: term.scheduler.queue.size, nodes: term.scheduler.cache.nodeCount() }, 'started leading: scheduling');
    signal.addEventListener('abort', () => {
      if (this.#term === term) this.#term = undefined;
      this.metrics.leader.set({ name: this.#o.leaseName }, 0);
      this.#log.info({ identity: this.#o.identity }, 'stopped scheduling: queued work abandoned');
    }, { once: true });
  }

  #wireInformers(): void {
    const forget = (p: Pod): void => { this.assignedElsewhere.clear(p); };
    this.pods.addEventHandler({
      onAdd: (p) => { forget(p); this.#term?.podAdded(p); },
      onUpdate: (o, n) => { forget(n); this.#term?.podUpdated(o, n); },
      onDelete: (obj) => {
        const p = unwrap(obj);
        forget(p);
        this.recorder?.forget(p);
        this.#term?.podDeleted(p);
      },
    });
    this.nodes.addEventHandler({
      onAdd: (n) => this.#term?.nodeAdded(n),
      onUpdate: (o, n) => this.#term?.nodeUpdated(o, n),
      onDelete: (obj) => this.#term?.nodeDeleted(unwrap(obj)),
    });
  }

  #warn(what: string, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    const skipped = this.#errors.allow(`${what}:${msg.slice(0, 80)}`);
    if (skipped >= 0) this.#log.warn({ err: msg, code: (e as { code?: unknown }).code, skipped }, `${what} error`);
  }

  /** Graceful stop: no new pods, binds in flight finish (briefly), lease released, everything closed. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const term = this.#term;
    if (term !== undefined) {
      const inFlight = term.bindsInFlight;
      await term.drain(SHUTDOWN_BIND_WAIT_MS);
      this.#log.info({ inFlight, left: term.bindsInFlight }, 'scheduling stopped; binds in flight drained');
    }
    if (this.#elector !== undefined) await this.#elector.stop();
    this.#solo.abort();
    if (this.#flushTimer !== undefined) clearInterval(this.#flushTimer);
    this.recorder?.flush();
    await this.writes.idle(1_000);
    this.writes.close();
    await Promise.all([this.pods.stop(), this.nodes.stop()]);
    await this.#http.close();
    this.client.close();
    this.#leaseClient.close();
    this.#log.info({ identity: this.#o.identity }, 'scheduler stopped');
  }
}
