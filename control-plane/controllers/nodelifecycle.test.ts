import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Lease, Node, Pod } from '../api/index.js';
import { NodeLifecycleController, TAINT_UNREACHABLE, tolerates } from './nodelifecycle.js';
import { FakeWorld } from './testing/fake.js';
import { R } from './types.js';
import { isoSeconds } from './util.js';

test('a node whose lease stops: Ready=Unknown, unreachable taints, then its pods are evicted after tolerationSeconds', async () => {
  const w = new FakeWorld();
  const c = new NodeLifecycleController(w.context(), { monitorPeriodMs: 500, gracePeriodMs: 4000,
    podEvictionTimeoutMs: 2000, evictionRate: 10, secondaryEvictionRate: 0 });
  for (const n of ['n1', 'n2']) {
    w.seed<Node>(R.nodes, { metadata: { name: n }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    w.seed<Lease>(R.leases, { metadata: { name: n, namespace: 'kube-node-lease' }, spec: { renewTime: 'a' } });
  }
  w.seed<Pod>(R.pods, { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1', containers: [] } });
  w.seed<Pod>(R.pods, { metadata: { name: 'patient', namespace: 'ns' }, spec: { nodeName: 'n1', containers: [],
    tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] } });
  await c.monitorNodeHealth();
  w.nowMs += 5000;
  w.seed<Lease>(R.leases, { ...w.obj<Lease>(R.leases, 'kube-node-lease', 'n2')!, spec: { renewTime: 'b' } });
  await c.monitorNodeHealth();
  const n1 = w.obj<Node>(R.nodes, '', 'n1')!;
  assert.equal(n1.status!.conditions![0]!.status, 'Unknown');
  assert.equal(n1.status!.conditions![0]!.message, 'Kubelet stopped posting node status.');
  assert.equal(w.obj<Node>(R.nodes, '', 'n2')!.status!.conditions![0]!.status, 'True');
  await c.monitorNodeHealth();
  const taints = w.obj<Node>(R.nodes, '', 'n1')!.spec!.taints!.map((t) => `${t.key}:${t.effect}`).sort();
  assert.deepEqual(taints, [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);
  await assert.rejects(c.sync('n1'), /next eviction due/);
  w.nowMs += 2500;
  await assert.rejects(c.sync('n1'), /next eviction due/);
  assert.ok(w.obj<Pod>(R.pods, 'ns', 'p')!.metadata!.deletionTimestamp, 'default toleration (2 s) expired: evicted');
  assert.equal(w.obj<Pod>(R.pods, 'ns', 'patient')!.metadata!.deletionTimestamp, undefined);
  // The node comes back: taints removed.
  w.seed<Node>(R.nodes, { ...w.obj<Node>(R.nodes, '', 'n1')!, status: { conditions: [{ type: 'Ready', status: 'True',
    lastHeartbeatTime: isoSeconds(w.nowMs) }] } });
  await c.monitorNodeHealth();
  assert.deepEqual(w.obj<Node>(R.nodes, '', 'n1')!.spec!.taints, []);
  assert.equal(tolerates({ operator: 'Exists' }, { key: 'x', effect: 'NoExecute' }), true);
});
