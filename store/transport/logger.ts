// The logging surface the transport needs: the subset of pino's API it calls, so the member
// process passes its pino logger unchanged and tests pass a recorder.
import { LOG_REPEAT_INTERVAL_MS, LOG_REPEAT_KEYS_MAX } from './limits.js';

type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface TransportLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/**
 * Without a logger, warnings and errors still reach stderr as JSON lines: a rejected
 * handshake or a corrupt snapshot must never be silent. Debug and info are dropped.
 */
export function defaultLogger(): TransportLogger {
  const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
    const err = fields['err'] instanceof Error
      ? { ...fields, err: { code: (fields['err'] as { code?: unknown }).code, message: fields['err'].message } }
      : fields;
    process.stderr.write(JSON.stringify({ level, time: Date.now(), component: 'peer-transport', ...err, msg: message }) + '\n');
  };
  const drop: LogFn = () => {};
  return { debug: drop, info: drop, warn: write('warn'), error: write('error') };
}

/**
 * Lets a repeated condition (a peer that stays down, a stream of bad messages) be logged
 * once per interval per key instead of once per occurrence, so logs stay readable and
 * bounded; the skipped count goes with the next line.
 */
export class RepeatLimiter {
  readonly #last = new Map<string, { atMs: number; skipped: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Returns the number skipped since the last allowed line, or -1 to skip this one. */
  allow(key: string): number {
    const now = this.#now();
    const seen = this.#last.get(key);
    if (seen !== undefined && now - seen.atMs < LOG_REPEAT_INTERVAL_MS) {
      seen.skipped++;
      return -1;
    }
    const skipped = seen?.skipped ?? 0;
    this.#last.delete(key);
    if (this.#last.size >= LOG_REPEAT_KEYS_MAX) {
      const oldest = this.#last.keys().next();
      if (oldest.done !== true) this.#last.delete(oldest.value);
    }
    this.#last.set(key, { atMs: now, skipped: 0 });
    return skipped;
  }

  /** Forget `key`, so the next occurrence logs at once (the condition cleared, e.g. reconnected). */
  reset(key: string): void {
    this.#last.delete(key);
  }
}
