// Lets a repeated condition (a peer that stays down, connections refused at a limit, a
// stream of bad messages) be logged once per interval per key instead of once per
// occurrence, so a flood cannot flood the log; the skipped count goes with the next line.
// Shared by every process that logs such conditions (transport, load balancer, ...).

export interface RepeatLimiterOptions {
  /** At most one line per key per this interval. */
  intervalMs: number;
  /** Keys remembered at most (oldest forgotten first), so the map stays bounded. */
  keysMax: number;
  now?: () => number;
}

export class RepeatLimiter {
  readonly #last = new Map<string, { atMs: number; skipped: number }>();
  readonly #intervalMs: number;
  readonly #keysMax: number;
  readonly #now: () => number;

  constructor(o: RepeatLimiterOptions) {
    this.#intervalMs = o.intervalMs;
    this.#keysMax = o.keysMax;
    this.#now = o.now ?? Date.now;
  }

  /** The number of occurrences skipped since the last allowed one, or -1 to skip this one. */
  allow(key: string): number {
    const now = this.#now();
    const seen = this.#last.get(key);
    if (seen !== undefined && now - seen.atMs < this.#intervalMs) {
      seen.skipped++;
      return -1;
    }
    const skipped = seen?.skipped ?? 0;
    this.#last.delete(key);
    if (this.#last.size >= this.#keysMax) {
      const oldest = this.#last.keys().next();
      if (oldest.done !== true) this.#last.delete(oldest.value);
    }
    this.#last.set(key, { atMs: now, skipped: 0 });
    return skipped;
  }

  /** Forget `key`, so the next occurrence logs at once (the condition cleared). */
  reset(key: string): void {
    this.#last.delete(key);
  }
}
