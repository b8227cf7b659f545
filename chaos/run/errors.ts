// Errors of the chaos runner: a stable code and a message that says what to do.
export class ExperimentError extends Error {
  readonly code = 'FLOTILLA_ERR_CHAOS_EXPERIMENT';
  constructor(readonly file: string, readonly path: string, message: string) {
    super(`${file}: ${path === '' ? '' : `${path}: `}${message}`);
    this.name = 'ExperimentError';
  }
}

export class ChaosRunError extends Error {
  readonly code = 'FLOTILLA_ERR_CHAOS_RUN';
  constructor(message: string) {
    super(message);
    this.name = 'ChaosRunError';
  }
}
