// GET and LIST. GET reads the store (linearizable, as kube-apiserver does without
// resourceVersion). LIST is served from the watch cache after the cache has caught up with
// the store's current revision (so nothing acknowledged before the LIST began is missing),
// except paged reads (limit/continue) and resourceVersionMatch=Exact, which read the store
// at one revision so every page belongs to the same snapshot.
import {
  badRequest, type JsonObject, notFound, resourceExpired, type ResourceInfo, type Status, timeout, toTable,
} from '../../api/index.js';
import { EtcdClientError } from '../../../store/client/client.js';
import type { RequestContext } from '../http/context.js';
import { APISERVER_LIMITS } from '../limits.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { groupResource, type HandlerDeps, withTypeMeta } from './deps.js';
import { type ObjectFilter, parseFilter } from './filter.js';

export async function handleGet(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo): Promise<void> {
  const { namespace, name } = ctx.info;
  const key = d.keys.objectKey(r, namespace, name);
  const rv = ctx.query.get('resourceVersion');
  let obj: JsonObject | undefined;
  if (rv === '0') {
    obj = d.cacher.cache(r).getByKey(key)?.object;
  } else {
    obj = (await d.store.get(key))?.object;
  }
  if (!obj) return ctx.sendStatus(notFound(groupResource(r), name));
  sendObjects(d, ctx, r, [obj], undefined, false);
}

/** Answers with one object, or a List, as JSON, a Table, or PartialObjectMetadata. */
export function sendObjects(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo, objs: JsonObject[],
  listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number } | undefined, isList: boolean,
  code = 200): void {
  if (ctx.accept.table) {
    const includeObject = (ctx.query.get('includeObject') ?? 'Metadata') as 'None' | 'Metadata' | 'Object';
    ctx.send(code, toTable(r, objs, { nowMs: d.nowMs(), includeObject, listMeta: listMeta ?? {} }));
    return;
  }
  if (ctx.accept.metadataOnly) {
    const partial = objs.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o['metadata'] }));
    if (!isList) return ctx.send(code, partial[0]);
    return ctx.send(code, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: partial });
  }
  if (!isList) return ctx.send(code, withTypeMeta(r, objs[0]!));
  ctx.send(code, { kind: r.listKind, apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}`,
    metadata: listMeta, items: objs });
}

function parseLimit(q: URLSearchParams): number | Status {
  const raw = q.get('limit');
  if (raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return badRequest(`limit: Invalid value: ${JSON.stringify(raw)}: must be a non-negative integer`);
  return Math.min(n, APISERVER_LIMITS.maxListLimit);
}

export async function handleList(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo): Promise<void> {
  const filter = parseFilter(r, ctx.query);
  if ('code' in filter) return ctx.sendStatus(filter);
  const limit = parseLimit(ctx.query);
  if (typeof limit !== 'number') return ctx.sendStatus(limit);
  const rv = ctx.query.get('resourceVersion') ?? '';
  const match = ctx.query.get('resourceVersionMatch') ?? '';
  const cont = ctx.query.get('continue') ?? '';
  const prefix = d.keys.collectionPrefix(r, ctx.info.namespace);
  if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    return ctx.sendStatus(badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`));
  }
  if (match !== '' && rv === '') {
    return ctx.sendStatus(badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'));
  }
  if (cont !== '') {
    if (rv !== '') return ctx.sendStatus(badRequest('specifying resource version is not allowed when using continue'));
    const token = decodeContinue(cont, prefix);
    if ('code' in token) return ctx.sendStatus(token);
    return listFromStore(d, ctx, r, filter, prefix, limit, token.rv, token.startKey);
  }
  if (match === 'Exact') return listFromStore(d, ctx, r, filter, prefix, limit, Number(rv), undefined);
  if (rv === '' && limit > 0) return listFromStore(d, ctx, r, filter, prefix, limit, 0, undefined);
  const cacher = d.cacher;
  if (rv === '') {
    // Consistent read: the cache must hold every write acknowledged before now.
    if (!(await cacher.waitConsistent())) return listFromStore(d, ctx, r, filter, prefix, limit, 0, undefined);
  } else if (rv !== '0') {
    const want = Number(rv);
    if (!Number.isInteger(want) || want < 0) return ctx.sendStatus(badRequest(`invalid resource version: ${rv}`));
    if (!(await cacher.waitFresh(want))) {
      return ctx.sendStatus(timeout(`Too large resource version: ${want}, current: ${cacher.rv}`, 1));
    }
  }
  const cache = cacher.cache(r);
  const items = cache.list(prefix).filter((o) => filter.matches(o.object)).map((o) => o.object);
  sendObjects(d, ctx, r, items, { resourceVersion: String(cache.rv) }, true);
}

async function listFromStore(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo, filter: ObjectFilter, prefix: string,
  limit: number, revision: number, startKey: string | undefined): Promise<void> {
  const items: JsonObject[] = [];
  let rev = revision;
  let next = startKey;
  let more = false;
  let lastKey = '';
  try {
    for (;;) {
      const pageKeys = APISERVER_LIMITS.storePageKeys;
      const want = limit > 0 ? Math.min(pageKeys, Math.max(limit - items.length, 1)) : pageKeys;
      const page = await d.store.listPage(prefix, { startKey: next, revision: rev, limit: want });
      rev = page.revision === 0 ? rev : rev || page.revision;
      for (const it of page.items) {
        lastKey = it.key;
        if (filter.matches(it.object)) items.push(it.object);
        if (limit > 0 && items.length >= limit) break;
      }
      more = page.more || (page.items.length > 0 && lastKey !== page.items[page.items.length - 1]!.key);
      if (!more || page.items.length === 0) break;
      if (limit > 0 && items.length >= limit) break;
      next = `${lastKey}\0`;
    }
  } catch (e) {
    if (e instanceof EtcdClientError && /compacted/.test(e.details)) {
      return ctx.sendStatus(resourceExpired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
        'without the continue parameter, or use the continue token in this response to retrieve the remainder of ' +
        'the results. Continuing with the provided token results in an inconsistent list - objects that were ' +
        'created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'));
    }
    if (e instanceof EtcdClientError && /future rev/.test(e.details)) {
      return ctx.sendStatus(timeout(`Too large resource version: ${revision}, current: ${d.cacher.rv}`, 1));
    }
    throw e;
  }
  const meta: { resourceVersion: string; continue?: string } = { resourceVersion: String(rev) };
  if (more) meta.continue = encodeContinue(rev, prefix, `${lastKey}\0`);
  sendObjects(d, ctx, r, items, meta, true);
}

