// A plain HTTPS client for apiserver tests and benches (no client library in between, so a
// test sees exactly what the server sent): one request, or a watch stream of NDJSON events.
import { Agent, request } from 'node:https';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  raw: Buffer;
}

export interface Target {
  url: string;
  /** '' sends no Authorization header (e.g. to authenticate with a client certificate). */
  token: string;
  caPem: string;
  agent?: Agent;
  /** A client certificate and key (PEM). */
  cert?: string;
  key?: string;
}

export function newAgent(maxSockets = 64): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

export function call(t: Target, method: string, path: string, body?: unknown,
  headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}${path}`, {
      method, ca: t.caPem, agent: t.agent, timeout: timeoutMs, cert: t.cert, key: t.key,
      headers: { ...(t.token ? { Authorization: `Bearer ${t.token}` } : {}), Accept: 'application/json',
        // Content-Length always: Node sends DELETE bodies unframed otherwise.
        ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
        ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, raw });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface WatchEventJson {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  object: any;
}

/** Opens a watch; events arrive through `events` (in order) until close() or the server ends it. */
export interface OpenWatch {
  events: WatchEventJson[];
  ended: Promise<void>;
  waitFor(n: number, timeoutMs?: number): Promise<WatchEventJson[]>;
  close(): void;
}

export function openWatch(t: Target, path: string, headers: Record<string, string> = {}): OpenWatch {
  const events: WatchEventJson[] = [];
  let waiters: (() => void)[] = [];
  let buffer = '';
  let closeFn: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    const req = request(`${t.url}${path}`, { ca: t.caPem, headers: { Authorization: `Bearer ${t.token}`, ...headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() !== '') events.push(JSON.parse(line) as WatchEventJson);
        }
        waiters.forEach((w) => w());
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
    closeFn = () => req.destroy();
  });
  return {
    events, ended, close: () => closeFn(),
    waitFor: (n, timeoutMs = 10_000) => new Promise((resolve, reject) => {
      const check = () => {
        if (events.length >= n) {
          waiters = waiters.filter((w) => w !== check);
          clearTimeout(timer);
          resolve(events.slice());
        }
      };
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== check);
        reject(new Error(`watch ${path}: ${events.length} events after ${timeoutMs} ms, wanted ${n}: ${JSON.stringify(events.map((e) => e.type))}`));
      }, timeoutMs);
      waiters.push(check);
      check();
    }),
  };
}
