// Every bound of the apiserver, named in one place (units last in names).

export const APISERVER_LIMITS = {
  /** Request bodies over this are refused with 413 (Kubernetes: 3 MiB). */
  maxRequestBodyBytes: 3 * 1024 * 1024,
  /** Requests served at once (kube-apiserver --max-requests-inflight + --max-mutating-requests-inflight). */
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  /** Watches open at once on one replica; more get 429. */
  maxWatches: 20_000,
  /** Events a watcher may have queued before it is closed as too slow (Kubernetes closes slow watchers too). */
  maxWatcherBacklogEvents: 10_000,
  /** Events a watch coalesces into one chunk (sent together in one event-loop turn) before writing. */
  maxWatchCoalescedEvents: 256,
  /** Per resource, the events the watch cache keeps for watches from an older resourceVersion. */
  watchCacheEventsPerResource: 20_000,
  /** How long a LIST/WATCH waits for the cache to reach the asked (or the store's current) revision. */
  cacheFreshnessWaitMs: 3_000,
  /** After this long waiting, the cache asks the store for a progress notification. */
  cacheProgressRequestAfterMs: 50,
  /** Keys per Range when the cache loads or a paged LIST reads the store. */
  storePageKeys: 5_000,
  /** Largest `limit` a LIST may ask for (bigger ones are clamped). */
  maxListLimit: 100_000,
  /** BOOKMARK events are sent this often on watches that asked for them. */
  bookmarkIntervalMs: 5_000,
  /** Watches without timeoutSeconds end after a random time in [min, 2·min] (kube: --min-request-timeout 1800 s). */
  minWatchTimeoutSeconds: 1_800,
  /**
   * Compare-and-swap retries of an internal update (patch, status merge) before a 409.
   * kube-apiserver's GuaranteedUpdate retries until the request times out; 64 attempts with
   * jittered back-off covers a hot object patched by many clients at once.
   */
  maxUpdateRetries: 64,
  /** Back-off between retries after the first few: up to attempt × this, at random. */
  updateRetryJitterMs: 2,
  /** On SIGTERM: how long /readyz reports unready before the listener closes (--shutdown-delay-duration). */
  shutdownDelayMs: 1_000,
  /** How long in-flight requests get to finish; watches are closed at the start of this. */
  shutdownDrainMs: 5_000,
  /** How long the apiserver waits for the store at start before it gives up. */
  storeStartupTimeoutMs: 60_000,
  /** Random suffix length of generateName (Kubernetes: 5). */
  generatedNameSuffixChars: 5,
} as const;

/** Bounds of `kubectl port-forward` (pods/portforward, handlers/portforward.ts); the kubelet has its own. */
export const PORT_FORWARD_LIMITS = {
  /** Port-forward connections (one kubectl port-forward each) open at once on one replica. */
  sessionsMax: 1024,
  /** SPDY streams open at once on one connection; kubectl opens two (error, data) per forwarded connection. */
  streamsPerSessionMax: 256,
  /** Largest SPDY frame payload accepted (kubectl writes DATA frames of at most 32 KiB). */
  frameMaxBytes: 1024 * 1024,
  /** Largest inflated header block (kubectl's are three short headers). */
  headerBlockMaxBytes: 64 * 1024,
  /** Received frames waiting to be handled before the client's connection is no longer read. */
  receiveQueueMaxBytes: 1024 * 1024,
  /** Bytes queued towards the client, or towards one kubelet relay, before the other side is no longer read. */
  sendBufferMaxBytes: 1024 * 1024,
  /** How long an error stream waits for its data stream, and back (kubelet: streamCreationTimeout, 30 s). */
  streamPairingTimeoutMs: 30_000,
  /** The kubelet must answer the relay's upgrade within this. */
  kubeletHandshakeMs: 10_000,
  /** Error text sent on an error stream is cut to this many bytes. */
  errorMessageMaxBytes: 4096,
} as const;
