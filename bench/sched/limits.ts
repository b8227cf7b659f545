// Bounds of the scheduling bench, in one place.

/** Attempts of one write answered 503/504 or cut off (the store did not answer in time) before it fails. */
export const WRITE_ATTEMPTS = 5;

/** Running status writes the bench's kubelet stand-in has in flight at once. */
export const BENCH_KUBELET_STATUS_WRITES_IN_FLIGHT = 32;

/** Delete confirmations in flight: separate, so preemption victims never queue behind status writes. */
export const BENCH_KUBELET_DELETES_IN_FLIGHT = 64;

/** Concurrent clients creating nodes. */
export const NODE_CREATE_CLIENTS = 32;
