// Tables: kubectl's ages, the pod STATUS/READY/RESTARTS logic, and the familiar columns of
// every printed resource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RESOURCES, schemaOf } from '../registry.js';
import { arbitraryOf } from '../testing/arbitrary.js';
import { decode } from '../schema/decode.js';
import { params, seed } from '../testing/fc.js';
import type { Pod } from '../types/core.js';
import { humanDuration, podStatusColumns, toTable } from './index.js';

test.after(() => console.log(`table properties ran with FC_SEED=${seed}`));

const NOW = Date.parse('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString().replace('.000Z', 'Z');

test('ages read like kubectl', () => {
  const cases: [number, string][] = [
    [0, '0s'], [5, '5s'], [119, '119s'], [120, '2m'], [192, '3m12s'], [600, '10m'], [179 * 60, '179m'], [3 * 3600, '3h'],
    [3 * 3600 + 5 * 60, '3h5m'], [8 * 3600, '8h'], [47 * 3600, '47h'], [2 * 86400, '2d'], [2 * 86400 + 3 * 3600, '2d3h'],
    [8 * 86400, '8d'], [400 * 86400, '400d'], [2 * 365 * 86400, '2y'], [3 * 365 * 86400 + 10 * 86400, '3y10d'], [9 * 365 * 86400, '9y'],
    [-1, '0s'], [-5, '<invalid>'],
  ];
  for (const [s, want] of cases) assert.equal(humanDuration(s * 1000), want, `${s}s`);
});

const pod = (status: Pod['status'], extra: Partial<Pod> = {}): Pod => ({
  metadata: { name: 'p', creationTimestamp: ago(300) },
  spec: { containers: [{ name: 'a' }, { name: 'b' }] },
  status, ...extra,
});
const cs = (name: string, state: object, ready = false, restartCount = 0, lastState?: object) =>
  ({ name, state, ready, restartCount, image: '', imageID: '', ...(lastState ? { lastState } : {}) });

test('pod STATUS, READY and RESTARTS columns', () => {
  const cases: [Pod, string, string, string][] = [
    [pod({ phase: 'Pending' }), '0/2', 'Pending', '0'],
    [pod({ phase: 'Pending', containerStatuses: [cs('a', { waiting: { reason: 'ContainerCreating' } }), cs('b', { waiting: { reason: 'ContainerCreating' } })] }),
      '0/2', 'ContainerCreating', '0'],
    [pod({ phase: 'Running', containerStatuses: [cs('a', { running: {} }, true), cs('b', { running: {} }, true)] }), '2/2', 'Running', '0'],
    [pod({ phase: 'Running', containerStatuses: [cs('a', { running: {} }, true),
      cs('b', { waiting: { reason: 'CrashLoopBackOff' } }, false, 4, { terminated: { exitCode: 1, finishedAt: ago(30) } })] }),
    '1/2', 'CrashLoopBackOff', '4 (30s ago)'],
    [pod({ phase: 'Succeeded', containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } }),
      cs('b', { terminated: { exitCode: 0, reason: 'Completed' } })] }), '0/2', 'Completed', '0'],
    [pod({ phase: 'Running', containerStatuses: [cs('a', { terminated: { exitCode: 137 } }), cs('b', { running: {} }, true)] }),
      '1/2', 'ExitCode:137', '0'],
    [pod({ phase: 'Running', containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } }), cs('b', { running: {} }, true)],
      conditions: [{ type: 'Ready', status: 'True' }] }), '1/2', 'Running', '0'],
    [pod({ phase: 'Running', containerStatuses: [cs('a', { running: {} }, true), cs('b', { running: {} }, true)] },
      { metadata: { name: 'p', deletionTimestamp: ago(1) } }), '2/2', 'Terminating', '0'],
    [pod({ phase: 'Pending', initContainerStatuses: [cs('init', { waiting: { reason: 'PodInitializing' } })] },
      { spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'a' }] } }), '0/1', 'Init:0/1', '0'],
    [pod({ phase: 'Pending', initContainerStatuses: [cs('init', { terminated: { exitCode: 2 } })] },
      { spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'a' }] } }), '0/1', 'Init:ExitCode:2', '0'],
    [pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), '0/2', 'SchedulingGated', '0'],
  ];
  for (const [p, ready, status, restarts] of cases) {
    assert.deepEqual(podStatusColumns(p, NOW), { ready, status, restarts }, JSON.stringify(p.status));
  }
});

test('pods table: columns, wide columns, row conditions and row objects', () => {
  const p = pod({ phase: 'Succeeded', podIPs: [{ ip: '127.0.0.9' }] }, { spec: { nodeName: 'n1', containers: [{ name: 'a' }] },
    metadata: { name: 'done', namespace: 'default', creationTimestamp: ago(192) } });
  const t = toTable({ group: '', plural: 'pods' }, [p], { nowMs: NOW, listMeta: { resourceVersion: '7' } });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '7' });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.priority]), [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
    ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]]);
  assert.equal(t.columnDefinitions[0]!.format, 'name');
  assert.deepEqual(t.rows[0]!.cells, ['done', '0/1', 'Succeeded', '0', '3m12s', '127.0.0.9', 'n1', '<none>', '<none>']);
  assert.deepEqual(t.rows[0]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.deepEqual(t.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata });
  const narrow = toTable({ group: '', plural: 'pods' }, [p], { nowMs: NOW, wide: false, includeObject: 'None' });
  assert.equal(narrow.columnDefinitions.length, 5);
  assert.equal(narrow.rows[0]!.cells.length, 5);
  assert.equal(narrow.rows[0]!.object, undefined);
});

test('the familiar columns of the other resources', () => {
  const row = (group: string, plural: string, obj: object, wide = false) =>
    toTable({ group, plural }, [obj], { nowMs: NOW, wide }).rows[0]!.cells;
  const header = (group: string, plural: string) =>
    toTable({ group, plural }, [], { nowMs: NOW, wide: false }).columnDefinitions.map((c) => c.name.toUpperCase()).join(' ');
  assert.equal(header('apps', 'deployments'), 'NAME READY UP-TO-DATE AVAILABLE AGE');
  assert.deepEqual(row('apps', 'deployments', { metadata: { name: 'web', creationTimestamp: ago(7200) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
    template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }, true),
  ['web', '2/3', 3, 2, '120m', 'c', 'nginx', 'app=web']);
  assert.equal(header('apps', 'replicasets'), 'NAME DESIRED CURRENT READY AGE');
  assert.equal(header('apps', 'daemonsets'), 'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE');
  assert.equal(header('', 'nodes'), 'NAME STATUS ROLES AGE VERSION');
  assert.deepEqual(row('', 'nodes', { metadata: { name: 'n1', creationTimestamp: ago(3 * 86400), labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' } } }),
  ['n1', 'Ready,SchedulingDisabled', 'control-plane', '3d', 'v1.32.0']);
  assert.deepEqual(row('', 'nodes', { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }),
    ['n2', 'NotReady', '<none>', '<unknown>', '']);
  assert.equal(header('', 'services'), 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE');
  assert.deepEqual(row('', 'services', { metadata: { name: 'web', creationTimestamp: ago(10) }, spec: { type: 'NodePort', clusterIPs: ['10.0.0.7'],
    ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }, { port: 53, protocol: 'UDP' }] } }), ['web', 'NodePort', '10.0.0.7', '<none>', '80:30080/TCP,53/UDP', '10s']);
  assert.deepEqual(row('', 'services', { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', clusterIPs: ['10.0.0.8'], ports: [] } }),
    ['lb', 'LoadBalancer', '10.0.0.8', '<pending>', '<none>', '<unknown>']);
  assert.deepEqual(row('', 'endpoints', { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '1.1.1.1' }, { ip: '1.1.1.2' }],
    ports: [{ port: 80 }, { port: 443 }] }] }), ['web', '1.1.1.1:80,1.1.1.2:80,1.1.1.1:443 + 1 more...', '<unknown>']);
  assert.equal(header('', 'events'), 'LAST SEEN TYPE REASON OBJECT MESSAGE');
  assert.deepEqual(row('', 'events', { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'web' }, type: 'Normal', reason: 'Scheduled',
    message: 'Successfully assigned default/web to n1 ', firstTimestamp: ago(65), lastTimestamp: ago(5) }),
  ['5s', 'Normal', 'Scheduled', 'pod/web', 'Successfully assigned default/web to n1']);
  assert.deepEqual(row('', 'namespaces', { metadata: { name: 'default', creationTimestamp: ago(60) }, status: { phase: 'Active' } }), ['default', 'Active', '60s']);
  assert.deepEqual(row('', 'configmaps', { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'YQ==' } }), ['c', 3, '<unknown>']);
  assert.deepEqual(row('', 'secrets', { metadata: { name: 's' }, type: 'Opaque', data: { a: 'YQ==' } }), ['s', 'Opaque', 1, '<unknown>']);
  assert.deepEqual(row('coordination.k8s.io', 'leases', { metadata: { name: 'l' }, spec: { holderIdentity: 'master-1' } }), ['l', 'master-1', '<unknown>']);
  assert.deepEqual(row('rbac.authorization.k8s.io', 'roles', { metadata: { name: 'r', creationTimestamp: ago(1) } }), ['r', '1s'], 'generic NAME AGE');
});

test('property: every printer prints any well-typed object without throwing', () => {
  for (const r of RESOURCES) {
    if (r.verbs.length === 1) continue;
    const stored = arbitraryOf(schemaOf(r), { maxDepth: 6, maxItems: 2 }).map((o) => decode(schemaOf(r), o).value);
    fc.assert(fc.property(fc.array(stored, { maxLength: 3 }), (objs) => {
      const t = toTable(r, objs, { nowMs: NOW });
      assert.equal(t.rows.length, objs.length);
      for (const row of t.rows) assert.equal(row.cells.length, t.columnDefinitions.length);
    }), params(30));
  }
});
