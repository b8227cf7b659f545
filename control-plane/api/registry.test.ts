// The resource registry and what is generated from it: discovery and OpenAPI v3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiResourceList, findResource, groupVersions, resolveResource, resourcesInCategory, RESOURCES, schemaOf } from './registry.js';
import { toOpenApiV3, openApiV3Discovery } from './schema/openapi.js';

test('short names, categories and scopes match Kubernetes', () => {
  const short = Object.fromEntries(RESOURCES.filter((r) => r.shortNames.length > 0).map((r) => [r.plural, r.shortNames.join(',')]));
  assert.deepEqual(short, { configmaps: 'cm', endpoints: 'ep', events: 'ev', namespaces: 'ns', nodes: 'no', pods: 'po',
    replicationcontrollers: 'rc', serviceaccounts: 'sa', services: 'svc', daemonsets: 'ds', deployments: 'deploy', replicasets: 'rs',
    persistentvolumeclaims: 'pvc', persistentvolumes: 'pv', statefulsets: 'sts', cronjobs: 'cj', ingresses: 'ing' });
  assert.deepEqual(resourcesInCategory('all').map((r) => r.plural).sort(),
    ['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
  assert.equal(findResource('', 'persistentvolumes')?.namespaced, false);
  assert.deepEqual(resolveResource('sts').map((r) => r.kind), ['StatefulSet']);
  assert.deepEqual(resolveResource('jobs.batch').map((r) => r.kind), ['Job']);
  assert.equal(findResource('', 'nodes')?.namespaced, false);
  assert.equal(findResource('rbac.authorization.k8s.io', 'clusterroles')?.namespaced, false);
  assert.deepEqual(resolveResource('deploy').map((r) => r.kind), ['Deployment']);
  assert.deepEqual(resolveResource('Pod').map((r) => r.plural), ['pods']);
  assert.deepEqual(resolveResource('deployments.apps').map((r) => r.kind), ['Deployment']);
  for (const r of RESOURCES) assert.ok(schemaOf(r).gvk, r.kind);
});

test('discovery lists resources and subresources like /api/v1 does', () => {
  const core = apiResourceList({ group: '', version: 'v1' });
  assert.equal(core.groupVersion, 'v1');
  const byName = new Map(core.resources.map((r) => [r.name, r]));
  assert.deepEqual(byName.get('pods'), { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['po'], categories: ['all'] });
  assert.deepEqual(byName.get('pods/eviction'), { name: 'pods/eviction', singularName: '', namespaced: true, kind: 'Eviction', verbs: ['create'],
    group: 'policy', version: 'v1' });
  assert.deepEqual(byName.get('pods/status')?.verbs, ['get', 'patch', 'update']);
  assert.deepEqual(byName.get('namespaces')?.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  const apps = apiResourceList({ group: 'apps', version: 'v1' });
  assert.deepEqual(apps.resources.find((r) => r.name === 'deployments/scale'), { name: 'deployments/scale', singularName: '', namespaced: true,
    kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' });
  assert.deepEqual(groupVersions().map((g) => g.group), ['', 'apps', 'batch', 'networking.k8s.io', 'coordination.k8s.io',
    'rbac.authorization.k8s.io']);
  // kubectl apply --prune's default allowlist (staging/src/k8s.io/kubectl/pkg/cmd/apply/prune.go): every kind must map.
  const prune = [['', 'ConfigMap'], ['', 'Endpoints'], ['', 'PersistentVolumeClaim'], ['', 'Pod'], ['', 'ReplicationController'],
    ['', 'Secret'], ['', 'Service'], ['batch', 'Job'], ['batch', 'CronJob'], ['networking.k8s.io', 'Ingress'], ['apps', 'DaemonSet'],
    ['apps', 'Deployment'], ['apps', 'ReplicaSet'], ['apps', 'StatefulSet'], ['', 'Namespace'], ['', 'PersistentVolume']];
  for (const [g, k] of prune) assert.ok(RESOURCES.some((r) => r.group === g && r.kind === k && r.version === 'v1'), `${g}/${k}`);
  const batch = apiResourceList({ group: 'batch', version: 'v1' });
  assert.deepEqual(batch.resources.map((r) => r.name), ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']);
  const sts = apiResourceList({ group: 'apps', version: 'v1' }).resources.filter((r) => r.name.startsWith('statefulsets'));
  assert.deepEqual(sts.map((r) => r.name), ['statefulsets', 'statefulsets/scale', 'statefulsets/status']);
});

test('OpenAPI v3: every PATCH carries the GVK extension and a fieldValidation parameter (what kubectl checks)', () => {
  for (const gv of groupVersions()) {
    const doc = toOpenApiV3(gv) as { paths: Record<string, Record<string, { parameters?: { name: string }[]; 'x-kubernetes-group-version-kind'?: unknown }>>;
      components: { schemas: Record<string, unknown> } };
    let patches = 0;
    for (const item of Object.values(doc.paths)) {
      if (item['patch'] === undefined) continue;
      patches++;
      assert.ok(item['patch']['x-kubernetes-group-version-kind']);
      assert.ok(item['patch'].parameters?.some((p) => p.name === 'fieldValidation'));
    }
    assert.ok(patches > 0);
    for (const s of Object.values(doc.components.schemas)) {
      const refs = JSON.stringify(s).match(/#\/components\/schemas\/([\w.]+)/g) ?? [];
      for (const ref of refs) assert.ok(doc.components.schemas[ref.slice('#/components/schemas/'.length)], `dangling ${ref}`);
    }
  }
  const core = toOpenApiV3({ group: '', version: 'v1' }) as { paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, Record<string, unknown>> } };
  const patch = core.paths['/api/v1/namespaces/{namespace}/pods/{name}']!['patch']!;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  const containers = (core.components.schemas['io.k8s.api.core.v1.PodSpec']!['properties'] as Record<string, Record<string, unknown>>)['containers']!;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(core.components.schemas['io.k8s.api.core.v1.PodSpec']!['required'], ['containers']);
  assert.deepEqual(core.components.schemas['io.k8s.api.core.v1.Pod']!['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']!['patch']);
  assert.deepEqual(openApiV3Discovery([{ group: '', version: 'v1' }, { group: 'apps', version: 'v1' }], () => 'H'),
    { paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=H' }, 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=H' } } });
});
