// Subresources: pods/binding (and the namespaced `bindings` collection), pods/eviction, and
// scale for deployments, replicasets and replicationcontrollers (autoscaling/v1 Scale).
import {
  applyPatch, badRequest, conflict, decodeBody, type DeleteOptions, findResource, isStatus, type JsonObject, notFound,
  type ResourceInfo, schemaForKind, type Status, success,
} from '../../api/index.js';
import type { RequestContext } from '../http/context.js';
import { APISERVER_LIMITS } from '../limits.js';
import { deleteObject } from './delete.js';
import { currentForUpdate, groupResource, type HandlerDeps, isoSeconds, metaOf } from './deps.js';
import { commitUpdate, readBodyText, retryPause } from './write.js';
import { fieldManagerOf } from './field-manager.js';

const fieldManager = (ctx: RequestContext): string => {
  const m = fieldManagerOf(ctx, 'UpdateOptions');
  return typeof m === 'string' ? m : 'unknown';
};

const PODS = findResource('', 'pods')!;

async function decodeKind(ctx: RequestContext, group: string, version: string, kind: string):
  Promise<JsonObject | Status> {
  const schema = schemaForKind({ group, version, kind });
  if (!schema) return badRequest(`no kind "${kind}" is registered`);
  const text = await readBodyText(ctx);
  if (typeof text !== 'string') return text;
  const decoded = decodeBody(text, schema, 'Ignore');
  return decoded.ok ? decoded.value.object : decoded.error;
}

/**
 * Binds a pod to a node (what the scheduler does): sets spec.nodeName and the PodScheduled
 * condition in one compare-and-swap; a pod already bound is a 409, as in Kubernetes.
 */
export async function handleBinding(d: HandlerDeps, ctx: RequestContext, podName: string): Promise<void> {
  const binding = await decodeKind(ctx, '', 'v1', 'Binding');
  if (isStatus(binding)) return ctx.sendStatus(binding);
  const name = podName !== '' ? podName : String(metaOf(binding)['name'] ?? '');
  const target = (binding['target'] ?? {}) as JsonObject;
  const nodeName = typeof target['name'] === 'string' ? target['name'] : '';
  if (nodeName === '') return ctx.sendStatus(badRequest('target.name: Required value: a binding needs a target node'));
  if (target['kind'] !== undefined && target['kind'] !== '' && target['kind'] !== 'Node') {
    return ctx.sendStatus(badRequest(`target.kind: Unsupported value: "${String(target['kind'])}": supported values: "Node"`));
  }
  const key = d.keys.objectKey(PODS, ctx.info.namespace, name);
  for (let attempt = 0; attempt < APISERVER_LIMITS.maxUpdateRetries; attempt++) {
    let current = await currentForUpdate(d, PODS, key, attempt);
    if (!current) current = await currentForUpdate(d, PODS, key, attempt + 1);
    if (!current) return ctx.sendStatus(notFound(groupResource(PODS), name));
    // Copy only what the binding changes (metadata, spec, status and its conditions): cached
    // objects are shared and never mutated, and a deep clone of the whole pod cost more than
    // the rest of the handler.
    const pod: JsonObject = { ...current.object };
    const m: JsonObject = { ...metaOf(current.object) };
    pod['metadata'] = m;
    const spec: JsonObject = { ...((current.object['spec'] ?? {}) as JsonObject) };
    pod['spec'] = spec;
    // Refusals are decided on the store's copy, never on a possibly stale cached one.
    if (current.cached && (m['deletionTimestamp'] || spec['nodeName'])) continue;
    if (m['deletionTimestamp']) return ctx.sendStatus(conflict(groupResource(PODS), name, `pod ${name} is being deleted, cannot be assigned to a host`));
    if (spec['nodeName']) {
      return ctx.sendStatus(conflict(groupResource(PODS), name, `pod ${name} is already assigned to node "${String(spec['nodeName'])}"`));
    }
    const want = metaOf(binding)['uid'];
    if (want && want !== m['uid']) return ctx.sendStatus(conflict(groupResource(PODS), name, `Precondition failed: UID in precondition: ${String(want)}, UID in object meta: ${String(m['uid'])}`));
    spec['nodeName'] = nodeName;
    const annotations = (metaOf(binding)['annotations'] ?? {}) as Record<string, string>;
    if (Object.keys(annotations).length > 0) m['annotations'] = { ...((m['annotations'] ?? {}) as JsonObject), ...annotations };
    const status: JsonObject = { ...((pod['status'] ?? {}) as JsonObject) };
    const conditions = ((status['conditions'] ?? []) as JsonObject[]).filter((c) => c['type'] !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null,
      lastTransitionTime: isoSeconds(d.nowMs()) });
    status['conditions'] = conditions;
    pod['status'] = status;
    const res = await d.store.update(key, pod, current.rv);
    if (res.ok) return ctx.send(201, { ...success(), code: 201 });
    await retryPause(attempt);
  }
  ctx.sendStatus(conflict(groupResource(PODS), name));
}

/** Evicts a pod: a graceful delete (no PodDisruptionBudgets are served, so nothing can refuse it). */
export async function handleEviction(d: HandlerDeps, ctx: RequestContext, podName: string): Promise<void> {
  const eviction = await decodeKind(ctx, 'policy', 'v1', 'Eviction');
  if (isStatus(eviction)) return ctx.sendStatus(eviction);
  const evName = metaOf(eviction)['name'];
  if (evName !== undefined && evName !== '' && evName !== podName) {
    return ctx.sendStatus(badRequest(`name in URL does not match name in Eviction object`));
  }
  const opts = (eviction['deleteOptions'] ?? {}) as DeleteOptions;
  const out = await deleteObject(d, PODS, ctx.info.namespace, podName, opts);
  if (isStatus(out)) return ctx.sendStatus(out);
  ctx.send(201, { ...success(), code: 201 });
}

function scaleOf(r: ResourceInfo, obj: JsonObject): JsonObject {
  const m = metaOf(obj);
  const spec = (obj['spec'] ?? {}) as JsonObject;
  const status = (obj['status'] ?? {}) as JsonObject;
  let selector = '';
  const sel = spec['selector'] as JsonObject | undefined;
  if (sel && r.kind === 'ReplicationController') {
    selector = Object.entries(sel as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  } else if (sel) {
    const labels = (sel['matchLabels'] ?? {}) as Record<string, string>;
    selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  }
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m['name'] ?? '', namespace: m['namespace'] ?? '', uid: m['uid'] ?? '',
      resourceVersion: m['resourceVersion'] ?? '', creationTimestamp: m['creationTimestamp'] ?? null },
    spec: { replicas: spec['replicas'] ?? 0 },
    status: { replicas: status['replicas'] ?? 0, selector },
  };
}

export async function handleScale(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo): Promise<void> {
  const key = d.keys.objectKey(r, ctx.info.namespace, ctx.info.name);
  if (ctx.info.verb === 'get') {
    const cur = await d.store.get(key);
    if (!cur) return ctx.sendStatus(notFound(groupResource(r), ctx.info.name));
    return ctx.send(200, scaleOf(r, cur.object));
  }
  let body: JsonObject | Status;
  if (ctx.info.verb === 'patch') {
    const cur = await d.store.get(key);
    if (!cur) return ctx.sendStatus(notFound(groupResource(r), ctx.info.name));
    const media = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const p = applyPatch(media as never, scaleOf(r, cur.object), await ctx.readBody(), schemaForKind({ group: 'autoscaling', version: 'v1', kind: 'Scale' }));
    if (!p.ok) return ctx.sendStatus(p.error.status);
    body = p.value.object as JsonObject;
  } else {
    body = await decodeKind(ctx, 'autoscaling', 'v1', 'Scale');
  }
  if (isStatus(body)) return ctx.sendStatus(body);
  const replicas = ((body['spec'] ?? {}) as JsonObject)['replicas'];
  const wantRv = String(metaOf(body)['resourceVersion'] ?? '');
  for (let attempt = 0; attempt < APISERVER_LIMITS.maxUpdateRetries; attempt++) {
    const cur = await d.store.get(key);
    if (!cur) return ctx.sendStatus(notFound(groupResource(r), ctx.info.name));
    if (wantRv !== '' && wantRv !== String(cur.rv)) return ctx.sendStatus(conflict({ group: 'autoscaling', resource: 'scale' }, ctx.info.name));
    const next = structuredClone(cur.object);
    next['spec'] = { ...((next['spec'] ?? {}) as JsonObject), replicas: typeof replicas === 'number' ? replicas : 0 };
    const out = await commitUpdate(d, r, cur, next, 'main', false, { manager: fieldManager(ctx), subresource: 'scale' });
    if (out === 'conflict' || out === 'retry') {
      await retryPause(attempt);
      continue;
    }
    if (isStatus(out)) return ctx.sendStatus(out);
    return ctx.send(200, scaleOf(r, out));
  }
  ctx.sendStatus(conflict(groupResource(r), ctx.info.name));
}
