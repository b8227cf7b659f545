// The admin HTTP server: /metrics (Prometheus text), /livez (200 while the process runs),
// /readyz (200 iff at least one backend is in rotation and we are not shutting down).
import { type Server, createServer } from 'node:http';
import type { Registry } from 'prom-client';
import { type HostPort, formatHostPort } from './address.js';
import { LbListenError } from './errors.js';
import { ADMIN_CONNECTIONS_MAX, ADMIN_REQUEST_TIMEOUT_MS } from './limits.js';

export interface Readiness {
  ok: boolean;
  detail: string;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdminServer(addr: HostPort, registry: Registry, readiness: () => Readiness):
  Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType }).end(text);
      }, (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`);
      });
      return;
    }
    if (path === '/livez' || path === '/readyz') {
      const r = path === '/livez' ? { ok: true, detail: 'live' } : readiness();
      res.writeHead(r.ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${r.ok ? 'ok' : 'not ready'}: ${r.detail}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /livez or /readyz\n');
  });
  server.maxConnections = ADMIN_CONNECTIONS_MAX;
  server.requestTimeout = ADMIN_REQUEST_TIMEOUT_MS;
  server.headersTimeout = ADMIN_REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new LbListenError('/metrics, /livez, /readyz', formatHostPort(addr), err)));
    server.listen(addr.port, addr.host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
