// Status objects: every helper's exact JSON against Kubernetes' wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as s from './status.js';
import { invalid, invalidStatus, required } from './validation/field-errors.js';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };

test('NotFound, AlreadyExists and Conflict name the qualified resource', () => {
  assert.deepEqual(s.notFound(pods, 'x'), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "x" not found', reason: 'NotFound',
    details: { name: 'x', kind: 'pods' }, code: 404,
  });
  assert.equal(s.notFound(deployments, 'web').message, 'deployments.apps "web" not found');
  assert.deepEqual(s.notFound(deployments, 'web').details, { name: 'web', group: 'apps', kind: 'deployments' });
  const exists = s.alreadyExists(pods, 'x');
  assert.equal(exists.message, 'pods "x" already exists');
  assert.equal(exists.code, 409);
  assert.equal(exists.reason, 'AlreadyExists');
  const c = s.conflict(pods, 'x');
  assert.equal(c.message, 'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again');
  assert.equal(c.reason, 'Conflict');
  assert.equal(c.code, 409);
});

test('Forbidden carries the authorizer sentence', () => {
  const f = s.forbiddenRequest({ user: 'x', verb: 'list', resource: 'pods', group: '', namespace: 'default' });
  assert.deepEqual(f, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "default"',
    reason: 'Forbidden', details: { kind: 'pods' }, code: 403,
  });
  assert.equal(s.forbiddenRequest({ user: 'bob', verb: 'get', resource: 'nodes', group: '', name: 'n1' }).message,
    'nodes "n1" is forbidden: User "bob" cannot get resource "nodes" in API group "" at the cluster scope');
  assert.equal(s.forbiddenRequest({ user: 'a', verb: 'create', resource: 'deployments', subresource: 'scale', group: 'apps', namespace: 'ns' }).message,
    'deployments.apps is forbidden: User "a" cannot create resource "deployments/scale" in API group "apps" in the namespace "ns"');
  assert.equal(s.forbiddenRequest({ user: 'a', verb: 'get', path: '/healthz' }).message, 'forbidden: User "a" cannot get path "/healthz"');
});

test('Invalid aggregates field errors exactly like apimachinery', () => {
  const one = invalidStatus({ group: 'apps', kind: 'Deployment' }, 'x', [invalid('spec.replicas', -1, 'must be greater than or equal to 0')]);
  assert.deepEqual(one, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    reason: 'Invalid',
    details: { name: 'x', group: 'apps', kind: 'Deployment', causes: [
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }] },
    code: 422,
  });
  const two = invalidStatus({ group: '', kind: 'Pod' }, 'p', [required('spec.containers[0].name'), required('spec.containers[0].name'),
    required('spec.containers[0].image')]);
  assert.equal(two.message, 'Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]');
  assert.equal(two.details?.causes?.length, 3, 'causes keep duplicates; the message does not');
});

test('the other Status helpers', () => {
  assert.deepEqual(s.badRequest('nope'), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'nope', reason: 'BadRequest', code: 400 });
  assert.deepEqual(s.unauthorized(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  assert.equal(s.tooOldResourceVersion(5, 10).message, 'too old resource version: 5 (10)');
  assert.equal(s.tooOldResourceVersion(5, 10).reason, 'Expired');
  assert.equal(s.tooOldResourceVersion(5, 10).code, 410);
  assert.equal(s.gone('gone').reason, 'Gone');
  assert.equal(s.requestEntityTooLarge('limit is 3145728').message, 'Request entity too large: limit is 3145728');
  assert.equal(s.requestEntityTooLarge('x').code, 413);
  assert.deepEqual(s.tooManyRequests('slow down', 1).details, { retryAfterSeconds: 1 });
  assert.equal(s.tooManyRequests('slow down', 1).code, 429);
  assert.deepEqual(s.internalError('boom'), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Internal error occurred: boom', reason: 'InternalError',
    details: { causes: [{ message: 'boom' }] }, code: 500,
  });
  assert.equal(s.serviceUnavailable('not ready').code, 503);
  assert.equal(s.timeout('took too long', 2).message, 'Timeout: took too long');
  assert.equal(s.timeout('took too long', 2).code, 504);
  assert.equal(s.serverTimeout(pods, 'create', 2).message, 'The create operation against pods could not be completed at this time, please try again.');
  assert.equal(s.methodNotSupported(pods, 'deletecollection').message, 'deletecollection is not supported on resources of kind "pods"');
  assert.deepEqual(s.unprocessableGeneric(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server rejected our request due to an error in our request',
    reason: 'Invalid', details: {}, code: 422,
  });
  assert.deepEqual(s.success({ name: 'x', kind: 'pods', uid: 'u' }), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'x', kind: 'pods', uid: 'u' }, code: 200,
  });
  assert.deepEqual(Object.keys(s.notFound(pods, 'x')), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
  assert.ok(s.isStatus(s.gone('x')));
  assert.ok(!s.isStatus({ kind: 'Pod' }));
});
