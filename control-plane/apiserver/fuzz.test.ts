// Random requests never crash the apiserver and always get a Status back: fast-check builds
// bodies (schema-shaped objects with random mutations, raw garbage, random patches) and sends
// them to a real apiserver; every answer below 500 that is an error must be a Status JSON.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { params, seed } from '../api/testing/fc.js';
import { startTestApiServer, type TestApiServer } from './testing/harness.js';
import { call, newAgent, type Target } from './testing/http.js';

let h: TestApiServer;
let t: Target;
before(async () => {
  h = await startTestApiServer({ backend: 'flotilla' });
  t = { url: h.url, token: h.token, caPem: h.caPem, agent: newAgent(8) };
  console.log(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);
});
after(async () => {
  t.agent?.destroy();
  await h?.stop();
});

const PATHS = ['/api/v1/namespaces/default/configmaps', '/api/v1/namespaces/default/pods',
  '/apis/apps/v1/namespaces/default/deployments', '/api/v1/namespaces/default/services', '/api/v1/nodes'];
const KINDS: Record<string, [string, string]> = {
  configmaps: ['v1', 'ConfigMap'], pods: ['v1', 'Pod'], deployments: ['apps/v1', 'Deployment'], services: ['v1', 'Service'],
  nodes: ['v1', 'Node'],
};

function assertStatusOrObject(status: number, text: string, what: string): void {
  assert.ok(status > 0 && status < 500, `${what}: HTTP ${status}: ${text.slice(0, 300)}`);
  if (status >= 400) {
    const body = JSON.parse(text) as { kind?: string; code?: number };
    assert.equal(body.kind, 'Status', `${what}: an error must be a Status: ${text.slice(0, 200)}`);
    assert.equal(body.code, status);
  }
}

const anyJson = fc.jsonValue({ maxDepth: 4 });
const nameArb = fc.oneof(fc.constantFrom('a', 'b-1', 'x.y'), fc.string({ maxLength: 12 }));

test('random create bodies: always a Status or the created object, never a 5xx', async () => {
  const arbs = [fc.constantFrom(...PATHS), nameArb, anyJson, fc.boolean()] as const;
  await fc.assert(fc.asyncProperty(...arbs, async (path, name, junk, typed) => {
    const plural = path.split('/').pop()!;
    const [apiVersion, kind] = KINDS[plural]!;
    const body = typed
      ? { apiVersion, kind, metadata: { name, labels: junk && typeof junk === 'object' ? junk : { a: String(junk) } },
        spec: junk, data: junk }
      : junk;
    const r = await call(t, 'POST', path, JSON.stringify(body));
    assertStatusOrObject(r.status, r.text, `POST ${path} ${JSON.stringify(body).slice(0, 200)}`);
  }), params(60));
});

test('random patches of every type: always a Status or the patched object', async () => {
  const created = await call(t, 'POST', '/api/v1/namespaces/default/configmaps',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz-target' }, data: { a: 'b' } });
  assert.equal(created.status, 201, created.text);
  const types = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
  await fc.assert(fc.asyncProperty(fc.constantFrom(...types), fc.oneof(anyJson, fc.string({ maxLength: 40 })),
    async (type, patch) => {
      const body = typeof patch === 'string' ? patch : JSON.stringify(patch);
      const r = await call(t, 'PATCH', '/api/v1/namespaces/default/configmaps/fuzz-target', body, { 'Content-Type': type });
      assertStatusOrObject(r.status, r.text, `PATCH ${type} ${body.slice(0, 200)}`);
    }), params(60));
});

test('random query strings on LIST: selectors, limits, resourceVersions', async () => {
  const short = (n: number) => fc.string({ maxLength: n });
  await fc.assert(fc.asyncProperty(short(30), short(30), short(8), short(8), async (ls, fs, limit, rv) => {
      const q = new URLSearchParams({ labelSelector: ls, fieldSelector: fs, limit, resourceVersion: rv });
      const r = await call(t, 'GET', `/api/v1/namespaces/default/pods?${q.toString()}`);
      assertStatusOrObject(r.status, r.text, `LIST ?${q.toString()}`);
    }), params(60));
});
