// Every bound of the node agent's runtime in one place, units last in the names. Where the
// kubelet has the same bound the value is the kubelet's (the comment names it); the rest are
// ours, chosen so one misbehaving pod costs bounded disk, memory and time.

/** Pod IPs per node: .2–.254 of the node's /24 (.0 is the network, .1 the node, .255 broadcast). */
export const POD_IP_FIRST_HOST = 2;
export const POD_IP_LAST_HOST = 254;

/**
 * Second octets of the pod ranges: 127.10.0.0 – 127.95.255.255. Below is left for 127.0.0.1 and
 * friends; 127.96.0.0/16 is the apiserver's default --service-cluster-ip-range.
 */
export const POD_RANGE_SECOND_OCTET_FIRST = 10;
export const POD_RANGE_SECOND_OCTET_LAST = 95;

/** Nodes addressable by the pod-IP scheme: (95 − 10 + 1) second octets × 256 third octets − 1. */
export const MAX_NODE_INDEX = (POD_RANGE_SECOND_OCTET_LAST - POD_RANGE_SECOND_OCTET_FIRST + 1) * 256 - 1;

/** Size at which a container log is rotated (kubelet: containerLogMaxSize, default 10Mi). */
export const CONTAINER_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** Longest log line written as one CRI record; longer lines are split with the P tag (CRI: 16 KiB). */
export const CRI_LOG_LINE_MAX_BYTES = 16 * 1024;

/** Most log lines kept in memory for `tail` (kubectl logs --tail has no bound; we need one). */
export const LOG_TAIL_LINES_MAX = 100_000;

/** How often `readLogs({follow: true})` looks for new bytes. */
export const LOG_FOLLOW_POLL_MS = 200;

/** How often the runtime checks whether adopted (not our children) processes are still alive. */
export const ADOPTED_PROCESS_POLL_MS = 500;

/** How often stopContainer checks whether the process group is gone. */
export const STOP_POLL_MS = 20;

/** Longest grace period honoured by stopContainer (kubelet has none; one day keeps timers sane). */
export const STOP_GRACE_PERIOD_SECONDS_MAX = 24 * 60 * 60;

/** Containers one runtime tracks (live plus the kept previous instances). */
export const CONTAINERS_PER_RUNTIME_MAX = 10_000;

/** Files in one configMap/secret volume, and bytes of one file (Kubernetes: 1 MiB object size). */
export const VOLUME_FILES_MAX = 1_000;
export const VOLUME_FILE_MAX_BYTES = 1024 * 1024;

/** Bytes of probe response body / exec output kept (kubelet: maxProbeRespBodyLength, 10 KiB). */
export const PROBE_OUTPUT_MAX_BYTES = 10 * 1024;

/** Bytes of exec output kept for an exec probe or exec call. */
export const EXEC_OUTPUT_MAX_BYTES = 64 * 1024;

/** Backoff for crashing containers and failing pulls (kubelet: 10 s initial, 5 min max). */
export const BACKOFF_INITIAL_SECONDS = 10;
export const BACKOFF_MAX_SECONDS = 300;

/** A catalogue file larger than this is refused. */
export const IMAGE_CATALOGUE_MAX_BYTES = 1024 * 1024;

/** How long an exiting container's log pipes may take to drain before its exit is reported anyway. */
export const LOG_DRAIN_MAX_MS = 1_000;
