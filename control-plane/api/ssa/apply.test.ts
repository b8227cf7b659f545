// Server-side apply read as kubectl sessions: create, re-apply, drop a field, share a field,
// conflict (Kubernetes' 409 wording), force, list merges, and ownership of plain updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, JsonValue } from '../json.js';
import { DEPLOYMENT } from '../schema/apps-schemas.js';
import { CONFIG_MAP, POD } from '../schema/core-schemas.js';
import { apply, conflictStatus, conflictStatusMessage, recordUpdate, type ApplyOptions } from './apply.js';
import { SsaRequestError, SsaStoredStateError } from './errors.js';
import { MAX_UPDATE_MANAGERS } from './limits.js';
import { parseApplyBody } from './parse.js';

const T1 = '2024-05-01T10:00:00.123Z';
const T2 = '2024-05-01T11:00:00Z';

function deploy(extra: { replicas?: number; image?: string; labels?: Record<string, string> } = {}): JsonObject {
  const spec: JsonObject = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: extra.image ?? 'nginx:1' }] } },
  };
  if (extra.replicas !== undefined) spec['replicas'] = extra.replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(extra.labels ? { labels: extra.labels } : {}) }, spec };
}

function ssa(current: JsonObject | undefined, applied: JsonObject, manager = 'kubectl', more: Partial<ApplyOptions> = {}) {
  return apply({ schema: DEPLOYMENT, current, applied, manager, force: false, nowIso: T1, apiVersion: 'apps/v1', ...more });
}

function mustApply(...args: Parameters<typeof ssa>): JsonObject {
  const r = ssa(...args);
  if (!r.ok) assert.fail(conflictStatusMessage(r.conflicts));
  return r.object;
}

function managed(obj: JsonObject): JsonObject[] {
  return ((obj['metadata'] as JsonObject)['managedFields'] ?? []) as JsonObject[];
}

function spec(obj: JsonObject): JsonObject {
  return obj['spec'] as JsonObject;
}

function update(old: JsonObject | undefined, updated: JsonObject, manager: string, nowIso = T2, subresource?: string) {
  return recordUpdate({ schema: DEPLOYMENT, old, updated, manager, nowIso, apiVersion: 'apps/v1',
    ...(subresource ? { subresource } : {}) });
}

test('apply creates: the object is the config, managedFields has one Apply entry', () => {
  const obj = mustApply(undefined, deploy({ replicas: 2 }));
  assert.equal(spec(obj)['replicas'], 2);
  assert.deepEqual(managed(obj), [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } },
  }]);
});

test('applying the same config twice is a no-op (object and managedFields, time kept)', () => {
  const once = mustApply(undefined, deploy({ replicas: 2 }));
  const twice = mustApply(once, deploy({ replicas: 2 }), 'kubectl', { nowIso: T2 });
  assert.deepEqual(twice, once);
});

test('a field dropped from the applied config is removed; fields others own or nobody owns stay', () => {
  let obj = mustApply(undefined, deploy({ replicas: 2, labels: { app: 'web', tier: 'fe' } }));
  // A controller (Update) adds a field; defaulting adds an unowned one.
  (spec(obj) as JsonObject)['revisionHistoryLimit'] = 10;
  obj = update(obj, { ...obj, spec: { ...spec(obj), paused: true, revisionHistoryLimit: 10 } }, 'ctrl');
  obj = mustApply(obj, deploy({ labels: { app: 'web' } }));
  assert.equal(spec(obj)['replicas'], undefined);
  assert.deepEqual((obj['metadata'] as JsonObject)['labels'], { app: 'web' });
  assert.equal(spec(obj)['paused'], true);
  assert.equal(spec(obj)['revisionHistoryLimit'], 10);
});

test('a container dropped from the config is removed; one another applier owns stays', () => {
  const two = (names: string[]): JsonObject => {
    const d = deploy();
    ((spec(d)['template'] as JsonObject)['spec'] as JsonObject)['containers'] = names.map((name) => ({ name, image: 'i' }));
    return d;
  };
  let obj = mustApply(undefined, two(['a', 'b', 'c']));
  obj = mustApply(obj, two(['c']), 'other');
  obj = mustApply(obj, two(['a']));
  const names = (((spec(obj)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[])
    .map((c) => c['name']);
  assert.deepEqual(names, ['a', 'c']);
});

test('two appliers setting the same value share the field without conflict', () => {
  const a = mustApply(undefined, deploy({ replicas: 3 }), 'alice');
  const b = mustApply(a, deploy({ replicas: 3 }), 'bob');
  const entries = managed(b);
  assert.deepEqual(entries.map((e) => e['manager']), ['alice', 'bob']);
  for (const e of entries) assert.ok('f:replicas' in ((e['fieldsV1'] as JsonObject)['f:spec'] as JsonObject));
  // Alice stops applying replicas: bob still owns it, so it stays.
  const c = mustApply(b, deploy({}), 'alice');
  assert.equal(spec(c)['replicas'], 3);
});

test('conflict: a different value for a field an Update manager owns, with Kubernetes wording', () => {
  const created = update(undefined, { ...deploy({ replicas: 1 }) }, 'kubectl-client-side-apply', T1);
  const r = ssa(created, deploy({ replicas: 5 }));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(conflictStatusMessage(r.conflicts, 'Deployment', 'web'),
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  const status = conflictStatus(r.conflicts);
  assert.equal(status.code, 409);
  assert.equal(status.reason, 'Conflict');
  assert.deepEqual(status.details?.causes, [{ reason: 'FieldManagerConflict',
    message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
});

test('conflicts with several fields and managers: grouped, managers sorted', () => {
  let obj = mustApply(undefined, deploy({ replicas: 1, image: 'a' }), 'zed');
  obj = update(obj, { ...obj, spec: { ...spec(obj), paused: true } }, 'hpa');
  obj = update(obj, { ...obj, spec: { ...spec(obj), paused: false } }, 'hpa');
  const r = ssa(obj, { ...deploy({ replicas: 2, image: 'b' }), spec: { ...spec(deploy({ replicas: 2, image: 'b' })),
    paused: true } });
  assert.ok(!r.ok);
  if (r.ok) return;
  assert.equal(conflictStatusMessage(r.conflicts), 'Apply failed with 3 conflicts: conflicts with "hpa" using apps/v1:\n' +
    '- .spec.paused\nconflicts with "zed":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image');
});

test('force takes ownership away from the other manager', () => {
  const created = update(undefined, deploy({ replicas: 1 }), 'kubectl-client-side-apply', T1);
  const r = ssa(created, deploy({ replicas: 5 }), 'kubectl', { force: true, nowIso: T2 });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(spec(r.object)['replicas'], 5);
  const csa = managed(r.object).find((e) => e['manager'] === 'kubectl-client-side-apply') as JsonObject;
  assert.ok(!('f:replicas' in ((csa['fieldsV1'] as JsonObject)['f:spec'] as JsonObject)));
  assert.equal(managed(r.object)[0]?.['manager'], 'kubectl');
  assert.equal(managed(r.object)[0]?.['time'], T2);
});

test('associative lists merge by key: containers by name, ports by containerPort+protocol', () => {
  const podOf = (containers: JsonValue[]): JsonObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers } });
  const base = podOf([
    { name: 'app', image: 'app:1', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] },
    { name: 'side', image: 'side:1' },
  ]);
  const live = recordUpdate({ schema: POD, old: undefined, updated: base, manager: 'creator', nowIso: T1, apiVersion: 'v1' });
  const r = apply({ schema: POD, current: live, manager: 'kubectl', force: false, nowIso: T2, apiVersion: 'v1',
    applied: podOf([{ name: 'app', ports: [{ containerPort: 53, protocol: 'TCP', name: 'dns-tcp' },
      { containerPort: 80, name: 'http' }] }]) });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual((r.object['spec'] as JsonObject)['containers'], [
    // 53/TCP is new and comes before 80/TCP in the config, so it lands first; 53/UDP (live
    // only) keeps its place after 80/TCP: structured-merge-diff's list merge order.
    { name: 'app', image: 'app:1', ports: [
      { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' }, { containerPort: 80, protocol: 'TCP', name: 'http' },
      { containerPort: 53, protocol: 'UDP' }] },
    { name: 'side', image: 'side:1' },
  ]);
});

test('recordUpdate: create owns everything set; an update moves changed fields to the new manager', () => {
  const created = update(undefined, deploy({ replicas: 1, labels: { app: 'web' } }), 'kubectl-create', T1);
  assert.deepEqual(managed(created), [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1',
    time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } } }]);
  const scaled = update(created, { ...created, spec: { ...spec(created), replicas: 4 } }, 'kube-controller-manager', T2,
    'scale');
  const entries = managed(scaled);
  assert.deepEqual(entries.map((e) => [e['manager'], e['subresource'] ?? '']),
    [['kubectl-create', ''], ['kube-controller-manager', 'scale']]);
  assert.deepEqual(entries[1]?.['fieldsV1'], { 'f:spec': { 'f:replicas': {} } });
  assert.ok(!('f:replicas' in ((entries[0]?.['fieldsV1'] as JsonObject)['f:spec'] as JsonObject)));
  // A write that changes nothing keeps managedFields as they were (time included).
  assert.deepEqual(managed(update(scaled, scaled, 'someone', '2030-01-01T00:00:00Z')), entries);
});

test('recordUpdate: managers whose fields are all taken are dropped; status is not owned by main writes', () => {
  const cm = (data: JsonObject, old: JsonObject | undefined, manager: string): JsonObject => recordUpdate({
    schema: CONFIG_MAP, old, manager, nowIso: T2, apiVersion: 'v1',
    updated: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...(old?.['metadata'] as JsonObject ?? { name: 'c' }) },
      data } });
  const created = cm({ k: '1' }, undefined, 'creator');
  const a = cm({ k: '1', x: '1' }, created, 'a');
  assert.deepEqual(managed(a).map((e) => [e['manager'], e['fieldsV1']]),
    [['a', { 'f:data': { 'f:x': {} } }], ['creator', { 'f:data': { '.': {}, 'f:k': {} } }]]);
  const b = cm({ k: '1', x: '2' }, a, 'b');
  assert.deepEqual(managed(b).map((e) => e['manager']), ['b', 'creator']);
  const d = update(undefined, { ...deploy(), status: { replicas: 3 } }, 'x', T1);
  assert.ok(!('f:status' in (managed(d)[0]?.['fieldsV1'] as JsonObject)));
  const s = update(d, { ...d, status: { replicas: 4 } }, 'kcm', T2, 'status');
  assert.deepEqual(managed(s).find((e) => e['manager'] === 'kcm')?.['fieldsV1'], { 'f:status': { 'f:replicas': {} } });
});

test('recordUpdate: Update entries beyond the cap merge into ancient-changes; [{}] clears managedFields', () => {
  let obj = update(undefined, deploy({ replicas: 0 }), 'm0', '2024-01-01T00:00:00Z');
  for (let i = 1; i <= MAX_UPDATE_MANAGERS + 2; i++) {
    const next = { ...obj, metadata: { ...(obj['metadata'] as JsonObject), annotations: {
      ...((obj['metadata'] as JsonObject)['annotations'] as JsonObject ?? {}), [`a${i}`]: 'x' } } };
    obj = update(obj, next, `m${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`);
  }
  const names = managed(obj).map((e) => e['manager']);
  assert.equal(names.length, MAX_UPDATE_MANAGERS);
  assert.ok(names.includes('ancient-changes'));
  const cleared = update(obj, { ...obj, metadata: { ...(obj['metadata'] as JsonObject), managedFields: [{}] } }, 'x');
  assert.equal((cleared['metadata'] as JsonObject)['managedFields'], undefined);
});

test('bad apply bodies are 400s with Kubernetes wording', () => {
  const wrongVersion = { ...deploy(), apiVersion: 'apps/v1beta1' };
  assert.throws(() => ssa(undefined, wrongVersion), (e: unknown) => e instanceof SsaRequestError &&
    e.message === 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1');
  const withMf = { ...deploy(), metadata: { name: 'web', managedFields: [] } };
  assert.throws(() => ssa(undefined, withMf), { message: 'metadata.managedFields must be nil' });
  const noName = deploy();
  ((spec(noName)['template'] as JsonObject)['spec'] as JsonObject)['containers'] = [{ image: 'x' }];
  assert.throws(() => ssa(undefined, noName), { message: '.spec.template.spec.containers: element 0: associative list ' +
    'with keys has an element that omits key field "name" (and doesn\'t have default value)' });
  const dup = deploy();
  ((spec(dup)['template'] as JsonObject)['spec'] as JsonObject)['containers'] = [{ name: 'a' }, { name: 'a' }];
  assert.throws(() => ssa(undefined, dup), { message: '.spec.template.spec.containers: duplicate entries for key [name="a"]' });
  const broken = { ...deploy(), metadata: { name: 'web', managedFields: [{ manager: 'x', operation: 'Patch' }] } };
  assert.throws(() => ssa(broken, deploy()), SsaStoredStateError);
});

test('parseApplyBody: YAML 1.1 and JSON, one mapping, errors worded like the apiserver', () => {
  // YAML 1.1 as sigs.k8s.io/yaml reads it: the key `on` is the boolean true, written "true".
  assert.deepEqual(parseApplyBody('apiVersion: v1\nkind: ConfigMap\ndata:\n  on: yes\n  mode: 0755\n  t: 2024-01-01\n'),
    { apiVersion: 'v1', kind: 'ConfigMap', data: { true: true, mode: 493, t: '2024-01-01' } });
  assert.deepEqual(parseApplyBody('{"apiVersion":"v1","kind":"ConfigMap"}'), { apiVersion: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(parseApplyBody(''), {});
  assert.throws(() => parseApplyBody('- a\n- b\n'), {
    message: 'error decoding YAML: json: cannot unmarshal array into Go value of type map[string]interface {}' });
  assert.throws(() => parseApplyBody('a: 1\na: 2\n'), /^SsaRequestError: error decoding YAML: .*unique/);
  assert.throws(() => parseApplyBody('a: [1\n'), /error decoding YAML/);
  assert.throws(() => parseApplyBody('a: 1\n---\nb: 2\n'), /error decoding YAML/);
});
