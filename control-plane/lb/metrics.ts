// The load balancer's Prometheus metrics, one registry per instance (several balancers
// can run in one test process). Label values are bounded: `backend` is one of at most
// BACKENDS_MAX configured addresses, `reason` and `direction` are fixed sets.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProbeFailureKind } from './probe.js';

/** Why an accepted connection was closed without being proxied. */
export type RefuseReason = 'limit' | 'no_healthy_backend' | 'backends_failed';

export interface LbMetrics {
  readonly registry: Registry;
  readonly accepted: Counter;
  readonly active: Gauge;
  readonly refused: Counter<'reason'>;
  readonly backendHealthy: Gauge<'backend'>;
  readonly healthCheckSeconds: Histogram<'backend'>;
  readonly healthCheckFailures: Counter<'backend' | 'reason'>;
  readonly bytes: Counter<'backend' | 'direction'>;
  readonly backendConnections: Counter<'backend'>;
  readonly connectErrors: Counter<'backend'>;
  readonly passiveDowns: Counter<'backend'>;
  readonly transitions: Counter<'backend' | 'to'>;
  readonly forcedCloses: Counter;
}

export const REFUSE_REASONS: readonly RefuseReason[] = ['limit', 'no_healthy_backend', 'backends_failed'];
export const PROBE_FAILURE_KINDS: readonly ProbeFailureKind[] = ['connect', 'timeout', 'status', 'tls', 'error'];

export function createLbMetrics(backendIds: readonly string[], processMetrics: boolean): LbMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'flotilla_lb_' });
  const registers = [registry];
  const m: LbMetrics = {
    registry,
    accepted: new Counter({ name: 'flotilla_lb_connections_accepted_total', registers,
      help: 'Client connections accepted from the listen socket (refused ones included)' }),
    active: new Gauge({ name: 'flotilla_lb_connections_active', registers,
      help: 'Client connections being proxied or connecting to a backend' }),
    refused: new Counter({ name: 'flotilla_lb_connections_refused_total', labelNames: ['reason'], registers,
      help: 'Accepted connections closed without being proxied: limit (--max-connections reached), ' +
        'no_healthy_backend, backends_failed (every backend tried failed to connect)' }),
    backendHealthy: new Gauge({ name: 'flotilla_lb_backend_healthy', labelNames: ['backend'], registers,
      help: '1 if the backend is in rotation (passed its health checks), else 0' }),
    healthCheckSeconds: new Histogram({ name: 'flotilla_lb_health_check_duration_seconds', labelNames: ['backend'],
      registers, help: 'Duration of health probes, passed and failed',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5] }),
    healthCheckFailures: new Counter({ name: 'flotilla_lb_health_check_failures_total',
      labelNames: ['backend', 'reason'], registers,
      help: 'Failed health probes by reason: connect, timeout, status (not 2xx/3xx), tls, error' }),
    bytes: new Counter({ name: 'flotilla_lb_backend_bytes_total', labelNames: ['backend', 'direction'], registers,
      help: 'Bytes proxied: direction="in" from clients to the backend, "out" from the backend to clients' }),
    backendConnections: new Counter({ name: 'flotilla_lb_backend_connections_total', labelNames: ['backend'], registers,
      help: 'Client connections proxied to the backend (connected)' }),
    connectErrors: new Counter({ name: 'flotilla_lb_backend_connect_errors_total', labelNames: ['backend'], registers,
      help: 'Failed or timed-out connects to the backend for client connections' }),
    passiveDowns: new Counter({ name: 'flotilla_lb_backend_passive_downs_total', labelNames: ['backend'], registers,
      help: 'Times the passive check took the backend out of rotation at a connect error' }),
    transitions: new Counter({ name: 'flotilla_lb_backend_transitions_total', labelNames: ['backend', 'to'], registers,
      help: 'Health transitions of the backend, by new state (up or down)' }),
    forcedCloses: new Counter({ name: 'flotilla_lb_shutdown_forced_closes_total', registers,
      help: 'Connections closed at shutdown because the grace period ran out' }),
  };
  // Every series exists from the start, so dashboards and tests see zeros, not gaps.
  for (const r of REFUSE_REASONS) m.refused.labels(r).inc(0);
  for (const b of backendIds) {
    m.backendHealthy.labels(b).set(0);
    m.connectErrors.labels(b).inc(0);
    m.backendConnections.labels(b).inc(0);
    m.bytes.labels(b, 'in').inc(0);
    m.bytes.labels(b, 'out').inc(0);
    for (const k of PROBE_FAILURE_KINDS) m.healthCheckFailures.labels(b, k).inc(0);
  }
  return m;
}
