// Every bound and default of the client in one place, units last in the names. Where client-go
// has the same knob the comment names it; the rest are ours, chosen so a misbehaving server costs
// the client bounded memory and time.

/** Largest request body the client sends (the apiserver refuses more than 3 MiB: MaxRequestBodyBytes). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Largest non-watch response body the client buffers (lists of thousands of pods fit). */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** Largest error body kept for an ApiError (a Status is small; anything else is cut). */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Longest line of a watch stream: one event, i.e. one object (etcd's default request limit is 1.5 MiB). */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;

/** client-go rest.Config defaults are QPS 5 / Burst 10; the brief asks for 50 / 100 here. */
export const DEFAULT_QPS = 50;
export const DEFAULT_BURST = 100;

/** Keep-alive sockets per apiserver address (net/http's MaxConnsPerHost is unbounded; ours is not). */
export const DEFAULT_MAX_SOCKETS = 64;

/** Timeout of one non-watch request, all its bytes included (client-go has none by default). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** Retries of a request answered 429 with Retry-After (client-go: maxRetries 10 in rest.Request). */
export const MAX_RETRY_AFTER_RETRIES = 10;

/** Longest wait honoured from one Retry-After header; longer asks are clipped to this. */
export const MAX_RETRY_AFTER_MS = 10_000;

/** Page size of listAll (client-go's pager.defaultPageSize is 500). */
export const DEFAULT_LIST_PAGE_SIZE = 500;

/** Most pages listAll follows before giving up (a server looping on `continue` cannot pin us). */
export const MAX_LIST_PAGES = 100_000;

/** Grace beyond a watch's timeoutSeconds after which the client closes the stream itself. */
export const WATCH_CLIENT_GRACE_MS = 30_000;

/** Largest kubeconfig file read. */
export const MAX_KUBECONFIG_BYTES = 1024 * 1024;

/** Reflector backoff after a failed list/watch (client-go: 800 ms doubling to 30 s; ours is faster). */
export const INFORMER_BACKOFF_MIN_MS = 100;
export const INFORMER_BACKOFF_MAX_MS = 5_000;

/** Server-side timeout of each informer watch, randomised in [min, 2*min) (client-go: minWatchTimeout 5 min). */
export const INFORMER_MIN_WATCH_TIMEOUT_SECONDS = 300;

/** Workqueue defaults (client-go DefaultTypedControllerRateLimiter: 5 ms .. 1000 s, 10 qps, burst 100). */
export const WORKQUEUE_BASE_DELAY_MS = 5;
export const WORKQUEUE_MAX_DELAY_MS = 1_000_000;
export const WORKQUEUE_QPS = 10;
export const WORKQUEUE_BURST = 100;

/** Most distinct keys waiting in one workqueue (client-go's queue is unbounded). */
export const MAX_WORKQUEUE_LENGTH = 100_000;

/** Most keys waiting on addAfter timers in one workqueue. */
export const MAX_WORKQUEUE_DELAYED = 100_000;

/**
 * Leader election defaults, in ms (client-go's are 15 s / 10 s / 2 s). Flotilla wants failover in
 * under 2 s after kill -9: a standby takes over leaseDuration (+ at most one retry period) after it
 * last saw the lease change. Shorter durations mean faster failover but more Lease writes
 * (1 per retry period per holder) and less tolerance of apiserver hiccups: a holder that cannot
 * renew for renewDeadline steps down, so a 0.9 s apiserver stall costs a leadership change.
 * Measured (`flotilla bench failover-cp --kills 20`): with 1.5 s / 1 s / 250 ms the next binding came
 * 1.80 s (median) and 2.01 s (max) after kill -9 of the active scheduler — over the 2 s target once;
 * 1.3 s / 0.9 s / 150 ms bounds a takeover by 1.3 + 0.15 × 1.2 ≈ 1.5 s before the first new action.
 */
export const DEFAULT_LEASE_DURATION_MS = 1_300;
export const DEFAULT_RENEW_DEADLINE_MS = 900;
export const DEFAULT_RETRY_PERIOD_MS = 150;

/** Jitter added to each candidate's retry period, as a fraction (client-go's JitterFactor is 1.2; ours is small). */
export const LEADER_RETRY_JITTER_FRACTION = 0.2;

/** Annotation carrying the exact lease duration in ms (leaseDurationSeconds is whole seconds on the wire). */
export const LEASE_DURATION_MS_ANNOTATION = 'flotilla.dev/lease-duration-ms';

/**
 * A new keep-alive connection of the API client's pool that has not connected (TCP + TLS) within
 * this fails its request (undici's default; node:http had no bound of its own but the request's).
 */
export const HTTP_POOL_CONNECT_TIMEOUT_MS = 10_000;
