// A rate-limited work queue with client-go's workqueue semantics (util/workqueue):
// - add() de-duplicates: a key waiting in the queue is there once ("dirty" set);
// - a key being processed is never handed to a second worker; re-added meanwhile, it is queued again
//   when the first worker calls done();
// - addAfter(key, ms) (DelayingQueue), keeping the earliest deadline for a key;
// - addRateLimited(key): the max of a per-key exponential backoff and an overall token bucket
//   (DefaultTypedControllerRateLimiter: 5 ms doubling to 1000 s, 10 qps, burst 100), forget(key),
//   numRequeues(key);
// - shutDown(): new adds are ignored and waiting get()s return {shutdown: true};
//   shutDownWithDrain(): new adds ignored, queued keys still handed out, resolves when all are done.
// Unlike client-go the queue is bounded: add() throws WorkqueueFullError beyond maxLength keys.
import { ClientConfigError, WorkqueueFullError } from './errors.js';
import { TokenBucket } from './flowcontrol.js';
import * as L from './limits.js';

export interface RateLimiter<K> {
  when(key: K): number;
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** ItemExponentialFailureRateLimiter: baseDelay * 2^failures, capped at maxDelay. */
export class ItemExponentialRateLimiter<K> implements RateLimiter<K> {
  readonly #failures = new Map<K, number>();
  constructor(readonly baseDelayMs: number = L.WORKQUEUE_BASE_DELAY_MS,
    readonly maxDelayMs: number = L.WORKQUEUE_MAX_DELAY_MS) {
    if (!(baseDelayMs > 0) || !(maxDelayMs >= baseDelayMs)) {
      throw new ClientConfigError(`need 0 < baseDelayMs <= maxDelayMs (got ${baseDelayMs}, ${maxDelayMs})`);
    }
  }
  when(key: K): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n; min() caps it.
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }
  forget(key: K): void {
    this.#failures.delete(key);
  }
  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}

/** BucketRateLimiter: overall qps/burst, not per key. */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  constructor(readonly bucket: TokenBucket) {}
  when(_key: K): number {
    return this.bucket.reserve();
  }
  forget(_key: K): void {}
  numRequeues(_key: K): number {
    return 0;
  }
}

/** MaxOfRateLimiter: the longest delay of all. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  readonly #limiters: RateLimiter<K>[];
  constructor(...limiters: RateLimiter<K>[]) {
    this.#limiters = limiters;
  }
  when(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.when(key));
    return max;
  }
  forget(key: K): void {
    for (const l of this.#limiters) l.forget(key);
  }
  numRequeues(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

export interface ControllerRateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  qps?: number;
  burst?: number;
}

/** workqueue.DefaultTypedControllerRateLimiter, every number configurable. */
export function defaultControllerRateLimiter<K>(o: ControllerRateLimiterOptions = {}): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialRateLimiter<K>(o.baseDelayMs ?? L.WORKQUEUE_BASE_DELAY_MS,
      o.maxDelayMs ?? L.WORKQUEUE_MAX_DELAY_MS),
    new BucketRateLimiter<K>(new TokenBucket(o.qps ?? L.WORKQUEUE_QPS, o.burst ?? L.WORKQUEUE_BURST)),
  );
}

export interface WorkQueueOptions<K> extends ControllerRateLimiterOptions {
  name?: string;
  rateLimiter?: RateLimiter<K>;
  maxLength?: number;
  maxDelayed?: number;
}

export type GetResult<K> = { key: K; shutdown: false } | { key: undefined; shutdown: true };

export class WorkQueue<K = string> {
  readonly name: string;
  /** Delayed keys dropped because the queue was full when their time came. */
  droppedDelayed = 0;
  readonly #rateLimiter: RateLimiter<K>;
  readonly #maxLength: number;
  readonly #maxDelayed: number;
  #queue: K[] = [];
  #head = 0;
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #delayed = new Map<K, { readyAtMs: number; timer: ReturnType<typeof setTimeout> }>();
  #waiters: ((r: GetResult<K>) => void)[] = [];
  #shuttingDown = false;
  #draining = false;
  #drained: (() => void)[] = [];

  constructor(o: WorkQueueOptions<K> = {}) {
    this.name = o.name ?? 'workqueue';
    this.#rateLimiter = o.rateLimiter ?? defaultControllerRateLimiter<K>(o);
    this.#maxLength = o.maxLength ?? L.MAX_WORKQUEUE_LENGTH;
    this.#maxDelayed = o.maxDelayed ?? L.MAX_WORKQUEUE_DELAYED;
  }

  /** Keys waiting to be handed out (Len()). */
  len(): number {
    return this.#queue.length - this.#head;
  }

  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    if (this.#dirty.size >= this.#maxLength) throw new WorkqueueFullError(this.name, this.#maxLength);
    this.#dirty.add(key);
    if (this.#processing.has(key)) return; // queued again by done()
    this.#push(key);
  }

  /** Adds `key` after `delayMs`; if it is already waiting for an earlier time, nothing changes. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) { this.add(key); return; }
    const readyAtMs = performance.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing !== undefined) {
      if (existing.readyAtMs <= readyAtMs) return;
      clearTimeout(existing.timer);
    } else if (this.#delayed.size >= this.#maxDelayed) {
      throw new WorkqueueFullError(`${this.name} (delayed)`, this.#maxDelayed);
    }
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      try {
        this.add(key);
      } catch (e) {
        // A full queue drops a delayed key rather than throwing from a timer; it is counted.
        if (!(e instanceof WorkqueueFullError)) throw e;
        this.droppedDelayed++;
      }
    }, delayMs);
    this.#delayed.set(key, { readyAtMs, timer });
  }

  /** Adds `key` once the rate limiter allows it (AddRateLimited). */
  addRateLimited(key: K): void {
    if (this.#shuttingDown) return;
    this.addAfter(key, this.#rateLimiter.when(key));
  }

  /** Clears the key's failure history (Forget): call after a successful sync. */
  forget(key: K): void {
    this.#rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.#rateLimiter.numRequeues(key);
  }

  /** Waits for a key; the caller owns it until done(key). */
  get(): Promise<GetResult<K>> {
    const ready = this.#take();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` processed; if it was re-added meanwhile it goes back in the queue. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    if (this.#dirty.has(key)) this.#push(key);
    this.#checkDrained();
  }

  /** Ignores further adds; waiting and future get()s return shutdown (ShutDown). Delayed adds are dropped. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const d of this.#delayed.values()) clearTimeout(d.timer);
    this.#delayed.clear();
    for (const w of this.#waiters.splice(0)) w({ key: undefined, shutdown: true });
    this.#checkDrained();
  }

  /** Ignores further adds, lets workers finish the keys already queued, resolves once all are done. */
  shutDownWithDrain(): Promise<void> {
    this.#draining = true;
    this.#shuttingDown = true;
    for (const d of this.#delayed.values()) clearTimeout(d.timer);
    this.#delayed.clear();
    const p = new Promise<void>((resolve) => this.#drained.push(resolve));
    this.#checkDrained();
    return p;
  }

  #push(key: K): void {
    const w = this.#waiters.shift();
    if (w !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      w({ key, shutdown: false });
      return;
    }
    this.#queue.push(key);
  }

  #take(): GetResult<K> | undefined {
    if (this.#shuttingDown && !this.#draining) return { key: undefined, shutdown: true };
    if (this.#head < this.#queue.length) {
      const key = this.#queue[this.#head] as K;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#dirty.delete(key);
      this.#processing.add(key);
      return { key, shutdown: false };
    }
    if (this.#shuttingDown) return { key: undefined, shutdown: true };
    return undefined;
  }

  #checkDrained(): void {
    if (!this.#shuttingDown) return;
    if (this.len() === 0 && this.#processing.size === 0) {
      for (const w of this.#waiters.splice(0)) w({ key: undefined, shutdown: true });
      for (const d of this.#drained.splice(0)) d();
    }
  }
}

export interface RunWorkersOptions<K> {
  /** Give up on a key after this many rate-limited requeues (client-go controllers' maxRetries); default never. */
  maxRetries?: number;
  onError?: (key: K, e: unknown) => void;
}

/**
 * Runs `n` workers until the queue shuts down (the processNextWorkItem loop): each takes a key, calls
 * sync(key), forgets the key on success, requeues it rate-limited on error, and always calls done().
 */
export async function runWorkers<K>(queue: WorkQueue<K>, n: number, sync: (key: K) => Promise<void> | void,
  o: RunWorkersOptions<K> = {}): Promise<void> {
  if (!Number.isInteger(n) || n < 1) throw new ClientConfigError(`worker count must be an integer >= 1 (got ${n})`);
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item.shutdown) return;
      const key = item.key;
      try {
        await sync(key);
        queue.forget(key);
      } catch (e) {
        o.onError?.(key, e);
        try {
          if (o.maxRetries === undefined || queue.numRequeues(key) < o.maxRetries) queue.addRateLimited(key);
          else queue.forget(key);
        } catch (full) {
          o.onError?.(key, full);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
