// The apiserver process's HTTP(S) server: health endpoints, then authentication (401),
// request info, authorization (403), in-flight limits (429), then discovery documents or a
// resource handler. Graceful shutdown as kube-apiserver: /readyz turns unready first, the
// listener closes after --shutdown-delay-duration, watches end, in-flight requests drain.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import {
  badRequest, internalError, notAcceptable, serviceUnavailable, type Status, tooManyRequests, unauthorized,
} from '../api/index.js';
import { EtcdClient, EtcdClientError } from '../../store/client/client.js';
import {
  Authenticator, forbiddenStatus, parseRequestInfo, RbacAuthorizer, type RequestInfo, type UserInfo,
} from './auth/index.js';
import { bootstrapCluster } from './bootstrap.js';
import { Cacher } from './cache/cacher.js';
import { cacheRbacSource } from './cache/rbac-source.js';
import { DiscoveryDocuments } from './handlers/discovery.js';
import { rejectUpgrade, StreamProxy } from './handlers/exec.js';
import { PortForwardProxy } from './handlers/portforward.js';
import type { HandlerDeps } from './handlers/deps.js';
import type { WatchRegistry } from './handlers/watch.js';
import { BodyTooLargeError, RequestContext, tooLargeStatus } from './http/context.js';
import { negotiate } from './http/negotiation.js';
import { APISERVER_LIMITS } from './limits.js';
import { ApiServerMetrics } from './metrics.js';
import type { ApiServerOptions } from './options.js';
import { cidrRange, portRange, RangeAllocator } from './registry/service-ips.js';
import { notFoundPath, route } from './router.js';
import { KeyLayout } from './storage/keys.js';
import { ObjectStore } from './storage/object-store.js';

const HEALTH_PATHS = new Set(['/livez', '/readyz', '/healthz']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiServer {
  readonly #server: Server;
  readonly #client: EtcdClient;
  readonly #cacher: Cacher;
  #deps: HandlerDeps;
  readonly #authn: Authenticator;
  readonly #authz: RbacAuthorizer | undefined;
  readonly #docs: DiscoveryDocuments;
  readonly #watches: WatchRegistry = { open: new Set() };
  readonly #streams = new StreamProxy();
  readonly #portForwards = new PortForwardProxy();
  readonly metrics: ApiServerMetrics;
  #bootstrapped = false;
  #shuttingDown = false;
  #inflight = 0;
  #inflightMutating = 0;
  #port = 0;

  private constructor(readonly o: ApiServerOptions, private readonly log: Logger, tokens: Map<string, UserInfo>,
    processMetrics: boolean) {
    this.#client = new EtcdClient({ endpoints: o.etcdServers });
    const keys = new KeyLayout(o.etcdPrefix);
    this.#cacher = new Cacher(this.#client, keys, log, o.watchCacheSize);
    this.#deps = {
      store: new ObjectStore(this.#client), cacher: this.#cacher, keys, log, nowMs: Date.now,
      serviceIps: {
        ips: new RangeAllocator(keys.serviceIpRangeKey, cidrRange(o.serviceClusterIpRange)),
        ports: new RangeAllocator(keys.nodePortRangeKey, portRange(o.serviceNodePortRange)),
      },
    };
    this.#authn = new Authenticator({ tokens, anonymous: o.anonymousAuth });
    this.#authz = o.authorizationMode === 'RBAC' ? new RbacAuthorizer(cacheRbacSource(this.#cacher, keys)) : undefined;
    if (this.#authz) {
      const authz = this.#authz;
      this.#deps = { ...this.#deps, authorize: (a) => authz.authorize(a) };
    }
    this.#docs = new DiscoveryDocuments(`${o.advertiseAddress}:${o.securePort}`);
    this.metrics = new ApiServerMetrics(processMetrics);
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    if (o.tls) {
      this.#server = createHttpsServer({
        cert: readFileSync(o.tls.certFile), key: readFileSync(o.tls.keyFile),
        ...(o.clientCaFile ? { ca: readFileSync(o.clientCaFile), requestCert: true, rejectUnauthorized: false } : {}),
      }, handler);
    } else {
      this.#server = createHttpServer(handler);
    }
    this.#server.keepAliveTimeout = 65_000;
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#upgrade(req, socket, head);
    });
  }

  static async start(o: ApiServerOptions, log: Logger, tokens: Map<string, UserInfo>, processMetrics = true):
    Promise<ApiServer> {
    const s = new ApiServer(o, log, tokens, processMetrics);
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject);
      s.#server.listen(o.securePort, o.bindAddress, () => resolve());
    });
    s.#port = (s.#server.address() as { port: number }).port;
    log.info({ address: o.bindAddress, port: s.#port, tls: o.tls !== undefined, etcd: o.etcdServers }, 'apiserver listening');
    await s.#cacher.start();
    await bootstrapCluster(s.#deps, log);
    s.#bootstrapped = true;
    log.info('apiserver ready');
    return s;
  }

  get port(): number {
    return this.#port;
  }

  get ready(): boolean {
    return this.#bootstrapped && this.#cacher.ready && !this.#shuttingDown;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://apiserver');
    if (HEALTH_PATHS.has(url.pathname) || url.pathname.startsWith('/readyz/') || url.pathname.startsWith('/livez/')) {
      return this.#health(url.pathname, res);
    }
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
      res.end(await this.metrics.registry.metrics());
      return;
    }
    const socket = req.socket as TLSSocket;
    const peer = this.o.clientCaFile && socket.authorized ? socket.getPeerCertificate() : null;
    const authn = this.#authn.authenticate(req.headers, peer as never);
    let info: RequestInfo;
    try {
      info = parseRequestInfo(req.method ?? 'GET', url);
    } catch (e) {
      return this.#plainStatus(res, badRequest((e as Error).message));
    }
    if (!authn.ok) return this.#plainStatus(res, unauthorized());
    const user = authn.user;
    const accept = negotiate(req.headers.accept);
    if (!accept) return this.#plainStatus(res, notAcceptable('only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/vnd.flotilla.msgpack'));
    const ctx = new RequestContext(req, res, url, info, user, accept);
    if (this.#authz) {
      const attrs = { user, verb: info.verb, isResourceRequest: info.isResourceRequest, path: info.path,
        apiGroup: info.apiGroup, resource: info.resource, subresource: info.subresource, namespace: info.namespace,
        name: info.name };
      const decision = this.#authz.authorize(attrs);
      if (!decision.allowed) return ctx.sendStatus(forbiddenStatus(attrs, decision.reason));
    }
    if (!info.isResourceRequest) return this.#nonResource(ctx);
    await this.#serveResource(ctx, started);
  }

  /**
   * Connection upgrades: pods/exec (WebSocket, handlers/exec.ts) and pods/portforward (SPDY, tunnelled
   * in a WebSocket or not, handlers/portforward.ts). Authenticated and authorized as
   * other requests, with the verb `create` whatever the method, as kube-apiserver authorizes
   * WebSocket upgrades of pods/exec, pods/attach and pods/portforward since 1.31
   * (AuthorizePodWebsocketUpgradeCreatePermission). Long-running: outside the in-flight limits.
   */
  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://apiserver');
    const tls = req.socket as TLSSocket;
    const peer = this.o.clientCaFile && tls.authorized ? tls.getPeerCertificate() : null;
    const authn = this.#authn.authenticate(req.headers, peer as never);
    let info: RequestInfo;
    try {
      info = parseRequestInfo(req.method ?? 'GET', url);
    } catch (e) {
      return rejectUpgrade(socket, badRequest((e as Error).message));
    }
    if (!authn.ok) return rejectUpgrade(socket, unauthorized());
    const streaming = info.isResourceRequest && info.apiGroup === '' && info.apiVersion === 'v1' &&
      info.resource === 'pods' && info.name !== '' &&
      (info.subresource === 'exec' || info.subresource === 'portforward');
    if (streaming) info.verb = 'create';
    if (this.#authz) {
      const attrs = { user: authn.user, verb: info.verb, isResourceRequest: info.isResourceRequest, path: info.path,
        apiGroup: info.apiGroup, resource: info.resource, subresource: info.subresource, namespace: info.namespace,
        name: info.name };
      const decision = this.#authz.authorize(attrs);
      if (!decision.allowed) return rejectUpgrade(socket, forbiddenStatus(attrs, decision.reason));
    }
    if (!streaming) return rejectUpgrade(socket, badRequest(`${url.pathname} cannot be upgraded`));
    if (!this.#cacher.ready || this.#shuttingDown) {
      return rejectUpgrade(socket, serviceUnavailable('the apiserver is not ready'));
    }
    try {
      if (info.subresource === 'portforward') await this.#portForwards.portForward(this.#deps, info, req, socket, head);
      else await this.#streams.exec(this.#deps, info, url, req, socket, head);
    } catch (e) {
      const store = e instanceof EtcdClientError;
      if (!store) this.log.error({ err: (e as Error).stack ?? String(e), path: url.pathname }, `${info.subresource} failed`);
      rejectUpgrade(socket, store ? serviceUnavailable(`the store did not answer: ${(e as Error).message}`)
        : internalError((e as Error).message ?? String(e)));
    }
  }

  async #serveResource(ctx: RequestContext, started: bigint): Promise<void> {
    const info = ctx.info;
    // Long-running requests (watches, log streams) do not count against the in-flight limit, as in Kubernetes.
    const isWatch = info.verb === 'watch' || info.subresource === 'log';
    const mutating = MUTATING.has(ctx.req.method ?? '');
    if (!isWatch) {
      const full = mutating ? this.#inflightMutating >= APISERVER_LIMITS.maxMutatingRequestsInflight
        : this.#inflight >= APISERVER_LIMITS.maxRequestsInflight;
      if (full) {
        this.metrics.rejected.inc({ request_kind: mutating ? 'mutating' : 'readOnly' });
        return ctx.sendStatus(tooManyRequests('Too many requests, please try again later.', 1));
      }
    }
    if (!this.#cacher.ready) return ctx.sendStatus(serviceUnavailable('the apiserver is starting: its watch cache is not loaded yet'));
    if (mutating) this.#inflightMutating++;
    else if (!isWatch) this.#inflight++;
    this.metrics.inflight.set({ request_kind: 'mutating' }, this.#inflightMutating);
    this.metrics.inflight.set({ request_kind: 'readOnly' }, this.#inflight);
    try {
      await route(this.#deps, ctx, this.#watches);
    } catch (e) {
      ctx.sendStatus(this.#errorStatus(e, ctx));
    } finally {
      if (mutating) this.#inflightMutating--;
      else if (!isWatch) this.#inflight--;
      this.metrics.watches.set(this.#watches.open.size);
      this.metrics.cacheRevision.set(this.#cacher.rv);
      const labels = { verb: info.verb, group: info.apiGroup, resource: info.resource, subresource: info.subresource,
        code: String(ctx.res.statusCode) };
      this.metrics.requests.inc(labels);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (!isWatch) this.metrics.latency.observe({ verb: info.verb, resource: info.resource }, seconds);
    }
  }

  #errorStatus(e: unknown, ctx: RequestContext): Status {
    if (e instanceof BodyTooLargeError) return tooLargeStatus(e);
    if (e instanceof EtcdClientError) {
      this.log.warn({ err: e.message, path: ctx.url.pathname }, 'store request failed');
      return serviceUnavailable(`the store did not answer: ${e.message}`);
    }
    this.log.error({ err: (e as Error).stack ?? String(e), path: ctx.url.pathname, verb: ctx.info.verb }, 'handler failed');
    return internalError((e as Error).message ?? String(e));
  }

  #nonResource(ctx: RequestContext): void {
    const method = ctx.req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return ctx.sendStatus(notFoundPath());
    const doc = this.#docs.get(ctx.url.pathname);
    if (!doc) return ctx.sendStatus(notFoundPath());
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json', ETag: doc.etag };
    if (this.#docs.isOpenApi(ctx.url.pathname)) headers['Cache-Control'] = 'public, immutable';
    if (ctx.req.headers['if-none-match'] === doc.etag) {
      ctx.res.writeHead(304, headers);
      ctx.res.end();
      return;
    }
    headers['Content-Length'] = Buffer.byteLength(doc.body);
    ctx.res.writeHead(200, headers);
    ctx.res.end(method === 'HEAD' ? undefined : doc.body);
  }

  #health(path: string, res: ServerResponse): void {
    const ok = path.startsWith('/livez') ? true : this.ready;
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'ok' : this.#shuttingDown ? 'shutting down' : 'watch cache not ready');
  }

  #plainStatus(res: ServerResponse, s: Status): void {
    const text = JSON.stringify(s);
    res.writeHead(s.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Graceful stop: unready, wait shutdownDelay, stop accepting, end watches, drain, close the store client. */
  async stop(o: { delayMs?: number; drainMs?: number } = {}): Promise<void> {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.log.info('shutting down: /readyz is now failing');
    await new Promise((r) => setTimeout(r, o.delayMs ?? this.o.shutdownDelayMs));
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const close of [...this.#watches.open]) close();
    this.#streams.close();
    this.#portForwards.close();
    this.#server.closeIdleConnections();
    const drainMs = o.drainMs ?? APISERVER_LIMITS.shutdownDrainMs;
    const forced = new Promise<void>((resolve) => setTimeout(() => {
      this.#server.closeAllConnections();
      resolve();
    }, drainMs).unref());
    await Promise.race([closed, forced]);
    this.#cacher.stop();
    this.#client.close();
    this.log.info('apiserver stopped');
  }
}
