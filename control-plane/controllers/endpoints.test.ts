import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints, Pod, Service } from '../api/index.js';
import { EndpointsController } from './endpoints.js';
import { FakeWorld, readyStatus } from './testing/fake.js';
import { R } from './types.js';

test('ready pods are addresses, not-ready ones notReadyAddresses; named target ports resolve per pod; deleted with the service', async () => {
  const w = new FakeWorld();
  const c = new EndpointsController(w.context());
  w.seed<Service>(R.services, { metadata: { name: 'svc', namespace: 'ns', labels: { tier: 'web' } }, spec: {
    selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] } });
  const pod = (name: string, ip: string, ready: boolean, port = 8080): Pod => w.seed<Pod>(R.pods, {
    metadata: { name, namespace: 'ns', labels: { app: 'web' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'web', containerPort: port, protocol: 'TCP' }] }] },
    status: ready ? readyStatus(w.nowMs, ip) as Pod['status'] : { phase: 'Running', podIP: ip } });
  const a = pod('a', '127.0.1.2', true);
  pod('b', '127.0.1.3', false);
  w.seed<Pod>(R.pods, { metadata: { name: 'no-ip', namespace: 'ns', labels: { app: 'web' } }, spec: { containers: [] } });
  w.seed<Pod>(R.pods, { metadata: { name: 'other', namespace: 'ns', labels: { app: 'db' } }, spec: { containers: [] },
    status: readyStatus(w.nowMs, '127.0.1.9') as Pod['status'] });
  await c.sync('ns/svc');
  const ep = w.obj<Endpoints>(R.endpoints, 'ns', 'svc')!;
  assert.deepEqual(ep.metadata!.labels, { tier: 'web' });
  assert.deepEqual(ep.subsets, [{
    addresses: [{ ip: '127.0.1.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: a.metadata!.uid } }],
    notReadyAddresses: [{ ip: '127.0.1.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b',
      uid: w.obj<Pod>(R.pods, 'ns', 'b')!.metadata!.uid } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  }]);
  w.clearActions();
  await c.sync('ns/svc');
  assert.deepEqual(w.writes(), [], 'unchanged: no write');
  await w.delete(R.services, 'ns', 'svc');
  await c.sync('ns/svc');
  assert.equal(w.obj(R.endpoints, 'ns', 'svc'), undefined);
});
