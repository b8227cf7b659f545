// Every bound of the scheduler core, named once. Values follow kube-scheduler's defaults
// where it has one (cited); the rest are Flotilla's bounds (Kubernetes has none).

/** podInitialBackoffSeconds (KubeSchedulerConfiguration default 1 s). */
export const DEFAULT_POD_INITIAL_BACKOFF_MS = 1_000;
/** podMaxBackoffSeconds (default 10 s). */
export const DEFAULT_POD_MAX_BACKOFF_MS = 10_000;
/** DefaultPodMaxInUnschedulablePodsDuration: unschedulable pods are retried after 5 min. */
export const DEFAULT_UNSCHEDULABLE_POD_MAX_STAY_MS = 5 * 60_000;
/** How long an assumed pod whose binding finished may wait for the informer's confirmation (0 = forever). */
export const DEFAULT_ASSUMED_POD_TTL_MS = 15 * 60_000;
/** Pending pods the queue holds (activeQ + backoffQ + unschedulable); add() refuses beyond. */
export const MAX_QUEUED_PODS = 500_000;
/** Cluster events remembered while pods are in flight (QueueingHints' inFlightEvents); beyond, pods retry. */
export const MAX_IN_FLIGHT_EVENTS = 20_000;
/** Nodes the cache accepts. */
export const MAX_NODES = 50_000;
/** minFeasibleNodesToFind: below this many nodes every node is evaluated. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** Adaptive percentage: 50 - nodes/125 (schedule_one.go numFeasibleNodesToFind). */
export const ADAPTIVE_PERCENTAGE_BASE = 50;
export const ADAPTIVE_PERCENTAGE_NODES_PER_POINT = 125;
/** framework.MaxNodeScore / MinNodeScore. */
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;
/** Score plugin weight bounds accepted in the configuration. */
export const MAX_SCORE_WEIGHT = 100;
/** Permit plugins may ask to wait at most 15 min (framework maxTimeout). */
export const MAX_PERMIT_WAIT_MS = 15 * 60_000;
/** DefaultPreemption args defaults: minCandidateNodesPercentage 10, minCandidateNodesAbsolute 100. */
export const DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE = 100;
/** schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: used for scoring pods without requests. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST_BYTES = 200 * 1024 * 1024;
/** InterPodAffinity hardPodAffinityWeight default. */
export const DEFAULT_HARD_POD_AFFINITY_WEIGHT = 1;
/** Distinct quantity strings whose parsed value is cached. */
export const MAX_QUANTITY_CACHE_ENTRIES = 4_096;
/** Size of a KubeSchedulerConfiguration document and number of profiles. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_PROFILES = 16;
/** Reasons listed in a FitError message (each aggregated with a count; Kubernetes has no bound). */
export const MAX_FIT_ERROR_REASONS = 64;
