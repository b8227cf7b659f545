// Server-side apply: PATCH with Content-Type application/apply-patch+yaml (`kubectl apply
// --server-side`). The applied configuration is merged into the live object (or creates it),
// fields are owned per field manager, and setting a field another manager owns to another
// value is a 409 with the conflicting fields — unless ?force=true, which takes them over.
import {
  apiVersionOf, badRequest, invalidStatus, isStatus, type JsonObject, notFound, type ResourceInfo, schemaOf,
} from '../../api/index.js';
import { apply, conflictStatus, parseApplyBody, SsaRequestError } from '../../api/ssa/index.js';
import type { RequestContext } from '../http/context.js';
import { APISERVER_LIMITS } from '../limits.js';
import { currentForUpdate, groupResource, type HandlerDeps, isoSeconds, metaOf } from './deps.js';
import { sendObjects } from './read.js';
import { commitUpdate, createObject, retryPause, type WriteMode } from './write.js';

export async function handleApply(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo, mode: WriteMode, dry: boolean):
  Promise<void> {
  const manager = ctx.query.get('fieldManager') ?? '';
  if (manager === '') {
    return ctx.sendStatus(invalidStatus({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '',
      [{ type: 'FieldValueRequired', field: 'fieldManager', badValue: '', detail: 'is required for apply patch' }]));
  }
  const force = ctx.query.get('force') === 'true';
  let applied: JsonObject;
  try {
    applied = parseApplyBody(await ctx.readBody());
  } catch (e) {
    if (e instanceof SsaRequestError) return ctx.sendStatus(badRequest(e.message));
    throw e;
  }
  const m = metaOf(applied);
  if (m['name'] !== undefined && m['name'] !== ctx.info.name) {
    return ctx.sendStatus(badRequest(`the name of the object (${String(m['name'])}) does not match the name on the URL (${ctx.info.name})`));
  }
  if (r.namespaced && m['namespace'] !== undefined && m['namespace'] !== ctx.info.namespace) {
    return ctx.sendStatus(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
  }
  m['name'] = ctx.info.name;
  const key = d.keys.objectKey(r, ctx.info.namespace, ctx.info.name);
  for (let attempt = 0; attempt < APISERVER_LIMITS.maxUpdateRetries; attempt++) {
    const current = await currentForUpdate(d, r, key, attempt);
    let result;
    try {
      result = apply({ schema: schemaOf(r), current: current?.object, applied: structuredClone(applied), manager, force,
        nowIso: isoSeconds(d.nowMs()), apiVersion: apiVersionOf(r), subresource: mode === 'status' ? 'status' : undefined });
    } catch (e) {
      if (e instanceof SsaRequestError) return ctx.sendStatus(badRequest(e.message));
      throw e;
    }
    if (!result.ok) {
      if (current?.cached) continue; // decide conflicts on the store's copy
      return ctx.sendStatus(conflictStatus(result.conflicts));
    }
    if (!current) {
      if (attempt === 0) continue; // the cache may not have it yet: look in the store
      if (mode === 'status') return ctx.sendStatus(notFound(groupResource(r), ctx.info.name));
      const created = await createObject(d, r, ctx.info.namespace, result.object, dry, ctx, { applied: true });
      if (isStatus(created)) return ctx.sendStatus(created);
      return sendObjects(d, ctx, r, [created], undefined, false, 201);
    }
    const out = await commitUpdate(d, r, current, result.object, mode, dry, { applied: true });
    if (out === 'conflict' || out === 'retry') {
      await retryPause(attempt);
      continue;
    }
    if (isStatus(out)) return ctx.sendStatus(out);
    return sendObjects(d, ctx, r, [out], undefined, false);
  }
  ctx.sendStatus(badRequest('too many concurrent changes to apply; try again'));
}
