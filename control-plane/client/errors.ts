// Errors of the client. Refusals by the apiserver arrive as a Kubernetes Status and become an ApiError
// whose `code` is the HTTP code, as k8s.io/apimachinery's StatusError carries it; the helpers below
// match client-go's apierrors.IsNotFound & co. (the reason decides; the code only when the reason is
// unknown). Every other failure is a class with a stable `code` 'FLOTILLA_ERR_...'.
import type { Status, StatusReason } from '../api/index.js';

/** The reason client-go derives from a bare HTTP code (newUnstructuredResponseError). */
const REASON_BY_CODE: Readonly<Record<number, StatusReason>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Gone', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

export class ApiError extends Error {
  /** Stable identifier of the class, as the other Flotilla errors carry in `code`. */
  readonly errorCode = 'FLOTILLA_ERR_API_STATUS';
  readonly status: Status;
  /** The HTTP code (Status.code). */
  readonly code: number;
  readonly reason: StatusReason;
  /** Seconds from a Retry-After header or details.retryAfterSeconds, when given. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: Status, retryAfterSeconds?: number) {
    super(status.message !== undefined && status.message !== '' ? status.message : `HTTP ${status.code}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = status.code;
    this.reason = status.reason ?? '';
    this.retryAfterSeconds = retryAfterSeconds ?? status.details?.retryAfterSeconds;
  }

  /** A Status for a response whose body is not one (client-go: newUnstructuredResponseError). */
  static fromResponse(code: number, body: string, retryAfterSeconds?: number): ApiError {
    const reason = REASON_BY_CODE[code] ?? '';
    const text = body.trim();
    const message = text === '' ? `the server responded with HTTP ${code}` : `HTTP ${code}: ${text.slice(0, 1024)}`;
    return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
      retryAfterSeconds);
  }
}

function reasonAndCode(e: unknown): { reason: string; code: number } | undefined {
  return e instanceof ApiError ? { reason: e.reason, code: e.code } : undefined;
}

function matches(e: unknown, reason: StatusReason, code: number): boolean {
  const rc = reasonAndCode(e);
  if (rc === undefined) return false;
  if (rc.reason === reason) return true;
  // client-go: a code alone decides only when the reason is not one it knows.
  return (rc.reason === '' || REASON_BY_CODE[rc.code] === undefined) && rc.code === code;
}

export const isNotFound = (e: unknown): boolean => matches(e, 'NotFound', 404);
export const isAlreadyExists = (e: unknown): boolean => matches(e, 'AlreadyExists', 409);
export const isConflict = (e: unknown): boolean => matches(e, 'Conflict', 409);
export const isGone = (e: unknown): boolean => matches(e, 'Gone', 410);
/** 410 Expired: a `continue` token or resourceVersion compacted away (apierrors.IsResourceExpired). */
export const isResourceExpired = (e: unknown): boolean => matches(e, 'Expired', 410);
export const isTooManyRequests = (e: unknown): boolean => matches(e, 'TooManyRequests', 429);
export const isInvalid = (e: unknown): boolean => matches(e, 'Invalid', 422);
export const isForbidden = (e: unknown): boolean => matches(e, 'Forbidden', 403);
export const isUnauthorized = (e: unknown): boolean => matches(e, 'Unauthorized', 401);
/** Any 410: the reflector relists on either Gone or Expired. */
export const isTooOld = (e: unknown): boolean => isGone(e) || isResourceExpired(e) || reasonAndCode(e)?.code === 410;

export class KubeconfigError extends Error {
  readonly code = 'FLOTILLA_ERR_KUBECONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/** The apiserver could not be reached or the connection broke before a full answer. */
export class ConnectionError extends Error {
  readonly code = 'FLOTILLA_ERR_API_CONNECTION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/** A body or a response or a watch line exceeded a bound of limits.ts. */
export class SizeLimitError extends Error {
  readonly code = 'FLOTILLA_ERR_CLIENT_SIZE_LIMIT';
  constructor(message: string) {
    super(message);
    this.name = 'SizeLimitError';
  }
}

/** A watch stream carried something that is not a watch event. */
export class WatchDecodeError extends Error {
  readonly code = 'FLOTILLA_ERR_WATCH_DECODE';
  constructor(message: string) {
    super(message);
    this.name = 'WatchDecodeError';
  }
}

/** A workqueue refused a key because it already holds its maximum of keys. */
export class WorkqueueFullError extends Error {
  readonly code = 'FLOTILLA_ERR_WORKQUEUE_FULL';
  constructor(readonly queueName: string, readonly maxLength: number) {
    super(`workqueue ${queueName} is full (${maxLength} keys waiting): workers are not keeping up; ` +
      'add workers or raise maxLength');
    this.name = 'WorkqueueFullError';
  }
}

/** A caller passed options that cannot work (say renewDeadline >= leaseDuration). */
export class ClientConfigError extends Error {
  readonly code = 'FLOTILLA_ERR_CLIENT_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

/** The operation was aborted (signal or stop()). */
export class AbortedError extends Error {
  readonly code = 'FLOTILLA_ERR_ABORTED';
  constructor(message = 'the operation was aborted') {
    super(message);
    this.name = 'AbortedError';
  }
}
