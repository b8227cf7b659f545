// ApiClient: typed REST calls against a Kubernetes-compatible apiserver, the role of client-go's
// rest.RESTClient + dynamic client. Requests go over a bounded pool of keep-alive sockets
// (http-pool.ts, on undici; watches over node:http(s), as they stream), pass a client-side token bucket first
// (flowcontrol, QPS/burst), and are retried when the server answers 429 (or 5xx to a GET) with
// Retry-After, at most MAX_RETRY_AFTER_RETRIES times, as rest.Request does. A non-2xx answer
// becomes an ApiError carrying the server's Status.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { DeleteOptions, DeletionPropagation, List, ObjectMeta, Preconditions, ResourceInfo, Status }
  from '../api/index.js';
import { AbortedError, ApiError, ClientConfigError, ConnectionError, SizeLimitError, isTooOld } from './errors.js';
import { TokenBucket, sleep } from './flowcontrol.js';
import { HttpPool, type HttpPoolResponse, ResponseTooLargeError } from './http-pool.js';
import { loadKubeconfig } from './kubeconfig.js';
import * as L from './limits.js';
import { RequestScope } from './request-scope.js';
import { WatchStream } from './watch.js';
import { readStream, StreamTooLargeError } from '../../lib/read-stream.js';

export interface ApiClientOptions {
  server: string;
  token?: string;
  caPem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** Client-side rate limit (client-go rest.Config QPS/Burst); defaults DEFAULT_QPS / DEFAULT_BURST. */
  qps?: number;
  burst?: number;
  userAgent?: string;
  maxSockets?: number;
  requestTimeoutMs?: number;
  /** Default namespace for callers that want one (from the kubeconfig context). */
  namespace?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ListOptions extends RequestOptions {
  /** Omit (or '') for all namespaces of a namespaced resource. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
}

export interface WriteOptions extends RequestOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface DeleteCallOptions extends RequestOptions {
  propagationPolicy?: DeletionPropagation;
  gracePeriodSeconds?: number;
  preconditions?: Preconditions;
  dryRun?: boolean;
}

export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export type PatchType = 'json' | 'merge' | 'strategic';

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** Anything with Kubernetes object metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

type Query = Record<string, string | number | boolean | undefined>;

export interface ApiCall {
  method: string;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  req?: RequestOptions;
}

export class ApiClient {
  readonly server: URL;
  readonly namespace: string;
  readonly rateLimiter: TokenBucket;
  readonly #pool: HttpPool;
  readonly #watchAgent: http.Agent;
  readonly #mod: typeof http | typeof https;
  /** Accept, user-agent and authorization headers of every request; built once, shared by every request. */
  readonly #headers: Record<string, string>;
  /** The same with a JSON content type (creates, updates, bindings). */
  readonly #jsonBodyHeaders: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #servername: string | undefined;
  /** protocol, hostname and port of every request, and the server URL's path (prefixed to each call's). */
  readonly #target: https.RequestOptions;
  readonly #basePath: string;

  constructor(o: ApiClientOptions) {
    try {
      this.server = new URL(o.server);
    } catch {
      throw new ClientConfigError(`server ${JSON.stringify(o.server)} is not a URL`);
    }
    const isTls = this.server.protocol === 'https:';
    if (!isTls && this.server.protocol !== 'http:') throw new ClientConfigError(`server must be http(s): ${o.server}`);
    this.namespace = o.namespace ?? 'default';
    this.rateLimiter = new TokenBucket(o.qps ?? L.DEFAULT_QPS, o.burst ?? L.DEFAULT_BURST);
    this.#timeoutMs = o.requestTimeoutMs ?? L.DEFAULT_REQUEST_TIMEOUT_MS;
    this.#mod = isTls ? https : http;
    this.#servername = o.tlsServerName;
    this.#target = { protocol: this.server.protocol, hostname: this.server.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.server.port === '' ? (isTls ? 443 : 80) : Number(this.server.port) };
    this.#basePath = this.server.pathname.replace(/\/+$/, '');
    const maxSockets = o.maxSockets ?? L.DEFAULT_MAX_SOCKETS;
    // Every socket may stay idle: with fewer free slots than sockets, each burst of requests above
    // the free count (64 binds in flight, 64 creating clients) closed sockets afterwards and the
    // next burst paid a TLS handshake per request on both ends (a third of the scheduler's CPU).
    const agentOptions: https.AgentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    if (isTls) {
      // One secure context for every connection: given ca/cert/key, each connect would parse the
      // PEMs into a new context (about 0.3 ms per connection). PEMs that do not parse are passed
      // as they are, so the error surfaces where it always did: on the request, as a ConnectionError.
      const secure: tls.SecureContextOptions = {};
      if (o.caPem !== undefined) secure.ca = o.caPem;
      if (o.clientCertPem !== undefined) secure.cert = o.clientCertPem;
      if (o.clientKeyPem !== undefined) secure.key = o.clientKeyPem;
      try {
        agentOptions.secureContext = tls.createSecureContext(secure);
      } catch {
        Object.assign(agentOptions, secure);
      }
      agentOptions.rejectUnauthorized = o.insecureSkipTlsVerify !== true;
    }
    // Watches hold a socket for minutes: they get their own agent so they cannot starve requests.
    this.#watchAgent = isTls ? new https.Agent({ ...agentOptions, keepAlive: false }) :
      new http.Agent({ ...agentOptions, keepAlive: false });
    // Without a prepared context (PEMs that did not parse), tls.connect gets the PEMs and reports them.
    const { secureContext, rejectUnauthorized, ca, cert, key } = agentOptions;
    this.#pool = new HttpPool({ origin: this.server.origin, ...(isTls ? { tls: {
      ...(secureContext !== undefined ? { secureContext } : { ca, cert, key }),
      ...(this.#servername !== undefined ? { servername: this.#servername } : {}),
      ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}) } } : {}) }, maxSockets);
    this.#headers = { 'accept': 'application/json', 'user-agent': o.userAgent ?? 'flotilla-client/0.1' };
    if (o.token !== undefined && o.token !== '') this.#headers['authorization'] = `Bearer ${o.token}`;
    for (const [k, v] of Object.entries(this.#headers)) {
      if (/[\r\n]/.test(v)) throw new ClientConfigError(`header ${k} holds a line break`);
    }
    this.#jsonBodyHeaders = { ...this.#headers, 'content-type': 'application/json' };
  }

  /** A client for the current (or given) context of a kubeconfig file (clientcmd.BuildConfigFromFlags). */
  static fromKubeconfig(path?: string, o: Partial<ApiClientOptions> & { context?: string } = {}): ApiClient {
    const { context, ...rest } = o;
    const c = loadKubeconfig(path, context !== undefined ? { context } : {});
    const opts: ApiClientOptions = {
      server: c.server, namespace: c.namespace, insecureSkipTlsVerify: c.insecureSkipTlsVerify,
    };
    if (c.token !== undefined) opts.token = c.token;
    if (c.caPem !== undefined) opts.caPem = c.caPem;
    if (c.clientCertPem !== undefined) opts.clientCertPem = c.clientCertPem;
    if (c.clientKeyPem !== undefined) opts.clientKeyPem = c.clientKeyPem;
    if (c.tlsServerName !== undefined) opts.tlsServerName = c.tlsServerName;
    return new ApiClient({ ...opts, ...rest });
  }

  /** Closes idle keep-alive sockets; in-flight requests finish. */
  close(): void {
    this.#pool.close();
    this.#watchAgent.destroy();
  }

  async get<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string,
    o: RequestOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: 'GET', path: resourcePath(r, namespace, name), req: o });
  }

  async list<T extends KubeObject>(r: ResourceInfo, o: ListOptions = {}): Promise<List<T>> {
    const query: Query = {
      labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue,
      resourceVersion: o.resourceVersion, resourceVersionMatch: o.resourceVersionMatch,
      timeoutSeconds: o.timeoutSeconds,
    };
    return this.requestJson<List<T>>({ method: 'GET', path: collectionPath(r, o.namespace), query, req: o });
  }

  /**
   * Every item, paging through `continue` (client-go's pager.ListPager): when a continue token has
   * expired (410) mid-way, it falls back to one unpaged list, as the pager's FullListIfExpired does.
   */
  async listAll<T extends KubeObject>(r: ResourceInfo,
    o: ListOptions = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const limit = o.limit ?? L.DEFAULT_LIST_PAGE_SIZE;
    const items: T[] = [];
    let cont: string | undefined = o.continue;
    for (let page = 0; page < L.MAX_LIST_PAGES; page++) {
      let list: List<T>;
      try {
        list = await this.list<T>(r, { ...o, limit, ...(cont !== undefined ? { continue: cont } : {}) });
      } catch (e) {
        if (cont === undefined || !isTooOld(e)) throw e;
        const full = await this.list<T>(r, { ...o, limit: undefined, continue: undefined });
        return { items: full.items ?? [], resourceVersion: full.metadata?.resourceVersion ?? '' };
      }
      items.push(...(list.items ?? []));
      const next = list.metadata?.continue;
      if (next === undefined || next === '') return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
      cont = next;
    }
    throw new SizeLimitError(`list of ${r.plural} has more than ${L.MAX_LIST_PAGES} pages (MAX_LIST_PAGES)`);
  }

  async create<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: 'POST', path: collectionPath(r, namespace, true), query: writeQuery(o), body: obj,
      req: o });
  }

  async update<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: 'PUT', path: resourcePath(r, namespace, nameOf(obj)), query: writeQuery(o),
      body: obj, req: o });
  }

  /** PUT .../status (client-go UpdateStatus): the server takes only the status from `obj`. */
  async updateStatus<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T,
    o: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: 'PUT', path: resourcePath(r, namespace, nameOf(obj), 'status'),
      query: writeQuery(o), body: obj, req: o });
  }

  async patch<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string, type: PatchType, patch: unknown,
    o: WriteOptions & { subresource?: 'status' | 'scale' } = {}): Promise<T> {
    return this.requestJson<T>({ method: 'PATCH', path: resourcePath(r, namespace, name, o.subresource),
      query: writeQuery(o), body: patch, contentType: PATCH_CONTENT_TYPES[type], req: o });
  }

  /** DELETE with a DeleteOptions body; answers the object (still finalizing) or a Success Status. */
  async delete<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string,
    o: DeleteCallOptions = {}): Promise<T | Status> {
    const body: DeleteOptions = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (o.propagationPolicy !== undefined) body.propagationPolicy = o.propagationPolicy;
    if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
    if (o.preconditions !== undefined) body.preconditions = o.preconditions;
    if (o.dryRun === true) body.dryRun = ['All'];
    return this.requestJson<T | Status>({ method: 'DELETE', path: resourcePath(r, namespace, name), body, req: o });
  }

  /** POST to pods/binding or pods/eviction (client-go: Pods().Bind, Pods().EvictV1). */
  async createSubresource<T = unknown>(r: ResourceInfo, namespace: string, name: string, sub: 'binding' | 'eviction',
    body: unknown, o: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: 'POST', path: resourcePath(r, namespace, name, sub), query: writeQuery(o),
      body, req: o });
  }

  /** Opens a watch (see WatchStream); the request is sent when iteration starts. */
  watch<T extends KubeObject>(r: ResourceInfo, o: WatchOptions = {}): WatchStream<T> {
    const query: Query = {
      watch: true, resourceVersion: o.resourceVersion, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector,
      allowWatchBookmarks: o.allowWatchBookmarks === true ? true : undefined, timeoutSeconds: o.timeoutSeconds,
    };
    const path = collectionPath(r, o.namespace);
    const deadlineMs = o.timeoutSeconds === undefined ? undefined : o.timeoutSeconds * 1000 + L.WATCH_CLIENT_GRACE_MS;
    return new WatchStream<T>(async (signal) => {
      // No dispose: the scope lives as long as the stream, and the stream's signal aborts when it ends.
      const scope = new RequestScope(undefined, signal);
      const res = await this.#attempts({ method: 'GET', path, query, req: { signal } }, scope);
      if (isSuccess(res.statusCode)) return res;
      throw await toApiError(res, scope);
    }, deadlineMs, o.signal);
  }

  /** Any JSON request (discovery, /version, ...): parses a 2xx body, throws ApiError otherwise. */
  async requestJson<T>(call: ApiCall): Promise<T> {
    const body = await this.#request(call);
    if (body.length === 0) return undefined as T;
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch (e) {
      throw new ConnectionError(`${call.method} ${call.path}: the answer is not JSON: ${(e as Error).message}`);
    }
  }

  /**
   * A request whose answer the caller does not need (the bench's creates): a 2xx body is read
   * and dropped unparsed, anything else throws ApiError as requestJson does.
   */
  async requestDiscardingBody(call: ApiCall): Promise<void> {
    await this.#request(call);
  }

  /** A create whose created object the caller does not need (see requestDiscardingBody). */
  async createDiscardingResult<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T,
    o: WriteOptions = {}): Promise<void> {
    await this.#request({ method: 'POST', path: collectionPath(r, namespace, true), query: writeQuery(o), body: obj,
      req: o });
  }

  /** The 2xx answer's body, bytes; ApiError for any other answer. Retries 429 (5xx to a GET) with Retry-After. */
  async #request(call: ApiCall): Promise<Buffer> {
    const scope = new RequestScope(call.req?.timeoutMs ?? this.#timeoutMs, call.req?.signal);
    try {
      const body = encodeBody(call.body);
      const path = this.#requestPath(call);
      const headers = this.#requestHeaders(call, body);
      for (let attempt = 0; ; attempt++) {
        await this.rateLimiter.wait(() => scope.signal);
        const res = await this.#exchange(call, path, headers, body, scope);
        const retryAfter = firstHeader(res.headers['retry-after']);
        const waitMs = retryAfterMs(res.statusCode, retryAfter, call.method);
        if (waitMs === undefined || attempt >= L.MAX_RETRY_AFTER_RETRIES) {
          if (!isSuccess(res.statusCode)) throw statusError(res.statusCode, retryAfter, res.body.toString('utf8'));
          return res.body;
        }
        await sleep(waitMs, scope.signal);
      }
    } finally {
      scope.dispose();
    }
  }

  /** Path and query of a request; refuses what node:http would (ERR_INVALID_HTTP_TOKEN / ERR_UNESCAPED_CHARACTERS). */
  #requestPath(call: ApiCall): string {
    const path = this.#basePath + call.path + queryString(call.query);
    if (!METHOD.test(call.method)) throw new ClientConfigError(`bad HTTP method ${JSON.stringify(call.method)}`);
    if (!PATH.test(path)) throw new ClientConfigError(`request path ${JSON.stringify(path)} holds unescaped characters`);
    return path;
  }

  /** Headers prepared once; only a non-JSON body gets an object of its own. */
  #requestHeaders(call: ApiCall, body: string | undefined): Record<string, string> {
    if (body === undefined) return this.#headers;
    const type = call.contentType ?? 'application/json';
    if (type === 'application/json') return this.#jsonBodyHeaders;
    if (/[\r\n]/.test(type)) throw new ClientConfigError('content type holds a line break');
    return { ...this.#headers, 'content-type': type };
  }

  /** One exchange on the pool; the scope's end (timeout, abort) cancels it. */
  async #exchange(call: ApiCall, path: string, headers: Record<string, string>, body: string | undefined,
    scope: RequestScope): Promise<HttpPoolResponse> {
    if (scope.aborted) throw scope.error(call.method, call.path);
    const { pending, answer } = this.#pool.request({ method: call.method, path, headers, body,
      maxBytes: L.MAX_RESPONSE_BYTES, maxErrorBytes: L.MAX_ERROR_BODY_BYTES });
    const onEnd = scope.setOnEnd(() => pending.cancel(scope.error(call.method, call.path)));
    try {
      return await answer;
    } catch (e) {
      if (scope.aborted) throw scope.error(call.method, call.path);
      if (e instanceof ResponseTooLargeError) throw new SizeLimitError(`response larger than ${e.maxBytes} bytes`);
      throw new ConnectionError(`${call.method} ${call.path}: ${(e as Error).message}`, { cause: e });
    } finally {
      scope.clearOnEnd(onEnd);
    }
  }

  /** A watch's request with rate limiting and Retry-After retries; returns the final response (body unread). */
  async #attempts(call: ApiCall, scope: RequestScope): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      await this.rateLimiter.wait(() => scope.signal);
      const res = await this.#send(call, scope);
      const waitMs = retryAfterMs(res.statusCode ?? 0, res.headers['retry-after'], call.method);
      if (waitMs === undefined || attempt >= L.MAX_RETRY_AFTER_RETRIES) return res;
      res.resume();
      await sleep(waitMs, scope.signal);
    }
  }

  #send(call: ApiCall, scope: RequestScope): Promise<IncomingMessage> {
    const headers: OutgoingHttpHeaders = { ...this.#headers };
    const options: https.RequestOptions = { ...this.#target, path: this.#basePath + call.path + queryString(call.query),
      method: call.method, headers, agent: this.#watchAgent };
    if (this.#servername !== undefined) options.servername = this.#servername;
    return new Promise((resolve, reject) => {
      if (scope.aborted) { reject(scope.error(call.method, call.path)); return; }
      // The end hook stays until the response is closed, so a timeout or close() also ends
      // the body read (destroying the request destroys the response).
      const req = this.#mod.request(options, (res) => {
        res.once('close', () => scope.clearOnEnd(onEnd));
        resolve(res);
      });
      const onEnd = scope.setOnEnd(() => { req.destroy(); reject(scope.error(call.method, call.path)); });
      req.on('error', (e) => {
        scope.clearOnEnd(onEnd);
        reject(scope.aborted ? scope.error(call.method, call.path) :
          new ConnectionError(`${call.method} ${call.path}: ${e.message}`, { cause: e }));
      });
      req.end();
    });
  }
}

/** What node:http refuses in a method and a path (it throws ERR_INVALID_HTTP_TOKEN / ERR_UNESCAPED_CHARACTERS). */
const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const PATH = /^[\u0021-\u00ff]+$/;

/** A header's value; a repeated one's first. */
function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function queryString(q: Query | undefined): string {
  let query = '';
  if (q === undefined) return query;
  for (const k in q) {
    const v = q[k];
    if (v !== undefined && v !== '') query += `${query === '' ? '?' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  }
  return query;
}

function isSuccess(code: number | undefined): boolean {
  return code !== undefined && code >= 200 && code < 300;
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (name === undefined || name === '') throw new ClientConfigError('object has no metadata.name');
  return name;
}

/** /api/v1 for the core group, /apis/G/V otherwise (the apiserver's path layout). */
export function groupVersionPath(r: ResourceInfo): string {
  return r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
}

export function collectionPath(r: ResourceInfo, namespace?: string, requireNamespace = false): string {
  const ns = r.namespaced ? namespace ?? '' : '';
  if (r.namespaced && requireNamespace && ns === '') {
    throw new ClientConfigError(`${r.plural} are namespaced: a namespace is required`);
  }
  const nsPart = ns === '' ? '' : `/namespaces/${encodeURIComponent(ns)}`;
  return `${groupVersionPath(r)}${nsPart}/${r.plural}`;
}

export function resourcePath(r: ResourceInfo, namespace: string, name: string, sub?: string): string {
  if (name === '') throw new ClientConfigError(`a ${r.singular} name is required`);
  const base = `${collectionPath(r, namespace, true)}/${encodeURIComponent(name)}`;
  return sub === undefined ? base : `${base}/${sub}`;
}

function writeQuery(o: WriteOptions): Query {
  return { dryRun: o.dryRun === true ? 'All' : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation };
}

function encodeBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const text = JSON.stringify(body);
  // A UTF-8 byte is at most one UTF-16 unit and a unit at most 3 bytes: count bytes only near the bound.
  const bytes = text.length * 3 <= L.MAX_REQUEST_BODY_BYTES ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > L.MAX_REQUEST_BODY_BYTES) {
    throw new SizeLimitError(`request body of ${bytes} bytes exceeds ${L.MAX_REQUEST_BODY_BYTES} (MAX_REQUEST_BODY_BYTES)`);
  }
  return text;
}

/** client-go rest.Request checkWait: 429 (any method) or 5xx (GET only) with a Retry-After in seconds. */
function retryAfterMs(code: number, header: string | undefined, method: string): number | undefined {
  if (code !== 429 && !(code >= 500 && code <= 504 && method === 'GET')) return undefined;
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds * 1000, L.MAX_RETRY_AFTER_MS);
}

async function readBody(res: IncomingMessage, maxBytes: number, scope: RequestScope): Promise<Buffer> {
  try {
    return await readStream(res, maxBytes);
  } catch (e) {
    if (e instanceof StreamTooLargeError) throw new SizeLimitError(`response larger than ${maxBytes} bytes`);
    if (scope.aborted) throw scope.error('', res.url ?? '');
    throw new ConnectionError(`response broke off: ${(e as Error).message}`, { cause: e });
  }
}

async function toApiError(res: IncomingMessage, scope: RequestScope): Promise<ApiError> {
  let text = '';
  try {
    text = (await readBody(res, L.MAX_ERROR_BODY_BYTES, scope)).toString('utf8');
  } catch (e) {
    if (e instanceof AbortedError) throw e;
  }
  return statusError(res.statusCode ?? 0, res.headers['retry-after'], text);
}

/** The ApiError of a non-2xx answer: its Status if the body is one, else one made of the code. */
function statusError(code: number, header: string | undefined, text: string): ApiError {
  const retryAfter = header === undefined || !Number.isFinite(Number(header)) ? undefined : Number(header);
  try {
    const v = JSON.parse(text) as Partial<Status>;
    if (v.kind === 'Status' && typeof v.code === 'number') return new ApiError(v as Status, retryAfter);
  } catch {
    // Not a Status: fall through to a Status built from the code.
  }
  return ApiError.fromResponse(code, text, retryAfter);
}
