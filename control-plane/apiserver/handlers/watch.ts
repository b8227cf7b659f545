// WATCH, served from the watch cache as a chunked stream of newline-delimited JSON events
// ({"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}), as kube-apiserver does:
// - no resourceVersion or "0": synthetic ADDED events for the current state, then changes;
// - resourceVersion N: every change after N, or one ERROR event with a 410 Status when those
//   events are no longer kept (the client re-lists);
// - selectors apply to both the old and the new state, so an object leaving the selection is
//   seen as DELETED and one entering it as ADDED;
// - BOOKMARK events (allowWatchBookmarks) carry the cache's revision while nothing changes;
// - the stream ends after timeoutSeconds (default: random in [30, 60] min);
// - a watcher too slow to read its events is closed rather than buffered without bound.
import { pack } from 'msgpackr';
import {
  type JsonObject, type ResourceInfo, type Status, toTable, tooOldResourceVersion, badRequest,
} from '../../api/index.js';
import type { CacheEvent, WatchEventType } from '../cache/resource-cache.js';
import type { RequestContext } from '../http/context.js';
import { MSGPACK_MEDIA_TYPE } from '../http/negotiation.js';
import { APISERVER_LIMITS } from '../limits.js';
import { type HandlerDeps, withTypeMeta } from './deps.js';
import { parseFilter } from './filter.js';

interface OutEvent { type: WatchEventType | 'BOOKMARK' | 'ERROR'; object: unknown }

export interface WatchRegistry {
  /** Open watches on this replica (bounded by maxWatches). */
  open: Set<() => void>;
}

function withRv(obj: JsonObject, rv: number): JsonObject {
  return { ...obj, metadata: { ...(obj['metadata'] as JsonObject), resourceVersion: String(rv) } };
}

/** The event a watcher with this filter sees for a store change, if any. */
function project(e: CacheEvent, inScope: (o: JsonObject) => boolean): OutEvent | undefined {
  const cur = e.type !== 'DELETED' && inScope(e.object);
  const prev = e.prevObject !== undefined && inScope(e.prevObject);
  if (e.type === 'ADDED') return cur ? { type: 'ADDED', object: e.object } : undefined;
  if (e.type === 'DELETED') return prev ? { type: 'DELETED', object: e.object } : undefined;
  if (cur && prev) return { type: 'MODIFIED', object: e.object };
  if (cur) return { type: 'ADDED', object: e.object };
  if (prev) return { type: 'DELETED', object: withRv(e.prevObject!, e.rv) };
  return undefined;
}

function watchTimeoutMs(q: URLSearchParams): number | Status {
  const t = q.get('timeoutSeconds');
  if (t === null || t === '') {
    const min = APISERVER_LIMITS.minWatchTimeoutSeconds;
    return (min + Math.random() * min) * 1000;
  }
  const n = Number(t);
  if (!Number.isInteger(n) || n < 0) return badRequest(`timeoutSeconds: Invalid value: ${JSON.stringify(t)}: must be a non-negative integer`);
  return n * 1000;
}

export async function handleWatch(d: HandlerDeps, ctx: RequestContext, r: ResourceInfo, reg: WatchRegistry):
  Promise<void> {
  const filter = parseFilter(r, ctx.query);
  if ('code' in filter) return ctx.sendStatus(filter);
  const timeoutMs = watchTimeoutMs(ctx.query);
  if (typeof timeoutMs !== 'number') return ctx.sendStatus(timeoutMs);
  if (reg.open.size >= APISERVER_LIMITS.maxWatches) {
    return ctx.sendStatus({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'TooManyRequests',
      message: 'too many watches open on this apiserver; retry on another', code: 429, details: { retryAfterSeconds: 1 } });
  }
  const prefix = d.keys.collectionPrefix(r, ctx.info.namespace);
  const name = ctx.info.name;
  // Judged twice per object (as the new state of one event and the old state of the next), but a
  // field selector reads only the fields it names (fieldMatcher): cheaper than remembering verdicts.
  const inScope = (o: JsonObject): boolean => {
    const m = (o['metadata'] ?? {}) as JsonObject;
    return (name === '' || m['name'] === name) &&
      (!r.namespaced || ctx.info.namespace === '' || m['namespace'] === ctx.info.namespace) && filter.matches(o);
  };
  const rv = ctx.query.get('resourceVersion') ?? '';
  const cache = d.cacher.cache(r);
  if (rv === '') await d.cacher.waitConsistent();
  let fromRv = -1;
  if (rv !== '' && rv !== '0') {
    fromRv = Number(rv);
    if (!Number.isInteger(fromRv) || fromRv < 0) return ctx.sendStatus(badRequest(`invalid resource version: ${rv}`));
    await d.cacher.waitFresh(fromRv);
  }
  const stream = new WatchStream(d, ctx, r);
  // From here to subscribe() nothing awaits: the initial state and the live events join without a gap.
  if (fromRv < 0) {
    for (const o of cache.list(prefix)) if (inScope(o.object)) stream.send({ type: 'ADDED', object: o.object });
  } else {
    const past = cache.eventsAfter(fromRv);
    if (past === undefined) {
      stream.send({ type: 'ERROR', object: tooOldResourceVersion(fromRv, cache.oldestRv + 1) });
      return stream.end();
    }
    for (const e of past) {
      const out = project(e, inScope);
      if (out) stream.send(out);
    }
  }
  let lastBookmarkRv = cache.rv;
  const unsubscribe = cache.subscribe({
    onEvent: (e) => {
      const out = project(e, inScope);
      if (out) stream.send(out);
    },
  });
  const bookmarks = ctx.query.get('allowWatchBookmarks') === 'true';
  const ticker = bookmarks ? setInterval(() => {
    if (cache.rv === lastBookmarkRv) return;
    lastBookmarkRv = cache.rv;
    stream.send({ type: 'BOOKMARK', object: { kind: r.kind, apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}`,
      metadata: { resourceVersion: String(cache.rv) } } });
  }, APISERVER_LIMITS.bookmarkIntervalMs) : undefined;
  const close = () => {
    unsubscribe();
    if (ticker) clearInterval(ticker);
    clearTimeout(timer);
    reg.open.delete(close);
    stream.end();
  };
  const timer = setTimeout(close, timeoutMs);
  reg.open.add(close);
  stream.onBroken = close;
  ctx.req.on('close', close);
  ctx.res.on('close', close);
}

/**
 * One event is usually sent to many watchers in the same form, one watcher after the other while
 * the cache applies it (subscribers run synchronously): encode it once. A memo of the last object
 * only, as kube-apiserver caches a serialization per event: a WeakMap over every object sent kept
 * each object's encoding (as large as the object) alive as long as the object stayed cached, and
 * its entries cost every major GC. Cached objects are never mutated, so identity is the key.
 */
let memoObject: object | undefined;
let memoForms: Partial<Record<string, string>> = {};

function encodedLine(type: string, object: JsonObject): string {
  if (memoObject !== object) {
    memoObject = object;
    memoForms = {};
  }
  return (memoForms[type] ??= JSON.stringify({ type, object }) + '\n');
}

/**
 * The response side: encodes events, tracks back-pressure, ends on a slow reader. Events sent in
 * the same turn of the event loop (a store watch response carries many) go out as one chunk:
 * one write per event cost a chunk header, a TLS record and a writev each, and woke the reader
 * once per event. The pending chunk is bounded by maxWatchCoalescedEvents, so a flood is still
 * written as it comes.
 */
class WatchStream {
  #backlog = 0;
  #ended = false;
  #first = true;
  #pending: (string | Buffer)[] = [];
  #flushScheduled = false;
  onBroken: () => void = () => undefined;
  readonly #msgpack: boolean;

  constructor(private readonly d: HandlerDeps, private readonly ctx: RequestContext, private readonly r: ResourceInfo) {
    this.#msgpack = ctx.accept.encoding === 'msgpack';
    ctx.res.writeHead(200, {
      'Content-Type': this.#msgpack ? MSGPACK_MEDIA_TYPE : 'application/json',
      'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked',
    });
    ctx.res.flushHeaders();
    ctx.res.on('drain', () => {
      this.#backlog = 0;
    });
  }

  #object(e: OutEvent): unknown {
    if (e.type === 'ERROR' || e.type === 'BOOKMARK') return e.object;
    const obj = e.object as JsonObject;
    if (this.ctx.accept.table) {
      const table = toTable(this.r, [obj], { nowMs: this.d.nowMs(), includeObject: 'Metadata' });
      if (!this.#first) table.columnDefinitions = [];
      this.#first = false;
      return table;
    }
    if (this.ctx.accept.metadataOnly) return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj['metadata'] };
    return withTypeMeta(this.r, obj);
  }

  send(e: OutEvent): void {
    if (this.#ended) return;
    const plain = !this.#msgpack && !this.ctx.accept.table && !this.ctx.accept.metadataOnly;
    if (plain && e.type !== 'ERROR' && e.type !== 'BOOKMARK') {
      this.#pending.push(encodedLine(e.type, withTypeMeta(this.r, e.object as JsonObject)));
    } else if (this.#msgpack) {
      const body = { type: e.type, object: this.#object(e) };
      const frame = pack(body);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(frame.length);
      this.#pending.push(len, frame);
    } else {
      this.#pending.push(JSON.stringify({ type: e.type, object: this.#object(e) }) + '\n');
    }
    if (this.#pending.length >= APISERVER_LIMITS.maxWatchCoalescedEvents) {
      this.#flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const parts = this.#pending;
    if (parts.length === 0 || this.#ended && this.ctx.res.writableEnded) return;
    this.#pending = [];
    const chunk = this.#msgpack ? Buffer.concat(parts as Buffer[]) : (parts as string[]).join('');
    const ok = this.ctx.res.write(chunk);
    if (!ok && (this.#backlog += parts.length) > APISERVER_LIMITS.maxWatcherBacklogEvents) {
      this.d.log.warn({ resource: this.r.plural, user: this.ctx.user.name }, 'closing a watch whose client does not keep up');
      this.onBroken();
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#flush();
    this.ctx.res.end();
  }
}
