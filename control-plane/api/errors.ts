// Broken invariants of the API machinery throw ApiInvariantError: the caller handed us
// something the types promise can never happen, or our own code is wrong. Everything a
// client can cause (bad JSON, invalid objects, bad selectors, failing patches) is a value:
// a Result whose error converts to a Kubernetes Status.

export class ApiInvariantError extends Error {
  readonly code = 'FLOTILLA_ERR_API_INVARIANT';
  constructor(message: string) {
    super(`api invariant broken: ${message}`);
    this.name = 'ApiInvariantError';
  }
}

export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new ApiInvariantError(typeof message === 'string' ? message : message());
}

export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
