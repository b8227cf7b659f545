// Every bound of the controller-manager in one place. Values follow kube-controller-manager's
// defaults where it has one (named in each comment); the rest are Flotilla's.

/** ReplicaSet/RC: pods created or deleted by one sync at most (kube: burstReplicas = 500). */
export const BURST_REPLICAS = 500;
/** First batch of the slow-start create loop; doubles after each fully successful batch (kube: 1). */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
/** Expectations older than this count as fulfilled: a lost watch event cannot wedge a controller (kube: 5 min). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;
/** Status update attempts against a fresh copy after a conflict (kube: statusUpdateRetries = 1, plus the first). */
export const STATUS_UPDATE_ATTEMPTS = 2;

/** DaemonSet: pods created or deleted by one sync at most (kube: daemon BurstReplicas = 250). */
export const DAEMONSET_BURST_REPLICAS = 250;

/** Job: pods created or deleted by one sync at most (kube: job controller maxPodCreateDeletePerSync = 500). */
export const JOB_PODS_PER_SYNC_MAX = 500;
/** Job: delay before re-creating pods after a failure, doubled per failure (kube DefaultJobPodFailureBackOff 10 s). */
export const JOB_POD_FAILURE_BACKOFF_MS = 10_000;
/** ... capped (kube MaxJobPodFailureBackOff 10 min). */
export const JOB_POD_FAILURE_BACKOFF_MAX_MS = 600_000;

/** CronJob: requeue this long after the next schedule time (kube nextScheduleDelta 100 ms). */
export const CRONJOB_NEXT_SCHEDULE_DELTA_MS = 100;
/** CronJob: finished jobs deleted per sync at most (history cleanup). */
export const CRONJOB_HISTORY_DELETES_PER_SYNC_MAX = 100;

/** StatefulSet: pods created by one sync at most when podManagementPolicy is Parallel (kube: burstReplicas 500). */
export const STATEFULSET_BURST_REPLICAS = 500;

/** Deployments: revisions scanned when computing the next revision number (sanity bound). */
export const MAX_REPLICASETS_PER_DEPLOYMENT = 10_000;
/** How many times the pod-template-hash may collide before we give up (kube: unbounded int32). */
export const MAX_COLLISION_COUNT = 1_000;

/** Events: distinct (object, reason, message) series remembered for aggregation (kube: LRU of 4096). */
export const EVENT_CACHE_ENTRIES_MAX = 4096;
/** Events: in-flight event writes; more are dropped (kube's broadcaster drops when its channel is full). */
export const EVENT_WRITES_IN_FLIGHT_MAX = 256;
/** Events: message length cap (kube truncates at 1 KiB for events.k8s.io; core/v1 has no cap). */
export const EVENT_MESSAGE_CHARS_MAX = 1024;

/** Namespace controller: re-check a terminating namespace this often while content remains. */
export const NAMESPACE_RECHECK_MS = 1000;
/** Namespace controller: objects deleted per resource per sync. */
export const NAMESPACE_DELETES_PER_RESOURCE_MAX = 5000;

/** Endpoints: addresses per subset before truncation (kube: maxCapacity = 1000, annotation over-capacity). */
export const ENDPOINTS_MAX_ADDRESSES = 1000;

/** Garbage collector: dependents deleted or patched per owner per sync. */
export const GC_DEPENDENTS_PER_SYNC_MAX = 1000;

/** Node lifecycle: how often node health is checked (kube --node-monitor-period 5 s; fast profile 500 ms). */
export const NODE_MONITOR_PERIOD_MS = 5000;
export const FAST_NODE_MONITOR_PERIOD_MS = 500;
/** Node lifecycle: --node-monitor-grace-period (kube 40 s; fast profile 4 s). */
export const NODE_MONITOR_GRACE_PERIOD_MS = 40_000;
export const FAST_NODE_MONITOR_GRACE_PERIOD_MS = 4000;
/** Node lifecycle: default tolerationSeconds for not-ready/unreachable (kube DefaultTolerationSeconds 300 s). */
export const POD_EVICTION_TIMEOUT_MS = 300_000;
export const FAST_POD_EVICTION_TIMEOUT_MS = 2000;
/** Node lifecycle: nodes tainted NoExecute per second in a healthy zone (kube --node-eviction-rate 0.1). */
export const NODE_EVICTION_RATE = 0.1;
/** ... in a partially disrupted zone of a large cluster (kube --secondary-node-eviction-rate 0.01). */
export const SECONDARY_NODE_EVICTION_RATE = 0.01;
/** A zone with more than this fraction of nodes unhealthy (and > 2 of them) is partially disrupted (kube 0.55). */
export const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** Clusters up to this size stop tainting in a partially disrupted zone (kube --large-cluster-size-threshold). */
export const LARGE_CLUSTER_SIZE_THRESHOLD = 50;
/** Node lifecycle: pods deleted per node per sync. */
export const EVICTIONS_PER_NODE_SYNC_MAX = 500;

/** Pod GC: terminated pods kept before the oldest are deleted (kube --terminated-pod-gc-threshold 12500). */
export const TERMINATED_POD_GC_THRESHOLD = 12_500;
/** Pod GC: how often it runs (kube gcCheckPeriod 20 s). */
export const POD_GC_PERIOD_MS = 20_000;
/** Pod GC: a pod bound to a missing node goes only after the node has been missing this long (kube 40 s). */
export const POD_GC_ORPHAN_QUARANTINE_MS = 40_000;
/** Pod GC: deletions per pass. */
export const POD_GC_DELETES_PER_PASS_MAX = 500;

/** Workers per controller unless a --concurrent-*-syncs flag says otherwise (kube defaults). */
export const DEFAULT_WORKERS = {
  deployment: 5, replicaset: 5, replicationcontroller: 5, 'garbage-collector': 20, namespace: 10, endpoints: 5,
  serviceaccount: 1, 'node-lifecycle': 1, daemonset: 2, podgc: 1, job: 5, cronjob: 5, statefulset: 5,
} as const;

/** Sync attempts for one key before it is dropped (kube controllers retry 15 times, then forget). */
export const SYNC_MAX_RETRIES = 15;
/** Rate-limited requeue: per-key exponential backoff bounds (kube: 5 ms .. 1000 s). */
export const REQUEUE_BASE_MS = 5;
export const REQUEUE_MAX_MS = 1000_000;
/** Keys waiting in one controller's queue at most. */
export const QUEUE_LENGTH_MAX = 100_000;

/** Informers: how long the manager waits for the first lists before controllers start anyway. */
export const INFORMER_SYNC_TIMEOUT_MS = 60_000;
/** Admin HTTP server (/metrics, /livez, /readyz). */
export const ADMIN_CONNECTIONS_MAX = 64;
export const ADMIN_REQUEST_TIMEOUT_MS = 10_000;
/** SIGTERM: how long workers get to finish before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 5000;
