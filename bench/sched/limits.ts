// Bounds of the scheduling bench, in one place.

/** Attempts of one create answered 503/504 (the store did not answer in time) before the run fails. */
export const CREATE_ATTEMPTS = 5;

/** Status writes and delete confirmations the bench's kubelet stand-in has in flight at once. */
export const BENCH_KUBELET_WRITES_IN_FLIGHT = 32;

/** Concurrent clients creating nodes. */
export const NODE_CREATE_CLIENTS = 32;
