// Test support for the kubelet and the agent: a pino logger that stays quiet unless
// FLOTILLA_TEST_LOG is set, polling, and small HTTP helpers (loopback only).
import http from 'node:http';
import { pino, type Logger } from 'pino';
import type { Pod } from '../../control-plane/api/index.js';
import type { ApiClient } from '../../control-plane/client/index.js';
import { PODS } from './resources.js';

export function testLogger(name: string): Logger {
  return pino({ name, level: process.env['FLOTILLA_TEST_LOG'] ?? 'silent' });
}

/** Polls fn until it returns something other than undefined/false, or throws after timeoutMs. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

export async function getPod(client: ApiClient, name: string, namespace = 'default'): Promise<Pod | undefined> {
  try {
    return await client.get<Pod>(PODS, namespace, name);
  } catch (e) {
    if ((e as { code?: unknown }).code === 404) return undefined;
    throw e;
  }
}

export function podManifest(name: string, nodeName: string | undefined, spec: Partial<NonNullable<Pod['spec']>>,
  labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
    spec: {
      ...(nodeName !== undefined ? { nodeName } : {}), containers: [], terminationGracePeriodSeconds: 5, ...spec,
    },
  };
}
