// The client-side token bucket, as client-go's flowcontrol.NewTokenBucketRateLimiter (built on
// golang.org/x/time/rate): `burst` tokens, refilled at `qps` per second. A request takes a token or
// waits for one; it never fails for want of tokens. Waiting callers are served in arrival order
// because each reserves its token up front (the bucket may go negative, as rate.Limiter.Reserve).
import { ClientConfigError, AbortedError } from './errors.js';

export type Clock = () => number;

export const monotonicMs: Clock = () => performance.now();

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #now: Clock;
  #tokens: number;
  #lastMs: number;

  constructor(qps: number, burst: number, now: Clock = monotonicMs) {
    if (!(qps > 0)) throw new ClientConfigError(`token bucket qps must be > 0 (got ${qps})`);
    if (!Number.isInteger(burst) || burst < 1) {
      throw new ClientConfigError(`token bucket burst must be an integer >= 1 (got ${burst})`);
    }
    this.qps = qps;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#lastMs = now();
  }

  #refill(): void {
    const now = this.#now();
    if (now > this.#lastMs) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#lastMs) / 1000) * this.qps);
      this.#lastMs = now;
    }
  }

  /** Takes a token if one is there now (flowcontrol.RateLimiter.TryAccept). */
  tryAccept(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Reserves a token and returns how long the caller must wait before using it, in ms (rate.Reservation.Delay). */
  reserve(): number {
    this.#refill();
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  /** Gives back a reserved token that was not used (rate.Reservation.Cancel, simplified). */
  cancelReservation(): void {
    this.#refill();
    this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }

  /** Tokens available now (may be negative while reservations are outstanding). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /**
   * Waits for a token (flowcontrol.RateLimiter.Wait). Rejects with AbortedError only if `signal`
   * aborts. A function is called for the signal only when there is a wait (building a signal per
   * request cost more than the rest of taking a token).
   */
  async wait(signal?: AbortSignal | (() => AbortSignal)): Promise<void> {
    const delayMs = this.reserve();
    if (delayMs <= 0) return;
    try {
      await sleep(delayMs, typeof signal === 'function' ? signal() : signal);
    } catch (e) {
      this.cancelReservation();
      throw e;
    }
  }
}

/** Resolves after `ms`, or rejects with AbortedError when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(new AbortedError()); return; }
    const onAbort = (): void => { clearTimeout(timer); reject(new AbortedError()); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
