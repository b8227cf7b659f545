// PodNominator (scheduling queue, nominator.go): which pending pods preemption nominated to
// which node. A nominated pod is waiting for its victims to go away; until it is bound, every
// other pod of equal or lower priority must see it as if it were already on that node
// (RunFilterPluginsWithNominatedPods), or the room its victims free is taken by somebody else and
// it has to preempt again — with a backoff that doubles every time. The nomination is kept in
// memory at once (the PostFilter result), not only once status.nominatedNodeName comes back through
// the informer, as Kubernetes does.
import type { PodInfo } from './pod-info.js';

export class Nominator {
  readonly #byNode = new Map<string, Map<string, PodInfo>>();
  readonly #nodeOf = new Map<string, string>();

  get size(): number {
    return this.#nodeOf.size;
  }

  /** Nominate (or re-nominate) a pod; an empty node name removes the nomination. */
  add(pi: PodInfo, nodeName: string): void {
    this.remove(pi.key);
    if (nodeName === '') return;
    let pods = this.#byNode.get(nodeName);
    if (pods === undefined) this.#byNode.set(nodeName, pods = new Map());
    pods.set(pi.key, pi);
    this.#nodeOf.set(pi.key, nodeName);
  }

  /** The pod was bound, assumed, deleted, or lost its nomination. */
  remove(key: string): void {
    const node = this.#nodeOf.get(key);
    if (node === undefined) return;
    this.#nodeOf.delete(key);
    const pods = this.#byNode.get(node)!;
    pods.delete(key);
    if (pods.size === 0) this.#byNode.delete(node);
  }

  nodeOf(key: string): string | undefined {
    return this.#nodeOf.get(key);
  }

  /** Pods nominated to nodeName with a priority below `priority` (prepareCandidate clears theirs). */
  lowerPriorityOn(nodeName: string, priority: number): PodInfo[] {
    return [...(this.#byNode.get(nodeName)?.values() ?? [])].filter((p) => p.priority < priority);
  }

  /** Pods nominated to nodeName that `pod` must treat as present: priority ≥ its own, itself excluded. */
  podsFor(nodeName: string, pod: PodInfo): PodInfo[] | undefined {
    if (this.#byNode.size === 0) return undefined;
    const pods = this.#byNode.get(nodeName);
    if (pods === undefined) return undefined;
    let out: PodInfo[] | undefined;
    for (const p of pods.values()) {
      if (p.key === pod.key || p.priority < pod.priority) continue;
      (out ??= []).push(p);
    }
    return out;
  }
}
