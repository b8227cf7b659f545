// One request as the handlers see it: the parsed URL and request info, the authenticated
// user, the negotiated response form, and helpers that answer with an object or a Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pack } from 'msgpackr';
import { requestEntityTooLarge, type Status } from '../../api/index.js';
import type { RequestInfo, UserInfo } from '../auth/index.js';
import { readStream, StreamTooLargeError } from '../../../lib/read-stream.js';
import { APISERVER_LIMITS } from '../limits.js';
import { type AcceptChoice, MSGPACK_MEDIA_TYPE } from './negotiation.js';

export class BodyTooLargeError extends Error {
  readonly code = 'FLOTILLA_ERR_BODY_TOO_LARGE';
}

export class RequestContext {
  readonly warnings: string[] = [];
  #answered = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly url: URL,
    readonly info: RequestInfo,
    readonly user: UserInfo,
    readonly accept: AcceptChoice,
  ) {}

  get query(): URLSearchParams {
    return this.url.searchParams;
  }

  get answered(): boolean {
    return this.#answered || this.res.headersSent;
  }

  /** The whole body as text; over the limit → BodyTooLargeError (answered with 413 by the server). */
  async readBody(): Promise<string> {
    return (await this.readBodyBuffer()).toString('utf8');
  }

  /** The whole body as bytes (protobuf bodies); over the limit → BodyTooLargeError. */
  async readBodyBuffer(): Promise<Buffer> {
    const declared = Number(this.req.headers['content-length'] ?? 0);
    if (declared > APISERVER_LIMITS.maxRequestBodyBytes) throw new BodyTooLargeError(`limit is ${APISERVER_LIMITS.maxRequestBodyBytes}`);
    try {
      return await readStream(this.req, APISERVER_LIMITS.maxRequestBodyBytes);
    } catch (e) {
      if (e instanceof StreamTooLargeError) throw new BodyTooLargeError(`limit is ${APISERVER_LIMITS.maxRequestBodyBytes}`);
      throw e;
    }
  }

  #warningHeader(): void {
    if (this.warnings.length === 0) return;
    // RFC 7234 warn-code 299, as kube-apiserver sends them; kubectl prints "Warning: <text>".
    this.res.setHeader('Warning', this.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  }

  /** Answers with an object in the negotiated encoding. */
  send(code: number, body: unknown): void {
    if (this.answered) return;
    this.#answered = true;
    this.#warningHeader();
    if (this.accept.encoding === 'msgpack') {
      const buf = pack(body);
      this.res.writeHead(code, { 'Content-Type': MSGPACK_MEDIA_TYPE, 'Content-Length': buf.length });
      this.res.end(buf);
      return;
    }
    const text = JSON.stringify(body);
    this.res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    this.res.end(text);
  }

  /** Answers with a Status (always JSON: every client can read it). */
  sendStatus(s: Status): void {
    if (this.answered) return;
    this.#answered = true;
    this.#warningHeader();
    const text = JSON.stringify(s);
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
    if (s.details?.retryAfterSeconds) headers['Retry-After'] = s.details.retryAfterSeconds;
    this.res.writeHead(s.code, headers);
    this.res.end(text);
  }
}

export function tooLargeStatus(e: BodyTooLargeError): Status {
  return requestEntityTooLarge(e.message);
}
