// The apiserver's Prometheus metrics, named as kube-apiserver's where one exists.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ApiServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'apiserver_request_total', help: 'Requests by verb, resource and code',
    labelNames: ['verb', 'group', 'resource', 'subresource', 'code'], registers: [this.registry] });
  readonly latency = new Histogram({ name: 'apiserver_request_duration_seconds',
    help: 'Request latency by verb and resource (watches excluded)', labelNames: ['verb', 'resource'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly inflight = new Gauge({ name: 'apiserver_current_inflight_requests', help: 'Requests being served',
    labelNames: ['request_kind'], registers: [this.registry] });
  readonly watches = new Gauge({ name: 'apiserver_longrunning_requests', help: 'Open watches',
    registers: [this.registry] });
  readonly rejected = new Counter({ name: 'apiserver_dropped_requests_total', help: 'Requests refused with 429',
    labelNames: ['request_kind'], registers: [this.registry] });
  readonly cacheRevision = new Gauge({ name: 'flotilla_apiserver_watch_cache_revision',
    help: 'The store revision the watch cache has caught up with', registers: [this.registry] });

  constructor(processMetrics: boolean) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
