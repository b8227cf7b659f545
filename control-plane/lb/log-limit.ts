// Lets a repeated warning (connections refused at the limit, a backend that keeps refusing
// connects) be logged once per interval per key instead of once per occurrence, so a flood
// of connections cannot flood the log; the number skipped goes with the next line.
import { LOG_REPEAT_INTERVAL_MS, LOG_REPEAT_KEYS_MAX } from './limits.js';

export class RepeatLimiter {
  readonly #last = new Map<string, { atMs: number; skipped: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The number of occurrences skipped since the last allowed one, or -1 to skip this one. */
  allow(key: string): number {
    const now = this.#now();
    const seen = this.#last.get(key);
    if (seen !== undefined && now - seen.atMs < LOG_REPEAT_INTERVAL_MS) {
      seen.skipped++;
      return -1;
    }
    this.#last.delete(key);
    if (this.#last.size >= LOG_REPEAT_KEYS_MAX) {
      const oldest = this.#last.keys().next();
      if (oldest.done !== true) this.#last.delete(oldest.value);
    }
    this.#last.set(key, { atMs: now, skipped: 0 });
    return seen?.skipped ?? 0;
  }
}
