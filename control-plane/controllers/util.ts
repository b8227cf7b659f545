// Helpers shared by the controllers, after Kubernetes' pkg/controller (controller_utils.go) and
// pkg/api/v1/pod (IsPodReady, IsPodAvailable).
import type { ObjectMeta, OwnerReference, Pod, ResourceInfo } from '../api/index.js';
import { apiVersionOf, jsonEqual, type JsonValue } from '../api/index.js';
import type { KubeObject } from '../client/index.js';
import { RequeueAfterError } from './errors.js';

export function keyFor(obj: KubeObject): string {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  return ns === '' ? name : `${ns}/${name}`;
}

export function splitNsName(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** metav1.GetControllerOf: the owner reference with controller: true. */
export function controllerRefOf(meta: ObjectMeta | undefined): OwnerReference | undefined {
  return meta?.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion set, as every workload controller writes it. */
export function newControllerRef(owner: KubeObject, r: ResourceInfo): OwnerReference {
  return {
    apiVersion: apiVersionOf(r), kind: r.kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && p.metadata?.deletionTimestamp === undefined;
}

export function podReadyCondition(p: Pod): { status: string; lastTransitionTime?: string } | undefined {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(p: Pod): boolean {
  return podReadyCondition(p)?.status === 'True';
}

/**
 * podutil.IsPodAvailable: ready, and (minReadySeconds = 0 or) ready for at least minReadySeconds
 * counted from the Ready condition's lastTransitionTime.
 */
export function isPodAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = podReadyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime === undefined ? NaN : Date.parse(c.lastTransitionTime);
  return Number.isFinite(since) && since + minReadySeconds * 1000 < nowMs;
}

/** RFC 3339 in seconds, as metav1.Time serialises. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function timeMs(t: string | undefined): number {
  if (t === undefined) return NaN;
  return Date.parse(t);
}

/** Older first; ties broken by name, as kube's *ByCreationTimestamp sorts. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = timeMs(a.metadata?.creationTimestamp);
  const tb = timeMs(b.metadata?.creationTimestamp);
  if (ta !== tb && Number.isFinite(ta) && Number.isFinite(tb)) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs fn over items with at most `limit` in flight; collects errors instead of stopping at the first. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>):
  Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return errors;
}

export function requeueAfter(message: string, ms: number): RequeueAfterError {
  return new RequeueAfterError(message, ms);
}

/** Deep equality of JSON values, key order ignored. */
export function jsonEq(a: unknown, b: unknown): boolean {
  return jsonEqual(a as JsonValue, b as JsonValue);
}
