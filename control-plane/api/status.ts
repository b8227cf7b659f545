// Kubernetes Status objects for every error the apiserver answers with, built like
// apimachinery's api/errors constructors: same reason, code, details and message text.
// Field order matches Go's JSON encoding of metav1.Status (kind, apiVersion, metadata,
// status, message, reason, details, code).
import { goQuote } from './go-format.js';
import type { Status, StatusCause, StatusDetails, StatusReason } from './types/meta.js';

export interface GroupResource { readonly group: string; readonly resource: string }
export interface GroupKind { readonly group: string; readonly kind: string }

/** "pods", "deployments.apps" — GroupResource.String(). */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/** "Pod", "Deployment.apps" — GroupKind.String(). */
export function qualifiedKind(gk: GroupKind): string {
  return gk.group === '' ? gk.kind : `${gk.kind}.${gk.group}`;
}

function details(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

export function failure(code: number, reason: StatusReason, message: string, d?: StatusDetails): Status {
  const s = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message } as Status;
  if (reason !== '') s.reason = reason;
  if (d !== undefined) s.details = details(d);
  s.code = code;
  return s;
}

/** The Status a successful DELETE answers with when the object is gone at once. */
export function success(d?: StatusDetails): Status {
  const s = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } as Status;
  if (d !== undefined) s.details = details(d);
  s.code = 200;
  return s;
}

export function badRequest(message: string): Status {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(message = 'Unauthorized'): Status {
  return failure(401, 'Unauthorized', message === '' ? 'not authorized' : message);
}

export interface AuthorizationAttributes {
  readonly user: string;
  readonly verb: string;
  /** Absent for non-resource requests (then path is used). */
  readonly resource?: string;
  readonly subresource?: string;
  readonly group?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly path?: string;
}

/** The authorizer's sentence: `User "x" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenReason(a: AuthorizationAttributes): string {
  if (a.resource === undefined) {
    return `User ${goQuote(a.user)} cannot ${a.verb} path ${goQuote(a.path ?? '')}`;
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const base = `User ${goQuote(a.user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.group ?? '')}`;
  return a.namespace ? `${base} in the namespace ${goQuote(a.namespace)}` : `${base} at the cluster scope`;
}

/** 403: `pods is forbidden: <reason>`, or `pods "x" is forbidden: <reason>` with a name. */
export function forbidden(gr: GroupResource | null, name: string, reason: string): Status {
  let message: string;
  if (gr === null || (gr.group === '' && gr.resource === '')) message = `forbidden: ${reason}`;
  else if (name === '') message = `${qualifiedResource(gr)} is forbidden: ${reason}`;
  else message = `${qualifiedResource(gr)} ${goQuote(name)} is forbidden: ${reason}`;
  return failure(403, 'Forbidden', message, { name, group: gr?.group ?? '', kind: gr?.resource ?? '' });
}

/** 403 for a request the authorizer denied, as the apiserver's authorization filter builds it. */
export function forbiddenRequest(a: AuthorizationAttributes, extra = ''): Status {
  const reason = extra === '' ? forbiddenReason(a) : `${forbiddenReason(a)}: ${extra}`;
  const gr = a.resource === undefined ? null : { group: a.group ?? '', resource: a.resource };
  return forbidden(gr, a.name ?? '', reason);
}

export function notFound(gr: GroupResource, name: string): Status {
  return failure(404, 'NotFound', `${qualifiedResource(gr)} ${goQuote(name)} not found`,
    { name, group: gr.group, kind: gr.resource });
}

export function alreadyExists(gr: GroupResource, name: string): Status {
  return failure(409, 'AlreadyExists', `${qualifiedResource(gr)} ${goQuote(name)} already exists`,
    { name, group: gr.group, kind: gr.resource });
}

/** Kubernetes' OptimisticLockErrorMsg. */
export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(gr: GroupResource, name: string, reason: string = OPTIMISTIC_LOCK_MESSAGE): Status {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} ${goQuote(name)}: ${reason}`,
    { name, group: gr.group, kind: gr.resource });
}

export function gone(message: string): Status {
  return failure(410, 'Gone', message);
}

/** 410 Expired: a watch or list continue token whose resourceVersion was compacted. */
export function resourceExpired(message: string): Status {
  return failure(410, 'Expired', message);
}

/** The watch/list message for a compacted resourceVersion: `too old resource version: 5 (10)`. */
export function tooOldResourceVersion(requested: string | number, oldest: string | number): Status {
  return resourceExpired(`too old resource version: ${requested} (${oldest})`);
}

export function methodNotSupported(gr: GroupResource, action: string): Status {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${goQuote(qualifiedResource(gr))}`,
    { group: gr.group, kind: gr.resource });
}

export function notAcceptable(message: string): Status {
  return failure(406, 'NotAcceptable', message);
}

export function requestEntityTooLarge(message: string): Status {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

export function unsupportedMediaType(message: string): Status {
  return failure(415, 'UnsupportedMediaType', message);
}

/** 422 with caller-made causes (see validation/field-errors.ts invalid() for field errors). */
export function invalidWithCauses(gk: GroupKind, name: string, message: string, causes: StatusCause[]): Status {
  return failure(422, 'Invalid', message, { name, group: gk.group, kind: gk.kind, causes });
}

/** NewGenericServerResponse(422, ...): what a failing JSON patch answers with. */
export function unprocessableGeneric(): Status {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

export function tooManyRequests(message: string, retryAfterSeconds: number): Status {
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internalError(message: string): Status {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** 500 ServerTimeout: `The create operation against pods could not be completed at this time, please try again.` */
export function serverTimeout(gr: GroupResource, operation: string, retryAfterSeconds: number): Status {
  return failure(500, 'ServerTimeout',
    `The ${operation} operation against ${qualifiedResource(gr)} could not be completed at this time, please try again.`,
    { name: operation, group: gr.group, kind: gr.resource, retryAfterSeconds });
}

export function serviceUnavailable(message: string): Status {
  return failure(503, 'ServiceUnavailable', message);
}

/** 504 Timeout: `Timeout: <message>`. */
export function timeout(message: string, retryAfterSeconds: number): Status {
  return failure(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds });
}

export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status'
    && (v as { apiVersion?: unknown }).apiVersion === 'v1';
}
