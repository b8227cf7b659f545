// Request body decoding with fieldValidation Strict / Warn / Ignore, type errors, and the
// canonical form decoding produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, parseFieldValidation, patchStrictDecodingStatus } from './field-validation.js';
import { MAX_REQUEST_BODY_BYTES } from './limits.js';
import { DEPLOYMENT } from './schema/apps-schemas.js';
import { CONFIG_MAP, POD } from './schema/core-schemas.js';
import { decode } from './schema/decode.js';

const deployment = (extra: string) => `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"${extra}},
  "spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"spec":{"containers":[{"name":"a","image":"i","foo":1}]}},"bar":true}}`;

test('Strict refuses unknown and duplicate fields with Kubernetes wording', () => {
  const r = decodeBody(deployment(',"name":"y"'), DEPLOYMENT, 'Strict');
  assert.ok(!r.ok);
  assert.equal(r.error.code, 400);
  assert.equal(r.error.reason, 'BadRequest');
  assert.equal(r.error.message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
    + 'duplicate field "metadata.name", unknown field "spec.template.spec.containers[0].foo", unknown field "spec.bar"');
});

test('Warn returns warnings and drops unknown fields; Ignore drops them silently', () => {
  const warn = decodeBody(deployment(''), DEPLOYMENT, 'Warn');
  assert.ok(warn.ok);
  assert.deepEqual(warn.value.warnings, ['unknown field "spec.template.spec.containers[0].foo"', 'unknown field "spec.bar"']);
  const spec = warn.value.object['spec'] as Record<string, unknown>;
  assert.equal(spec['bar'], undefined);
  const ignore = decodeBody(deployment(''), DEPLOYMENT, 'Ignore');
  assert.ok(ignore.ok);
  assert.deepEqual(ignore.value.warnings, []);
});

test('type errors are 400s worded like Go encoding/json', () => {
  const cases: [string, string][] = [
    ['{"spec":{"containers":"x"}}', 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container'],
    ['{"metadata":{"labels":{"a":1}}}', 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    ['{"spec":{"containers":[{"ports":[{"containerPort":"80"}]}]}}', 'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    ['{"spec":{"activeDeadlineSeconds":1.5}}', 'json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64'],
    ['{"spec":{"containers":[{"resources":{"limits":{"cpu":"lots"}}}]}}', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ['{"metadata":{"creationTimestamp":"yesterday"}}', 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
  ];
  for (const [body, why] of cases) {
    const r = decodeBody(body, POD, 'Strict');
    assert.ok(!r.ok, body);
    assert.equal(r.error.message, `Pod in version "v1" cannot be handled as a Pod: ${why}`, body);
  }
});

test('bodies that are not objects, of another version or too large', () => {
  const bad = decodeBody('{"a":', POD, 'Strict');
  assert.ok(!bad.ok);
  assert.equal(bad.error.message, 'the object provided is unrecognized (must be of type Pod): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"a":)');
  const version = decodeBody('{"apiVersion":"apps/v1","kind":"Pod"}', POD, 'Strict');
  assert.ok(!version.ok);
  assert.equal(version.error.message, 'the API version in the data (apps/v1) does not match the expected API version (v1)');
  const big = decodeBody(`{"data":"${'x'.repeat(MAX_REQUEST_BODY_BYTES)}"}`, CONFIG_MAP, 'Strict');
  assert.ok(!big.ok);
  assert.equal(big.error.code, 413);
  assert.equal(big.error.message, `Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`);
});

test('decoding canonicalizes quantities and times, drops nulls and fills required zero values', () => {
  const r = decodeBody(JSON.stringify({
    metadata: { name: 'p', labels: null, creationTimestamp: '2024-01-02T05:04:05.123+02:00' },
    spec: { containers: [{ name: 'a', resources: { limits: { cpu: 0.5, memory: '1024Mi' } }, ports: [{}] }], nodeSelector: { a: null } },
    status: { containerStatuses: [{ name: 'a' }] },
  }), POD, 'Strict');
  assert.ok(r.ok);
  assert.deepEqual(r.value.object, {
    metadata: { name: 'p', creationTimestamp: '2024-01-02T03:04:05Z' },
    spec: { containers: [{ name: 'a', resources: { limits: { cpu: '500m', memory: '1Gi' } }, ports: [{ containerPort: 0 }] }], nodeSelector: { a: '' } },
    status: { containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: '', imageID: '' }] },
    apiVersion: 'v1', kind: 'Pod',
  });
  assert.equal(decode(POD, { status: { startTime: '2024-01-01T00:00:00Z' } }).typeError, undefined);
});

test('the fieldValidation parameter', () => {
  assert.deepEqual(parseFieldValidation(undefined), { ok: true, value: 'Warn' });
  assert.deepEqual(parseFieldValidation('Strict'), { ok: true, value: 'Strict' });
  const bad = parseFieldValidation('Loose', 'PatchOptions');
  assert.ok(!bad.ok);
  assert.equal(bad.error.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Warn", "Strict"');
  const patch = patchStrictDecodingStatus('{"spec":{"foo":1}}', ['unknown field "spec.foo"']);
  assert.equal(patch.message, ' "" is invalid: patch: Invalid value: "{\\"spec\\":{\\"foo\\":1}}": strict decoding error: unknown field "spec.foo"');
});
