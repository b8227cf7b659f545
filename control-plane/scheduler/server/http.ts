// /metrics, /livez, /readyz (and /healthz) for the scheduler. kube-scheduler serves these over
// HTTPS on --secure-port 10259 with delegated authn/z; Flotilla serves them over plain HTTP on the
// same flag, bound to --bind-address (127.0.0.1 by default), with no authentication.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { SchedulerStartError } from './errors.js';

export class HealthServer {
  readonly #server: http.Server;
  #port = 0;

  constructor(registry: Registry, ready: () => boolean) {
    this.#server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const text = (code: number, body: string): void => {
        res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed\n');
      if (path === '/livez' || path === '/healthz') return text(200, 'ok');
      if (path === '/readyz') {
        return ready() ? text(200, 'ok') : text(500, '[-]sched-handler-sync failed: informers not synced\nreadyz check failed');
      }
      if (path === '/metrics') {
        registry.metrics().then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        }, (e: Error) => text(500, `metrics: ${e.message}\n`));
        return;
      }
      text(404, 'not found\n');
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  get port(): number { return this.#port; }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(new SchedulerStartError(`cannot listen on ${host}:${port}: ${e.message}`,
        { cause: e }));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
