// Table-driven tests of parseRequestInfo against Kubernetes' requestinfo_test.go cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { RequestInfoError } from './errors.js';

type Expect = Partial<RequestInfo>;
const cases: Array<[method: string, url: string, expect: Expect]> = [
  // core group, namespaced
  ['GET', '/api/v1/namespaces/default/pods', { verb: 'list', apiPrefix: 'api', apiVersion: 'v1', namespace: 'default',
    resource: 'pods', name: '', subresource: '', parts: ['pods'] }],
  ['GET', '/api/v1/namespaces/default/pods/foo', { verb: 'get', resource: 'pods', name: 'foo', parts: ['pods', 'foo'] }],
  ['HEAD', '/api/v1/namespaces/default/pods/foo', { verb: 'get', name: 'foo' }],
  ['POST', '/api/v1/namespaces/default/pods', { verb: 'create', resource: 'pods', name: '' }],
  ['PUT', '/api/v1/namespaces/default/pods/foo', { verb: 'update', name: 'foo' }],
  ['PATCH', '/api/v1/namespaces/default/pods/foo', { verb: 'patch', name: 'foo' }],
  ['DELETE', '/api/v1/namespaces/default/pods/foo', { verb: 'delete', name: 'foo' }],
  ['DELETE', '/api/v1/namespaces/default/pods', { verb: 'deletecollection', name: '' }],
  ['OPTIONS', '/api/v1/namespaces/default/pods', { verb: '', isResourceRequest: true }],
  // subresources
  ['POST', '/api/v1/namespaces/default/pods/foo/binding', { verb: 'create', resource: 'pods', name: 'foo',
    subresource: 'binding', parts: ['pods', 'foo', 'binding'] }],
  ['PUT', '/api/v1/namespaces/default/pods/foo/status', { verb: 'update', subresource: 'status' }],
  ['GET', '/api/v1/namespaces/default/pods/foo/log', { verb: 'get', subresource: 'log' }],
  ['GET', '/apis/apps/v1/namespaces/ns/deployments/d/scale', { verb: 'get', apiGroup: 'apps', subresource: 'scale' }],
  // cluster-scoped
  ['GET', '/api/v1/nodes', { verb: 'list', namespace: '', resource: 'nodes' }],
  ['GET', '/api/v1/nodes/n1', { verb: 'get', namespace: '', resource: 'nodes', name: 'n1' }],
  ['PATCH', '/api/v1/nodes/n1/status', { verb: 'patch', resource: 'nodes', name: 'n1', subresource: 'status' }],
  // all namespaces
  ['GET', '/api/v1/pods', { verb: 'list', namespace: '', resource: 'pods' }],
  ['GET', '/apis/apps/v1/deployments', { verb: 'list', apiGroup: 'apps', resource: 'deployments' }],
  // named groups
  ['GET', '/apis/apps/v1/namespaces/other/deployments/web', { apiPrefix: 'apis', apiGroup: 'apps', apiVersion: 'v1',
    namespace: 'other', resource: 'deployments', name: 'web', verb: 'get' }],
  ['PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler', {
    apiGroup: 'coordination.k8s.io', resource: 'leases', name: 'kube-scheduler', verb: 'update' }],
  // the namespace object itself and its own subresources
  ['GET', '/api/v1/namespaces', { verb: 'list', resource: 'namespaces', namespace: '', name: '' }],
  ['GET', '/api/v1/namespaces/ns1', { verb: 'get', resource: 'namespaces', namespace: 'ns1', name: 'ns1',
    parts: ['namespaces', 'ns1'] }],
  ['DELETE', '/api/v1/namespaces/ns1', { verb: 'delete', resource: 'namespaces', name: 'ns1' }],
  ['PUT', '/api/v1/namespaces/ns1/status', { verb: 'update', resource: 'namespaces', namespace: 'ns1', name: 'ns1',
    subresource: 'status' }],
  ['PUT', '/api/v1/namespaces/ns1/finalize', { verb: 'update', resource: 'namespaces', name: 'ns1',
    subresource: 'finalize' }],
  // watch: query parameter, Go bool decoding, and the legacy path prefix
  ['GET', '/api/v1/namespaces/default/pods?watch=true', { verb: 'watch', resource: 'pods' }],
  ['GET', '/api/v1/namespaces/default/pods?watch=1', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/default/pods?watch=yes', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/default/pods?watch=false', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/default/pods?watch=FALSE', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/default/pods?watch=0', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/default/pods/foo?watch=true', { verb: 'get', name: 'foo' }],
  ['GET', '/api/v1/watch/namespaces/default/pods', { verb: 'watch', namespace: 'default', resource: 'pods', name: '' }],
  ['GET', '/api/v1/watch/namespaces/default/pods/foo', { verb: 'watch', resource: 'pods', name: 'foo' }],
  ['GET', '/api/v1/watch/pods', { verb: 'watch', namespace: '', resource: 'pods' }],
  ['GET', '/apis/apps/v1/watch/namespaces/x/deployments', { verb: 'watch', apiGroup: 'apps', resource: 'deployments' }],
  ['GET', '/api/v1/proxy/namespaces/default/pods/foo/a/b', { verb: 'proxy', resource: 'pods', name: 'foo',
    subresource: '', parts: ['pods', 'foo', 'a', 'b'] }],
  // fieldSelector metadata.name names the object of a list/watch
  ['GET', '/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dfoo', { verb: 'watch', name: 'foo' }],
  ['GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3D%3Dfoo', { verb: 'list', name: 'foo' }],
  ['GET', '/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dn,metadata.name%3Dfoo', { name: 'foo' }],
  ['GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name!%3Dfoo', { verb: 'list', name: '' }],
  ['GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3D..', { verb: 'list', name: '' }],
  ['GET', '/api/v1/namespaces/default/pods?fieldSelector=%3D%3D%3D', { verb: 'list', name: '' }],
  ['DELETE', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dfoo', { verb: 'deletecollection' }],
  // paths are matched decoded, as Go's url.URL.Path is
  ['GET', '/api/v1/namespaces/default/pods/a%20b', { name: 'a b' }],
  ['GET', '/api/v1/namespaces/default/pods/', { verb: 'list', resource: 'pods', namespace: 'default' }],
];

const nonResourceCases: Array<[string, string, string]> = [
  ['GET', '/', 'get'], ['GET', '/version', 'get'], ['GET', '/healthz', 'get'], ['GET', '/livez/ping', 'get'],
  ['GET', '/openapi/v3', 'get'], ['GET', '/openapi/v3/apis/apps/v1', 'get'], ['GET', '/openapi/v2', 'get'],
  ['GET', '/api', 'get'], ['GET', '/apis', 'get'], ['GET', '/apis/apps', 'get'],
  ['GET', '/api/v1', 'get'], ['GET', '/apis/apps/v1', 'get'], ['POST', '/api/v1', 'post'],
  ['PUT', '/metrics', 'put'], ['DELETE', '/logs/x', 'delete'], ['GET', '/other/v1/pods', 'get'],
];

test('resource requests: verb, group, version, namespace, resource, name, subresource as Kubernetes', () => {
  for (const [method, url, expect] of cases) {
    const info = parseRequestInfo(method, new URL(url, 'https://127.0.0.1'));
    assert.equal(info.isResourceRequest, expect.isResourceRequest ?? true, `${method} ${url}`);
    for (const [k, v] of Object.entries(expect)) {
      assert.deepEqual(info[k as keyof RequestInfo], v, `${method} ${url}: ${k}`);
    }
  }
});

test('the path is kept (decoded) and query strings are not part of it', () => {
  const info = parseRequestInfo('GET', new URL('https://h/api/v1/namespaces/default/pods?watch=1'));
  assert.equal(info.path, '/api/v1/namespaces/default/pods');
});

test('non-resource paths, discovery included: verb is the lowercased method, everything else empty', () => {
  for (const [method, url, verb] of nonResourceCases) {
    const info = parseRequestInfo(method, new URL(url, 'https://127.0.0.1'));
    assert.deepEqual(info, {
      isResourceRequest: false, path: new URL(url, 'https://h').pathname, verb, apiPrefix: '', apiGroup: '',
      apiVersion: '', namespace: '', resource: '', subresource: '', name: '', parts: [],
    }, `${method} ${url}`);
  }
});

test('a special verb with nothing after it is an error, as in Kubernetes', () => {
  assert.throws(() => parseRequestInfo('GET', new URL('https://h/api/v1/watch')),
    (e: unknown) => e instanceof RequestInfoError && e.code === 'FLOTILLA_ERR_REQUEST_INFO' &&
      /unable to determine kind and namespace from url/.test(e.message));
});
