// One node's heartbeats for the kubelet of a real node: registration (retried with backoff),
// the node status loop and the Lease renewal loop (see node-status.ts for what they write).
import type { Lease, Node } from '../../control-plane/api/index.js';
import { type ApiClient, isNotFound, sleep } from '../../control-plane/client/index.js';
import type { Logger } from 'pino';
import {
  NODE_STATUS_UPDATE_RETRY, REGISTER_BACKOFF_MAX_MS, REGISTER_BACKOFF_MIN_MS,
} from './limits.js';
import { NODES } from './resources.js';
import { type NodeConfig, nodeStatus, registerNode, renewNodeLease, statusFingerprint } from './node-status.js';

export interface HeartbeatOptions {
  leaseDurationSeconds: number;
  leaseRenewIntervalMs: number;
  statusUpdateFrequencyMs: number;
  statusReportFrequencyMs: number;
  log: Logger;
}

export interface HeartbeatMetrics {
  leaseRenewals: number;
  leaseRenewFailures: number;
  statusWrites: number;
  statusWriteFailures: number;
}

export class NodeHeartbeat {
  readonly metrics: HeartbeatMetrics = {
    leaseRenewals: 0, leaseRenewFailures: 0, statusWrites: 0, statusWriteFailures: 0,
  };
  readonly #client: ApiClient;
  readonly #cfg: NodeConfig;
  readonly #o: HeartbeatOptions;
  readonly #stop = new AbortController();
  #node: Node | undefined;
  #lease: Lease | undefined;
  #lastWriteMs = 0;
  #timers: NodeJS.Timeout[] = [];

  constructor(client: ApiClient, cfg: NodeConfig, o: HeartbeatOptions) {
    this.#client = client;
    this.#cfg = cfg;
    this.#o = o;
  }

  get node(): Node | undefined {
    return this.#node;
  }

  /** Registers (retrying with backoff until it works or stop()), then starts both loops. */
  async start(): Promise<void> {
    let delay = REGISTER_BACKOFF_MIN_MS;
    while (!this.#stop.signal.aborted) {
      try {
        this.#node = await registerNode(this.#client, this.#cfg, Date.now());
        this.#lastWriteMs = Date.now();
        this.#o.log.info({ node: this.#cfg.nodeName }, 'Successfully registered node');
        break;
      } catch (e) {
        this.#o.log.warn({ err: (e as Error).message, retryMs: delay }, 'Unable to register node with API server');
        await sleep(delay, this.#stop.signal).catch(() => undefined);
        delay = Math.min(delay * 2, REGISTER_BACKOFF_MAX_MS);
      }
    }
    if (this.#stop.signal.aborted) return;
    await this.renewLease();
    this.#loop(() => this.renewLease(), this.#o.leaseRenewIntervalMs);
    this.#loop(() => this.updateStatus(), this.#o.statusUpdateFrequencyMs);
  }

  #loop(fn: () => Promise<void>, everyMs: number): void {
    const tick = (): void => {
      if (this.#stop.signal.aborted) return;
      void fn().finally(() => {
        if (!this.#stop.signal.aborted) this.#timers.push(setTimeout(tick, everyMs));
      });
    };
    this.#timers.push(setTimeout(tick, everyMs));
  }

  async renewLease(): Promise<void> {
    try {
      this.#lease = await renewNodeLease(this.#client, this.#cfg.nodeName, this.#o.leaseDurationSeconds, this.#lease,
        this.#node?.metadata);
      this.metrics.leaseRenewals++;
    } catch (e) {
      this.metrics.leaseRenewFailures++;
      this.#lease = undefined;
      this.#o.log.warn({ err: (e as Error).message }, 'failed to renew the node lease');
    }
  }

  /** updateNodeStatus: tries up to nodeStatusUpdateRetry times; writes only when due. */
  async updateStatus(): Promise<void> {
    for (let i = 0; i < NODE_STATUS_UPDATE_RETRY && !this.#stop.signal.aborted; i++) {
      try {
        const current = await this.#client.get<Node>(NODES, '', this.#cfg.nodeName);
        const now = Date.now();
        const status = nodeStatus(this.#cfg, now, current);
        const changed = statusFingerprint(status) !== statusFingerprint(current.status);
        if (!changed && now - this.#lastWriteMs < this.#o.statusReportFrequencyMs) return;
        this.#node = await this.#client.updateStatus<Node>(NODES, '', { ...current, status });
        this.#lastWriteMs = now;
        this.metrics.statusWrites++;
        return;
      } catch (e) {
        this.metrics.statusWriteFailures++;
        this.#o.log.warn({ err: (e as Error).message, attempt: i + 1 }, 'Error updating node status, will retry');
        // The Node was deleted: register it again (the kubelet exits and is restarted; we re-register).
        if (isNotFound(e)) {
          this.#node = await registerNode(this.#client, this.#cfg, Date.now()).catch(() => undefined);
          return;
        }
      }
    }
  }

  stop(): void {
    this.#stop.abort();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
  }
}
