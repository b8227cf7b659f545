// One active health probe: HTTP(S) GET of the health path on a fresh connection, passed
// when response headers with a 2xx or 3xx status arrive within the timeout (HAProxy's
// `option httpchk` rule). Never throws: every outcome is a ProbeResult.
import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { HostPort } from './address.js';
import { HEALTH_REASON_MAX_CHARS } from './limits.js';
import type { HealthScheme } from './options.js';

/** Bounded set of failure kinds: the `reason` label of the failure counter. */
export type ProbeFailureKind = 'connect' | 'timeout' | 'status' | 'tls' | 'error';

export type ProbeResult =
  | { ok: true; status: number; durationMs: number }
  | { ok: false; kind: ProbeFailureKind; reason: string; durationMs: number };

export interface ProbeConfig {
  scheme: HealthScheme;
  path: string;
  timeoutMs: number;
  /** https: accept any certificate. */
  insecure: boolean;
  /** https: trusted CA (PEM); undefined means Node's default bundle. */
  caPem?: string;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT']);

export function classifyError(err: Error & { code?: string }): ProbeFailureKind {
  const code = err.code ?? '';
  if (CONNECT_CODES.has(code)) return 'connect';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return 'tls';
  return 'error';
}

const clip = (s: string) => (s.length > HEALTH_REASON_MAX_CHARS ? `${s.slice(0, HEALTH_REASON_MAX_CHARS)}...` : s);

function request(target: HostPort, cfg: ProbeConfig): ClientRequest {
  const common = {
    host: target.host, port: target.port, path: cfg.path, method: 'GET', agent: false as const,
    headers: { 'user-agent': 'flotilla-lb-health-check', accept: '*/*', connection: 'close' },
  };
  if (cfg.scheme === 'http') return httpRequest(common);
  const ca = cfg.caPem !== undefined ? { ca: cfg.caPem } : {};
  return httpsRequest({ ...common, rejectUnauthorized: !cfg.insecure, ...ca });
}

/** Probe `target` once. `signal` aborts it (the balancer is stopping); the result is then a failure. */
export function probe(target: HostPort, cfg: ProbeConfig, signal?: AbortSignal): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let req: ClientRequest | undefined;
    let settled = false;
    const ms = () => performance.now() - started;
    const settle = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(r);
    };
    const fail = (kind: ProbeFailureKind, reason: string) =>
      settle({ ok: false, kind, reason: clip(reason), durationMs: ms() });
    const onAbort = () => fail('error', 'probe aborted: load balancer stopping');
    const timer = setTimeout(() => fail('timeout', `no response within ${cfg.timeoutMs} ms`), cfg.timeoutMs);
    const onError = (err: Error & { code?: string }) =>
      fail(classifyError(err), `${err.code !== undefined ? `${err.code}: ` : ''}${err.message}`);
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      req = request(target, cfg);
    } catch (e) {
      return onError(e as Error);
    }
    req.on('error', onError);
    req.once('response', (res: IncomingMessage) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 400) settle({ ok: true, status, durationMs: ms() });
      else fail('status', `HTTP ${status} from ${cfg.path}`);
    });
    req.end();
  });
}
