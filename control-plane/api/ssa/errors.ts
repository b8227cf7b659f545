// Errors of server-side apply. A refusal the client caused (a bad apply body, an applied
// configuration with a list item missing its key) is an SsaRequestError: answer 400 with its
// message. Broken stored state (undecodable managedFields) is an SsaStoredStateError: 500.
// Conflicts are not errors: apply() returns them as a value.

export class SsaRequestError extends Error {
  readonly code: 'FLOTILLA_ERR_SSA_BAD_REQUEST' | 'FLOTILLA_ERR_SSA_LIMIT' = 'FLOTILLA_ERR_SSA_BAD_REQUEST';
  /** HTTP status the apiserver answers with (Kubernetes: errors.NewBadRequest). */
  readonly httpCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'SsaRequestError';
  }
}

/** A bound of limits.ts was exceeded by a request; answered like a bad request. */
export class SsaLimitError extends SsaRequestError {
  override readonly code = 'FLOTILLA_ERR_SSA_LIMIT';
  constructor(message: string) {
    super(`${message}; split the object or reduce its nesting`);
    this.name = 'SsaLimitError';
  }
}

/** The stored object's managedFields cannot be decoded (Kubernetes: "failed to decode managed fields"). */
export class SsaStoredStateError extends Error {
  readonly code = 'FLOTILLA_ERR_SSA_STORED_STATE';
  readonly httpCode = 500;
  constructor(message: string) {
    super(message);
    this.name = 'SsaStoredStateError';
  }
}

/** fieldsV1 JSON that is not a valid field set. */
export class FieldsV1Error extends Error {
  readonly code = 'FLOTILLA_ERR_SSA_FIELDS_V1';
  constructor(message: string) {
    super(`invalid fieldsV1: ${message}`);
    this.name = 'FieldsV1Error';
  }
}
