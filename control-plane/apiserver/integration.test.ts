// The apiserver with real processes: 3 store members (Flotilla's, then Debian's etcd) + 2
// apiservers + `flotilla lb`. Semantics a client relies on: create/get/update with conflicts,
// validation and error Statuses, RBAC, selectors and pagination, watch from a resourceVersion
// across a compaction and 410 once events are gone, graceful pod deletion and binding,
// service IP allocation, namespace lifecycle, and kill -9 of an apiserver mid-loop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unpack } from 'msgpackr';
import { EtcdClient } from '../../store/client/client.js';
import { etcdVersion } from '../../bench/store/systems.js';
import { NOBODY_TOKEN, startTestApiServer, type TestApiServer } from './testing/harness.js';
import { call, newAgent, openWatch, type Target } from './testing/http.js';

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

function suite(backend: 'flotilla' | 'etcd'): void {
  const skip = backend === 'etcd' && etcdVersion() === undefined ? 'etcd is not installed (Debian etcd-server)' : false;
  describe(`apiserver on ${backend}`, { skip }, () => {
    let h: TestApiServer;
    let t: Target;
    before(async () => {
      h = await startTestApiServer({ backend, apiservers: 2, storeMembers: 3, lb: true,
        apiserverFlags: ['--default-watch-cache-size', '64'] });
      t = { url: h.url, token: h.token, caPem: h.caPem, agent: newAgent() };
    });
    after(async () => {
      t.agent?.destroy();
      await h?.stop();
    });

    test('create, get, update with a stale resourceVersion is a 409, a current one succeeds', async () => {
      const c = await call(t, 'POST', CM, cm('a1'));
      assert.equal(c.status, 201, c.text);
      const rv1 = c.json.metadata.resourceVersion as string;
      assert.match(c.json.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.equal((await call(t, 'POST', CM, cm('a1'))).json.reason, 'AlreadyExists');
      const got = await call(t, 'GET', `${CM}/a1`);
      assert.equal(got.json.metadata.resourceVersion, rv1);
      const u1 = await call(t, 'PUT', `${CM}/a1`, { ...got.json, data: { k: 'v2' } });
      assert.equal(u1.status, 200, u1.text);
      assert.ok(Number(u1.json.metadata.resourceVersion) > Number(rv1));
      const stale = await call(t, 'PUT', `${CM}/a1`, { ...got.json, data: { k: 'v3' } });
      assert.equal(stale.status, 409);
      assert.equal(stale.json.reason, 'Conflict');
      assert.match(stale.json.message, /the object has been modified; please apply your changes to the latest version/);
      const patched = await call(t, 'PATCH', `${CM}/a1`, { data: { p: '1' } },
        { 'Content-Type': 'application/strategic-merge-patch+json' });
      assert.deepEqual(patched.json.data, { k: 'v2', p: '1' });
    });

    test('errors are Statuses with Kubernetes codes: 400, 401, 403, 404, 413, 422', async () => {
      const unknownField = await call(t, 'POST', `${CM}?fieldValidation=Strict`, { ...cm('b1'), bogus: 1 });
      assert.equal(unknownField.status, 400);
      assert.match(unknownField.json.message, /strict decoding error: unknown field "bogus"/);
      const invalid = await call(t, 'POST', CM, cm('Bad_Name'));
      assert.equal(invalid.status, 422);
      assert.equal(invalid.json.reason, 'Invalid');
      assert.equal(invalid.json.details.causes[0].field, 'metadata.name');
      assert.equal((await call(t, 'GET', `${CM}/nope`)).json.reason, 'NotFound');
      assert.equal((await call({ ...t, token: 'wrong' }, 'GET', CM)).status, 401);
      const denied = await call({ ...t, token: NOBODY_TOKEN }, 'GET', CM);
      assert.equal(denied.status, 403);
      assert.equal(denied.json.message,
        'configmaps is forbidden: User "nobody" cannot list resource "configmaps" in API group "" in the namespace "default"');
      const big = await call(t, 'POST', CM, cm('big', {}, { k: 'x'.repeat(3 * 1024 * 1024 + 10) }));
      assert.equal(big.status, 413);
    });

    test('client certificates authenticate (CN user, O groups); internal clients may ask for msgpack', async () => {
      const dir = join(h.dir, 'pki');
      const viaCert = await call({ ...t, token: '', agent: undefined, cert: readFileSync(join(dir, 'admin.crt'), 'utf8'),
        key: readFileSync(join(dir, 'admin.key'), 'utf8') }, 'GET', CM);
      assert.equal(viaCert.status, 200, viaCert.text);
      assert.equal((await call({ ...t, token: '', agent: undefined }, 'GET', CM)).status, 401, 'anonymous is off');
      const packed = await call(t, 'GET', '/api/v1/namespaces/default', undefined, { Accept: 'application/vnd.flotilla.msgpack' });
      assert.equal(packed.headers['content-type'], 'application/vnd.flotilla.msgpack');
      assert.equal((unpack(packed.raw) as { metadata: { name: string } }).metadata.name, 'default');
    });

    test('list with label and field selectors, and pagination with continue', async () => {
      for (let i = 0; i < 5; i++) {
        assert.equal((await call(t, 'POST', CM, cm(`p${i}`, { tier: i % 2 === 0 ? 'even' : 'odd' }))).status, 201);
      }
      const even = await call(t, 'GET', `${CM}?labelSelector=${encodeURIComponent('tier in (even)')}`);
      assert.deepEqual(even.json.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['p0', 'p2', 'p4']);
      const byName = await call(t, 'GET', `${CM}?fieldSelector=metadata.name%3Dp3`);
      assert.deepEqual(byName.json.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['p3']);
      const names: string[] = [];
      let cont = '';
      let pages = 0;
      do {
        const page = await call(t, 'GET', `${CM}?labelSelector=tier&limit=2${cont ? `&continue=${cont}` : ''}`);
        assert.equal(page.status, 200, page.text);
        names.push(...page.json.items.map((o: { metadata: { name: string } }) => o.metadata.name));
        cont = page.json.metadata.continue ?? '';
        pages++;
      } while (cont !== '');
      assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4']);
      assert.equal(pages, 3);
      const table = await call(t, 'GET', CM, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
      assert.equal(table.json.kind, 'Table');
      assert.deepEqual(table.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Data', 'Age']);
    });

    test('watch from a resourceVersion survives a compaction; older than the cache window is 410 Gone', async () => {
      const first = await call(t, 'POST', CM, cm('w1'));
      const rv0 = first.json.metadata.resourceVersion as string;
      const w = openWatch(t, `${CM}?watch=1&resourceVersion=${rv0}&fieldSelector=metadata.name%3Dw1`);
      for (let i = 0; i < 3; i++) {
        const cur = await call(t, 'GET', `${CM}/w1`);
        assert.equal((await call(t, 'PUT', `${CM}/w1`, { ...cur.json, data: { i: String(i) } })).status, 200);
      }
      const etcd = new EtcdClient({ endpoints: h.etcdEndpoints });
      try {
        await etcd.compact((await etcd.get('/', { countOnly: true })).revision);
      } finally {
        etcd.close();
      }
      await call(t, 'DELETE', `${CM}/w1`);
      const events = await w.waitFor(4);
      w.close();
      assert.deepEqual(events.map((e) => e.type), ['MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
      const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
      assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'events arrive in revision order');
      // Push the first events out of the 64-event window, then ask for them: 410 in the stream.
      for (let i = 0; i < 70; i++) await call(t, 'POST', CM, cm(`fill-${i}`));
      const gone = openWatch(t, `${CM}?watch=1&resourceVersion=${rv0}`);
      const [err] = await gone.waitFor(1);
      await gone.ended;
      assert.equal(err!.type, 'ERROR');
      assert.equal(err!.object.code, 410);
      assert.match(err!.object.message, /too old resource version/);
    });

    test('a LIST continue token from before a compaction is 410 Expired', async () => {
      const page = await call(t, 'GET', `${CM}?limit=1`);
      const cont = page.json.metadata.continue as string;
      assert.ok(cont);
      await call(t, 'POST', CM, cm('after-token'));
      const etcd = new EtcdClient({ endpoints: h.etcdEndpoints });
      try {
        await etcd.compact((await etcd.get('/', { countOnly: true })).revision);
      } finally {
        etcd.close();
      }
      const expired = await call(t, 'GET', `${CM}?limit=1&continue=${cont}`);
      assert.equal(expired.status, 410, expired.text);
      assert.equal(expired.json.reason, 'Expired');
    });

    test('pods: binding sets nodeName once; deletion of a bound pod is graceful', async () => {
      const PODS = '/api/v1/namespaces/default/pods';
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'g1' },
        spec: { containers: [{ name: 'c', image: 'busybox' }], terminationGracePeriodSeconds: 30 } };
      const created = await call(t, 'POST', PODS, pod);
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.status.phase, 'Pending');
      assert.equal(created.json.status.qosClass, 'BestEffort');
      const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'g1' }, target: { kind: 'Node', name: 'n1' } };
      assert.equal((await call(t, 'POST', `${PODS}/g1/binding`, binding)).status, 201);
      const again = await call(t, 'POST', `${PODS}/g1/binding`, { ...binding, target: { kind: 'Node', name: 'n2' } });
      assert.equal(again.status, 409);
      assert.match(again.json.message, /is already assigned to node "n1"/);
      const bound = await call(t, 'GET', `${PODS}/g1`);
      assert.equal(bound.json.spec.nodeName, 'n1');
      assert.equal(bound.json.status.conditions[0].type, 'PodScheduled');
      const del = await call(t, 'DELETE', `${PODS}/g1`);
      assert.equal(del.status, 202);
      assert.ok(del.json.metadata.deletionTimestamp);
      assert.equal(del.json.metadata.deletionGracePeriodSeconds, 30);
      assert.equal((await call(t, 'GET', `${PODS}/g1`)).status, 200, 'still there until the kubelet confirms');
      assert.equal((await call(t, 'DELETE', `${PODS}/g1`, { gracePeriodSeconds: 0 })).status, 200);
      assert.equal((await call(t, 'GET', `${PODS}/g1`)).status, 404);
    });

    test('services get a cluster IP from the range; a taken one is refused; delete frees it', async () => {
      const SVC = '/api/v1/namespaces/default/services';
      const svc = (name: string, clusterIP?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name },
        spec: { selector: { app: name }, ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) } });
      const a = await call(t, 'POST', SVC, svc('s1'));
      assert.equal(a.status, 201, a.text);
      const ip = a.json.spec.clusterIP as string;
      assert.match(ip, /^127\.96\.\d+\.\d+$/);
      const dup = await call(t, 'POST', SVC, svc('s2', ip));
      assert.equal(dup.status, 422);
      assert.match(dup.json.message, /already allocated/);
      assert.equal((await call(t, 'DELETE', `${SVC}/s1`)).status, 200);
      const again = await call(t, 'POST', SVC, svc('s2', ip));
      assert.equal(again.status, 201, again.text);
      const np = await call(t, 'POST', SVC, { ...svc('s3'), spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ port: 81 }] } });
      assert.ok(np.json.spec.ports[0].nodePort >= 30000 && np.json.spec.ports[0].nodePort <= 32767, np.text);
    });

    test('a terminating namespace refuses new content', async () => {
      assert.equal((await call(t, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } })).status, 201);
      const del = await call(t, 'DELETE', '/api/v1/namespaces/doomed');
      assert.equal(del.json.status.phase, 'Terminating');
      const refused = await call(t, 'POST', '/api/v1/namespaces/doomed/configmaps', cm('x'));
      assert.equal(refused.status, 403);
      assert.match(refused.json.message, /because it is being terminated/);
      assert.equal((await call(t, 'POST', '/api/v1/namespaces/nowhere/configmaps', cm('x'))).status, 404);
      assert.equal((await call(t, 'DELETE', '/api/v1/namespaces/default')).status, 403);
    });

    test('kill -9 of an apiserver under a client loop through the LB: at most one retry, nothing lost', async () => {
      const created: string[] = [];
      let retries = 0;
      const loop = (async () => {
        for (let i = 0; i < 60; i++) {
          const name = `lb-${i}`;
          for (let attempt = 0; ; attempt++) {
            try {
              const r = await call(t, 'POST', CM, cm(name), {}, 3000);
              if (r.status === 201 || (attempt > 0 && r.status === 409)) break;
              throw new Error(`status ${r.status}: ${r.text}`);
            } catch (e) {
              if (attempt >= 1) throw e;
              retries++;
            }
          }
          created.push(name);
        }
      })();
      await new Promise((r) => setTimeout(r, 150));
      await h.killApiServer(0);
      await loop;
      assert.ok(retries <= 1, `${retries} retried requests`);
      const list = await call(t, 'GET', `${CM}`);
      const names = new Set(list.json.items.map((o: { metadata: { name: string } }) => o.metadata.name));
      for (const n of created) assert.ok(names.has(n), `${n} was acknowledged and must exist`);
      await h.startApiServer(0);
    });
  });
}

suite('flotilla');
suite('etcd');
