// Broken invariants crash loudly (TigerBeetle's habit): a Raft member that continues
// with a corrupted view of its log can lose acknowledged writes. Expected conditions
// (stale terms, full queues) are values, never this.

export class RaftInvariantError extends Error {
  readonly code = 'FLOTILLA_ERR_RAFT_INVARIANT';
  constructor(message: string) {
    super(`raft invariant broken: ${message}`);
    this.name = 'RaftInvariantError';
  }
}

export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new RaftInvariantError(typeof message === 'string' ? message : message());
}
