// Errors of the scheduler core. A pod that does not fit is a value (FitError in a
// ScheduleResult), never a throw; these classes are for broken invariants and bad config.

export class SchedulerInvariantError extends Error {
  readonly code = 'FLOTILLA_ERR_SCHEDULER_INVARIANT';
  constructor(message: string) {
    super(`scheduler invariant broken: ${message}`);
    this.name = 'SchedulerInvariantError';
  }
}

export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new SchedulerInvariantError(typeof message === 'string' ? message : message());
}

/** A KubeSchedulerConfiguration that cannot be used; `causes` name the field paths. */
export class SchedulerConfigError extends Error {
  readonly code = 'FLOTILLA_ERR_SCHEDULER_CONFIG';
  constructor(readonly causes: readonly string[]) {
    super(`invalid KubeSchedulerConfiguration: ${causes.join('; ')}`);
    this.name = 'SchedulerConfigError';
  }
}
