// Errors of the WAL. Each is a class with a stable `code` (what programs match on) and a
// message that says what was wrong and what to do (what operators read). Expected,
// recoverable conditions at open (a torn tail) are warnings returned as values, not these.

/** Base of every error thrown by the store's disk layer (WAL and snapshot files). */
export class FlotillaStoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A record failed its CRC or decoded to nonsense somewhere that cannot be a torn write
 * (valid records follow it, or it is in a segment that was complete before the next one
 * was created). Refused so that corrupted state is never served.
 */
export class WalCorruptError extends FlotillaStoreError {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, why: string) {
    super('FLOTILLA_ERR_WAL_CORRUPT',
      `WAL file ${file} is corrupt at byte offset ${offset}: ${why}. This is not a torn final write, ` +
      'so records that were acknowledged as durable may be damaged. Do not edit or delete the file; ' +
      'keep it for inspection, then restore this member from a healthy peer (remove and re-add it) or from backup.');
    this.file = file;
    this.offset = offset;
  }
}

export class WalNotFoundError extends FlotillaStoreError {
  constructor(dir: string) {
    super('FLOTILLA_ERR_WAL_NOT_FOUND',
      `no WAL segments in ${dir}. If this is a new member, create the WAL with WAL.create(); ` +
      'if the member had data, the directory is wrong or its files were removed.');
  }
}

export class WalExistsError extends FlotillaStoreError {
  constructor(dir: string) {
    super('FLOTILLA_ERR_WAL_EXISTS',
      `${dir} already holds WAL segments; refusing to create a new WAL over them. Open it with WAL.open() instead.`);
  }
}

/** The caller asked for something the Raft log cannot contain (a gap, an old term, ...). */
export class WalInvalidSaveError extends FlotillaStoreError {
  constructor(why: string) {
    super('FLOTILLA_ERR_WAL_INVALID_SAVE',
      `refusing to write to the WAL: ${why}. Nothing from this save was written; this is a bug in the caller ` +
      '(the Raft driver), which must only persist what the Raft core put in a Ready.');
  }
}

export class WalTooLargeError extends FlotillaStoreError {
  constructor(what: string, sizeBytes: number, limitBytes: number, limitName: string) {
    super('FLOTILLA_ERR_WAL_TOO_LARGE',
      `${what} is ${sizeBytes} bytes, over the ${limitName} bound of ${limitBytes} bytes. ` +
      `Split the data into smaller proposals or raise ${limitName} (store/wal/limits.ts).`);
  }
}

/** Back-pressure: too many saves are waiting for the disk. Retry after earlier saves resolve. */
export class WalQueueFullError extends FlotillaStoreError {
  constructor(queuedSaves: number, queuedBytes: number) {
    super('FLOTILLA_ERR_WAL_QUEUE_FULL',
      `the WAL already has ${queuedSaves} saves (${queuedBytes} bytes) waiting for the disk. ` +
      'Wait for earlier saves to become durable before saving more; the disk is slower than the write rate.');
  }
}

/**
 * A write or fsync failed. After a failed fsync the kernel may have dropped the dirty pages,
 * so retrying could report success for data that is gone: the WAL refuses all further work.
 */
export class WalFailedError extends FlotillaStoreError {
  constructor(cause: unknown) {
    super('FLOTILLA_ERR_WAL_FAILED',
      `a WAL write or fsync failed (${describe(cause)}); the WAL accepts no more writes because data ` +
      'acknowledged after a failed fsync might not be on disk. Restart the member so it reopens and replays the WAL.',
    { cause });
  }
}

export class WalClosedError extends FlotillaStoreError {
  constructor() {
    super('FLOTILLA_ERR_WAL_CLOSED', 'the WAL is closed; open it again with WAL.open() to write.');
  }
}

/** Replay cannot produce the log the caller needs: those entries were released. */
export class WalMissingEntriesError extends FlotillaStoreError {
  constructor(why: string) {
    super('FLOTILLA_ERR_WAL_MISSING_ENTRIES',
      `the WAL cannot supply the log: ${why}. Open with a newer snapshot (the newest valid one in the snap ` +
      'directory), or restore this member from a peer.');
  }
}

/** The snapshot the caller opened with disagrees with the snapshot markers in the WAL. */
export class WalSnapshotMismatchError extends FlotillaStoreError {
  constructor(why: string) {
    super('FLOTILLA_ERR_WAL_SNAPSHOT_MISMATCH',
      `the snapshot passed to WAL.open() does not match the WAL: ${why}. The snap and wal directories ` +
      'belong to different histories; check the data directory, or restore this member from a peer.');
  }
}

export class WalInvalidReleaseError extends FlotillaStoreError {
  constructor(index: number, durableSnapshotIndex: number) {
    super('FLOTILLA_ERR_WAL_INVALID_RELEASE',
      `releaseTo(${index}) is past the newest durable snapshot marker (index ${durableSnapshotIndex}). ` +
      'Save the snapshot file and its marker (save({ snapshotMarker })) first, then release up to its index.');
  }
}

export class WalConfigError extends FlotillaStoreError {
  constructor(why: string) {
    super('FLOTILLA_ERR_WAL_CONFIG', `invalid WAL options: ${why}. Fix the options passed to WAL.create/open.`);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return 'code' in cause ? `${String(cause.code)}: ${cause.message}` : cause.message;
  return String(cause);
}
