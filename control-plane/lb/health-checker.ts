// Active health checks: one probe loop per backend. A loop probes, feeds the result to the
// backend's fall/rise state machine (through the pool), and starts the next probe one
// interval after the previous one started (at once if the probe took longer), so probes of
// one backend never overlap. Transitions update the metrics and log one JSON line each.
import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import type { HostPort } from './address.js';
import type { HealthEvent, Transition } from './health-state.js';
import type { LbMetrics } from './metrics.js';
import type { BackendPool } from './pool.js';
import { type ProbeConfig, type ProbeResult, probe as httpProbe } from './probe.js';

export interface HealthCheckConfig extends ProbeConfig {
  intervalMs: number;
}

export type ProbeFn = (target: HostPort, cfg: ProbeConfig, signal?: AbortSignal) => Promise<ProbeResult>;

export class HealthChecker {
  readonly #pool: BackendPool;
  readonly #cfg: HealthCheckConfig;
  readonly #metrics: LbMetrics;
  readonly #log: Logger;
  readonly #probe: ProbeFn;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #stopped = false;

  constructor(pool: BackendPool, cfg: HealthCheckConfig, metrics: LbMetrics, log: Logger, probe: ProbeFn = httpProbe) {
    this.#pool = pool;
    this.#cfg = cfg;
    this.#metrics = metrics;
    this.#log = log;
    this.#probe = probe;
  }

  /** Probe every backend now and keep probing; resolves once the first round has decided every backend. */
  async start(): Promise<void> {
    await Promise.all(this.#pool.backends.map((b) => this.#round(b.id)));
  }

  /** Stop probing; an in-flight probe is aborted. Resolves when no probe is running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.all([...this.#running]);
  }

  /**
   * Feed an event to a backend's state machine and publish its transition, if any (gauge,
   * counter, one log line). The proxy calls this for the passive check.
   */
  report(id: string, event: HealthEvent): Transition | null {
    const t = this.#pool.report(id, event);
    if (t === null) return null;
    this.#metrics.backendHealthy.labels(id).set(t.to === 'up' ? 1 : 0);
    this.#metrics.transitions.labels(id, t.to).inc();
    const healthy = this.#pool.healthyCount;
    const backends = this.#pool.backends.length;
    const fields = { backend: id, from: t.from, to: t.to, reason: t.reason, healthy, backends };
    if (t.to === 'up') this.#log.info(fields, 'backend up');
    else this.#log.warn(fields, 'backend down');
    if (healthy === 0 && t.to === 'down') this.#log.error(fields, 'no healthy backend: new connections are closed at once');
    return t;
  }

  #round(id: string): Promise<void> {
    const run = this.#probeOnce(id).finally(() => this.#running.delete(run));
    this.#running.add(run);
    return run;
  }

  async #probeOnce(id: string): Promise<void> {
    const backend = this.#pool.backends.find((b) => b.id === id);
    if (backend === undefined || this.#stopped) return;
    const startedMs = performance.now();
    const r = await this.#probe(backend.address, this.#cfg, this.#abort.signal);
    if (this.#stopped) return;
    this.#metrics.healthCheckSeconds.labels(id).observe(r.durationMs / 1000);
    if (r.ok) {
      this.report(id, { kind: 'probe-ok' });
    } else {
      this.#metrics.healthCheckFailures.labels(id, r.kind).inc();
      this.report(id, { kind: 'probe-fail', reason: r.reason });
    }
    const delayMs = Math.max(0, this.#cfg.intervalMs - (performance.now() - startedMs));
    this.#timers.set(id, setTimeout(() => {
      this.#timers.delete(id);
      void this.#round(id);
    }, delayMs));
  }
}
