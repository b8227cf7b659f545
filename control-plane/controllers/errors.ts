// Errors of the controller-manager. Each has a stable `code`; the message says what to do.

export class ControllerError extends Error {
  readonly code: string = 'FLOTILLA_ERR_CONTROLLER';
}

/** Bad flags or kubeconfig: the process exits 2 with this message. */
export class ControllerConfigError extends ControllerError {
  override readonly code = 'FLOTILLA_ERR_CONTROLLER_CONFIG';
  constructor(flag: string, message: string) {
    super(`${flag}: ${message}`);
  }
}

/** A sync that must run again later without counting as a failure (e.g. content still terminating). */
export class RequeueAfterError extends ControllerError {
  override readonly code = 'FLOTILLA_ERR_CONTROLLER_REQUEUE';
  constructor(message: string, readonly afterMs: number) {
    super(message);
  }
}

/** A write attempted after this process lost leadership: refused locally, never sent. */
export class NotLeaderError extends ControllerError {
  override readonly code = 'FLOTILLA_ERR_NOT_LEADER';
  constructor(what: string) {
    super(`${what}: refused, this controller-manager is no longer the leader`);
  }
}

/** Several errors of one sync (kube's utilerrors.NewAggregate). */
export class AggregateSyncError extends ControllerError {
  override readonly code = 'FLOTILLA_ERR_CONTROLLER_SYNC';
  constructor(readonly errors: unknown[]) {
    super(errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
  }
}
