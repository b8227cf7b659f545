// ControllerExpectations / UIDTrackingControllerExpectations (kube pkg/controller/controller_utils.go):
// after a sync creates N pods or deletes a set of them, the controller does not act on that owner
// again until its informer has seen those creations and deletions (or EXPECTATIONS_TIMEOUT_MS has
// passed), because until then its cache would make it count wrong and over- or under-shoot.
import { EXPECTATIONS_TIMEOUT_MS } from './limits.js';
import type { Clock } from './types.js';

interface Record {
  add: number;
  /** Pod keys whose deletion we still wait to see (UID tracking: each counts once). */
  deletes: Set<string>;
  setAtMs: number;
}

export class Expectations {
  readonly #records = new Map<string, Record>();

  constructor(private readonly clock: Clock) {}

  /** SatisfiedExpectations: no record, all observed, or expired. */
  satisfied(key: string): boolean {
    const r = this.#records.get(key);
    if (r === undefined) return true;
    if (r.add <= 0 && r.deletes.size === 0) return true;
    return this.clock.nowMs() - r.setAtMs > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, n: number): void {
    this.#records.set(key, { add: n, deletes: new Set(), setAtMs: this.clock.nowMs() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.#records.set(key, { add: 0, deletes: new Set(podKeys), setAtMs: this.clock.nowMs() });
  }

  creationObserved(key: string): void {
    const r = this.#records.get(key);
    if (r !== undefined) r.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.#records.get(key)?.deletes.delete(podKey);
  }

  delete(key: string): void {
    this.#records.delete(key);
  }

  clear(): void {
    this.#records.clear();
  }

  /** For tests and logs: what is still awaited. */
  pending(key: string): { add: number; deletes: number } | undefined {
    const r = this.#records.get(key);
    return r === undefined ? undefined : { add: r.add, deletes: r.deletes.size };
  }
}
