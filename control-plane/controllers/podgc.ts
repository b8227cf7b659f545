// Pod garbage collector (kube pkg/controller/podgc), every POD_GC_PERIOD_MS while leading:
// - terminated pods (Succeeded/Failed) beyond --terminated-pod-gc-threshold: the oldest go;
// - pods bound to a node that does not exist (confirmed with a live GET after the node has been
//   missing from the cache for the quarantine time): force-deleted (grace 0);
// - unscheduled pods that are terminating: force-deleted.
import type { Node, Pod } from '../api/index.js';
import { isNotFound } from '../client/index.js';
import { QueueController, runPeriodic } from './controller.js';
import { POD_GC_DELETES_PER_PASS_MAX, POD_GC_ORPHAN_QUARANTINE_MS, POD_GC_PERIOD_MS } from './limits.js';
import { R, type ControllerContext, type Informer } from './types.js';
import { byCreation, errorMessage } from './util.js';

export class PodGcController extends QueueController {
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext, private readonly threshold: number, private readonly periodMs = POD_GC_PERIOD_MS,
    private readonly quarantineMs = POD_GC_ORPHAN_QUARANTINE_MS) {
    super('podgc', ctx);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    this.#nodes = ctx.informers.informer<Node>(R.nodes);
  }

  protected override initialKeys(): Iterable<string> {
    return [];
  }

  async sync(_key: string): Promise<void> {}

  protected override async runExtras(signal: AbortSignal): Promise<void> {
    this.#missingSince.clear();
    await runPeriodic(signal, this.periodMs, () => this.gc(),
      (e) => this.ctx.log.warn({ controller: this.name, err: errorMessage(e) }, 'pod gc pass failed'));
  }

  async gc(): Promise<void> {
    const pods = this.#pods.store.list();
    let budget = POD_GC_DELETES_PER_PASS_MAX;
    const terminated = pods.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
      .filter((p) => p.metadata?.deletionTimestamp === undefined).sort(byCreation);
    const excess = this.threshold > 0 ? terminated.length - this.threshold : 0;
    for (const p of terminated.slice(0, Math.max(0, Math.min(excess, budget)))) {
      await this.#delete(p, undefined);
      budget--;
    }
    const now = this.ctx.clock.nowMs();
    const seen = new Set<string>();
    for (const p of pods) {
      if (budget <= 0) break;
      const node = p.spec?.nodeName ?? '';
      if (node === '') {
        if (p.metadata?.deletionTimestamp !== undefined) { await this.#delete(p, 0); budget--; }
        continue;
      }
      if (this.#nodes.store.getByName('', node) !== undefined) continue;
      seen.add(node);
      const since = this.#missingSince.get(node) ?? now;
      this.#missingSince.set(node, since);
      if (now - since < this.quarantineMs || !(await this.#nodeGone(node))) continue;
      await this.#delete(p, 0);
      budget--;
    }
    for (const n of [...this.#missingSince.keys()]) if (!seen.has(n)) this.#missingSince.delete(n);
  }

  async #nodeGone(node: string): Promise<boolean> {
    try {
      await this.ctx.client.get(R.nodes, '', node);
      return false;
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }

  async #delete(p: Pod, grace: number | undefined): Promise<void> {
    try {
      await this.ctx.client.delete(R.pods, p.metadata?.namespace ?? '', p.metadata?.name ?? '',
        grace === undefined ? {} : { gracePeriodSeconds: grace });
      this.ctx.log.info({ controller: this.name, pod: `${p.metadata?.namespace}/${p.metadata?.name}` }, 'pod collected');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
