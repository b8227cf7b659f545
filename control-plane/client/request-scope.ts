// How one REST request ends early: its own timeout, or the caller's AbortSignal, whichever first.
// A plain object with one timer instead of an AbortController per request: the controller, its
// signal and the EventTarget listeners on it cost about 4 µs per request (micro-benchmarked),
// as much again as the rest of the client's own work for a bind or a create, which the scheduler
// and the bench send thousands of times a second. An AbortSignal is still made when something
// needs one (a wait for the rate limiter or for Retry-After), which is rare.
import { AbortedError, ConnectionError } from './errors.js';

function isTimeout(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

export class RequestScope {
  #ended: 'timeout' | 'aborted' | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #parent: AbortSignal | undefined;
  #onParentAbort: (() => void) | undefined;
  /** What to do when the scope ends: destroy the request in flight (one at a time). */
  #onEnd: (() => void) | undefined;
  #controller: AbortController | undefined;

  /** `timeoutMs` undefined: no timeout of its own (a watch ends by its signal). */
  constructor(timeoutMs: number | undefined, parent?: AbortSignal) {
    this.#parent = parent;
    if (parent?.aborted === true) {
      this.#ended = isTimeout(parent.reason) ? 'timeout' : 'aborted';
      return;
    }
    if (parent !== undefined) {
      // A caller's AbortSignal.timeout() reads as a timeout, as before (ConnectionError, not AbortedError).
      this.#onParentAbort = () => this.#end(isTimeout(parent.reason) ? 'timeout' : 'aborted');
      parent.addEventListener('abort', this.#onParentAbort, { once: true });
    }
    if (timeoutMs !== undefined) this.#timer = setTimeout(() => this.#end('timeout'), timeoutMs);
  }

  get aborted(): boolean {
    return this.#ended !== undefined;
  }

  /** The error a request ended by this scope fails with: ConnectionError for the timeout, AbortedError otherwise. */
  error(method: string, path: string): Error {
    return this.#ended === 'timeout' ? new ConnectionError(`${method} ${path}: timed out`)
      : new AbortedError(`${method} ${path}: aborted`);
  }

  /** Runs `fn` if the scope ends while it is set; returns the token that clearOnEnd takes. */
  setOnEnd(fn: () => void): () => void {
    this.#onEnd = fn;
    return fn;
  }

  /** Unsets `fn` if it is still the current one (a retried request may have set its own since). */
  clearOnEnd(fn: () => void): void {
    if (this.#onEnd === fn) this.#onEnd = undefined;
  }

  /** An AbortSignal that aborts when the scope ends, for APIs that take one; made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#ended !== undefined) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** Stops the timer and unhooks the caller's signal; the scope does not end after this. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onParentAbort !== undefined) this.#parent?.removeEventListener('abort', this.#onParentAbort);
    this.#onParentAbort = undefined;
  }

  #end(how: 'timeout' | 'aborted'): void {
    if (this.#ended !== undefined) return;
    this.#ended = how;
    this.dispose();
    const fn = this.#onEnd;
    this.#onEnd = undefined;
    this.#controller?.abort();
    fn?.();
  }
}
