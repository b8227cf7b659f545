// The bench's nodes are Node objects only, with no node agent behind them, the way scheduler_perf
// runs. Two kubelet duties still matter to a scheduling benchmark, and the bench does them the way
// kwok (and our simulated node agent, node-agent/agent/simulated.ts) does:
// - a graceful delete (deletionTimestamp set, e.g. the scheduler preempting a victim) is confirmed
//   at once with a grace-0 delete. Without it a victim stays Terminating for ever, keeps its
//   resources in the scheduler's cache, and the preemptor never fits (the Preemption workload hung);
// - with --pods-running, every bound pod is set Running (one status write per pod, as a kubelet
//   makes), so the bench can report created → Running latency.
import type { Pod } from '../../control-plane/api/index.js';
import { type ApiClient, isConflict, isNotFound } from '../../control-plane/client/index.js';
import { simulatedStatus } from '../../node-agent/agent/index.js';
import { PODS, Semaphore } from '../../node-agent/kubelet/index.js';
import { BENCH_KUBELET_WRITES_IN_FLIGHT } from './limits.js';

export class BenchKubelet {
  readonly #writes = new Semaphore(BENCH_KUBELET_WRITES_IN_FLIGHT);
  /** Pods (by uid) with a write started, so a repeated event does not write again. */
  readonly #started = new Set<string>();
  readonly #pending = new Set<Promise<void>>();
  #podSeq = 0;
  failures = 0;
  lastError: string | undefined;

  constructor(private readonly client: ApiClient, private readonly markRunning: boolean) {}

  /** Called for every ADDED/MODIFIED pod event the bench's watch sees. */
  observe(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp !== undefined) {
      if (!this.#started.has(`delete/${uid}`)) {
        this.#started.add(`delete/${uid}`);
        this.#track(() => this.client.delete(PODS, ns, name, { gracePeriodSeconds: 0, preconditions: { uid } }));
      }
      return;
    }
    const node = pod.spec?.nodeName;
    if (!this.markRunning || node === undefined || pod.status?.phase !== undefined && pod.status.phase !== 'Pending') {
      return;
    }
    if (this.#started.has(uid)) return;
    this.#started.add(uid);
    // Pod IPs are only strings in a status here: nothing connects to them.
    const n = this.#podSeq++;
    const podIP = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const status = simulatedStatus(pod, podIP, '127.0.0.1', Date.now());
    this.#track(() => this.client.patch(PODS, ns, name, 'merge', { status }, { subresource: 'status' }));
  }

  /** Runs a write within the in-flight bound; a pod deleted or changed meanwhile is not a failure. */
  #track(write: () => Promise<unknown>): void {
    const p = this.#writes.run(write).then(() => undefined, (e: unknown) => {
      if (isNotFound(e) || isConflict(e)) return;
      this.failures++;
      this.lastError = e instanceof Error ? e.message : String(e);
    }).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Waits for every write started so far. */
  async drain(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
