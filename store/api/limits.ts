// Every bound of the etcd v3 gRPC API layer in one place, with its unit in its name. Where
// etcd has the same knob the value is etcd's default and the comment names the flag.

/** Largest request a write may carry (etcd --max-request-bytes, default 1.5 MiB). */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/**
 * Slack etcd adds on top of MAX_REQUEST_BYTES for the gRPC receive limit (etcd
 * grpcOverheadBytes): requests between the two reach the server and are refused with
 * "etcdserver: request is too large"; larger ones are refused by gRPC itself.
 */
export const GRPC_OVERHEAD_BYTES = 512 * 1024;

/** gRPC receive limit per message (etcd: MaxRecvMsgSize = max request bytes + overhead). */
export const MAX_RECEIVE_MESSAGE_BYTES = MAX_REQUEST_BYTES + GRPC_OVERHEAD_BYTES;

/**
 * Watch responses of a `fragment` watcher are split at this size (etcd uses max request
 * bytes plus overhead for it too).
 */
export const WATCH_FRAGMENT_BYTES = MAX_RECEIVE_MESSAGE_BYTES;

/** Most entries in a txn's compare, success or failure list (etcd --max-txn-ops, default 128). */
export const MAX_TXN_OPS = 128;

/** Most concurrent HTTP/2 streams one client connection may open. */
export const MAX_CONCURRENT_STREAMS_PER_CONNECTION = 10_000;

/** Most open Watch streams on the server; past it a new one is refused ("too many requests"). */
export const MAX_WATCH_STREAMS = 10_000;

/** Most open LeaseKeepAlive streams on the server. */
export const MAX_KEEPALIVE_STREAMS = 10_000;

/** Most open Snapshot streams at once (each holds a whole snapshot in memory). */
export const MAX_SNAPSHOT_STREAMS = 4;

/** Most unary calls being served at once; past it a call is refused ("too many requests"). */
export const MAX_INFLIGHT_UNARY_CALLS = 10_000;

/** Watch responses taken from the backend per poll before yielding to the event loop. */
export const WATCH_POLL_BATCH_RESPONSES = 64;

/** Distinct 64-bit IDs whose wire form codec.ts keeps (a server has one cluster and one member ID). */
export const ID_BITS_MEMO_ENTRIES = 16;

/** Keep-alive requests queued on one stream while the previous renewal is pending. */
export const MAX_PENDING_KEEPALIVES_PER_STREAM = 1024;

/** Snapshot blob bytes per SnapshotResponse (etcd snapshotSendBufferSize = 32 KiB). */
export const SNAPSHOT_CHUNK_BYTES = 32 * 1024;

/** How long close() waits for in-flight calls before cutting connections. */
export const CLOSE_GRACE_MS = 5_000;

/** Server keep-alive ping interval to idle clients (etcd --grpc-keepalive-interval, 2 h). */
export const GRPC_KEEPALIVE_INTERVAL_MS = 2 * 60 * 60 * 1000;

/** How long a keep-alive ping may go unanswered (etcd --grpc-keepalive-timeout, 20 s). */
export const GRPC_KEEPALIVE_TIMEOUT_MS = 20_000;

/** Most frequent client pings tolerated (etcd --grpc-keepalive-min-time, 5 s). */
export const GRPC_KEEPALIVE_MIN_TIME_MS = 5_000;

// ---- The single-member local backend (local-backend.ts) ----

/** Default space quota (etcd --quota-backend-bytes default, 2 GiB). */
export const LOCAL_DEFAULT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;

/** How often expired leases are looked for (etcd lessor: every 500 ms). */
export const LOCAL_LEASE_EXPIRY_CHECK_MS = 500;

/** Most leases revoked per check (etcd leaseRevokeRate 1000/s, i.e. 500 per 500 ms). */
export const LOCAL_MAX_LEASE_REVOKES_PER_CHECK = 500;

/** Catch-up of lagging watchers and retry of held batches (etcd syncWatchersLoop: 100 ms). */
export const LOCAL_WATCH_SYNC_MS = 100;

/** Progress notifications to idle watchers that asked (etcd default: 10 min). */
export const LOCAL_WATCH_PROGRESS_NOTIFY_MS = 10 * 60 * 1000;
