// Public surface of the MVCC state machine.
export { MvccStore, type MvccStoreOptions, type QuotaRequest } from './store.js';
export { runSteps } from './snapshot.js';
export { WatchStream, type WatchStreamOptions } from './watch.js';
export { DEFAULT_MVCC_LIMITS, type MvccLimits } from './limits.js';
export { Errors, MvccInvariantError, type MvccError, type Result, type GrpcStatus } from './errors.js';
export { bytesToKey, keyToBytes, compareBytes, prefixRangeEnd } from './bytes.js';
export * from './types.js';
