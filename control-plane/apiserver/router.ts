// Routes an authenticated, authorized resource request to its handler by (subresource, verb),
// refusing verbs a resource does not serve with 405 as Kubernetes does.
import {
  badRequest, findResource, methodNotSupported, notFound, type ResourceInfo, type Status,
} from '../api/index.js';
import type { RequestContext } from './http/context.js';
import { handleDelete, handleDeleteCollection } from './handlers/delete.js';
import type { HandlerDeps } from './handlers/deps.js';
import { handleSelfSubjectAccessReview } from './handlers/access-review.js';
import { handleLogs } from './handlers/logs.js';
import { handleGet, handleList } from './handlers/read.js';
import { handleBinding, handleEviction, handleScale } from './handlers/subresources.js';
import { handleWatch, type WatchRegistry } from './handlers/watch.js';
import { handleCreate, handlePatch, handleUpdate } from './handlers/write.js';

export function notFoundPath(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource',
    reason: 'NotFound', details: {}, code: 404 };
}

export function resolve(group: string, version: string, plural: string): ResourceInfo | undefined {
  const r = findResource(group, plural);
  return r && r.version === version ? r : undefined;
}

export async function route(d: HandlerDeps, ctx: RequestContext, watches: WatchRegistry): Promise<void> {
  const info = ctx.info;
  if (info.apiGroup === 'authorization.k8s.io' && info.apiVersion === 'v1' && info.resource === 'selfsubjectaccessreviews') {
    return handleSelfSubjectAccessReview(d, ctx);
  }
  const r = resolve(info.apiGroup, info.apiVersion, info.resource);
  if (!r) return ctx.sendStatus(notFoundPath());
  const gr = { group: r.group, resource: r.plural };
  if (info.subresource === '') {
    if (r.kind === 'Binding') {
      if (info.verb !== 'create') return ctx.sendStatus(methodNotSupported(gr, info.verb));
      return handleBinding(d, ctx, '');
    }
    if (!r.verbs.includes(info.verb as never)) return ctx.sendStatus(methodNotSupported(gr, info.verb));
    switch (info.verb) {
      case 'get': return handleGet(d, ctx, r);
      case 'list': return handleList(d, ctx, r);
      case 'watch': return handleWatch(d, ctx, r, watches);
      case 'create': return handleCreate(d, ctx, r);
      case 'update': return handleUpdate(d, ctx, r, 'main');
      case 'patch': return handlePatch(d, ctx, r, 'main');
      case 'delete': return handleDelete(d, ctx, r);
      case 'deletecollection': return handleDeleteCollection(d, ctx, r);
      default: return ctx.sendStatus(methodNotSupported(gr, info.verb));
    }
  }
  if (r.plural === 'pods' && (info.subresource === 'exec' || info.subresource === 'portforward')) {
    // Served on connection upgrades only (server.ts → handlers/exec.ts, handlers/portforward.ts); a
    // plain request gets kube-apiserver's answer from its upgrade-aware proxy.
    return ctx.sendStatus(badRequest('Upgrade request required'));
  }
  const sub = r.subresources.find((s) => s.name === info.subresource);
  if (!sub) return ctx.sendStatus(notFound(gr, info.name));
  if (!sub.verbs.includes(info.verb as never)) return ctx.sendStatus(methodNotSupported(gr, info.verb));
  switch (sub.name) {
    case 'status':
      if (info.verb === 'get') return handleGet(d, ctx, r);
      return info.verb === 'update' ? handleUpdate(d, ctx, r, 'status') : handlePatch(d, ctx, r, 'status');
    case 'finalize': return handleUpdate(d, ctx, r, 'main');
    case 'scale': return handleScale(d, ctx, r);
    case 'binding': return handleBinding(d, ctx, info.name);
    case 'eviction': return handleEviction(d, ctx, info.name);
    case 'log': return handleLogs(d, ctx);
    default:
      return ctx.sendStatus({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 503,
        reason: 'ServiceUnavailable', message: `${r.plural}/${sub.name} needs the node agent, which this cluster does not reach yet` });
  }
}
