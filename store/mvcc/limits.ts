// Every bound of the MVCC state machine and its watchers in one place, with its unit in
// its name. A driver may pass overrides (the server takes some from flags); these are the
// defaults. Where etcd has the same knob the default matches etcd and the comment names it.

export interface MvccLimits {
  /**
   * Most entries in any one of a txn's compare/success/failure lists (etcd --max-txn-ops,
   * default 128). A nested txn gets the budget its parent left (v3rpc checkTxnRequest).
   */
  maxTxnOps: number;
  /** Longest TTL a lease may be granted, seconds (etcd lease.MaxLeaseTTL = 9,000,000,000). */
  maxLeaseTtlSeconds: number;
  /**
   * Shortest TTL a lease is granted; shorter requests are raised to it. etcd derives it as
   * ceil(1.5 × election timeout), 2 s with the default 1 s election timeout.
   */
  minLeaseTtlSeconds: number;
  /** Quota: estimated metadata bytes per stored revision of a key (etcd quota.go kvOverhead). */
  kvOverheadBytes: number;
  /** Quota: estimated bytes per lease (etcd quota.go leaseOverhead). */
  leaseOverheadBytes: number;
  /** Most watchers open on one watch stream. etcd has no such bound; we refuse past it. */
  maxWatchersPerStream: number;
  /** Most watchers open on the whole store. */
  maxWatchers: number;
  /**
   * Most undelivered event responses queued for one watcher. Past it the watcher becomes a
   * victim: its batch is held and retried, never dropped (etcd watchableStore victims).
   */
  maxPendingResponsesPerWatcher: number;
  /** Most undelivered event responses queued on one stream (etcd chanBufLen = 128 per stream). */
  maxPendingResponsesPerStream: number;
  /** Most unsynced watchers caught up in one syncWatchers() step (etcd maxWatchersPerSync). */
  maxWatchersPerSync: number;
  /** Most distinct revisions in one catch-up response (etcd watchBatchMaxRevs). */
  maxRevisionsPerWatchBatch: number;
  /** Most events in one catch-up response; a single revision is never split, so it may exceed this. */
  maxEventsPerWatchBatch: number;
  /** Most history changes one syncWatchers() step scans across all watchers (bounds its time). */
  maxSyncScanChangesPerStep: number;
}

export const DEFAULT_MVCC_LIMITS: Readonly<MvccLimits> = Object.freeze({
  maxTxnOps: 128,
  maxLeaseTtlSeconds: 9_000_000_000,
  minLeaseTtlSeconds: 2,
  kvOverheadBytes: 256,
  leaseOverheadBytes: 64,
  maxWatchersPerStream: 10_000,
  maxWatchers: 100_000,
  maxPendingResponsesPerWatcher: 128,
  maxPendingResponsesPerStream: 1024,
  maxWatchersPerSync: 512,
  maxRevisionsPerWatchBatch: 1000,
  maxEventsPerWatchBatch: 10_000,
  maxSyncScanChangesPerStep: 200_000,
});

/** Entries per B+tree node of the key index (a power of two; half of it is the fill floor). */
export const BTREE_NODE_CAPACITY_ENTRIES = 64;

/** Bytes converted per String.fromCharCode call when turning a key into its index string. */
export const KEY_STRING_CHUNK_BYTES = 8192;

/** A watch stream's queue array is re-sliced once this many polled entries sit at its head. */
export const WATCH_QUEUE_RESLICE_ENTRIES = 1024;

/** Snapshot layout version; restore refuses any other. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/**
 * Revisions a snapshot encoder packs between two yields (snapshot.ts encodeSnapshotSteps):
 * about 1 MB of 256-byte values, a millisecond or two of work, so a member encoding a large
 * state in the background can answer a heartbeat between any two steps.
 */
export const SNAPSHOT_STEP_REVISIONS = 4096;

export function resolveLimits(overrides?: Partial<MvccLimits>): Readonly<MvccLimits> {
  const limits = Object.freeze({ ...DEFAULT_MVCC_LIMITS, ...overrides });
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`mvcc limit ${name} must be a positive safe integer, got ${String(value)}`);
    }
  }
  return limits;
}
