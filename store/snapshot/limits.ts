// Bounds of the snapshot delta chain (snapshotter.ts files, member.ts decides what to write).

/**
 * Delta files after a full snapshot before the member takes a full one again: bounds the
 * files a restart reads and replays. At the default --snapshot-count that is millions of
 * writes between two full images.
 */
export const MAX_SNAPSHOT_DELTAS = 64;

/**
 * A full snapshot is taken once the chain's files hold more than this many times the
 * store's logical size (MvccStore.sizeBytes): compaction turned most of what they hold
 * into history a restart would replay only to drop it. Without compaction nothing in the
 * chain is dead, and it stays below the state's size.
 */
export const SNAPSHOT_CHAIN_MAX_STATE_RATIO = 2;
