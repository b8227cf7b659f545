// Every bound of the write-ahead log and the snapshot files in one place, units last in
// each name. A member may pass its own values for the WAL (some come from flags); these
// are the defaults. Read paths use the same numbers, so a file that claims more than a
// bound allows is refused as corrupt instead of being trusted with a huge allocation.

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface WalLimits {
  /** A segment is rolled before a commit group would push it past this size. */
  segmentSizeBytes: number;
  /** Largest payload of one record; a Ready's entries are split across records below this. */
  maxRecordPayloadBytes: number;
  /** Largest encoded size of one save request (one Ready); bigger ones are refused. */
  maxSaveBytes: number;
  /** Most bytes written under one fsync (a commit group); one request may still fill it alone. */
  maxGroupBytes: number;
  /** Most save requests waiting for the disk; beyond this `save` rejects (back-pressure). */
  maxQueuedSaves: number;
  /** Most encoded bytes waiting for the disk; beyond this `save` rejects (back-pressure). */
  maxQueuedBytes: number;
}

export const DEFAULT_WAL_LIMITS: Readonly<WalLimits> = Object.freeze({
  segmentSizeBytes: 64 * MiB,
  maxRecordPayloadBytes: 16 * MiB,
  maxSaveBytes: 64 * MiB,
  maxGroupBytes: 64 * MiB,
  maxQueuedSaves: 4096,
  maxQueuedBytes: 256 * MiB,
});

/**
 * The largest record payload a reader accepts, whatever maxRecordPayloadBytes was when the
 * record was written; a configured maxRecordPayloadBytes may not exceed it.
 */
export const RECORD_PAYLOAD_CEILING_BYTES = 64 * MiB;

/** Largest cluster id or member id stored in a segment header. */
export const MAX_METADATA_FIELD_BYTES = 4 * KiB;

/** Largest vote (a member id string, UTF-8) in a hard state record. */
export const MAX_VOTE_BYTES = 1 * KiB;

/**
 * The largest segment file `open` will read. A segment may exceed its configured size by
 * one commit group (a group is never split across files, so one fsync covers it), so this
 * is the largest allowed segment size plus the largest group, with room to spare.
 */
export const MAX_SEGMENT_FILE_BYTES = 1 * GiB;

/** The largest configurable segment size, so that MAX_SEGMENT_FILE_BYTES always holds. */
export const MAX_SEGMENT_SIZE_BYTES = 512 * MiB;

/** The smallest configurable segment size (tests use small ones to force rolls). */
export const MIN_SEGMENT_SIZE_BYTES = 1 * KiB;

/** Zero-fill chunk used when preallocating a segment. */
export const PREALLOCATE_CHUNK_BYTES = 1 * MiB;

/**
 * The members' WalOptions.extendAheadBytes: zeros kept written ahead of the appends. At
 * ~400 bytes an entry, 4 MiB is some 10,000 entries, so the background extension (one 2 MiB
 * write and fdatasync when half is used) comes rarely, and a commit group never waits for it.
 */
export const MEMBER_EXTEND_AHEAD_BYTES = 4 * MiB;

/**
 * WalOptions.inlineWriteMaxBytes by default: a durable commit group of SaveOptions.inline
 * saves up to this size is written (O_DSYNC) on the event loop's thread instead of the
 * thread pool. Small groups mean little load (one client: one ~400-byte entry per group),
 * where the two thread wake-ups of an async write cost latency and the blocked loop has
 * nothing else to do; under load groups batch many entries, exceed this, and keep
 * overlapping the disk with the loop's work. 4 KiB is about ten put entries.
 */
export const DEFAULT_INLINE_WRITE_MAX_BYTES = 4 * KiB;

/** Snapshot files kept in `<dataDir>/snap/`; older ones are deleted after a save. */
export const MAX_SNAPSHOT_FILES = 5;

/**
 * Background snapshot work (encoding, CRC) runs this long at a time before it
 * yields the event loop (snapshot/steps.ts): far below a heartbeat interval, so a member
 * taking a snapshot of a large state still answers its peers on time.
 */
export const SNAPSHOT_SLICE_MS = 4;

/** Bytes of snapshot data per CRC step (about 2 ms here). */
export const SNAPSHOT_CRC_STEP_BYTES = 4 * MiB;

/** Largest snapshot image (`Snapshot.data`) written or read. */
export const MAX_SNAPSHOT_DATA_BYTES = 1 * GiB;

/** Most voters plus learners in a snapshot's ConfState. */
export const MAX_CONF_STATE_MEMBERS = 1024;

/** Largest member id (UTF-8) in a snapshot's ConfState. */
export const MAX_NODE_ID_BYTES = 1 * KiB;
