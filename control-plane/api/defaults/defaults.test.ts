// Defaulting: the values Kubernetes' v1 defaulters fill in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Deployment } from '../types/apps.js';
import type { Namespace, Pod, ReplicationController, Secret, Service } from '../types/core.js';
import type { RoleBinding } from '../types/other.js';
import { applyDefaults, imageTag } from './index.js';

const gvk = (kind: string, group = '') => ({ group, version: 'v1', kind });

test('pod defaults: policies, grace period, scheduler, container and probe defaults', () => {
  const pod = applyDefaults(gvk('Pod'), {
    metadata: { name: 'p' },
    spec: {
      serviceAccount: 'robot',
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{
        name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }],
        env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } },
        livenessProbe: { httpGet: { port: 80 } },
      }],
    },
  } as Pod);
  const spec = pod.spec!;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.enableServiceLinks, true);
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.serviceAccountName, 'robot');
  assert.deepEqual(spec.volumes, [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }]);
  const c = spec.containers[0]!;
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports![0]!.protocol, 'TCP');
  assert.equal(c.env![0]!.valueFrom!.fieldRef!.apiVersion, 'v1');
  assert.deepEqual(c.resources!.requests, { cpu: '500m', memory: '1Gi' }, 'requests default to limits key by key');
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10,
    successThreshold: 1, failureThreshold: 3 });
  assert.equal(spec.initContainers![0]!.imagePullPolicy, 'Always', 'no tag means :latest');
});

test('imagePullPolicy follows the tag rule', () => {
  const cases: [string, string][] = [
    ['nginx', 'latest'], ['nginx:latest', 'latest'], ['nginx:1.25', '1.25'], ['localhost:5000/nginx', 'latest'],
    ['registry.example.com:5000/team/app:v2', 'v2'], [`nginx@sha256:${'a'.repeat(64)}`, ''], [`nginx:1@sha256:${'b'.repeat(64)}`, '1'],
    ['Nginx', ''], ['', ''], ['nginx:', ''],
  ];
  for (const [image, tag] of cases) assert.equal(imageTag(image), tag, image);
});

test('service defaults: ClusterIP, None affinity, TCP, targetPort = port, traffic policies', () => {
  const svc = applyDefaults(gvk('Service'), { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }], clusterIP: '10.0.0.1' } } as Service);
  assert.equal(svc.spec!.type, 'ClusterIP');
  assert.equal(svc.spec!.sessionAffinity, 'None');
  assert.equal(svc.spec!.internalTrafficPolicy, 'Cluster');
  assert.equal(svc.spec!.externalTrafficPolicy, undefined);
  assert.deepEqual(svc.spec!.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }]);
  assert.deepEqual(svc.spec!.clusterIPs, ['10.0.0.1']);
  const lb = applyDefaults(gvk('Service'), { spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 1 }] } } as Service);
  assert.equal(lb.spec!.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec!.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(lb.spec!.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('workload defaults: deployment, daemon set, replication controller', () => {
  const d = applyDefaults(gvk('Deployment', 'apps'), { spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 'a:1' }] } } } } as Deployment);
  assert.equal(d.spec!.replicas, 1);
  assert.deepEqual(d.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec!.revisionHistoryLimit, 10);
  assert.equal(d.spec!.progressDeadlineSeconds, 600);
  assert.equal(d.spec!.template.spec!.restartPolicy, 'Always');
  const recreate = applyDefaults(gvk('Deployment', 'apps'), { spec: { selector: {}, template: {}, strategy: { type: 'Recreate' } } } as Deployment);
  assert.deepEqual(recreate.spec!.strategy, { type: 'Recreate' });
  const ds = applyDefaults(gvk('DaemonSet', 'apps'), { spec: { selector: {}, template: {} } } as DaemonSet);
  assert.deepEqual(ds.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec!.revisionHistoryLimit, 10);
  const rc = applyDefaults(gvk('ReplicationController'), { spec: { template: { metadata: { labels: { a: 'b' } } } } } as ReplicationController);
  assert.deepEqual(rc.spec!.selector, { a: 'b' });
  assert.deepEqual(rc.metadata!.labels, { a: 'b' });
  assert.equal(rc.spec!.replicas, 1);
});

test('namespace, secret and role binding defaults', () => {
  const ns = applyDefaults(gvk('Namespace'), { metadata: { name: 'team' } } as Namespace);
  assert.deepEqual(ns.metadata!.labels, { 'kubernetes.io/metadata.name': 'team' });
  assert.equal(ns.status!.phase, 'Active');
  const s = applyDefaults(gvk('Secret'), { stringData: { password: 'héllo' }, data: { a: 'YQ==' } } as Secret);
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { a: 'YQ==', password: 'aMOpbGxv' });
  assert.equal(s.stringData, undefined);
  const rb = applyDefaults(gvk('RoleBinding', 'rbac.authorization.k8s.io'), {
    roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'sa' }],
  } as RoleBinding);
  assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.deepEqual(rb.subjects!.map((x) => x.apiGroup), ['rbac.authorization.k8s.io', '']);
});
