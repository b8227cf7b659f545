// Errors of the auth package: classes with a stable `code`. Each is thrown only for a
// broken configuration the operator must fix (a bad token file, unreadable PKI files, an
// impossible certificate request); a request that fails authentication or authorization
// is a value, never an exception.

/** --token-auth-file is malformed; the message names the file and line. */
export class TokenFileError extends Error {
  readonly code = 'FLOTILLA_ERR_TOKEN_FILE';
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

/** A certificate or key could not be generated, read or written. */
export class PkiError extends Error {
  readonly code = 'FLOTILLA_ERR_PKI';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PkiError';
  }
}

/**
 * A URL the request-info parser cannot interpret. Kubernetes' RequestInfoFactory fails the
 * same way (for `/api/v1/watch` with nothing after it) and the apiserver answers 500.
 */
export class RequestInfoError extends Error {
  readonly code = 'FLOTILLA_ERR_REQUEST_INFO';
  constructor(message: string) {
    super(message);
    this.name = 'RequestInfoError';
  }
}

/** A kubeconfig cannot be built from the options given. */
export class KubeconfigError extends Error {
  readonly code = 'FLOTILLA_ERR_KUBECONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}
