// Errors of the snapshot files; same conventions as the WAL's (stable code, actionable message).
import { FlotillaStoreError } from '../wal/errors.js';

/** A snapshot file failed its CRC or decoded to nonsense. Never served; see loadNewest's fallback option. */
export class SnapshotCorruptError extends FlotillaStoreError {
  readonly file: string;
  constructor(file: string, why: string) {
    super('FLOTILLA_ERR_SNAPSHOT_CORRUPT',
      `snapshot file ${file} is corrupt: ${why}. Keep the file for inspection. To start from the previous ` +
      'snapshot, load with { fallbackOnCorrupt: true } (the WAL must still hold the entries after it); ' +
      'otherwise restore this member from a healthy peer.');
    this.file = file;
  }
}

/** Every snapshot file was corrupt, so fallback has nothing to fall back to. */
export class SnapshotNoneValidError extends FlotillaStoreError {
  readonly files: string[];
  constructor(files: string[]) {
    super('FLOTILLA_ERR_SNAPSHOT_CORRUPT',
      `all ${files.length} snapshot files are corrupt (${files.join(', ')}). Starting without a snapshot would ` +
      'lose state, so this is refused: restore this member from a healthy peer.');
    this.files = files;
  }
}

export class SnapshotInvalidError extends FlotillaStoreError {
  constructor(why: string) {
    super('FLOTILLA_ERR_SNAPSHOT_INVALID', `refusing to save the snapshot: ${why}. This is a bug in the caller.`);
  }
}

export class SnapshotTooLargeError extends FlotillaStoreError {
  constructor(sizeBytes: number, limitBytes: number) {
    super('FLOTILLA_ERR_SNAPSHOT_TOO_LARGE',
      `snapshot data is ${sizeBytes} bytes, over MAX_SNAPSHOT_DATA_BYTES (${limitBytes}). ` +
      'Compact the state machine or raise the bound in store/wal/limits.ts.');
  }
}
