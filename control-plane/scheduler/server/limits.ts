// Every bound and default of the scheduler process (`flotilla scheduler`), named once, units last.
// Where kube-scheduler has the same knob the comment names it; the rest are Flotilla's bounds.

/**
 * Bindings in flight at once; the loop stops popping pods while this many POSTs are pending.
 * kube-scheduler binds in unbounded goroutines; ours is a bound. At 64, the scheduling bench
 * on a loaded 2-core machine sat at the cap (mean 53 in flight, 0.5 s per bind): throughput
 * was bind latency, not CPU. 128 plus the bench's 64 creating clients stays under the
 * apiserver's 200 mutating requests in flight (maxMutatingRequestsInflight).
 */
export const MAX_BINDS_IN_FLIGHT = 128;

/** Housekeeping period: backoff flush, leftover unschedulable pods, assumed-pod TTL (kube-scheduler: 1 s). */
export const TICK_INTERVAL_MS = 1_000;

/** The loop yields to the event loop after this much back-to-back scheduling (watch events, lease renewals). */
export const SCHEDULE_YIELD_AFTER_MS = 5;

/** Client-side rate limit of the scheduler's API client (kube-scheduler's clientConnection: 50 / 100). */
export const DEFAULT_KUBE_API_QPS = 1_000;
export const DEFAULT_KUBE_API_BURST = 2_000;

/** Sockets to the apiserver: enough for every bind in flight plus events and the lease. */
export const API_MAX_SOCKETS = MAX_BINDS_IN_FLIGHT + 16;

/** Timeout of one bind request (the core requeues the pod when it fails). */
export const BIND_TIMEOUT_MS = 30_000;

/** Leader election (kube-scheduler: --leader-elect-resource-namespace / -name). */
export const DEFAULT_LEASE_NAMESPACE = 'kube-system';
export const DEFAULT_LEASE_NAME = 'kube-scheduler';

/** kube-scheduler's secure port; Flotilla serves /metrics, /livez, /readyz on it over plain HTTP. */
export const DEFAULT_SECURE_PORT = 10259;
export const DEFAULT_BIND_ADDRESS = '127.0.0.1';

/** Pending API writes (events, pod status patches, preemption deletes); beyond this they are dropped. */
export const MAX_PENDING_WRITES = 10_000;
/** Writes in flight at once (they never hold up scheduling or binding). */
export const WRITE_CONCURRENCY = 8;

/**
 * Event aggregation per pod (client-go's EventCorrelator: similar events are counted into one;
 * its spam filter gives each object a bucket of 25 refilled once per 5 min). Ours: a repeat of
 * the pod's last event (same reason and message) bumps its count, patched at most once per
 * EVENT_SERIES_FLUSH_MS; a new message takes a token from the pod's bucket.
 */
export const EVENT_BURST_PER_POD = 5;
export const EVENT_REFILL_INTERVAL_MS = 60_000;
export const EVENT_SERIES_FLUSH_MS = 5_000;
/** Pods whose event state is remembered (least recently used forgotten first). */
export const MAX_EVENT_PODS = 20_000;
/** Event messages are cut to this (kube-scheduler truncates FailedScheduling messages to 1024 bytes). */
export const MAX_EVENT_MESSAGE_CHARS = 1_024;

/** Pods remembered as bound by someone else after a 409, until the informer confirms it. */
export const MAX_ASSIGNED_ELSEWHERE = 10_000;

/** On SIGTERM: how long in-flight binds may finish before the lease is released anyway. */
export const SHUTDOWN_BIND_WAIT_MS = 2_000;
/** On SIGTERM: the whole shutdown, after which the process exits regardless. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Largest --config file read. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
