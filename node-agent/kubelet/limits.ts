// Every bound and default period of the kubelet in one place, units last in the names. Where the
// kubelet has the same setting the value is the kubelet's default (the comment names the field of
// KubeletConfiguration); the rest are ours.

/** How often the node's status is computed (nodeStatusUpdateFrequency, 10 s). */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
/** A node status that has not changed is still written this often (nodeStatusReportFrequency, 5 min). */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;
/** The node Lease's duration (nodeLeaseDurationSeconds, 40 s); renewed every quarter of it (renewInterval). */
export const NODE_LEASE_DURATION_SECONDS = 40;
export const NODE_LEASE_RENEW_FRACTION = 0.25;
/** --fast-heartbeat (chaos experiments): a 4 s lease renewed every second, node status every 2 s. */
export const FAST_LEASE_DURATION_SECONDS = 4;
export const FAST_NODE_STATUS_UPDATE_FREQUENCY_MS = 2_000;
/** Retries of the node status write within one update (nodeStatusUpdateRetry, 5). */
export const NODE_STATUS_UPDATE_RETRY = 5;
/** Backoff of the first registration attempt (kubelet: 100 ms doubling to 7 s). */
export const REGISTER_BACKOFF_MIN_MS = 100;
export const REGISTER_BACKOFF_MAX_MS = 7_000;

/** Pods a node admits (maxPods, 110). */
export const DEFAULT_MAX_PODS = 110;
/** How often the kubelet looks for sandboxes of pods no longer bound to it (housekeeping, 2 s). */
export const HOUSEKEEPING_INTERVAL_MS = 2_000;
/** A pod worker re-syncs at least this often even without events (syncFrequency, 1 min). */
export const POD_RESYNC_INTERVAL_MS = 60_000;
/** Retry after a failed sync step (an API error, a volume source not found yet). */
export const POD_SYNC_RETRY_MS = 2_000;
/** Pods whose status writes may be in flight at once. */
export const STATUS_WRITES_IN_FLIGHT_MAX = 32;
/** Concurrent pod syncs (the kubelet has a goroutine per pod; we bound them). */
export const POD_SYNCS_IN_FLIGHT_MAX = 64;

/** Port of the kubelet's HTTP server (--port, 10250). */
export const DEFAULT_KUBELET_PORT = 10250;
/** Concurrent log streams the kubelet's server serves. */
export const LOG_STREAMS_MAX = 256;
/** tailLines beyond this are clamped. */
export const LOG_TAIL_LINES_MAX = 100_000;
/** limitBytes beyond this are clamped. */
export const LOG_LIMIT_BYTES_MAX = 64 * 1024 * 1024;

/** Bytes of one configMap/secret volume the kubelet writes (the apiserver bounds objects at 1 MiB). */
export const VOLUME_SOURCE_MAX_BYTES = 1024 * 1024;
/** $(VAR) references expanded in one string before the rest is kept literally. */
export const ENV_EXPANSIONS_MAX = 1_000;
/** Events the kubelet emits per second before it drops them (kubelet: eventRecordQPS 50, burst 100). */
export const EVENT_QPS = 50;
export const EVENT_BURST = 100;

export const KUBELET_VERSION = 'v1.32.0-flotilla';

/** Concurrent `kubectl exec` sessions the kubelet's server runs (each is a process and a WebSocket). */
export const EXEC_SESSIONS_MAX = 64;
/** Largest WebSocket message an exec client may send (kubectl sends stdin in 32 KiB messages). */
export const EXEC_MESSAGE_MAX_BYTES = 1024 * 1024;
/** Output waiting to go out on one exec WebSocket before the command's stdout/stderr are paused. */
export const EXEC_SEND_BUFFER_MAX_BYTES = 1024 * 1024;
/** Arguments of one exec command, and their total size, the kubelet accepts. */
export const EXEC_ARGS_MAX = 1024;
export const EXEC_ARGS_MAX_BYTES = 128 * 1024;

/** Port-forwarded connections the kubelet's server relays at once (each is a socket to a pod and a WebSocket). */
export const PORT_FORWARD_CONNECTIONS_MAX = 512;
/** Connecting to the pod's port may take this long before the forward fails. */
export const PORT_FORWARD_CONNECT_TIMEOUT_MS = 10_000;
/** Largest WebSocket message the apiserver may send on a relay. */
export const PORT_FORWARD_MESSAGE_MAX_BYTES = 1024 * 1024;
/** Bytes queued towards the apiserver before the pod's socket is no longer read (and back). */
export const PORT_FORWARD_SEND_BUFFER_MAX_BYTES = 1024 * 1024;
