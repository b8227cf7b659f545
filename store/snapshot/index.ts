// Public surface of the snapshot files.
export { SNAP_DIR_NAME, Snapshotter, snapshotFileName } from './snapshotter.js';
export type { LoadOptions, LoadedSnapshot, SnapshotFile, SnapshotterOptions } from './snapshotter.js';
export * from './errors.js';
export { SlicedWorkAborted, type SliceOptions, runInSlices } from './steps.js';
