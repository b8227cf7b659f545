// Errors of the scheduler process. A pod that does not fit is never an error here (the core
// returns it as a value); these are for bad flags and a process that cannot start.

/** A flag or configuration file the scheduler cannot use; the message names it. */
export class SchedulerFlagError extends Error {
  readonly code = 'FLOTILLA_ERR_SCHEDULER_FLAG';
  constructor(readonly flag: string, detail: string) {
    super(`${flag}: ${detail}`);
    this.name = 'SchedulerFlagError';
  }
}

/** The process could not start serving (port taken, kubeconfig unreadable, ...). */
export class SchedulerStartError extends Error {
  readonly code = 'FLOTILLA_ERR_SCHEDULER_START';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchedulerStartError';
  }
}
