// The shape every controller here has (Kubernetes' controller pattern): informer handlers only
// enqueue keys; workers pop a key and run an idempotent, level-triggered sync(key); an error
// requeues the key with per-key exponential backoff (dropped after SYNC_MAX_RETRIES, as kube's
// controllers do); a RequeueAfterError schedules the key again without counting as a failure.
//
// A controller runs only while its process leads: run(signal) makes a fresh queue, enqueues every
// key the caches know (events seen while standing by were not queued), and when the signal aborts
// the queue shuts down at once and is dropped. Handlers stay attached to the shared informers, so
// the caches stay warm for the next term.
import { runWorkers, WorkQueue } from '../client/index.js';
import { RequeueAfterError } from './errors.js';
import { QUEUE_LENGTH_MAX, REQUEUE_BASE_MS, REQUEUE_MAX_MS, SYNC_MAX_RETRIES } from './limits.js';
import type { ControllerContext } from './types.js';
import { errorMessage } from './util.js';

export interface Controller {
  readonly name: string;
  /** Works until `signal` aborts (leadership lost or shutdown); resolves when the workers have stopped. */
  run(signal: AbortSignal, workers: number): Promise<void>;
  queueLength(): number;
}

export abstract class QueueController implements Controller {
  #queue: WorkQueue<string> | undefined;

  protected constructor(readonly name: string, protected readonly ctx: ControllerContext) {}

  /** Reconciles one key; throws to be retried with backoff. */
  abstract sync(key: string): Promise<void>;

  /** Every key to look at when a term starts. */
  protected abstract initialKeys(): Iterable<string>;

  /** Resets per-term state (e.g. expectations) before the first sync of a term. */
  protected onStart(): void {}

  /** Background loops that run beside the workers for the term (e.g. node health checks). */
  protected async runExtras(_signal: AbortSignal): Promise<void> {}

  queueLength(): number {
    return this.#queue?.len() ?? 0;
  }

  /** True while this controller has a live queue (i.e. we lead). */
  protected get running(): boolean {
    return this.#queue !== undefined && !this.#queue.shuttingDown();
  }

  protected enqueue(key: string): void {
    const q = this.#queue;
    if (q === undefined || q.shuttingDown()) return;
    try {
      q.add(key);
    } catch (e) {
      this.ctx.log.warn({ controller: this.name, key, err: errorMessage(e) }, 'queue full, key dropped');
    }
  }

  protected enqueueAfter(key: string, delayMs: number): void {
    const q = this.#queue;
    if (q === undefined || q.shuttingDown()) return;
    q.addAfter(key, Math.max(0, delayMs));
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    if (signal.aborted) return;
    const q = new WorkQueue<string>({ name: this.name, baseDelayMs: REQUEUE_BASE_MS, maxDelayMs: REQUEUE_MAX_MS,
      maxLength: QUEUE_LENGTH_MAX });
    this.#queue = q;
    const onAbort = (): void => q.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.onStart();
      for (const key of this.initialKeys()) q.add(key);
      await Promise.all([
        runWorkers(q, workers, (key) => this.#syncOnce(q, key), {
          maxRetries: SYNC_MAX_RETRIES,
          onError: (key, e) => this.ctx.log.warn({ controller: this.name, key, err: errorMessage(e),
            retries: q.numRequeues(key) }, 'sync failed; requeued with backoff'),
        }),
        this.runExtras(signal).catch((e: unknown) => {
          this.ctx.log.error({ controller: this.name, err: errorMessage(e) }, 'background loop failed');
        }),
      ]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      q.shutDown();
      if (this.#queue === q) this.#queue = undefined;
    }
  }

  async #syncOnce(q: WorkQueue<string>, key: string): Promise<void> {
    const start = performance.now();
    try {
      await this.sync(key);
      this.ctx.metrics?.observeSync(this.name, (performance.now() - start) / 1000, 'ok');
    } catch (e) {
      if (e instanceof RequeueAfterError) {
        this.ctx.metrics?.observeSync(this.name, (performance.now() - start) / 1000, 'requeue');
        this.ctx.log.debug({ controller: this.name, key, afterMs: e.afterMs, why: e.message }, 'requeue');
        if (!q.shuttingDown()) q.addAfter(key, e.afterMs);
        return;
      }
      this.ctx.metrics?.observeSync(this.name, (performance.now() - start) / 1000, 'error');
      throw e;
    }
  }
}

/** Calls fn every periodMs until the signal aborts (wait.Until); errors are logged, never fatal. */
export async function runPeriodic(signal: AbortSignal, periodMs: number, fn: () => Promise<void>,
  onError: (e: unknown) => void): Promise<void> {
  while (!signal.aborted) {
    try {
      await fn();
    } catch (e) {
      onError(e);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, periodMs);
      function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
