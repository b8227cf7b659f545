// A bounded queue of API writes that must never hold up scheduling or binding: events, pod
// status patches, preemption deletes. At most `concurrency` run at once; beyond `maxPending`
// waiting jobs, new ones are dropped (and counted) rather than buffered without bound.
// kube-scheduler runs these on goroutines (the event broadcaster has its own bounded channel).

export type WriteJob = () => Promise<void>;

export interface WriteQueueOptions {
  concurrency: number;
  maxPending: number;
  onDropped?: () => void;
  onError?: (e: unknown) => void;
}

export class WriteQueue {
  readonly #o: WriteQueueOptions;
  readonly #pending: WriteJob[] = [];
  #head = 0;
  #running = 0;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(o: WriteQueueOptions) {
    this.#o = o;
  }

  get pending(): number { return this.#pending.length - this.#head; }
  get running(): number { return this.#running; }

  /** Queues a job; false when full or closed (the job is dropped). */
  push(job: WriteJob): boolean {
    if (this.#closed || this.pending >= this.#o.maxPending) {
      this.#o.onDropped?.();
      return false;
    }
    this.#pending.push(job);
    this.#pump();
    return true;
  }

  #pump(): void {
    while (this.#running < this.#o.concurrency && this.pending > 0) {
      const job = this.#pending[this.#head] as WriteJob;
      this.#pending[this.#head++] = undefined as unknown as WriteJob;
      if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
        this.#pending.splice(0, this.#head);
        this.#head = 0;
      }
      this.#running++;
      void job().catch((e: unknown) => this.#o.onError?.(e)).finally(() => {
        this.#running--;
        this.#pump();
        if (this.#running === 0 && this.pending === 0) for (const w of this.#idleWaiters.splice(0)) w();
      });
    }
  }

  /** Resolves when nothing is queued or running, or after timeoutMs. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.#running === 0 && this.pending === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((r) => this.#idleWaiters.push(r)),
      new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); }),
    ]);
    clearTimeout(timer);
  }

  /** Refuses new jobs and forgets queued ones (running ones finish). */
  close(): void {
    this.#closed = true;
    this.#pending.length = 0;
    this.#head = 0;
  }
}
