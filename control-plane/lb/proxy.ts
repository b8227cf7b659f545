// The TCP listener: admits each connection up to the concurrency limit, hands it to a
// Relay with the next healthy backend in round-robin order, and on shutdown stops
// accepting, waits for the active connections up to a grace period, then closes the rest.
import { type Server, type Socket, createServer } from 'node:net';
import type { Logger } from 'pino';
import { type HostPort, formatHostPort } from './address.js';
import { LbListenError } from './errors.js';
import { LOG_REPEAT_INTERVAL_MS, LOG_REPEAT_KEYS_MAX, TCP_KEEPALIVE_INITIAL_DELAY_MS } from './limits.js';
import { RepeatLimiter } from '../../lib/repeat-limiter.js';
import type { LbMetrics, RefuseReason } from './metrics.js';
import type { Backend, BackendPool } from './pool.js';
import { Relay, type RelayHost, type RelayTimeouts } from './relay.js';

export interface ProxyConfig extends RelayTimeouts {
  maxConnections: number;
}

export interface ProxyDeps {
  pool: BackendPool;
  metrics: LbMetrics;
  log: Logger;
  /** A client connection could not reach `backend` (the passive check hooks in here). */
  onConnectError(backend: Backend, err: Error): void;
}

export class TcpProxy {
  readonly #cfg: ProxyConfig;
  readonly #deps: ProxyDeps;
  readonly #server: Server;
  readonly #relays = new Set<Relay>();
  readonly #host: RelayHost;
  readonly #repeats = new RepeatLimiter({ intervalMs: LOG_REPEAT_INTERVAL_MS, keysMax: LOG_REPEAT_KEYS_MAX });
  #idleWaiters: (() => void)[] = [];
  #accepting = false;
  #closed: Promise<void> | undefined;

  constructor(cfg: ProxyConfig, deps: ProxyDeps) {
    this.#cfg = cfg;
    this.#deps = deps;
    this.#server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true, keepAlive: true,
      keepAliveInitialDelay: TCP_KEEPALIVE_INITIAL_DELAY_MS }, (client) => this.#onConnection(client));
    this.#server.on('error', (err) => this.#warn('accept', { err: err.message }, 'listener error'));
    this.#host = this.#relayHost();
  }

  get activeConnections(): number {
    return this.#relays.size;
  }

  /** Bytes buffered in user space across all connections (back-pressure keeps this small). */
  get bufferedBytes(): number {
    let n = 0;
    for (const r of this.#relays) n += r.bufferedBytes;
    return n;
  }

  /** Listen; resolves with the port actually bound (for port 0). */
  listen(addr: HostPort): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new LbListenError('client connections', formatHostPort(addr), err));
      this.#server.once('error', onError);
      this.#server.listen(addr.port, addr.host, () => {
        this.#server.off('error', onError);
        this.#accepting = true;
        resolve((this.#server.address() as { port: number }).port);
      });
    });
  }

  /**
   * Stop accepting, let active connections finish for up to `graceMs`, then close the rest.
   * Resolves with the number closed by force. Idempotent in effect: a second call waits too.
   */
  async shutdown(graceMs: number): Promise<number> {
    this.#accepting = false;
    this.#closed ??= new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
    if (this.#relays.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    const forced = this.#relays.size;
    if (forced > 0) {
      this.#deps.log.warn({ connections: forced, graceMs }, 'grace period over: closing active connections');
      this.#deps.metrics.forcedCloses.inc(forced);
      for (const r of [...this.#relays]) r.close();
    }
    await this.#closed;
    return forced;
  }

  #onConnection(client: Socket): void {
    const { metrics } = this.#deps;
    metrics.accepted.inc();
    if (!this.#accepting || this.#relays.size >= this.#cfg.maxConnections) {
      // Beyond the limit: close at once rather than queue; the client retries or fails fast.
      this.#refuse('limit', client);
      client.on('error', () => {});
      client.destroy();
      return;
    }
    const relay = new Relay(client, this.#host);
    this.#relays.add(relay);
    metrics.active.set(this.#relays.size);
    relay.start();
  }

  #refuse(reason: RefuseReason, client: Socket): void {
    this.#deps.metrics.refused.labels(reason).inc();
    const why = reason === 'limit' && !this.#accepting ? 'shutting down' : reason;
    this.#warn(`refused:${reason}`, { reason: why, remote: `${client.remoteAddress}:${client.remotePort}`,
      active: this.#relays.size, maxConnections: this.#cfg.maxConnections }, 'connection refused');
  }

  #warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const skipped = this.#repeats.allow(key);
    if (skipped >= 0) this.#deps.log.warn({ ...fields, ...(skipped > 0 ? { repeatsSkipped: skipped } : {}) }, msg);
  }

  #relayHost(): RelayHost {
    const { pool, metrics } = this.#deps;
    return {
      timeouts: this.#cfg,
      pick: (exclude) => pool.pick(exclude),
      onRefused: (reason, client) => this.#refuse(reason, client),
      onConnectError: (backend, err) => {
        metrics.connectErrors.labels(backend.id).inc();
        this.#warn(`connect:${backend.id}`, { backend: backend.id, err: err.message }, 'backend connect failed');
        this.#deps.onConnectError(backend, err);
      },
      onConnected: (backend) => {
        metrics.backendConnections.labels(backend.id).inc();
        const bytesIn = metrics.bytes.labels(backend.id, 'in');
        const bytesOut = metrics.bytes.labels(backend.id, 'out');
        return { bytesIn: (n) => bytesIn.inc(n), bytesOut: (n) => bytesOut.inc(n) };
      },
      onDone: (relay) => {
        this.#relays.delete(relay);
        metrics.active.set(this.#relays.size);
        if (this.#relays.size === 0) {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const w of waiters) w();
        }
      },
    };
  }
}
