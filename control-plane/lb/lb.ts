// The load balancer: backends and their health (pool + checker), the TCP proxy, and the
// admin server, started and stopped in order. `flotilla lb` runs one; tests run several
// in one process.
import { readFileSync, statSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { formatHostPort } from './address.js';
import { type AdminServer, type Readiness, startAdminServer } from './admin.js';
import { LbConfigError } from './errors.js';
import { HealthChecker, type ProbeFn } from './health-checker.js';
import { CONNECTION_HALF_CLOSED_TIMEOUT_MS, CONNECTION_IDLE_TIMEOUT_MS, HEALTH_CA_FILE_MAX_BYTES } from './limits.js';
import { type LbMetrics, createLbMetrics } from './metrics.js';
import type { HealthCheckOptions, LbOptions } from './options.js';
import { BackendPool } from './pool.js';
import { TcpProxy } from './proxy.js';

export interface LbDeps {
  /** JSON logger; default pino to stdout. */
  log?: Logger;
  /** Also export Node process metrics (CPU, memory, event loop); on in the process, off in tests. */
  processMetrics?: boolean;
  /** Replace the HTTP(S) probe (tests). */
  probe?: ProbeFn;
  /** Override the connection idle and half-closed timeouts (tests). */
  idleTimeoutMs?: number;
  halfClosedTimeoutMs?: number;
}

function readCa(h: HealthCheckOptions): string | undefined {
  if (h.caPem !== undefined || h.caFile === undefined) return h.caPem;
  try {
    const size = statSync(h.caFile).size;
    if (size > HEALTH_CA_FILE_MAX_BYTES) {
      throw new LbConfigError('--health-ca', `${h.caFile} is ${size} bytes; a CA bundle is at most ${HEALTH_CA_FILE_MAX_BYTES}`);
    }
    const pem = readFileSync(h.caFile, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new LbConfigError('--health-ca', `${h.caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
    return pem;
  } catch (e) {
    if (e instanceof LbConfigError) throw e;
    throw new LbConfigError('--health-ca', `cannot read ${h.caFile}: ${(e as Error).message}`);
  }
}

export class LoadBalancer {
  readonly options: LbOptions;
  readonly pool: BackendPool;
  readonly metrics: LbMetrics;
  readonly log: Logger;
  readonly #checker: HealthChecker;
  readonly #proxy: TcpProxy;
  #admin: AdminServer | null = null;
  #port = 0;
  #stopping: Promise<number> | undefined;

  private constructor(o: LbOptions, deps: LbDeps) {
    this.options = o;
    this.log = deps.log ?? pino({ base: { component: 'lb' } });
    this.pool = new BackendPool(o.backends, { fall: o.health.fall, rise: o.health.rise });
    this.metrics = createLbMetrics(this.pool.backends.map((b) => b.id), deps.processMetrics ?? false);
    const caPem = readCa(o.health);
    this.#checker = new HealthChecker(this.pool, {
      scheme: o.health.scheme, path: o.health.path, timeoutMs: o.health.timeoutMs, insecure: o.health.insecure,
      intervalMs: o.health.intervalMs, ...(caPem !== undefined ? { caPem } : {}),
    }, this.metrics, this.log, deps.probe);
    this.#proxy = new TcpProxy({
      maxConnections: o.maxConnections, connectTimeoutMs: o.connectTimeoutMs,
      idleTimeoutMs: deps.idleTimeoutMs ?? CONNECTION_IDLE_TIMEOUT_MS,
      halfClosedTimeoutMs: deps.halfClosedTimeoutMs ?? CONNECTION_HALF_CLOSED_TIMEOUT_MS,
    }, {
      pool: this.pool, metrics: this.metrics, log: this.log,
      onConnectError: (backend, err) => {
        if (!o.passiveCheck) return;
        const t = this.#checker.report(backend.id, { kind: 'connect-error', reason: err.message });
        if (t !== null) this.metrics.passiveDowns.labels(backend.id).inc();
      },
    });
  }

  /**
   * Start the admin server, probe every backend once, then accept connections. Throws
   * LbConfigError or LbListenError (and releases what it started) if it cannot.
   */
  static async start(o: LbOptions, deps: LbDeps = {}): Promise<LoadBalancer> {
    const lb = new LoadBalancer(o, deps);
    try {
      if (o.metricsListen !== null) {
        lb.#admin = await startAdminServer(o.metricsListen, lb.metrics.registry, () => lb.readiness());
      }
      await lb.#checker.start();
      lb.#port = await lb.#proxy.listen(o.listen);
    } catch (e) {
      await lb.stop(0);
      throw e;
    }
    lb.log.info({
      listen: formatHostPort({ host: o.listen.host, port: lb.#port }),
      metrics: lb.#admin === null || o.metricsListen === null ? null
        : formatHostPort({ host: o.metricsListen.host, port: lb.#admin.port }),
      backends: lb.pool.backends.map((b) => ({ backend: b.id, status: b.health.status })),
      healthCheck: `${o.health.scheme} GET ${o.health.path} every ${o.health.intervalMs} ms, ` +
        `timeout ${o.health.timeoutMs} ms, fall ${o.health.fall}, rise ${o.health.rise}`,
      passiveCheck: o.passiveCheck, maxConnections: o.maxConnections,
    }, 'lb started');
    return lb;
  }

  /** The port accepting client connections. */
  get port(): number {
    return this.#port;
  }

  /** The port of /metrics, /livez, /readyz; null when not served. */
  get metricsPort(): number | null {
    return this.#admin?.port ?? null;
  }

  get activeConnections(): number {
    return this.#proxy.activeConnections;
  }

  get bufferedBytes(): number {
    return this.#proxy.bufferedBytes;
  }

  readiness(): Readiness {
    if (this.#stopping !== undefined) return { ok: false, detail: 'shutting down' };
    const healthy = this.pool.backends.filter((b) => b.health.status === 'up').map((b) => b.id);
    const n = this.pool.backends.length;
    return healthy.length > 0
      ? { ok: true, detail: `${healthy.length}/${n} backends healthy: ${healthy.join(', ')}` }
      : { ok: false, detail: `0/${n} backends healthy` };
  }

  /**
   * Stop accepting, let active connections finish for up to `graceMs` (default: the
   * --grace-period), close the rest, stop probing and close the admin server. Resolves
   * with the number of connections closed by force. Safe to call more than once.
   */
  stop(graceMs: number = this.options.gracePeriodMs): Promise<number> {
    this.#stopping ??= (async () => {
      this.log.info({ activeConnections: this.activeConnections, graceMs }, 'lb stopping');
      const forced = await this.#proxy.shutdown(graceMs);
      await this.#checker.stop();
      await this.#admin?.close();
      this.log.info({ forcedCloses: forced }, 'lb stopped');
      return forced;
    })();
    return this.#stopping;
  }
}
