// Public surface of the WAL.
export { WAL } from './wal.js';
export type { OpenResult, SaveOptions, WalPosition, WalStats } from './wal.js';
export type { SaveRequest, LogPoint } from './log-state.js';
export type { SnapshotMarker, WalMetadata } from './codec.js';
export type { WalWarning } from './open.js';
export type { CreateOptions, OpenOptions, WalMetricsHooks, WalOptions } from './options.js';
export * from './errors.js';
export * from './limits.js';

/** The WAL's directory under a member's data directory. */
export const WAL_DIR_NAME = 'wal';
