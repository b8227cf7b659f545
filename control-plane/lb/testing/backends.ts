// Test backends on 127.0.0.1 for the load balancer's tests: an HTTP(S) server that answers
// health probes and a few routes, and a raw TCP server for half-close and reset cases. Each
// one is started and stopped by the test that uses it.
import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import type { LbOptions } from '../options.js';

export const TESTDATA = fileURLToPath(new URL('../../../../control-plane/lb/testdata/', import.meta.url));
export const testCert = () => ({
  key: readFileSync(`${TESTDATA}server-key.pem`), cert: readFileSync(`${TESTDATA}server.pem`),
  caFile: `${TESTDATA}ca.pem`,
});

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string, stepMs = 5): Promise<number> {
  const started = performance.now();
  while (!cond()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
  return performance.now() - started;
}

/** Deterministic bytes: byte i of a stream is pattern(i). */
export function patternChunk(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = ((offset + i) * 31 + ((offset + i) >>> 13)) & 0xff;
  return b;
}

export function sha256OfPattern(total: number, chunk = 64 * 1024): string {
  const h = createHash('sha256');
  for (let off = 0; off < total; off += chunk) h.update(patternChunk(off, Math.min(chunk, total - off)));
  return h.digest('hex');
}

/** Write `total` pattern bytes to `w`, honouring back-pressure; `onSent` sees the running total. */
export async function writePattern(w: NodeJS.WritableStream, total: number, onSent?: (n: number) => void):
  Promise<void> {
  const chunk = 64 * 1024;
  for (let off = 0; off < total; off += chunk) {
    const n = Math.min(chunk, total - off);
    if (!w.write(patternChunk(off, n))) await new Promise((r) => w.once('drain', r));
    onSent?.(off + n);
  }
}

export interface TestBackend {
  readonly name: string;
  readonly port: number;
  readonly id: string;
  /** /readyz answers 200 when true, 503 when false. */
  ready: boolean;
  /** When true, every request is left unanswered (a hung process). */
  hang: boolean;
  /** Requests to /who (client traffic, not probes). */
  whoCount: number;
  /** Pattern bytes written by /bytes so far. */
  bytesSent: number;
  /** /sink: pause reading the body for this long first. */
  sinkPauseMs: number;
  /**
   * Stop listening. Graceful: requests in flight finish (like a process that drains);
   * otherwise every open connection is cut as well.
   */
  close(graceful?: boolean): Promise<void>;
  /** Listen again on the same port after close(). */
  restart(): Promise<void>;
}

function route(b: TestBackend, req: IncomingMessage, res: ServerResponse): void {
  if (b.hang) return;
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/readyz':
      res.writeHead(b.ready ? 200 : 503).end(b.ready ? 'ok' : 'not ready');
      return;
    case '/who':
      b.whoCount++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(b.name);
      return;
    case '/echo':
      res.writeHead(200);
      req.pipe(res);
      return;
    case '/bytes': {
      const total = Number(url.searchParams.get('n'));
      res.writeHead(200, { 'content-length': String(total) });
      void writePattern(res, total, (n) => (b.bytesSent = n)).then(() => res.end());
      return;
    }
    case '/sink': {
      const h = createHash('sha256');
      let n = 0;
      req.pause();
      setTimeout(() => req.on('data', (c: Buffer) => { n += c.length; h.update(c); }).resume(), b.sinkPauseMs);
      req.on('end', () => res.writeHead(200).end(`${n} ${h.digest('hex')}`));
      return;
    }
    default:
      res.writeHead(404).end();
  }
}

async function listenOn(server: Server | NetServer, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as { port: number }).port;
}

export async function startBackend(name: string, tls?: { key: Buffer; cert: Buffer }): Promise<TestBackend> {
  let server: Server;
  const make = (): Server => {
    const handler = (req: IncomingMessage, res: ServerResponse) => route(b, req, res);
    const s: Server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler);
    s.keepAliveTimeout = 100;
    return s;
  };
  server = make();
  const port = await listenOn(server, 0);
  const b: TestBackend = {
    name, port, id: `127.0.0.1:${port}`, ready: true, hang: false, whoCount: 0, bytesSent: 0, sinkPauseMs: 0,
    close: (graceful = false) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      if (!graceful) server.closeAllConnections();
    }),
    restart: async () => {
      server = make();
      await listenOn(server, port);
    },
  };
  return b;
}

/**
 * A raw TCP backend that answers health probes (first bytes `GET /readyz`) and otherwise
 * runs `onData` for the connection's first chunk, keeping the socket half-open.
 */
export interface RawBackend {
  readonly port: number;
  readonly id: string;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function startRawBackend(onConnection: (s: Socket, first: Buffer) => void): Promise<RawBackend> {
  const sockets = new Set<Socket>();
  const server = createNetServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.once('data', (first: Buffer) => {
      if (first.toString('latin1').startsWith('GET /readyz')) {
        s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
        return;
      }
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      onConnection(s, first);
    });
  });
  const port = await listenOn(server, 0);
  return {
    port, id: `127.0.0.1:${port}`, sockets,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** GET through the balancer on a fresh connection; resolves with status and body text. */
export function get(port: number, path: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Options for an in-process balancer on 127.0.0.1:0 in front of `ports`, with overrides. */
export type LbOverrides = Partial<Omit<LbOptions, 'health'>> & { health?: Partial<LbOptions['health']> };

export function lbOptions(ports: number[], o: LbOverrides = {}): LbOptions {
  const { health, ...rest } = o;
  return {
    listen: { host: '127.0.0.1', port: 0 },
    backends: ports.map((port) => ({ host: '127.0.0.1', port })),
    passiveCheck: false, maxConnections: 100, connectTimeoutMs: 1000, gracePeriodMs: 1000, metricsListen: null,
    ...rest,
    health: { path: '/readyz', scheme: 'http', insecure: false, intervalMs: 250, timeoutMs: 200, fall: 2, rise: 2,
      ...health },
  };
}

/** A pino logger whose JSON lines land in `lines` (parsed), for asserting on logs. */
export function captureLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
}

export const silentLogger = (): Logger => pino({ level: 'silent' });

/** The value of one series in Prometheus text (0 when absent). */
export async function metricValue(text: string | Promise<string>, name: string, labels: Record<string, string> = {}):
  Promise<number> {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of (await text).split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}
