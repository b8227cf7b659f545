// Simulated nodes against a real apiserver: 200 nodes register and stay Ready with renewed
// Leases, 1,000 pods bound to them (POST pods/NAME/binding, as the scheduler binds) go Running
// with pod IPs from their nodes' ranges, and deleted pods are confirmed at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Lease, Node, Pod } from '../../control-plane/api/index.js';
import { startTestApiServer, type TestApiServer } from '../../control-plane/apiserver/testing/harness.js';
import { ApiClient } from '../../control-plane/client/index.js';
import { LEASES, NODE_LEASE_NAMESPACE, NODES, PODS } from '../kubelet/index.js';
import { eventually, podManifest, testLogger } from '../kubelet/testing.js';
import { nodePodRange } from '../runtime/index.js';
import { SimulatedNodes } from './simulated.js';

const NODES_N = 200;
const PODS_N = 1000;
const FIRST_INDEX = 1000;

describe('simulated nodes', { timeout: 300_000 }, () => {
  let api: TestApiServer;
  let client: ApiClient;
  let sim: SimulatedNodes;

  before(async () => {
    api = await startTestApiServer();
    client = new ApiClient({ server: api.url, token: api.token, caPem: api.caPem, qps: 2000, burst: 4000 });
  });

  after(async () => {
    await sim?.stop();
    client?.close();
    await api?.stop();
  });

  it(`${NODES_N} nodes register Ready and renew their Leases`, async () => {
    const t0 = Date.now();
    sim = new SimulatedNodes({
      client, prefix: 'sim', count: NODES_N, firstIndex: FIRST_INDEX, capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      leaseDurationSeconds: 40, leaseRenewIntervalMs: 10_000, statusReportFrequencyMs: 60_000, log: testLogger('sim'),
    });
    await sim.start();
    console.log(`  ${NODES_N} simulated nodes registered in ${Date.now() - t0} ms`);
    const nodes = (await client.listAll<Node>(NODES, { labelSelector: 'type=kwok' })).items;
    assert.equal(nodes.length, NODES_N);
    for (const n of nodes) {
      assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', n.metadata?.name);
    }
    const leasesAt = async () => new Map((await client.listAll<Lease>(LEASES,
      { namespace: NODE_LEASE_NAMESPACE })).items
      .filter((l) => l.metadata?.name?.startsWith('sim-')).map((l) => [l.metadata?.name, l.spec?.renewTime]));
    const first = await leasesAt();
    assert.equal(first.size, NODES_N);
    await new Promise((r) => setTimeout(r, 11_000));
    const second = await leasesAt();
    const renewed = [...second].filter(([k, v]) => first.get(k) !== v).length;
    assert.equal(renewed, NODES_N, 'every lease renewed within 11 s at a 10 s renew interval');
    const m = sim.metrics;
    console.log(`  lease renewals ${m.leaseRenewals} (failures ${m.leaseRenewFailures}), status writes ${m.nodeStatusWrites}`);
  });

  it(`${PODS_N} pods bound to the simulated nodes go Running with pod IPs`, async () => {
    const names = sim.nodeNames;
    const created = Date.now();
    const batch = 50;
    for (let i = 0; i < PODS_N; i += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, PODS_N - i) }, async (_, j) => {
        const k = i + j;
        const name = `p-${k}`;
        await client.create(PODS, 'default', podManifest(name, undefined, {
          containers: [{ name: 'c', image: 'flotilla/hello' }],
        }, { app: 'sim' }));
        await client.createSubresource(PODS, 'default', name, 'binding', {
          apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: 'default' },
          target: { apiVersion: 'v1', kind: 'Node', name: names[k % names.length] },
        });
      }));
    }
    const bound = Date.now();
    const running = await eventually('all Running', async () => {
      const pods = (await client.listAll<Pod>(PODS, { namespace: 'default', labelSelector: 'app=sim' })).items;
      const r = pods.filter((p) => p.status?.phase === 'Running');
      return r.length === PODS_N ? r : undefined;
    }, 120_000, 250);
    const done = Date.now();
    console.log(`  ${PODS_N} pods created+bound in ${bound - created} ms; all Running ${done - bound} ms after the ` +
      `last binding (${done - created} ms from the first create)`);
    const ips = new Set<string>();
    for (const p of running) {
      const idx = FIRST_INDEX + Number(p.spec?.nodeName?.slice('sim-'.length));
      assert.ok(p.status?.podIP?.startsWith(nodePodRange(idx).prefix), `${p.metadata?.name} ${p.status?.podIP}`);
      assert.equal(p.status?.hostIP, nodePodRange(idx).nodeIP);
      assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
      ips.add(p.status?.podIP ?? '');
    }
    assert.equal(ips.size, PODS_N, 'pod IPs are unique');
  });

  it('deleting simulated pods removes them at once (the node confirms the graceful delete)', async () => {
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 100 }, (_, k) => client.delete(PODS, 'default', `p-${k}`)));
    await eventually('deleted', async () => {
      const pods = (await client.listAll<Pod>(PODS, { namespace: 'default', labelSelector: 'app=sim' })).items;
      return pods.length === PODS_N - 100;
    }, 30_000, 100);
    console.log(`  100 graceful deletes confirmed in ${Date.now() - t0} ms`);
  });
});
