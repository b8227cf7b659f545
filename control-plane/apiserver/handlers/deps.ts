// What every resource handler needs, built once by the server.
import type { Logger } from 'pino';
import {
  apiVersionOf, type GroupResource, type JsonObject, type ResourceInfo,
} from '../../api/index.js';
import type { GroupVersionKind } from '../../api/schema/dsl.js';
import type { AuthorizationAttributes } from '../auth/index.js';
import type { Cacher } from '../cache/cacher.js';
import type { ServiceIpAllocator } from '../registry/service-ips.js';
import type { KeyLayout } from '../storage/keys.js';
import type { ObjectStore, StoredObject } from '../storage/object-store.js';

export interface HandlerDeps {
  readonly store: ObjectStore;
  readonly cacher: Cacher;
  readonly keys: KeyLayout;
  readonly serviceIps: ServiceIpAllocator;
  readonly log: Logger;
  /** Server time in ms (injected so tests can move it). */
  readonly nowMs: () => number;
  /** The request authorizer (RBAC), for access reviews; absent with --authorization-mode AlwaysAllow. */
  readonly authorize?: (a: AuthorizationAttributes) => { allowed: boolean; reason: string };
}

export function groupResource(r: ResourceInfo): GroupResource {
  return { group: r.group, resource: r.plural };
}

export function gvkOf(r: ResourceInfo): GroupVersionKind {
  return { group: r.group, version: r.version, kind: r.kind };
}

export function metaOf(obj: JsonObject): JsonObject {
  let m = obj['metadata'] as JsonObject | undefined | null;
  if (m === undefined || m === null || typeof m !== 'object') {
    m = {};
    obj['metadata'] = m;
  }
  return m;
}

let lastSecond = Number.NaN;
let lastSecondIso = '';

/** RFC 3339 with seconds, as Kubernetes writes metav1.Time (formatted once per second: every write asks). */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondIso = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastSecondIso;
}

export function withTypeMeta(r: ResourceInfo, obj: JsonObject): JsonObject {
  if (obj['apiVersion'] === apiVersionOf(r) && obj['kind'] === r.kind) return obj;
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: apiVersionOf(r), kind: r.kind, ...rest };
}

export function resourceVersionOf(obj: JsonObject): string {
  const rv = metaOf(obj)['resourceVersion'];
  return typeof rv === 'string' ? rv : '';
}

/**
 * The object an update starts from. The first attempt takes the watch cache's copy when it has
 * one (kube-apiserver's GuaranteedUpdate does the same with its "suggestion"): the write is a
 * compare-and-swap on that copy's revision, so a stale copy only costs a retry, which then
 * reads the store. This saves a linearizable read — a Raft round — on nearly every write.
 */
export async function currentForUpdate(d: HandlerDeps, r: ResourceInfo, key: string, attempt: number):
  Promise<(StoredObject & { cached: boolean }) | undefined> {
  if (attempt === 0 && d.cacher.ready) {
    const cached = d.cacher.cache(r).getByKey(key);
    if (cached) return { key, object: cached.object, rv: cached.rv, cached: true };
  }
  const s = await d.store.get(key);
  return s ? { ...s, cached: false } : undefined;
}
