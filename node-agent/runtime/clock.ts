// Time for the probe workers (and anything else in the node agent that waits): the system
// clock, or a manual one tests advance by hand so a 30 s probe schedule runs in milliseconds.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A clock that only moves when told to; timers fire in time order during advance(). */
export class ManualClock implements Clock {
  #nowMs: number;
  #nextId = 1;
  readonly #timers = new Map<number, { atMs: number; fn: () => void }>();

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { atMs: this.#nowMs + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward, firing due timers in order and letting the async work they start settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#nowMs + ms;
    for (;;) {
      await settle();
      let next: [number, { atMs: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].atMs <= end && (next === undefined || entry[1].atMs < next[1].atMs)) next = entry;
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#nowMs = Math.max(this.#nowMs, next[1].atMs);
      next[1].fn();
    }
    this.#nowMs = end;
    await settle();
  }
}

/** Lets pending promise callbacks (and a turn of I/O) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
