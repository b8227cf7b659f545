// Public surface of the snapshot files.
export { SNAP_DIR_NAME, Snapshotter, deltaFileName, snapshotFileName } from './snapshotter.js';
export type { LoadOptions, LoadedDelta, LoadedSnapshot, SnapshotFile, SnapshotterOptions } from './snapshotter.js';
export * from './errors.js';
export { SlicedWorkAborted, type SliceOptions, runInSlices } from './steps.js';
