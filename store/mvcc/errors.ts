// Expected failures of the state machine are values, not exceptions: a request that etcd
// refuses returns { ok: false, error } with etcd's client-visible message (what etcdctl
// prints) and the gRPC status etcd answers with (api/v3rpc/rpctypes/error.go). A broken
// invariant is different: it throws, because the state can no longer be trusted.

export type GrpcStatus =
  | 'INVALID_ARGUMENT'
  | 'OUT_OF_RANGE'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED';

export interface MvccError {
  /** Stable code for programs (FLOTILLA_ERR_...). */
  readonly code: string;
  /** etcd's exact message, for the gRPC status message / watch cancel_reason. */
  readonly message: string;
  readonly grpcStatus: GrpcStatus;
}

function def(code: string, message: string, grpcStatus: GrpcStatus): MvccError {
  return Object.freeze({ code, message, grpcStatus });
}

export const Errors = Object.freeze({
  emptyKey: def('FLOTILLA_ERR_EMPTY_KEY', 'etcdserver: key is not provided', 'INVALID_ARGUMENT'),
  keyNotFound: def('FLOTILLA_ERR_KEY_NOT_FOUND', 'etcdserver: key not found', 'INVALID_ARGUMENT'),
  valueProvided: def('FLOTILLA_ERR_VALUE_PROVIDED', 'etcdserver: value is provided', 'INVALID_ARGUMENT'),
  leaseProvided: def('FLOTILLA_ERR_LEASE_PROVIDED', 'etcdserver: lease is provided', 'INVALID_ARGUMENT'),
  tooManyOps: def('FLOTILLA_ERR_TOO_MANY_OPS', 'etcdserver: too many operations in txn request', 'INVALID_ARGUMENT'),
  duplicateKey: def('FLOTILLA_ERR_DUPLICATE_KEY', 'etcdserver: duplicate key given in txn request',
    'INVALID_ARGUMENT'),
  invalidSortOption: def('FLOTILLA_ERR_INVALID_SORT_OPTION', 'etcdserver: invalid sort option', 'INVALID_ARGUMENT'),
  compacted: def('FLOTILLA_ERR_COMPACTED', 'etcdserver: mvcc: required revision has been compacted', 'OUT_OF_RANGE'),
  futureRev: def('FLOTILLA_ERR_FUTURE_REV', 'etcdserver: mvcc: required revision is a future revision',
    'OUT_OF_RANGE'),
  leaseNotFound: def('FLOTILLA_ERR_LEASE_NOT_FOUND', 'etcdserver: requested lease not found', 'NOT_FOUND'),
  leaseExists: def('FLOTILLA_ERR_LEASE_EXISTS', 'etcdserver: lease already exists', 'FAILED_PRECONDITION'),
  leaseTtlTooLarge: def('FLOTILLA_ERR_LEASE_TTL_TOO_LARGE', 'etcdserver: too large lease TTL', 'OUT_OF_RANGE'),
  // Watch errors travel as a created+canceled response's cancel_reason, unprefixed, as in
  // etcd's mvcc/watcher.go.
  watcherRangeEmpty: def('FLOTILLA_ERR_WATCHER_RANGE_EMPTY', 'mvcc: watcher range is empty', 'INVALID_ARGUMENT'),
  watcherDuplicateId: def('FLOTILLA_ERR_WATCHER_DUPLICATE_ID',
    'mvcc: duplicate watch ID provided on the WatchStream', 'INVALID_ARGUMENT'),
  watcherNotExist: def('FLOTILLA_ERR_WATCHER_NOT_EXIST', 'mvcc: watcher does not exist', 'NOT_FOUND'),
  // Not in etcd (it has no bound): refuse a watcher past the limits in limits.ts.
  tooManyWatchers: def('FLOTILLA_ERR_TOO_MANY_WATCHERS',
    'flotilla: too many watchers (or unread watch responses); cancel unused watchers, read the stream, ' +
    'or raise maxWatchers/maxWatchersPerStream', 'RESOURCE_EXHAUSTED'),
});

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MvccError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(error: MvccError): Result<T> {
  return { ok: false, error };
}

/** A broken invariant: the state machine must stop rather than diverge from its peers. */
export class MvccInvariantError extends Error {
  readonly code = 'FLOTILLA_ERR_MVCC_INVARIANT';
  constructor(message: string) {
    super(`mvcc invariant broken: ${message}`);
    this.name = 'MvccInvariantError';
  }
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new MvccInvariantError(message);
}

/**
 * Numbers arrive decoded from int64 fields, which can be huge (and are then handled like
 * etcd handles them) but never NaN or infinite: one that is means the layer above is broken.
 */
export function assertFinite(fields: Record<string, number | undefined>): void {
  for (const [name, v] of Object.entries(fields)) {
    if (v !== undefined && !Number.isFinite(v)) throw new MvccInvariantError(`${name} is ${v}, not an int64`);
  }
}

const finite = (v: number | undefined): boolean => v === undefined || Number.isFinite(v);

/**
 * assertFinite's test without its record: the write path checks every compare and range op,
 * and building the record and its Object.entries arrays per check was a tenth of an in-process
 * txn's time. Call assertFinite (which names the field) only when this is false.
 */
export function allFinite(a?: number, b?: number, c?: number, d?: number, e?: number, f?: number): boolean {
  return finite(a) && finite(b) && finite(c) && finite(d) && finite(e) && finite(f);
}

export function assertInt64(name: string, v: bigint | undefined): void {
  if (v !== undefined && BigInt.asIntN(64, v) !== v) throw new MvccInvariantError(`${name} ${v} is not an int64`);
}
