// Field sets and fieldsV1: the encodings Kubernetes shows for real objects, round trips,
// PathElement order, path strings, and refusals of malformed fieldsV1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, JsonValue } from '../json.js';
import { DEPLOYMENT } from '../schema/apps-schemas.js';
import { CONFIG_MAP, POD, SERVICE } from '../schema/core-schemas.js';
import { appliedFieldSet, fieldSetOf } from './apply.js';
import { FieldsV1Error } from './errors.js';
import { FieldSet, fromFieldsV1, pathString, toFieldsV1 } from './fieldset.js';

// The Deployment of Kubernetes' server-side apply documentation, applied with
// `kubectl apply --server-side`, and the fieldsV1 its "kubectl" Apply entry shows.
const NGINX: JsonObject = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
  spec: {
    replicas: 3, selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
    },
  },
};
const NGINX_FIELDS_V1 = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:replicas': {}, 'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': {
        '.': {}, 'f:image': {}, 'f:name': {},
        'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
      } } },
    },
  },
};

test('fieldsV1 of the documented kubectl apply --server-side Deployment', () => {
  const set = appliedFieldSet(DEPLOYMENT, NGINX);
  assert.deepEqual(toFieldsV1(set), NGINX_FIELDS_V1);
  // Serialization order is Kubernetes': "." first, then fields by name.
  assert.equal(JSON.stringify(toFieldsV1(set)), JSON.stringify(NGINX_FIELDS_V1));
});

test('fieldsV1 round trip: the ConfigMap of the documentation and a kubectl create Update entry', () => {
  const docs = { 'f:data': { 'f:key': {} }, 'f:metadata': { 'f:labels': { 'f:test-label': {} } } };
  assert.deepEqual(toFieldsV1(fromFieldsV1(docs)), docs);
  assert.deepEqual(toFieldsV1(appliedFieldSet(CONFIG_MAP, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'test-cm', namespace: 'default', labels: { 'test-label': 'test' } },
    data: { key: 'some value' },
  })), docs);
  const created = {
    'f:metadata': { 'f:finalizers': { '.': {}, 'v:"example.com/a"': {} }, 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} } },
      'f:restartPolicy': {} },
  };
  const set = fromFieldsV1(created);
  assert.deepEqual(toFieldsV1(set), created);
  assert.equal(set.size(), 9);
});

test('fromFieldsV1 canonicalizes keys and accepts any stored key order', () => {
  const set = fromFieldsV1({ 'f:spec': { 'f:ports': { 'k:{"protocol":"TCP", "port":80}': {} }, 'f:a': {} } });
  assert.deepEqual(toFieldsV1(set), { 'f:spec': { 'f:a': {}, 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': {} } } });
  assert.equal(JSON.stringify(Object.keys(toFieldsV1(set)['f:spec'] as JsonObject)), '["f:a","f:ports"]');
});

test('PathElement order: fields < keys < values < indices; numbers before strings', () => {
  const set = new FieldSet()
    .insert(['i:1']).insert(['v:"b"']).insert(['v:2']).insert(['k:{"name":"a"}']).insert(['f:z']).insert(['f:a']);
  assert.deepEqual(Object.keys(toFieldsV1(set)), ['f:a', 'f:z', 'k:{"name":"a"}', 'v:2', 'v:"b"', 'i:1']);
});

test('path strings are fieldpath.Path.String()', () => {
  assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']), '.spec.containers[name="c"].image');
  assert.equal(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
  assert.equal(pathString(['f:args', 'i:0']), '.args[0]');
});

test('set operations', () => {
  const a = new FieldSet().insert(['f:a', 'f:b']).insert(['f:a']).insert(['f:c']);
  const b = new FieldSet().insert(['f:a']).insert(['f:d']);
  assert.deepEqual(a.difference(b).paths(), [['f:a', 'f:b'], ['f:c']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:a']]);
  assert.equal(a.union(b).size(), 4);
  assert.ok(a.has(['f:a', 'f:b']) && !a.has(['f:b']) && !a.has([]));
  assert.deepEqual(a.withoutPrefixes([['f:a']]).paths(), [['f:c']]);
  assert.ok(a.equals(a.clone()) && !a.equals(b));
});

test('schema semantics: atomic selectors and node selectors, sets, maps, empty structs, keys with defaults', () => {
  const pod: JsonObject = {
    metadata: { finalizers: ['a'], annotations: { x: 'y' } },
    spec: {
      nodeSelector: { disk: 'ssd' }, securityContext: {}, tolerations: [{ key: 'k' }], containers: [
        { name: 'c', args: [], ports: [{ containerPort: 80, protocol: 'UDP' }, { containerPort: 81 }] },
      ],
    },
  };
  assert.deepEqual(toFieldsV1(fieldSetOf(POD, pod)), {
    'f:metadata': { 'f:annotations': { 'f:x': {} }, 'f:finalizers': { 'v:"a"': {} } },
    'f:spec': {
      'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:name': {}, 'f:ports': {
        'k:{"containerPort":80,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
        'k:{"containerPort":81,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
      } } },
      'f:nodeSelector': {}, 'f:securityContext': {}, 'f:tolerations': {},
    },
  });
  const svc = fieldSetOf(SERVICE, { spec: { selector: { app: 'a' }, ports: [{ port: 80 }] } });
  assert.deepEqual(toFieldsV1(svc), { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } },
    'f:selector': {} } });
});

test('malformed fieldsV1 is refused with FieldsV1Error', () => {
  const bads: JsonValue[] = [[], { 'x:y': {} }, { 'f:a': 1 }, { 'k:notjson': {} }, { 'k:[1]': {} }, { 'i:-1': {} }];
  for (const bad of bads) {
    assert.throws(() => fromFieldsV1(bad), (e: unknown) => e instanceof FieldsV1Error && e.code === 'FLOTILLA_ERR_SSA_FIELDS_V1');
  }
});
