import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { EventEmitter } from 'node:events';
import https from 'node:https';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { findResource, type ConfigMap, type Status } from '../api/index.js';
import { ApiClient } from './rest-client.js';
import {
  ApiError, ConnectionError, SizeLimitError, isAlreadyExists, isConflict, isGone, isNotFound, isResourceExpired,
  isTooManyRequests, isTooOld,
} from './errors.js';
import { MAX_REQUEST_BODY_BYTES } from './limits.js';
import type { ListerWatcher } from './informer.js';
import type { LeaseClient } from './leader-election.js';

// ApiClient is what informers and electors take (checked at compile time).
export const apiClientFits = (c: ApiClient): [ListerWatcher, LeaseClient] => [c, c];

const CM = findResource('', 'configmaps')!;
const NODES = findResource('', 'nodes')!;
const PODS = findResource('', 'pods')!;
const DEPLOY = findResource('apps', 'deployments')!;

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }
type Reply = (s: Seen, res: http.ServerResponse) => void;

async function withServer(reply: Reply, fn: (url: string, seen: Seen[]) => Promise<void>,
  tls?: { key: Buffer; cert: Buffer }): Promise<void> {
  const seen: Seen[] = [];
  const handler: http.RequestListener = (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString() };
      seen.push(s);
      reply(s, res);
    });
  };
  const server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const status = (code: number, reason: string, message = reason): Status =>
  ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: reason as Status['reason'], message, code });

function json(res: http.ServerResponse, code: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

test('rest client: paths, verbs, headers, bodies and content types of every call', async () => {
  await withServer((s, res) => json(res, s.method === 'POST' ? 201 : 200, { kind: 'X', metadata: { name: 'n' }, items: [] }),
    async (url, seen) => {
      const c = new ApiClient({ server: url, token: 'tok', userAgent: 'test-agent/1' });
      const cm: ConfigMap = { metadata: { name: 'c1', namespace: 'ns', resourceVersion: '7' }, data: { a: 'b' } };
      await c.get(CM, 'ns', 'c1');
      await c.list(NODES, { labelSelector: 'a=b', fieldSelector: 'metadata.name=x', limit: 10, continue: 'tok1',
        resourceVersion: '0', resourceVersionMatch: 'NotOlderThan', timeoutSeconds: 5 });
      await c.list(PODS, {});
      await c.create(CM, 'ns', cm, { fieldManager: 'me', dryRun: true });
      await c.update(CM, 'ns', cm);
      await c.updateStatus(DEPLOY, 'ns', { metadata: { name: 'd' } });
      await c.patch(CM, 'ns', 'c1', 'merge', { data: { a: 'c' } });
      await c.patch(CM, 'ns', 'c1', 'json', [{ op: 'remove', path: '/data/a' }]);
      await c.patch(PODS, 'ns', 'p', 'strategic', { status: {} }, { subresource: 'status' });
      await c.delete(CM, 'ns', 'c1', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0,
        preconditions: { resourceVersion: '7' } });
      await c.createSubresource(PODS, 'ns', 'p', 'binding', { target: { kind: 'Node', name: 'n1' } });
      await c.createSubresource(PODS, 'ns', 'p', 'eviction', { metadata: { name: 'p' } });
      const calls = seen.map((s) => `${s.method} ${s.url}`);
      assert.deepEqual(calls, [
        'GET /api/v1/namespaces/ns/configmaps/c1',
        'GET /api/v1/nodes?labelSelector=a%3Db&fieldSelector=metadata.name%3Dx&limit=10&continue=tok1&resourceVersion=0' +
          '&resourceVersionMatch=NotOlderThan&timeoutSeconds=5',
        'GET /api/v1/pods',
        'POST /api/v1/namespaces/ns/configmaps?dryRun=All&fieldManager=me',
        'PUT /api/v1/namespaces/ns/configmaps/c1',
        'PUT /apis/apps/v1/namespaces/ns/deployments/d/status',
        'PATCH /api/v1/namespaces/ns/configmaps/c1',
        'PATCH /api/v1/namespaces/ns/configmaps/c1',
        'PATCH /api/v1/namespaces/ns/pods/p/status',
        'DELETE /api/v1/namespaces/ns/configmaps/c1',
        'POST /api/v1/namespaces/ns/pods/p/binding',
        'POST /api/v1/namespaces/ns/pods/p/eviction',
      ]);
      assert.equal(seen[0]?.headers['authorization'], 'Bearer tok');
      assert.equal(seen[0]?.headers['user-agent'], 'test-agent/1');
      assert.equal(seen[0]?.headers['accept'], 'application/json');
      assert.equal(seen[3]?.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(seen[3]?.body ?? ''), cm);
      assert.deepEqual([6, 7, 8].map((i) => seen[i]?.headers['content-type']), ['application/merge-patch+json',
        'application/json-patch+json', 'application/strategic-merge-patch+json']);
      assert.deepEqual(JSON.parse(seen[9]?.body ?? ''), { kind: 'DeleteOptions', apiVersion: 'v1',
        propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { resourceVersion: '7' } });
      c.close();
    });
});

test('rest client: Status answers become ApiErrors the helpers recognise', async () => {
  const byName: Record<string, [number, Status | string]> = {
    nf: [404, status(404, 'NotFound')], cf: [409, status(409, 'Conflict')], ae: [409, status(409, 'AlreadyExists')],
    gone: [410, status(410, 'Gone')], exp: [410, status(410, 'Expired')], plain: [404, 'page not found'],
    html: [503, '<html>down</html>'],
  };
  await withServer((s, res) => {
    const [code, body] = byName[s.url.split('/').pop() ?? ''] ?? [500, 'x'];
    if (typeof body === 'string') { res.writeHead(code); res.end(body); } else json(res, code, body);
  }, async (url) => {
    const c = new ApiClient({ server: url });
    const err = async (name: string): Promise<ApiError> => {
      try { await c.get(CM, 'ns', name); } catch (e) { assert.ok(e instanceof ApiError); return e; }
      throw new Error('no error');
    };
    assert.ok(isNotFound(await err('nf')));
    const conflict = await err('cf');
    assert.ok(isConflict(conflict) && !isAlreadyExists(conflict) && conflict.code === 409 && conflict.status.reason === 'Conflict');
    assert.ok(isAlreadyExists(await err('ae')));
    assert.ok(isGone(await err('gone')) && isTooOld(await err('gone')));
    const exp = await err('exp');
    assert.ok(isResourceExpired(exp) && !isGone(exp) && isTooOld(exp));
    const plain = await err('plain');
    assert.ok(isNotFound(plain), 'a bare 404 is NotFound (reason from the code)');
    assert.match(plain.message, /page not found/);
    const html = await err('html');
    assert.equal(html.reason, 'ServiceUnavailable');
    c.close();
  });
});

test('rest client: 429 with Retry-After is retried; without tokens left it surfaces as TooManyRequests', async () => {
  let failures = 2;
  await withServer((s, res) => {
    if (s.url.includes('always') || failures-- > 0) {
      json(res, 429, status(429, 'TooManyRequests'), { 'retry-after': '0' });
      return;
    }
    json(res, 200, { metadata: { name: 'ok' } });
  }, async (url, seen) => {
    const c = new ApiClient({ server: url });
    const got = await c.get<ConfigMap>(CM, 'ns', 'x');
    assert.equal(got.metadata?.name, 'ok');
    assert.equal(seen.length, 3, 'two 429s then success');
    await assert.rejects(c.get(CM, 'ns', 'always'), (e: unknown) => isTooManyRequests(e));
    assert.equal(seen.length, 3 + 11, 'first try + MAX_RETRY_AFTER_RETRIES');
    c.close();
  });
});

test('rest client: the token bucket spaces requests (qps 20, burst 2)', async () => {
  await withServer((_s, res) => json(res, 200, {}), async (url) => {
    const c = new ApiClient({ server: url, qps: 20, burst: 2 });
    const start = performance.now();
    await Promise.all(Array.from({ length: 6 }, () => c.get(CM, 'ns', 'x')));
    const elapsed = performance.now() - start;
    assert.ok(elapsed >= 180, `4 requests beyond the burst wait 50 ms each (took ${elapsed.toFixed(0)} ms)`);
    c.close();
  });
});

test('rest client: bodies over the bound are refused before sending; listAll pages and falls back when expired', async () => {
  await withServer((s, res) => {
    const u = new URL(s.url, 'http://x');
    const cont = u.searchParams.get('continue');
    if (u.pathname.endsWith('/secrets')) {
      if (cont === 'p2') { json(res, 410, status(410, 'Expired', 'continue token expired')); return; }
      if (u.searchParams.get('limit') === null) { json(res, 200, { metadata: { resourceVersion: '99' }, items: [{ n: 'all' }] }); return; }
      json(res, 200, { metadata: { resourceVersion: '10', continue: 'p2' }, items: [{ n: 1 }] });
      return;
    }
    const page = cont === null ? 1 : Number(cont);
    json(res, 200, { metadata: { resourceVersion: '10', ...(page < 3 ? { continue: String(page + 1) } : {}) },
      items: [{ n: page }] });
  }, async (url, seen) => {
    const c = new ApiClient({ server: url });
    await assert.rejects(c.create(CM, 'ns', { metadata: { name: 'big' }, data: { x: 'a'.repeat(MAX_REQUEST_BODY_BYTES) } }),
      SizeLimitError);
    assert.equal(seen.length, 0);
    const all = await c.listAll(CM, { namespace: 'ns', limit: 1 });
    assert.deepEqual(all, { items: [{ n: 1 }, { n: 2 }, { n: 3 }], resourceVersion: '10' });
    const fallback = await c.listAll(findResource('', 'secrets')!, { namespace: 'ns', limit: 1 });
    assert.deepEqual(fallback, { items: [{ n: 'all' }], resourceVersion: '99' });
    c.close();
  });
});

test('rest client: refused connections and timeouts are ConnectionErrors', async () => {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  const c = new ApiClient({ server: `http://127.0.0.1:${port}` });
  await assert.rejects(c.get(CM, 'ns', 'x'), ConnectionError);
  c.close();
  await withServer(() => { /* never answers */ }, async (url) => {
    const slow = new ApiClient({ server: url });
    await assert.rejects(slow.get(CM, 'ns', 'x', { timeoutMs: 50 }), (e: unknown) => e instanceof ConnectionError
      && /timed out/.test(e.message));
    slow.close();
  });
});

test('rest client: HTTPS with a CA from PEM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-client-tls-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    if (r.status !== 0) { t.skip('openssl is not available'); return; }
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    await withServer((_s, res) => json(res, 200, { metadata: { name: 'tls' } }), async (url) => {
      const good = new ApiClient({ server: url, caPem: cert.toString() });
      assert.equal((await good.get<ConfigMap>(CM, 'ns', 'x')).metadata?.name, 'tls');
      good.close();
      const noCa = new ApiClient({ server: url });
      await assert.rejects(noCa.get(CM, 'ns', 'x'), ConnectionError);
      noCa.close();
      const insecure = new ApiClient({ server: url, insecureSkipTlsVerify: true });
      assert.equal((await insecure.get<ConfigMap>(CM, 'ns', 'x')).metadata?.name, 'tls');
      insecure.close();
    }, { key, cert });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rest client: a long-lived caller signal gathers no listeners across requests and watches', async () => {
  await withServer((s, res) => {
    if (s.url.includes('watch=true')) { res.writeHead(200); res.end('{"type":"ADDED","object":{"metadata":{}}}\n'); return; }
    json(res, 200, { metadata: {} });
  }, async (url) => {
    const c = new ApiClient({ server: url });
    const stop = new AbortController();
    for (let i = 0; i < 30; i++) await c.get(CM, 'ns', 'x', { signal: stop.signal });
    for (let i = 0; i < 30; i++) {
      for await (const _ of c.watch(CM, { signal: stop.signal })) { /* drain */ }
    }
    assert.equal(EventEmitter.getEventListeners(stop.signal, 'abort').length, 0);
    c.close();
  });
});

test('rest client: caller aborts are AbortedErrors, timeouts (own or AbortSignal.timeout) ConnectionErrors, mid-body too',
  async () => {
    await withServer((s, res) => {
      if (s.url.includes('/body-hangs')) { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{'); }
      // anything else: never answers
    }, async (url) => {
      const c = new ApiClient({ server: url });
      const stop = new AbortController();
      const aborted = c.get(CM, 'ns', 'x', { signal: stop.signal });
      setTimeout(() => stop.abort(), 20);
      await assert.rejects(aborted, (e: unknown) => e instanceof Error && e.name === 'AbortedError');
      await assert.rejects(c.get(CM, 'ns', 'y', { signal: AbortSignal.timeout(20) }),
        (e: unknown) => e instanceof ConnectionError && /timed out/.test(e.message));
      const already = new AbortController();
      already.abort();
      await assert.rejects(c.get(CM, 'ns', 'z', { signal: already.signal }),
        (e: unknown) => e instanceof Error && e.name === 'AbortedError');
      await assert.rejects(c.requestJson({ method: 'GET', path: '/body-hangs', req: { timeoutMs: 50 } }),
        (e: unknown) => e instanceof ConnectionError && /timed out/.test(e.message));
      c.close();
    });
  });

test('rest client: createDiscardingResult sends the create and does not parse the answer; failures are ApiErrors',
  async () => {
    await withServer((s, res) => {
      if (s.body.includes('"taken"')) return json(res, 409, status(409, 'AlreadyExists'));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('not JSON: never parsed');
    }, async (url, seen) => {
      const c = new ApiClient({ server: url });
      assert.equal(await c.createDiscardingResult(PODS, 'ns', { metadata: { name: 'p' } }), undefined);
      assert.equal(seen[0]!.method, 'POST');
      assert.equal(seen[0]!.url, '/api/v1/namespaces/ns/pods');
      assert.deepEqual(JSON.parse(seen[0]!.body), { metadata: { name: 'p' } });
      await assert.rejects(c.createDiscardingResult(PODS, 'ns', { metadata: { name: 'taken' } }), isAlreadyExists);
      c.close();
    });
  });

test('rest client: a CA PEM that does not parse fails each request as a ConnectionError, not the constructor', async () => {
  const c = new ApiClient({ server: 'https://127.0.0.1:1', caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
  await assert.rejects(c.get(CM, 'ns', 'x'), ConnectionError);
  await assert.rejects(c.get(CM, 'ns', 'x'), ConnectionError);
  c.close();
});

test('rest client: the server URL\'s path prefixes every call; the host header names the server', async () => {
  await withServer((s, res) => json(res, 200, { host: s.headers.host, url: s.url }),
    async (url, seen) => {
      const c = new ApiClient({ server: `${url}/prefix/` });
      for (let i = 0; i < 5; i++) {
        const r = await c.requestJson<{ host: string; url: string }>({ method: 'GET', path: '/version' });
        assert.equal(r.url, '/prefix/version');
        assert.equal(r.host, new URL(url).host);
      }
      assert.equal(seen.length, 5);
      c.close();
    });
});
