// The API client's connection pool for every non-watch request: undici's Pool (keep-alive
// sockets, HTTP/1.1 framing, at most maxSockets connections) driven through its low-level
// dispatch() handler API. node:http's ClientRequest/Agent/IncomingMessage machinery costs
// ~80 µs of CPU per request on loopback TLS; undici's dispatch ~30 µs (micro-benchmarked, 64
// concurrent POSTs). The scheduler sends a bind and the bench a create per pod, thousands a
// second. The handler buffers the answer whole, within a bound, and hands back the abort so a
// timeout or a caller's abort ends the exchange without an AbortController per request.
// Watches stay on node:http: they stream, and there are few of them.
import type { ConnectionOptions } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import { HTTP_POOL_CONNECT_TIMEOUT_MS } from './limits.js';

export interface HttpPoolTarget {
  /** `https://host:port` or `http://host:port`. */
  origin: string;
  /** TLS options for tls.connect (CA, client certificate, servername, secureContext, verification). */
  tls?: ConnectionOptions;
}

export interface HttpPoolRequest {
  method: string;
  /** Path and query, already escaped. */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Bound of a 2xx body; a larger one fails the request with ResponseTooLargeError. */
  maxBytes: number;
  /** Bound of any other body; a larger one is dropped (the answer resolves with an empty body). */
  maxErrorBytes: number;
}

export interface HttpPoolResponse {
  statusCode: number;
  /** Lower-case names, as undici gives them; a repeated header is an array. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`response larger than ${maxBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** One exchange in flight: `cancel` ends it (its socket is closed if it was sent) with the given error. */
export interface PendingExchange {
  cancel(e: Error): void;
}

/** Collects one answer within its bounds (undici's DispatchHandler, controller form). */
class BufferingHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #cancelled: Error | undefined;
  #status = 0;
  #headers: HttpPoolResponse['headers'] = {};
  #chunks: Buffer[] = [];
  #size = 0;
  #limit = 0;
  #dropBody = false;
  #settled = false;

  constructor(private readonly req: HttpPoolRequest, private readonly resolve: (r: HttpPoolResponse) => void,
    private readonly reject: (e: Error) => void) {}

  cancel(e: Error): void {
    if (this.#settled) return;
    this.#cancelled = e;
    if (this.#controller !== undefined) this.#controller.abort(e);
    else this.#fail(e);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#cancelled !== undefined) controller.abort(this.#cancelled);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number,
    headers: Record<string, string | string[] | undefined>): void {
    this.#status = statusCode;
    this.#headers = headers;
    this.#limit = statusCode >= 200 && statusCode < 300 ? this.req.maxBytes : this.req.maxErrorBytes;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#dropBody) return;
    this.#size += chunk.length;
    if (this.#size > this.#limit) {
      if (this.#status >= 200 && this.#status < 300) {
        controller.abort(new ResponseTooLargeError(this.#limit));
        return;
      }
      // An error body past its bound is dropped, as a cut-off one was: the Status is then made of the code.
      this.#dropBody = true;
      this.#chunks = [];
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    const c = this.#chunks;
    const body = c.length === 0 ? Buffer.alloc(0) : c.length === 1 ? c[0]! : Buffer.concat(c, this.#size);
    this.#chunks = [];
    this.resolve({ statusCode: this.#status, headers: this.#headers, body });
  }

  onResponseError(_c: Dispatcher.DispatchController, e: Error): void {
    this.#fail(this.#cancelled ?? e);
  }

  #fail(e: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.reject(e);
  }
}

/** Keep-alive connections to one server. */
export class HttpPool {
  readonly #pool: Pool;

  constructor(target: HttpPoolTarget, maxSockets: number) {
    this.#pool = new Pool(target.origin, {
      connections: maxSockets,
      // One request per connection at a time: a slow answer must not hold up the ones queued behind it.
      pipelining: 1,
      connect: { ...target.tls, timeout: HTTP_POOL_CONNECT_TIMEOUT_MS, noDelay: true },
      // The caller's RequestScope bounds every exchange (its deadline cancels through the handler);
      // undici's own header/body timers would only add a second, different deadline.
      headersTimeout: 0, bodyTimeout: 0,
    });
  }

  /** Sends `req`; resolves with the whole answer. */
  request(req: HttpPoolRequest): { pending: PendingExchange; answer: Promise<HttpPoolResponse> } {
    let handler!: BufferingHandler;
    const answer = new Promise<HttpPoolResponse>((resolve, reject) => {
      handler = new BufferingHandler(req, resolve, reject);
    });
    this.#pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path: req.path, headers: req.headers,
      body: req.body ?? null }, handler);
    return { pending: handler, answer };
  }

  /** Closes the pool: idle sockets now, busy ones when their answers are in. */
  close(): void {
    void this.#pool.close().catch(() => undefined);
  }
}
