// The kubelet's HTTP server (pkg/kubelet/server), the parts `kubectl logs`, `kubectl exec`
// (WebSocket upgrades, exec.ts) and `kubectl port-forward` (WebSocket relays, port-forward.ts)
// need: the apiserver's pods/log subresource proxies to
// GET /containerLogs/{namespace}/{pod}/{container} on the node's InternalIP and
// daemonEndpoints.kubeletEndpoint.Port. Query parameters as the kubelet takes them
// (PodLogOptions): follow, tailLines, previous, timestamps, limitBytes, sinceSeconds, sinceTime.
// The body is plain text: the messages of the CRI log records (partial records joined), each
// prefixed with its RFC 3339 time when timestamps=true. Also /healthz. Plain HTTP: Flotilla's
// nodes listen on loopback addresses only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCriRecord } from '../runtime/index.js';
import { ExecServer } from './exec.js';
import type { Kubelet } from './kubelet.js';
import { LOG_LIMIT_BYTES_MAX, LOG_STREAMS_MAX, LOG_TAIL_LINES_MAX } from './limits.js';
import { PortForwardServer } from './port-forward.js';

export interface LogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines: number | undefined;
  limitBytes: number | undefined;
  sinceMs: number | undefined;
}

function bool(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function nonNegativeInt(v: string | null, max: number): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${v} is not a non-negative integer`);
  return Math.min(n, max);
}

export function parseLogQuery(q: URLSearchParams, nowMs: number): LogQuery {
  const sinceSeconds = nonNegativeInt(q.get('sinceSeconds'), Number.MAX_SAFE_INTEGER);
  const sinceTime = q.get('sinceTime');
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = nowMs - sinceSeconds * 1000;
  else if (sinceTime !== null && sinceTime !== '') {
    sinceMs = Date.parse(sinceTime);
    if (!Number.isFinite(sinceMs)) throw new RangeError(`sinceTime ${sinceTime} is not RFC 3339`);
  }
  return {
    follow: bool(q.get('follow')), previous: bool(q.get('previous')), timestamps: bool(q.get('timestamps')),
    tailLines: nonNegativeInt(q.get('tailLines'), LOG_TAIL_LINES_MAX),
    limitBytes: nonNegativeInt(q.get('limitBytes'), LOG_LIMIT_BYTES_MAX), sinceMs,
  };
}

/** CRI records → the text kubectl shows; keeps the unfinished tail of a chunk for the next one. */
export class CriToText {
  #rest = '';
  #partial = '';
  readonly #o: Pick<LogQuery, 'timestamps' | 'sinceMs'>;

  constructor(o: Pick<LogQuery, 'timestamps' | 'sinceMs'>) {
    this.#o = o;
  }

  push(chunk: Buffer): string {
    const text = this.#rest + chunk.toString('utf8');
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    let out = '';
    for (const line of lines) {
      const r = parseCriRecord(line);
      if (r === undefined) continue;
      if (this.#o.sinceMs !== undefined && Date.parse(r.time) < this.#o.sinceMs) continue;
      if (r.partial) {
        this.#partial += r.message;
        continue;
      }
      const msg = this.#partial + r.message;
      this.#partial = '';
      out += this.#o.timestamps ? `${r.time} ${msg}\n` : `${msg}\n`;
    }
    return out;
  }
}

function fail(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

/** The container instance a log request is about, or an HTTP error as the kubelet words it. */
export function findContainer(k: Kubelet, ns: string, pod: string, container: string, previous: boolean):
  { id: string } | { code: number; message: string } {
  const w = k.workerByName(ns, pod);
  if (w === undefined || w.sandbox === undefined) {
    return { code: 404, message: `pod "${pod}" in namespace "${ns}" not found on node ${k.nodeName}` };
  }
  const list = k.runtime.listContainers({ sandboxId: w.sandbox.id }).filter((c) => c.name === container)
    .sort((a, b) => b.attempt - a.attempt || (b.startedAtMs ?? 0) - (a.startedAtMs ?? 0));
  const cur = list[0];
  if (cur === undefined) {
    return { code: 400, message: `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating` };
  }
  if (previous && list[1] === undefined) {
    return { code: 400, message: `previous terminated container "${container}" in pod "${pod}" not found` };
  }
  return { id: cur.id };
}

async function serveLogs(k: Kubelet, req: http.IncomingMessage, res: http.ServerResponse, parts: string[],
  q: URLSearchParams): Promise<void> {
  const [ns, pod, container] = parts.map((p) => decodeURIComponent(p));
  let o: LogQuery;
  try {
    o = parseLogQuery(q, Date.now());
  } catch (e) {
    fail(res, 400, (e as Error).message);
    return;
  }
  const found = findContainer(k, ns ?? '', pod ?? '', container ?? '', o.previous);
  if ('code' in found) {
    fail(res, found.code, found.message);
    return;
  }
  const stream = k.runtime.readLogs(found.id, {
    follow: o.follow, previous: o.previous, ...(o.tailLines !== undefined ? { tail: o.tailLines } : {}),
  });
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
  const conv = new CriToText(o);
  let sent = 0;
  let closed = false;
  req.socket.once('close', () => {
    closed = true;
  });
  for await (const chunk of stream) {
    if (closed) break;
    let text = conv.push(chunk);
    if (o.limitBytes !== undefined) {
      const room = o.limitBytes - sent;
      if (Buffer.byteLength(text) > room) text = Buffer.from(text).subarray(0, room).toString('utf8');
    }
    if (text !== '') {
      sent += Buffer.byteLength(text);
      res.write(text);
    }
    if (o.limitBytes !== undefined && sent >= o.limitBytes) break;
  }
  res.end();
}

export class KubeletServer {
  readonly #k: Kubelet;
  readonly #server: http.Server;
  readonly #exec: ExecServer;
  readonly #portForward: PortForwardServer;
  #streams = 0;

  constructor(k: Kubelet) {
    this.#k = k;
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    this.#exec = new ExecServer(k);
    this.#portForward = new PortForwardServer(k);
    this.#server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
      if ((req.url ?? '').startsWith('/portForward/')) {
        socket.on('error', () => socket.destroy());
        this.#portForward.upgrade(req, socket, head);
      } else this.#exec.upgrade(req, socket, head);
    });
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const path = url.pathname;
    if (req.method !== 'GET') {
      fail(res, 405, 'only GET is served');
    } else if (path === '/healthz' || path === '/healthz/ping') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path.startsWith('/containerLogs/')) {
      const parts = path.slice('/containerLogs/'.length).split('/');
      if (parts.length !== 3 || parts.some((p) => p === '')) {
        fail(res, 400, 'use /containerLogs/{namespace}/{pod}/{container}');
        return;
      }
      if (this.#streams >= LOG_STREAMS_MAX) {
        fail(res, 429, `more than ${LOG_STREAMS_MAX} log streams are open on this node; try again later`);
        return;
      }
      this.#streams++;
      serveLogs(this.#k, req, res, parts, url.searchParams).catch((e: Error) => {
        if (!res.headersSent) fail(res, 500, e.message);
        else res.destroy();
      }).finally(() => this.#streams--);
    } else {
      fail(res, 404, `${path} is not served by this kubelet`);
    }
  }

  /** Listens on host:port (port 0: any free port); resolves with the port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    this.#exec.close();
    this.#portForward.close();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
