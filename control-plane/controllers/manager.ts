// The controller-manager process (kube-controller-manager's role): builds the shared informers and
// every enabled controller once, starts the informers at once (a standby keeps warm caches), and
// runs the controllers' workers only while it holds the Lease kube-system/kube-controller-manager.
// Losing the Lease aborts the term's signal: queues shut down and are dropped, in-flight requests are
// cut, and the gated client refuses further writes. Serves /metrics, /livez, /readyz over plain HTTP
// on --bind-address:--secure-port. SIGTERM: stop workers, release the Lease (a standby takes over at
// its next retry), stop informers, exit 0.
import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ApiClient, LeaderElector } from '../client/index.js';
import type { Controller } from './controller.js';
import { CronJobController } from './cronjob.js';
import { DaemonSetController } from './daemonset.js';
import { DeploymentController } from './deployment.js';
import { ControllerConfigError } from './errors.js';
import { EventRecorder } from './events.js';
import { EndpointsController } from './endpoints.js';
import { GarbageCollector } from './garbage-collector.js';
import { InformerFactory, LeaderGatedClient } from './informers.js';
import { ADMIN_CONNECTIONS_MAX, ADMIN_REQUEST_TIMEOUT_MS, INFORMER_SYNC_TIMEOUT_MS, SHUTDOWN_GRACE_MS } from './limits.js';
import { NamespaceController } from './namespace.js';
import { NodeLifecycleController } from './nodelifecycle.js';
import type { ControllerManagerOptions, ControllerName } from './options.js';
import { PodGcController } from './podgc.js';
import { newReplicationControllerController, ReplicaSetController } from './replicaset.js';
import { ServiceAccountController } from './serviceaccount.js';
import { JobController } from './job.js';
import { StatefulSetController } from './statefulset.js';
import { systemClock, type ControllerContext } from './types.js';
import { errorMessage } from './util.js';

export interface ControllerManager {
  readonly port: number;
  readonly identity: string;
  isLeader(): boolean;
  stop(): Promise<void>;
}

function buildControllers(o: ControllerManagerOptions, ctx: ControllerContext): Map<ControllerName, Controller> {
  const make: Record<ControllerName, () => Controller> = {
    'replicaset': () => new ReplicaSetController(ctx),
    'replicationcontroller': () => newReplicationControllerController(ctx),
    'deployment': () => new DeploymentController(ctx),
    'garbage-collector': () => new GarbageCollector(ctx),
    'namespace': () => new NamespaceController(ctx),
    'endpoints': () => new EndpointsController(ctx),
    'serviceaccount': () => new ServiceAccountController(ctx),
    'node-lifecycle': () => new NodeLifecycleController(ctx, { monitorPeriodMs: o.nodeMonitorPeriodMs,
      gracePeriodMs: o.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: o.podEvictionTimeoutMs,
      evictionRate: o.nodeEvictionRate, secondaryEvictionRate: o.secondaryNodeEvictionRate }),
    'podgc': () => new PodGcController(ctx, o.terminatedPodGcThreshold),
    'daemonset': () => new DaemonSetController(ctx),
    'job': () => new JobController(ctx),
    'cronjob': () => new CronJobController(ctx),
    'statefulset': () => new StatefulSetController(ctx),
  };
  const out = new Map<ControllerName, Controller>();
  for (const name of o.controllers) out.set(name, make[name]());
  return out;
}

function metricsFor(registry: Registry, controllers: Map<ControllerName, Controller>, leading: () => boolean,
  name: string): Histogram<'controller' | 'outcome'> {
  const h = new Histogram({ name: 'flotilla_controller_sync_duration_seconds', help: 'Duration of one sync(key)',
    labelNames: ['controller', 'outcome'] as const, registers: [registry],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] });
  new Gauge({ name: 'flotilla_controller_queue_depth', help: 'Keys waiting in each controller queue',
    labelNames: ['controller'] as const, registers: [registry],
    collect() { for (const [n, c] of controllers) this.set({ controller: n }, c.queueLength()); } });
  // kube's leader-election metric name and label.
  new Gauge({ name: 'leader_election_master_status', help: '1 while this process leads', labelNames: ['name'] as const,
    registers: [registry], collect() { this.set({ name }, leading() ? 1 : 0); } });
  return h;
}

async function listen(o: ControllerManagerOptions, registry: Registry, ready: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then((t) => res.writeHead(200, { 'content-type': registry.contentType }).end(t),
        (e: Error) => res.writeHead(500).end(e.message));
    } else if (path === '/livez' || path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      const ok = ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'informers not synced');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /livez or /readyz\n');
    }
  });
  server.maxConnections = ADMIN_CONNECTIONS_MAX;
  server.requestTimeout = ADMIN_REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new ControllerConfigError('--secure-port', `cannot listen on ${o.bindAddress}:${o.securePort}: ${e.message}`)));
    server.listen(o.securePort, o.bindAddress, () => resolve());
  });
  return server;
}

export async function startControllerManager(o: ControllerManagerOptions, log: Logger = pino({
  base: { component: 'controller-manager' } })): Promise<ControllerManager> {
  const api = ApiClient.fromKubeconfig(o.kubeconfig, { qps: o.kubeApiQps, burst: o.kubeApiBurst,
    userAgent: 'flotilla-controller-manager' });
  const client = new LeaderGatedClient(api);
  const informers = new InformerFactory(api, log);
  const recorder = new EventRecorder(client, systemClock, log, o.identity.split('_')[0] ?? '');
  const registry = new Registry();
  let leading = false;
  const controllers = new Map<ControllerName, Controller>();
  const hist = metricsFor(registry, controllers, () => leading, o.leaderElectName);
  const termsStarted = new Counter({ name: 'flotilla_controller_manager_terms_total', help: 'Leadership terms started',
    registers: [registry] });
  const ctx: ControllerContext = { client, informers, events: (c) => recorder.forComponent(c), clock: systemClock, log,
    metrics: { observeSync: (c, s, outcome) => hist.observe({ controller: c, outcome }, s) } };
  for (const [n, c] of buildControllers(o, ctx)) controllers.set(n, c);
  informers.start();
  const server = await listen(o, registry, () => informers.all().every((i) => i.hasSynced()));
  let running: Promise<unknown> = Promise.resolve();

  const lead = async (signal: AbortSignal): Promise<void> => {
    const t0 = performance.now();
    // Every in-flight request of the term listens on this signal.
    setMaxListeners(0, signal);
    client.setTerm(signal);
    leading = true;
    termsStarted.inc();
    log.info({ identity: o.identity }, 'became leader; waiting for caches');
    const syncTimeout = AbortSignal.any([signal, AbortSignal.timeout(INFORMER_SYNC_TIMEOUT_MS)]);
    if (!(await informers.waitForSync(syncTimeout)) && !signal.aborted) log.warn({}, 'caches not synced in time; starting anyway');
    if (signal.aborted) return;
    log.info({ controllers: [...controllers.keys()], startMs: Math.round(performance.now() - t0) }, 'controllers started');
    running = Promise.all([...controllers].map(([n, c]) => c.run(signal, o.workers[n]).catch((e: unknown) =>
      log.error({ controller: n, err: errorMessage(e) }, 'controller stopped with an error'))));
    await running;
  };

  const stopLeading = (): void => {
    leading = false;
    client.setTerm(undefined);
    log.warn({ identity: o.identity }, 'leadership lost: workers stopped, queues dropped; standing by');
  };

  let elector: LeaderElector | undefined;
  let soloTerm: AbortController | undefined;
  if (o.leaderElect) {
    elector = new LeaderElector({ client: api, namespace: o.leaderElectNamespace, name: o.leaderElectName,
      identity: o.identity, leaseDurationMs: o.leaseDurationMs, renewDeadlineMs: o.renewDeadlineMs,
      retryPeriodMs: o.retryPeriodMs, onStartedLeading: lead, onStoppedLeading: stopLeading,
      onNewLeader: (id) => log.info({ leader: id }, 'new leader observed'),
      onError: (e) => log.debug({ err: errorMessage(e) }, 'leader election attempt failed') });
    void elector.run();
  } else {
    soloTerm = new AbortController();
    void lead(soloTerm.signal);
  }

  return {
    port: (server.address() as { port: number }).port,
    identity: o.identity,
    isLeader: () => leading,
    stop: async () => {
      soloTerm?.abort();
      const grace = new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref());
      await elector?.stop();
      leading = false;
      await Promise.race([running, grace]);
      await recorder.flush();
      await informers.stop();
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
      api.close();
    },
  };
}

/** The process: start, then stop cleanly on SIGTERM/SIGINT. */
export async function runControllerManager(o: ControllerManagerOptions): Promise<void> {
  const log = pino({ base: { component: 'controller-manager', pid: process.pid } });
  const cm = await startControllerManager(o, log);
  log.info({ port: cm.port, identity: cm.identity, leaderElect: o.leaderElect, controllers: [...o.controllers] },
    'controller-manager started');
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string): void => {
      log.info({ signal: sig }, 'stopping: workers, lease, informers');
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      cm.stop().then(resolve, (e: unknown) => { log.error({ err: errorMessage(e) }, 'stop failed'); resolve(); });
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  log.info({}, 'controller-manager stopped');
}
