// The scheduler's Prometheus metrics, named as kube-scheduler's (pkg/scheduler/metrics) and
// client-go's leader election metric where one exists; flotilla_* for the rest.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Queue sizes read at scrape time. */
export interface PendingPodsSource {
  pendingCounts(): { active: number; backoff: number; unschedulable: number } | undefined;
  bindsInFlight(): number;
}

const LATENCY_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096,
  8.192, 16.384];

export class SchedulerMetrics {
  readonly registry = new Registry();
  /** scheduler_schedule_attempts_total{result="scheduled|unschedulable|error", profile}. */
  readonly attempts = new Counter({ name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result', labelNames: ['result', 'profile'],
    registers: [this.registry] });
  /** scheduler_scheduling_attempt_duration_seconds: scheduling algorithm + binding. */
  readonly attemptDuration = new Histogram({ name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)', labelNames: ['result', 'profile'],
    buckets: LATENCY_BUCKETS, registers: [this.registry] });
  /** scheduler_scheduling_algorithm_duration_seconds: the synchronous cycle only. */
  readonly algorithmDuration = new Histogram({ name: 'scheduler_scheduling_algorithm_duration_seconds',
    help: 'Scheduling cycle latency in seconds (filter, score, reserve, permit)', buckets: LATENCY_BUCKETS,
    registers: [this.registry] });
  readonly bindingDuration = new Histogram({ name: 'scheduler_binding_duration_seconds',
    help: 'Latency of the pods/binding POST in seconds', labelNames: ['result'], buckets: LATENCY_BUCKETS,
    registers: [this.registry] });
  readonly pendingPods: Gauge;
  readonly bindsInFlight: Gauge;
  readonly preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total',
    help: 'Total preemption attempts in the cluster till now', registers: [this.registry] });
  readonly preemptionVictims = new Histogram({ name: 'scheduler_preemption_victims',
    help: 'Number of selected preemption victims', buckets: [1, 2, 4, 8, 16, 32, 64], registers: [this.registry] });
  /** client-go's leader election metric: 1 while this instance leads. */
  readonly leader = new Gauge({ name: 'leader_election_master_status',
    help: 'Whether this instance is the leader (1) or not (0)', labelNames: ['name'], registers: [this.registry] });
  readonly events = new Counter({ name: 'flotilla_scheduler_events_total',
    help: 'Events recorded, by what happened to them (created, aggregated, dropped, failed)',
    labelNames: ['outcome'], registers: [this.registry] });
  readonly writesDropped = new Counter({ name: 'flotilla_scheduler_api_writes_dropped_total',
    help: 'Pod status patches, events and preemption deletes dropped because the write queue was full',
    registers: [this.registry] });
  readonly terms = new Counter({ name: 'flotilla_scheduler_leader_terms_total',
    help: 'Times this instance started scheduling (took leadership)', registers: [this.registry] });

  constructor(source: PendingPodsSource, processMetrics: boolean) {
    this.pendingPods = new Gauge({ name: 'scheduler_pending_pods',
      help: 'Number of pending pods, by the queue type', labelNames: ['queue'], registers: [this.registry],
      collect() {
        const c = source.pendingCounts() ?? { active: 0, backoff: 0, unschedulable: 0 };
        this.set({ queue: 'active' }, c.active);
        this.set({ queue: 'backoff' }, c.backoff);
        this.set({ queue: 'unschedulable' }, c.unschedulable);
      } });
    this.bindsInFlight = new Gauge({ name: 'flotilla_scheduler_binds_in_flight',
      help: 'pods/binding POSTs awaiting an answer', registers: [this.registry],
      collect() { this.set(source.bindsInFlight()); } });
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
