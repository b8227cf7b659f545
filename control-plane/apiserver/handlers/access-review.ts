// authorization.k8s.io/v1 SelfSubjectAccessReview: "may I do this?" answered by the same
// authorizer that guards every request, for the requesting user (`kubectl auth can-i`).
// Nothing is stored; the answer is the review with its status filled in (201).
import { badRequest, isStatus, type JsonObject, parseJson } from '../../api/index.js';
import type { RequestContext } from '../http/context.js';
import type { HandlerDeps } from './deps.js';
import { readBodyText } from './write.js';

function str(o: JsonObject | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === 'string' ? v : '';
}

export async function handleSelfSubjectAccessReview(d: HandlerDeps, ctx: RequestContext): Promise<void> {
  if (ctx.info.verb !== 'create') {
    return ctx.sendStatus({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'MethodNotAllowed',
      message: `${ctx.info.verb} is not supported on resources of kind "selfsubjectaccessreviews.authorization.k8s.io"`,
      code: 405 });
  }
  const text = await readBodyText(ctx);
  if (isStatus(text)) return ctx.sendStatus(text);
  const parsed = parseJson(text);
  if (!parsed.ok || typeof parsed.value.value !== 'object' || parsed.value.value === null || Array.isArray(parsed.value.value)) {
    return ctx.sendStatus(badRequest(`the body is not a SelfSubjectAccessReview: ${parsed.ok ? 'not an object' : parsed.error.message}`));
  }
  const review = parsed.value.value as JsonObject;
  const spec = (review['spec'] ?? {}) as JsonObject;
  const ra = spec['resourceAttributes'] as JsonObject | undefined;
  const na = spec['nonResourceAttributes'] as JsonObject | undefined;
  if ((ra === undefined) === (na === undefined)) {
    return ctx.sendStatus({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
      message: 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: ' +
        '"null": exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  }
  const decision = d.authorize
    ? d.authorize(ra
      ? { user: ctx.user, verb: str(ra, 'verb'), isResourceRequest: true, path: '', apiGroup: str(ra, 'group'),
        resource: str(ra, 'resource'), subresource: str(ra, 'subresource'), namespace: str(ra, 'namespace'),
        name: str(ra, 'name') }
      : { user: ctx.user, verb: str(na, 'verb'), isResourceRequest: false, path: str(na, 'path'), apiGroup: '',
        resource: '', subresource: '', namespace: '', name: '' })
    : { allowed: true, reason: 'AlwaysAllow' };
  const status: JsonObject = { allowed: decision.allowed };
  if (decision.allowed) status['reason'] = decision.reason;
  ctx.send(201, { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null }, spec, status });
}
