// The Binder over the API: POST pods/NAME/binding with a v1 Binding, as DefaultBinder does
// (metadata carries the pod's UID, so a pod deleted and recreated under the same name is not
// bound by a stale decision). A 409 "already assigned" means someone else bound the pod: it is
// remembered in AssignedElsewhere so the core's lister check drops the pod instead of retrying
// (handleSchedulingFailure: "Pod has been assigned to node. Abort adding it back to queue.").
import type { Binding, Pod } from '../../api/index.js';
import { findResource } from '../../api/index.js';
import { type ApiClient, ApiError, isConflict } from '../../client/index.js';
import type { Binder } from '../scheduler-core.js';
import { podKey } from '../pod-info.js';
import { BIND_TIMEOUT_MS, MAX_ASSIGNED_ELSEWHERE } from './limits.js';

export const PODS = findResource('', 'pods')!;

const ALREADY_ASSIGNED = /already assigned to node "([^"]*)"/;

/** The node named by a 409 "pod X is already assigned to node "N"", or undefined for any other error. */
export function alreadyAssignedNode(e: unknown): string | undefined {
  if (!isConflict(e) || !(e instanceof ApiError)) return undefined;
  const m = ALREADY_ASSIGNED.exec(e.status.message ?? e.message);
  return m === null ? undefined : m[1];
}

/** Pods a 409 told us are bound elsewhere, until the informer shows it (bounded, oldest forgotten). */
export class AssignedElsewhere {
  readonly #byKey = new Map<string, { uid: string; nodeName: string }>();

  note(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    this.#byKey.delete(key);
    this.#byKey.set(key, { uid: pod.metadata?.uid ?? '', nodeName });
    if (this.#byKey.size > MAX_ASSIGNED_ELSEWHERE) {
      const oldest = this.#byKey.keys().next();
      if (oldest.done !== true) this.#byKey.delete(oldest.value);
    }
  }

  /** The informer has a newer view of this pod: it decides from now on. */
  clear(pod: Pod): void {
    if (this.#byKey.size > 0) this.#byKey.delete(podKey(pod));
  }

  /** `live` (the informer's copy) overlaid with what a 409 told us. */
  overlay(live: Pod | undefined): Pod | undefined {
    if (live === undefined || this.#byKey.size === 0 || live.spec?.nodeName) return live;
    const known = this.#byKey.get(podKey(live));
    if (known === undefined || known.uid !== (live.metadata?.uid ?? '')) return live;
    return { ...live, spec: { ...live.spec, containers: live.spec?.containers ?? [], nodeName: known.nodeName } };
  }

  get size(): number { return this.#byKey.size; }
}

export interface ApiBinderOptions {
  client: Pick<ApiClient, 'createSubresource'>;
  /** Aborts when the leadership term ends: a bind not yet answered is abandoned. */
  signal: AbortSignal;
  assignedElsewhere: AssignedElsewhere;
  onBindDone?: (seconds: number, result: 'ok' | 'conflict' | 'error') => void;
}

export class ApiBinder implements Binder {
  readonly #o: ApiBinderOptions;

  constructor(o: ApiBinderOptions) {
    this.#o = o;
  }

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const body: Binding = {
      apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns, uid: pod.metadata?.uid },
      target: { kind: 'Node', apiVersion: 'v1', name: nodeName },
    };
    const t0 = performance.now();
    try {
      await this.#o.client.createSubresource(PODS, ns, name, 'binding', body,
        { signal: this.#o.signal, timeoutMs: BIND_TIMEOUT_MS });
      this.#o.onBindDone?.((performance.now() - t0) / 1000, 'ok');
    } catch (e) {
      const other = alreadyAssignedNode(e);
      if (other !== undefined) this.#o.assignedElsewhere.note(pod, other);
      this.#o.onBindDone?.((performance.now() - t0) / 1000, isConflict(e) ? 'conflict' : 'error');
      throw e;
    }
  }
}
