// The bench's nodes are Node objects only, with no node agent behind them, the way scheduler_perf
// runs. Two kubelet duties still matter to a scheduling benchmark, and the bench does them for its
// own pods (never anybody else's: it may run against a real cluster with --kubeconfig) the way kwok
// and our simulated node agent (node-agent/agent/simulated.ts) do:
// - a graceful delete (deletionTimestamp set, e.g. the scheduler preempting a victim) is confirmed
//   at once with a grace-0 delete. Without it a victim stays Terminating for ever, keeps its
//   resources in the scheduler's cache, and the preemptor never fits (the Preemption workload hung);
// - with --pods-running, every bound pod is set Running (one status write per pod, as a kubelet
//   makes), so the bench can report created → Running latency.
import type { Pod } from '../../control-plane/api/index.js';
import { type ApiClient, isConflict, isNotFound } from '../../control-plane/client/index.js';
import { simulatedStatus } from '../../node-agent/agent/index.js';
import { PODS, Semaphore } from '../../node-agent/kubelet/index.js';
import { BENCH_KUBELET_DELETES_IN_FLIGHT, BENCH_KUBELET_STATUS_WRITES_IN_FLIGHT } from './limits.js';
import { retryTransient } from './retry.js';

export class BenchKubelet {
  readonly #statusWrites = new Semaphore(BENCH_KUBELET_STATUS_WRITES_IN_FLIGHT);
  readonly #deletes = new Semaphore(BENCH_KUBELET_DELETES_IN_FLIGHT);
  /** Pods (by uid) with a Running write or a delete confirmation started; forgotten when the pod is gone. */
  readonly #startedRunning = new Set<string>();
  readonly #startedDelete = new Set<string>();
  readonly #pending = new Set<Promise<void>>();
  #podSeq = 0;
  failures = 0;
  lastError: string | undefined;

  constructor(private readonly client: ApiClient, private readonly markRunning: boolean) {}

  /** Called for every ADDED/MODIFIED event of a pod the bench created. */
  observe(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp !== undefined) {
      if (this.#startedDelete.has(uid)) return;
      this.#startedDelete.add(uid);
      this.#track(this.#deletes, () => this.client.delete(PODS, ns, name, { gracePeriodSeconds: 0,
        preconditions: { uid } }));
      return;
    }
    const phase = pod.status?.phase;
    if (!this.markRunning || !pod.spec?.nodeName || (phase !== undefined && phase !== 'Pending')) return;
    if (this.#startedRunning.has(uid)) return;
    this.#startedRunning.add(uid);
    // Pod IPs are only strings in a status here: nothing connects to them.
    const n = this.#podSeq++;
    const podIP = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const status = simulatedStatus(pod, podIP, '127.0.0.1', Date.now());
    // Strategic merge: conditions merge by type, so a DisruptionTarget the scheduler wrote meanwhile stays.
    this.#track(this.#statusWrites, () => this.client.patch(PODS, ns, name, 'strategic', { status },
      { subresource: 'status' }));
  }

  /** The pod is gone (DELETED): nothing more to do for it. */
  forget(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.#startedRunning.delete(uid);
    this.#startedDelete.delete(uid);
  }

  /** Runs a write within its bound, retried while transient; a pod deleted or changed meanwhile is no failure. */
  #track(bound: Semaphore, write: () => Promise<unknown>): void {
    const p = bound.run(() => retryTransient(write)).then(() => undefined, (e: unknown) => {
      if (isNotFound(e) || isConflict(e)) return;
      this.failures++;
      this.lastError = e instanceof Error ? e.message : String(e);
    }).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Waits until no write is pending, including writes started while it waits. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
