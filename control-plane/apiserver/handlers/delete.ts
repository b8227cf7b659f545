// DELETE and DELETECOLLECTION with Kubernetes' semantics:
// - preconditions (uid, resourceVersion) → 409 when they do not hold;
// - graceful deletion of pods: a pod bound to a node and not finished gets deletionTimestamp
//   = now + grace and stays until its kubelet confirms with grace 0 (a shorter grace period
//   may shorten a pending deletion); unbound or finished pods go at once;
// - finalizers: an object with finalizers (incl. the foregroundDeletion / orphan ones the
//   propagation policy adds) only gets deletionTimestamp; whoever removes the last finalizer
//   deletes it (see commitUpdate);
// - the answer is the object as it was last (200), or 202 when its deletion is pending.
import {
  badRequest, conflict, type DeleteOptions, invalidStatus, isStatus, type JsonObject, notFound, parseJson,
  type ResourceInfo, type Status, validateDeleteOptions,
} from '../../api/index.js';
import type { RequestContext } from '../http/context.js';
import { APISERVER_LIMITS } from '../limits.js';
import { releaseForDelete } from '../registry/services.js';
import type { StoredObject } from '../storage/object-store.js';
import { admitDelete } from './admission.js';
import { groupResource, type HandlerDeps, isoSeconds, metaOf, withTypeMeta } from './deps.js';
import { parseFilter } from './filter.js';
import { retryPause } from './write.js';
import { sendObjects } from './read.js';

export async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions | Status> {
  const body = await ctx.readBody();
  let o: DeleteOptions = {};
  if (body.trim() !== '') {
    const p = parseJson(body);
    if (!p.ok || typeof p.value.value !== 'object' || p.value.value === null || Array.isArray(p.value.value)) {
      return badRequest(`the body of the request was not valid DeleteOptions: ${p.ok ? 'not an object' : p.error.message}`);
    }
    o = p.value.value as DeleteOptions;
  }
  const q = ctx.query;
  if (q.has('gracePeriodSeconds')) o.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) o.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  if (q.has('orphanDependents')) o.orphanDependents = q.get('orphanDependents') === 'true';
  if (q.has('dryRun')) o.dryRun = q.getAll('dryRun');
  const errs = validateDeleteOptions(o);
  return errs.length > 0 ? invalidStatus({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', errs) : o;
}

function graceSeconds(r: ResourceInfo, obj: JsonObject, o: DeleteOptions): number {
  if (r.kind !== 'Pod') return 0;
  const spec = (obj['spec'] ?? {}) as JsonObject;
  const phase = ((obj['status'] ?? {}) as JsonObject)['phase'];
  if (!spec['nodeName'] || phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = o.gracePeriodSeconds ?? (spec['terminationGracePeriodSeconds'] as number | undefined) ?? 30;
  return Math.max(0, g);
}

export type DeleteOutcome = { object: JsonObject; pending: boolean } | Status;

/** Deletes one object (shared by DELETE, DELETECOLLECTION and pod eviction). */
export async function deleteObject(d: HandlerDeps, r: ResourceInfo, namespace: string, name: string, o: DeleteOptions):
  Promise<DeleteOutcome> {
  const denied = admitDelete(r, name);
  if (denied) return denied;
  const key = d.keys.objectKey(r, namespace, name);
  const dry = (o.dryRun ?? []).includes('All');
  for (let attempt = 0; attempt < APISERVER_LIMITS.maxUpdateRetries; attempt++) {
    const current = await d.store.get(key);
    if (!current) return notFound(groupResource(r), name);
    const m = metaOf(current.object);
    const pre = o.preconditions;
    if (pre?.uid && pre.uid !== m['uid']) {
      return conflict(groupResource(r), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(m['uid'])}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(current.rv)) {
      return conflict(groupResource(r), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`);
    }
    const out = await deleteOnce(d, r, current, o, dry);
    if (out !== 'conflict') return out;
    await retryPause(attempt);
  }
  return conflict(groupResource(r), name, 'too many concurrent changes; try again');
}

function finalizersFor(r: ResourceInfo, m: JsonObject, o: DeleteOptions): string[] {
  const list = new Set(Array.isArray(m['finalizers']) ? (m['finalizers'] as string[]) : []);
  const policy = o.propagationPolicy ?? (o.orphanDependents === true ? 'Orphan' : undefined);
  if (policy === 'Foreground') list.add('foregroundDeletion');
  if (policy === 'Orphan') list.add('orphan');
  return [...list];
}

async function deleteOnce(d: HandlerDeps, r: ResourceInfo, current: StoredObject, o: DeleteOptions, dry: boolean):
  Promise<DeleteOutcome | 'conflict'> {
  const obj = structuredClone(current.object);
  const m = metaOf(obj);
  const grace = graceSeconds(r, obj, o);
  const finalizers = finalizersFor(r, m, o);
  const now = d.nowMs();
  // A namespace waits for its spec.finalizers ("kubernetes": the namespace controller empties it, then deletes again).
  const nsPending = r.kind === 'Namespace' && ((((obj['spec'] ?? {}) as JsonObject)['finalizers'] ?? []) as unknown[]).length > 0;
  if (grace > 0 || finalizers.length > 0 || nsPending) {
    const existingDeadline = typeof m['deletionTimestamp'] === 'string' ? Date.parse(m['deletionTimestamp']) : undefined;
    const deadline = now + grace * 1000;
    const before = Array.isArray(m['finalizers']) ? (m['finalizers'] as unknown[]).length : 0;
    if (existingDeadline !== undefined && existingDeadline <= deadline && finalizers.length === before) {
      return { object: withTypeMeta(r, current.object), pending: true }; // already being deleted, no sooner
    }
    m['deletionTimestamp'] = isoSeconds(existingDeadline !== undefined ? Math.min(existingDeadline, deadline) : deadline);
    m['deletionGracePeriodSeconds'] = grace;
    if (finalizers.length > 0) m['finalizers'] = finalizers;
    if (r.kind === 'Namespace') obj['status'] = { ...((obj['status'] ?? {}) as JsonObject), phase: 'Terminating' };
    if (dry) return { object: withTypeMeta(r, obj), pending: true };
    const res = await d.store.update(current.key, obj, current.rv);
    if (!res.ok) return 'conflict';
    m['resourceVersion'] = String(res.rv);
    return { object: withTypeMeta(r, obj), pending: true };
  }
  return deleteNow(d, r, current, dry);
}

async function deleteNow(d: HandlerDeps, r: ResourceInfo, current: StoredObject, dry: boolean):
  Promise<DeleteOutcome | 'conflict'> {
  if (dry) return { object: withTypeMeta(r, current.object), pending: false };
  const side = r.kind === 'Service' ? await releaseForDelete(d.store, d.serviceIps, current.object) : [];
  const res = await d.store.delete(current.key, current.rv, side);
  if (!res.ok) return 'conflict';
  return { object: withTypeMeta(r, current.object), pending: false };
}

export async function handleDelete(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo): Promise<void> {
  const o = await readDeleteOptions(ctx);
  if (isStatus(o)) return ctx.sendStatus(o);
  const out = await deleteObject(d, r, ctx.info.namespace, ctx.info.name, o);
  if (isStatus(out)) return ctx.sendStatus(out);
  sendObjects(d, ctx, r, [out.object], undefined, false, out.pending ? 202 : 200);
}

export async function handleDeleteCollection(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo): Promise<void> {
  const o = await readDeleteOptions(ctx);
  if (isStatus(o)) return ctx.sendStatus(o);
  // List what matches (from the cache, consistently), then delete each; what is gone already is fine.
  const ok = await d.cacher.waitConsistent();
  if (!ok) return ctx.sendStatus(badRequest('the watch cache is not ready; retry'));
  const filter = parseFilter(r, ctx.query);
  if (isStatus(filter)) return ctx.sendStatus(filter);
  const prefix = d.keys.collectionPrefix(r, ctx.info.namespace);
  const victims = d.cacher.cache(r).list(prefix).filter((x) => filter.matches(x.object));
  const deleted: JsonObject[] = [];
  for (const v of victims) {
    const m = metaOf(v.object);
    const out = await deleteObject(d, r, String(m['namespace'] ?? ''), String(m['name']), o);
    if (!isStatus(out)) deleted.push(out.object);
    else if (out.code !== 404) return ctx.sendStatus(out);
  }
  sendObjects(d, ctx, r, deleted, { resourceVersion: String(d.cacher.rv) }, true);
}

