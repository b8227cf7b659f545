// CREATE, UPDATE (PUT) and PATCH, of objects and of their status. The chain for every write:
// decode (fieldValidation Strict|Warn|Ignore) → system fields (strategy) → defaults →
// validation (422 with field causes) → admission → compare-and-swap in the store. An update
// naming a resourceVersion that is no longer current is a 409 Conflict; an internal retry
// (patch without resourceVersion, status merge) re-reads and tries again.
import {
  alreadyExists, applyDefaults, isStatus, applyPatch, badRequest, conflict, decode, decodeBody, type JsonObject,
  jsonEqual, notFound, parseFieldValidation, patchStrictDecodingStatus, type PatchType, type ResourceInfo,
  schemaOf, type Status, strictFindings, unsupportedMediaType, validate,
} from '../../api/index.js';
import type { RequestContext } from '../http/context.js';
import { bodyMediaType } from '../http/negotiation.js';
import { APISERVER_LIMITS } from '../limits.js';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF, ProtobufDecodeError } from '../protobuf/decode.js';
import { allocateForCreate } from '../registry/services.js';
import { generateName, prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from '../registry/strategy.js';
import type { StoredObject } from '../storage/object-store.js';
import { admitCreate } from './admission.js';
import { handleApply } from './apply.js';
import { fieldManagerOf, withUpdateOwnership } from './field-manager.js';
import { currentForUpdate, groupResource, gvkOf, type HandlerDeps, isoSeconds, metaOf, resourceVersionOf, withTypeMeta } from './deps.js';
import { sendObjects } from './read.js';

export type WriteMode = 'main' | 'status';

/** After a lost compare-and-swap: retry at once a few times, then with growing random pauses. */
export async function retryPause(attempt: number): Promise<void> {
  if (attempt < 3) return;
  await new Promise((r) => setTimeout(r, Math.random() * attempt * APISERVER_LIMITS.updateRetryJitterMs));
}

const PATCH_TYPES = new Set<string>(['application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json']);

function isDryRun(ctx: RequestContext): Status | boolean {
  const v = ctx.query.getAll('dryRun');
  if (v.length === 0) return false;
  if (v.some((x) => x !== 'All')) return badRequest(`dryRun: Unsupported value: "${v.find((x) => x !== 'All')}": supported values: "All"`);
  return true;
}

function checkNamespaceAndName(ctx: RequestContext, r: ResourceInfo, obj: JsonObject, urlName: string): Status | null {
  const m = metaOf(obj);
  if (r.namespaced) {
    const ns = m['namespace'];
    if (typeof ns === 'string' && ns !== '' && ns !== ctx.info.namespace) {
      return badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    m['namespace'] = ctx.info.namespace;
  } else {
    delete m['namespace'];
  }
  if (urlName !== '' && m['name'] !== urlName) {
    if (m['name'] === undefined || m['name'] === '') m['name'] = urlName;
    else return badRequest(`the name of the object (${String(m['name'])}) does not match the name on the URL (${urlName})`);
  }
  return null;
}

/** The body as JSON text: JSON as sent, or Kubernetes protobuf decoded to its JSON form. */
export async function readBodyText(ctx: RequestContext): Promise<string | Status> {
  const media = bodyMediaType(ctx.req.headers['content-type']);
  let text: string;
  if (media === KUBERNETES_PROTOBUF) {
    // kubectl's typed clients (create configmap|deployment|...) send protobuf; decode it to
    // Kubernetes' JSON form and run the same JSON path, so validation is identical.
    try {
      text = JSON.stringify(decodeKubernetesProtobuf(await ctx.readBodyBuffer()).object);
    } catch (e) {
      if (!(e instanceof ProtobufDecodeError)) throw e;
      return /unknown kind/.test(e.message) ? unsupportedMediaType(e.message) : badRequest(e.message);
    }
  } else if (media === 'application/json' || media === '*/*') {
    text = await ctx.readBody();
  } else {
    return unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, ${KUBERNETES_PROTOBUF}`);
  }
  return text;
}

async function decodeRequest(ctx: RequestContext, r: ResourceInfo, optionsKind: 'CreateOptions' | 'UpdateOptions'):
  Promise<JsonObject | Status> {
  const directive = parseFieldValidation(ctx.query.get('fieldValidation') ?? undefined, optionsKind);
  if (!directive.ok) return directive.error;
  const text = await readBodyText(ctx);
  if (typeof text !== 'string') return text;
  const decoded = decodeBody(text, schemaOf(r), directive.value);
  if (!decoded.ok) return decoded.error;
  ctx.warnings.push(...decoded.value.warnings);
  return decoded.value.object;
}

export async function handleCreate(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo): Promise<void> {
  const dry = isDryRun(ctx);
  if (typeof dry !== 'boolean') return ctx.sendStatus(dry);
  const decoded = await decodeRequest(ctx, r, 'CreateOptions');
  if (isStatus(decoded)) return ctx.sendStatus(decoded);
  const result = await createObject(d, r, ctx.info.namespace, decoded, dry, ctx);
  if (isStatus(result)) return ctx.sendStatus(result);
  sendObjects(d, ctx, r, [result], undefined, false, 201);
}

/** The create chain, shared by POST and by PUT of an object that does not exist yet (where allowed). */
export interface WriteOwnership {
  /** Who writes (managedFields); default: from the request, or "kube-apiserver" for the server's own writes. */
  manager?: string;
  /** The object's managedFields are final already (server-side apply computed them). */
  applied?: boolean;
  /** Recorded with the ownership ("scale" for writes through the scale subresource). */
  subresource?: string;
}

export async function createObject(d: HandlerDeps, r: ResourceInfo, namespace: string, input: JsonObject, dry: boolean,
  ctx?: RequestContext, own: WriteOwnership = {}): Promise<JsonObject | Status> {
  let obj = input;
  if (ctx) {
    const bad = checkNamespaceAndName(ctx, r, obj, '');
    if (bad) return bad;
  } else if (r.namespaced) {
    metaOf(obj)['namespace'] = namespace;
  }
  const m = metaOf(obj);
  const generated = (m['name'] === undefined || m['name'] === '') && typeof m['generateName'] === 'string' && m['generateName'] !== '';
  const nowIso = isoSeconds(d.nowMs());
  prepareForCreate(r, obj, nowIso);
  obj = applyDefaults(gvkOf(r), obj);
  if (!own.applied) {
    const manager = own.manager ?? (ctx ? fieldManagerOf(ctx) : 'kube-apiserver');
    if (typeof manager !== 'string') return manager;
    obj = withUpdateOwnership(r, undefined, obj, manager, nowIso);
  }
  for (let attempt = 0; attempt < APISERVER_LIMITS.maxUpdateRetries; attempt++) {
    if (generated) metaOf(obj)['name'] = generateName(m['generateName'] as string);
    const invalid = validate(gvkOf(r), 'create', obj);
    if (invalid) return invalid;
    const denied = await admitCreate(d, r, namespace);
    if (denied) return denied;
    const name = metaOf(obj)['name'] as string;
    const side = r.kind === 'Service' ? await allocateForCreate(d.store, d.serviceIps, obj) : [];
    if (!Array.isArray(side)) return side;
    if (dry) return withTypeMeta(r, obj);
    const res = await d.store.create(d.keys.objectKey(r, namespace, name), obj, side);
    if (res.ok) {
      metaOf(obj)['resourceVersion'] = String(res.rv);
      return withTypeMeta(r, obj);
    }
    if (res.current && !generated) return alreadyExists(groupResource(r), name);
    // a generated name collided, or a concurrent allocation moved the bitmap: try again
  }
  return conflict(groupResource(r), String(metaOf(obj)['name'] ?? ''), 'too many concurrent changes; try again');
}

/** Kinds whose PUT creates a missing object (Kubernetes' AllowCreateOnUpdate). */
const CREATE_ON_UPDATE = new Set(['Endpoints', 'Event', 'Lease', 'Node', 'Role', 'RoleBinding', 'ClusterRole',
  'ClusterRoleBinding', 'Namespace' /* PUT /finalize only */]);

export async function handleUpdate(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo, mode: WriteMode):
  Promise<void> {
  const dry = isDryRun(ctx);
  if (typeof dry !== 'boolean') return ctx.sendStatus(dry);
  const decoded = await decodeRequest(ctx, r, 'UpdateOptions');
  if (isStatus(decoded)) return ctx.sendStatus(decoded);
  const obj = decoded;
  const bad = checkNamespaceAndName(ctx, r, obj, ctx.info.name);
  if (bad) return ctx.sendStatus(bad);
  const key = d.keys.objectKey(r, ctx.info.namespace, ctx.info.name);
  const wantRv = resourceVersionOf(obj);
  const manager = fieldManagerOf(ctx, 'UpdateOptions');
  if (typeof manager !== 'string') return ctx.sendStatus(manager);
  for (let attempt = 0; attempt < APISERVER_LIMITS.maxUpdateRetries; attempt++) {
    // A client resourceVersion the cached copy does not match may mean a stale cache: read the store then.
    let current = await currentForUpdate(d, r, key, attempt);
    if (!current || (current.cached && wantRv !== '' && wantRv !== String(current.rv))) {
      current = await currentForUpdate(d, r, key, attempt + 1);
    }
    if (!current) {
      if (mode === 'main' && CREATE_ON_UPDATE.has(r.kind) && r.kind !== 'Namespace') {
        const created = await createObject(d, r, ctx.info.namespace, obj, dry, ctx);
        if (isStatus(created)) return ctx.sendStatus(created);
        return sendObjects(d, ctx, r, [created], undefined, false, 201);
      }
      return ctx.sendStatus(notFound(groupResource(r), ctx.info.name));
    }
    if (wantRv !== '' && wantRv !== String(current.rv)) return ctx.sendStatus(conflict(groupResource(r), ctx.info.name));
    const out = await commitUpdate(d, r, current, structuredClone(obj), mode, dry, { manager });
    if (out === 'retry') continue;
    if (out === 'conflict') {
      if (wantRv !== '') return ctx.sendStatus(conflict(groupResource(r), ctx.info.name));
      await retryPause(attempt);
      continue;
    }
    if (isStatus(out)) return ctx.sendStatus(out);
    return sendObjects(d, ctx, r, [out], undefined, false);
  }
  ctx.sendStatus(conflict(groupResource(r), ctx.info.name));
}

/**
 * Writes `next` over `current` (strategy, defaults, validation, CAS). 'conflict' when the
 * object moved on meanwhile. A deleting object whose last finalizer is removed is deleted.
 */
export async function commitUpdate(d: HandlerDeps, r: ResourceInfo, current: StoredObject, nextIn: JsonObject,
  mode: WriteMode, dry: boolean, own: WriteOwnership = {}): Promise<JsonObject | Status | 'conflict' | 'retry'> {
  const old = current.object;
  let next = mode === 'status' ? prepareForStatusUpdate(nextIn, old) : nextIn;
  if (mode === 'main') prepareForUpdate(r, next, old);
  next = applyDefaults(gvkOf(r), next);
  metaOf(next)['resourceVersion'] = String(current.rv);
  const invalid = validate(gvkOf(r), mode === 'status' ? 'status' : 'update', next, old);
  if (invalid) return invalid;
  // Nothing changed but (maybe) the managedFields a client echoed back: no write, as Kubernetes.
  const sameAsOld = { ...next, metadata: { ...metaOf(next), managedFields: metaOf(old)['managedFields'] ?? null } };
  if (!metaOf(old)['managedFields']) delete (sameAsOld['metadata'] as JsonObject)['managedFields'];
  if (jsonEqual(withTypeMeta(r, sameAsOld), withTypeMeta(r, old))) return withTypeMeta(r, old);
  if (!own.applied) {
    next = withUpdateOwnership(r, old, next, own.manager ?? 'kube-apiserver', isoSeconds(d.nowMs()),
      own.subresource ?? (mode === 'status' ? 'status' : undefined));
  }
  if (dry) return withTypeMeta(r, next);
  const m = metaOf(next);
  const finalizersLeft = Array.isArray(m['finalizers']) && (m['finalizers'] as unknown[]).length > 0;
  if (m['deletionTimestamp'] && !finalizersLeft && (m['deletionGracePeriodSeconds'] ?? 0) === 0) {
    const del = await d.store.delete(current.key, current.rv);
    if (!del.ok) return 'conflict';
    return withTypeMeta(r, next);
  }
  const res = await d.store.update(current.key, next, current.rv);
  if (!res.ok) return res.current ? 'conflict' : notFoundFor(r, current);
  m['resourceVersion'] = String(res.rv);
  return withTypeMeta(r, next);
}

function notFoundFor(r: ResourceInfo, s: StoredObject): Status {
  return notFound(groupResource(r), String(metaOf(s.object)['name'] ?? ''));
}

export async function handlePatch(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo, mode: WriteMode):
  Promise<void> {
  const dry = isDryRun(ctx);
  if (typeof dry !== 'boolean') return ctx.sendStatus(dry);
  const media = bodyMediaType(ctx.req.headers['content-type']);
  if (media === 'application/apply-patch+yaml') return handleApply(d, ctx, r, mode, dry);
  if (!PATCH_TYPES.has(media)) {
    return ctx.sendStatus(unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${[...PATCH_TYPES].join(', ')}, application/apply-patch+yaml`));
  }
  const directive = parseFieldValidation(ctx.query.get('fieldValidation') ?? undefined, 'PatchOptions');
  if (!directive.ok) return ctx.sendStatus(directive.error);
  const manager = fieldManagerOf(ctx, 'PatchOptions');
  if (typeof manager !== 'string') return ctx.sendStatus(manager);
  const body = await ctx.readBody();
  const key = d.keys.objectKey(r, ctx.info.namespace, ctx.info.name);
  const schema = schemaOf(r);
  for (let attempt = 0; attempt < APISERVER_LIMITS.maxUpdateRetries; attempt++) {
    let current = await currentForUpdate(d, r, key, attempt);
    if (!current) current = await currentForUpdate(d, r, key, attempt + 1);
    if (!current) return ctx.sendStatus(notFound(groupResource(r), ctx.info.name));
    const patched = applyPatch(media as PatchType, structuredClone(current.object), body, schema);
    if (!patched.ok) return ctx.sendStatus(patched.error.status);
    const dec = decode(schema, patched.value.object);
    if (dec.typeError !== undefined) return ctx.sendStatus(badRequest(dec.typeError));
    const findings = directive.value === 'Ignore' ? [] : strictFindings(patched.value.duplicates.map((p) => ({ path: p })), dec.unknownFields);
    if (findings.length > 0 && directive.value === 'Strict') return ctx.sendStatus(patchStrictDecodingStatus(patched.value.object, findings));
    if (attempt === 0) ctx.warnings.push(...findings);
    const next = dec.value as JsonObject;
    const bad = checkNamespaceAndName(ctx, r, next, ctx.info.name);
    if (bad) return ctx.sendStatus(bad);
    const wantRv = resourceVersionOf(next);
    if (wantRv !== '' && wantRv !== String(current.rv)) {
      if (current.cached) continue; // the cached copy may be the stale one: decide on the store's
      return ctx.sendStatus(conflict(groupResource(r), ctx.info.name));
    }
    const out = await commitUpdate(d, r, current, next, mode, dry, { manager });
    if (out === 'retry' || out === 'conflict') {
      await retryPause(attempt);
      continue;
    }
    if (isStatus(out)) return ctx.sendStatus(out);
    return sendObjects(d, ctx, r, [out], undefined, false);
  }
  ctx.sendStatus(conflict(groupResource(r), ctx.info.name));
}
