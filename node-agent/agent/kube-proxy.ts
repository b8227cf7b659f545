// kube-proxy's control loop (pkg/proxy: ServiceConfig/EndpointsConfig handlers + syncRunner) on
// top of the userspace data path in ../proxy: Service and Endpoints informers; any change asks
// for a sync, syncs run at most every minSyncPeriod and at least every syncPeriod, and each sync
// hands the full lists to ServiceProxy.update (level-triggered, as syncProxyRules is).
//
// Several agents on one machine: cluster IPs (127.96.0.0/16) are machine-wide, so only one
// kube-proxy per machine can own a clusterIP:port listener. Run kube-proxy on one agent
// (--kube-proxy). If two do, the second's binds fail with EADDRINUSE: that is logged once per
// address, not fatal, and retried every sync, so the second takes over within a retry period
// after the first exits. NodePort listeners are on each node's own address and never clash.
import type { Logger } from 'pino';
import type { Endpoints, Service } from '../../control-plane/api/index.js';
import { type ApiClient, SharedInformer } from '../../control-plane/client/index.js';
import { ENDPOINTS, SERVICES } from '../kubelet/index.js';
import { ServiceProxy, type ProxyUpdateResult } from '../proxy/index.js';
import { PROXY_MIN_SYNC_PERIOD_MS, PROXY_SYNC_PERIOD_MS } from './limits.js';

export interface KubeProxyOptions {
  client: ApiClient;
  log: Logger;
  /** The node's address for NodePort listeners; none: no NodePort listeners. */
  nodeAddress?: string;
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
}

export interface KubeProxyMetrics {
  syncs: number;
  listeners: number;
  bindErrors: number;
  lastSyncMs: number;
}

export class KubeProxy {
  readonly proxy: ServiceProxy;
  readonly services: SharedInformer<Service>;
  readonly endpoints: SharedInformer<Endpoints>;
  readonly metrics: KubeProxyMetrics = { syncs: 0, listeners: 0, bindErrors: 0, lastSyncMs: 0 };
  readonly #o: KubeProxyOptions;
  readonly #reported = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #periodic: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #pending = false;
  #lastSyncAt = 0;
  #stopped = false;

  constructor(o: KubeProxyOptions) {
    this.#o = o;
    this.proxy = new ServiceProxy(o.nodeAddress !== undefined ? { nodeAddress: o.nodeAddress } : {});
    const onError = (e: unknown): void => o.log.warn({ err: (e as Error).message }, 'kube-proxy watch failed; retrying');
    this.services = new SharedInformer<Service>(o.client, SERVICES, { onError });
    this.endpoints = new SharedInformer<Endpoints>(o.client, ENDPOINTS, { onError });
  }

  async start(): Promise<void> {
    const sync = (): void => this.requestSync();
    const h = { onAdd: sync, onUpdate: sync, onDelete: sync };
    this.services.addEventHandler(h);
    this.endpoints.addEventHandler(h);
    this.services.start();
    this.endpoints.start();
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]);
    await this.sync();
    this.#periodic = setInterval(() => this.requestSync(), this.#o.syncPeriodMs ?? PROXY_SYNC_PERIOD_MS);
  }

  /** BoundedFrequencyRunner.Run: a sync soon, but not sooner than minSyncPeriod after the last. */
  requestSync(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const min = this.#o.minSyncPeriodMs ?? PROXY_MIN_SYNC_PERIOD_MS;
    const wait = Math.max(0, this.#lastSyncAt + min - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.sync();
    }, wait);
  }

  async sync(): Promise<void> {
    if (this.#syncing !== undefined) {
      this.#pending = true;
      return this.#syncing;
    }
    this.#syncing = this.#syncOnce().finally(() => {
      this.#syncing = undefined;
      if (this.#pending) {
        this.#pending = false;
        this.requestSync();
      }
    });
    return this.#syncing;
  }

  async #syncOnce(): Promise<void> {
    if (this.#stopped) return;
    const t0 = Date.now();
    this.#lastSyncAt = t0;
    let r: ProxyUpdateResult;
    try {
      r = await this.proxy.update(this.services.store.list(), this.endpoints.store.list());
    } catch (e) {
      this.#o.log.error({ err: (e as Error).message }, 'kube-proxy sync failed');
      return;
    }
    this.metrics.syncs++;
    this.metrics.listeners = r.listening.length;
    this.metrics.bindErrors = r.errors.length;
    this.metrics.lastSyncMs = Date.now() - t0;
    for (const e of r.errors) {
      if (this.#reported.has(e.address)) continue;
      this.#reported.add(e.address);
      this.#o.log.warn({ address: e.address, servicePort: e.servicePort, err: e.message },
        'cannot listen for a service port (another kube-proxy on this machine owns it?); retrying every sync');
    }
    for (const a of r.listening) this.#reported.delete(a);
    // Retry failed binds sooner than the full sync period.
    if (r.errors.length > 0) setTimeout(() => this.requestSync(), this.#o.minSyncPeriodMs ?? PROXY_MIN_SYNC_PERIOD_MS)
      .unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#periodic);
    await Promise.all([this.services.stop(), this.endpoints.stop()]);
    await this.#syncing;
    await this.proxy.close();
  }
}
