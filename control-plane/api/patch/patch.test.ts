// Patches: RFC 6902 and RFC 7386 examples, strategic merge patch semantics for built-in
// types, the Statuses of failures, and properties (diff/apply round trips; no throws).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from '../json.js';
import { MAX_JSON_PATCH_OPERATIONS } from '../limits.js';
import { DEPLOYMENT } from '../schema/apps-schemas.js';
import { POD } from '../schema/core-schemas.js';
import { arrayOf, field, mergeList, str, strMap, struct, STRING, atomicList, type ObjectSchema, type Schema } from '../schema/dsl.js';
import { arbitraryOf } from '../testing/arbitrary.js';
import { params, seed } from '../testing/fc.js';
import { applyPatch } from './index.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch, createMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic.js';

test.after(() => console.log(`patch properties ran with FC_SEED=${seed}`));

const j = (s: string): JsonValue => JSON.parse(s) as JsonValue;

test('JSON patch: RFC 6902 appendix A', () => {
  const ok: [string, string, string][] = [
    ['{"foo":"bar"}', '[{"op":"add","path":"/baz","value":"qux"}]', '{"baz":"qux","foo":"bar"}'],
    ['{"foo":["bar","baz"]}', '[{"op":"add","path":"/foo/1","value":"qux"}]', '{"foo":["bar","qux","baz"]}'],
    ['{"baz":"qux","foo":"bar"}', '[{"op":"remove","path":"/baz"}]', '{"foo":"bar"}'],
    ['{"foo":["bar","qux","baz"]}', '[{"op":"remove","path":"/foo/1"}]', '{"foo":["bar","baz"]}'],
    ['{"baz":"qux","foo":"bar"}', '[{"op":"replace","path":"/baz","value":"boo"}]', '{"baz":"boo","foo":"bar"}'],
    ['{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}', '[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]',
      '{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}'],
    ['{"foo":["all","grass","cows","eat"]}', '[{"op":"move","from":"/foo/1","path":"/foo/3"}]', '{"foo":["all","cows","eat","grass"]}'],
    ['{"baz":"qux","foo":["a",2,"c"]}', '[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]',
      '{"baz":"qux","foo":["a",2,"c"]}'],
    ['{"foo":"bar"}', '[{"op":"add","path":"/child","value":{"grandchild":{}}}]', '{"foo":"bar","child":{"grandchild":{}}}'],
    ['{"foo":"bar"}', '[{"op":"add","path":"/baz","value":"qux","xyz":123}]', '{"foo":"bar","baz":"qux"}'],
    ['{"/":9,"~1":10}', '[{"op":"test","path":"/~01","value":10}]', '{"/":9,"~1":10}'],
    ['{"foo":["bar"]}', '[{"op":"add","path":"/foo/-","value":["abc","def"]}]', '{"foo":["bar",["abc","def"]]}'],
    ['{"a":{"b":1}}', '[{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}]', '{"a":{"b":1},"c":{"b":2}}'],
    ['{"a":1}', '[{"op":"replace","path":"","value":[1]}]', '[1]'],
  ];
  for (const [doc, patch, want] of ok) {
    const r = applyJsonPatch(j(doc), j(patch));
    assert.ok(r.ok, `${patch}: ${r.ok ? '' : r.error.message}`);
    assert.ok(jsonEqual(r.value, j(want)), `${patch} gave ${JSON.stringify(r.value)}`);
  }
});

test('JSON patch failures: 422 with the generic message, 400 for undecodable patches, 413 for too many ops', () => {
  const fails: [string, string, string][] = [
    ['{"baz":"qux"}', '[{"op":"test","path":"/baz","value":"bar"}]', 'testing value /baz failed: test failed'],
    ['{"foo":"bar"}', '[{"op":"add","path":"/baz/bat","value":"qux"}]', 'add operation does not apply: doc is missing path: "/baz/bat": missing value'],
    ['{"/":9,"~1":10}', '[{"op":"test","path":"/~01","value":"10"}]', 'testing value /~01 failed: test failed'],
    ['{"a":1}', '[{"op":"remove","path":"/b"}]', 'Unable to remove nonexistent key: b: missing value'],
    ['{"a":[1]}', '[{"op":"add","path":"/a/5","value":1}]', 'Unable to access invalid index: 5: invalid index referenced'],
    ['{"a":1}', '[{"op":"frobnicate","path":"/a"}]', 'Unexpected kind: frobnicate'],
    ['{"a":{"b":1}}', '[{"op":"move","from":"/a","path":"/a/b/c"}]', 'move operation does not apply: cannot move /a into its own child /a/b/c'],
  ];
  for (const [doc, patch, message] of fails) {
    const r = applyJsonPatch(j(doc), j(patch));
    assert.ok(!r.ok, patch);
    assert.equal(r.error.message, message);
    assert.equal(r.error.status.code, 422);
    assert.equal(r.error.status.message, 'the server rejected our request due to an error in our request');
  }
  const notArray = applyJsonPatch({}, j('{"op":"add"}'));
  assert.ok(!notArray.ok);
  assert.equal(notArray.error.status.code, 400);
  assert.equal(notArray.error.status.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const many = applyJsonPatch({}, Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '', value: {} })));
  assert.ok(!many.ok);
  assert.equal(many.error.status.code, 413);
  assert.equal(many.error.status.message, `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${MAX_JSON_PATCH_OPERATIONS + 1}`);
});

test('JSON merge patch: RFC 7386 appendix A', () => {
  const cases: [string, string, string][] = [
    ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'], ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'], ['{"a":"b"}', '{"a":null}', '{}'],
    ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'], ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'], ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
    ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'], ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
    ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'], ['{}', '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
  ];
  for (const [doc, patch, want] of cases) {
    const r = applyMergePatch(j(doc), j(patch));
    assert.ok(r.ok);
    assert.ok(jsonEqual(r.value, j(want)), `${doc} + ${patch} gave ${JSON.stringify(r.value)}`);
  }
  const bad = applyMergePatch({}, j('[1]'));
  assert.ok(!bad.ok);
  assert.equal(bad.error.status.message, 'Invalid JSON Patch');
  assert.equal(bad.error.status.code, 400);
});

const basePod = (): JsonObject => j(`{"metadata":{"name":"p","labels":{"app":"web","tier":"fe"},"finalizers":["a","b"],
  "ownerReferences":[{"apiVersion":"v1","kind":"X","name":"x","uid":"1"}]},
  "spec":{"containers":[{"name":"app","image":"nginx:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
  "ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"name":"d","mountPath":"/d"}]},{"name":"side","image":"s:1"}],
  "tolerations":[{"key":"a","operator":"Exists"}],"volumes":[{"name":"d","emptyDir":{}}]},
  "status":{"conditions":[{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}]}}`) as JsonObject;

function smp(patch: string, original: JsonObject = basePod(), schema: ObjectSchema = POD): JsonObject {
  const r = applyStrategicMergePatch(original, j(patch), schema);
  assert.ok(r.ok, `${patch}: ${r.ok ? '' : r.error.message}`);
  return r.value;
}
const at = (o: JsonValue, ...path: (string | number)[]): JsonValue =>
  path.reduce<JsonValue>((acc, k) => (acc as Record<string, JsonValue>)[k as string] as JsonValue, o);

test('strategic merge: merge keys for containers, env, ports, volumeMounts, conditions, ownerReferences', () => {
  const img = smp('{"spec":{"containers":[{"name":"side","image":"s:2"}]}}');
  assert.deepEqual(at(img, 'spec', 'containers', 1), { name: 'side', image: 's:2' });
  assert.equal(at(img, 'spec', 'containers', 0, 'image'), 'nginx:1', 'the other container is untouched');
  const env = smp('{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}');
  assert.deepEqual(at(env, 'spec', 'containers', 0, 'env'), [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
  const ports = smp('{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"http"}]}]}}');
  assert.deepEqual(at(ports, 'spec', 'containers', 0, 'ports'), [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
  const mounts = smp('{"spec":{"containers":[{"name":"app","volumeMounts":[{"mountPath":"/d","readOnly":true}]}]}}');
  assert.deepEqual(at(mounts, 'spec', 'containers', 0, 'volumeMounts'), [{ name: 'd', mountPath: '/d', readOnly: true }]);
  const cond = smp('{"status":{"conditions":[{"type":"Ready","status":"True"}]}}');
  assert.deepEqual(at(cond, 'status', 'conditions'), [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
  const owners = smp('{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"Y","name":"y","uid":"2"}]}}');
  assert.equal((at(owners, 'metadata', 'ownerReferences') as JsonValue[]).length, 2);
});

test('strategic merge: new list items come before server-only items (Kubernetes order rule)', () => {
  const added = smp('{"spec":{"containers":[{"name":"new","image":"n:1"}]}}');
  assert.deepEqual((at(added, 'spec', 'containers') as JsonObject[]).map((c) => c['name']), ['new', 'app', 'side']);
  const ordered = smp('{"$setElementOrder/containers":[{"name":"app"},{"name":"side"},{"name":"new"}],"containers":[{"name":"new","image":"n"}]}',
    at(basePod(), 'spec') as JsonObject, POD.fields['spec']!.schema as ObjectSchema);
  assert.deepEqual((ordered['containers'] as JsonObject[]).map((c) => c['name']), ['app', 'side', 'new']);
  const reorder = smp('{"spec":{"$setElementOrder/containers":[{"name":"side"},{"name":"app"}]}}');
  assert.deepEqual((at(reorder, 'spec', 'containers') as JsonObject[]).map((c) => c['name']), ['side', 'app']);
});

test('strategic merge: lists without a strategy are replaced; maps merge; null deletes', () => {
  const t = smp('{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}');
  assert.deepEqual(at(t, 'spec', 'tolerations'), [{ key: 'b', operator: 'Exists' }]);
  const labels = smp('{"metadata":{"labels":{"tier":null,"env":"prod"}}}');
  assert.deepEqual(at(labels, 'metadata', 'labels'), { app: 'web', env: 'prod' });
  const args = smp('{"spec":{"containers":[{"name":"app","args":["x"]}]}}');
  assert.deepEqual(at(args, 'spec', 'containers', 0, 'args'), ['x']);
  const fin = smp('{"metadata":{"finalizers":["c","a"]}}');
  assert.deepEqual(at(fin, 'metadata', 'finalizers'), ['c', 'a', 'b'], 'primitive merge lists are sets; patch items first');
  const newNested = smp('{"spec":{"nodeSelector":{"disk":"ssd","x":null}}}');
  assert.deepEqual(at(newNested, 'spec', 'nodeSelector'), { disk: 'ssd' }, 'nulls in new values are discarded');
});

test('strategic merge directives: $patch delete/replace, $retainKeys, $deleteFromPrimitiveList', () => {
  const del = smp('{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}');
  assert.deepEqual((at(del, 'spec', 'containers') as JsonObject[]).map((c) => c['name']), ['app']);
  const rep = smp('{"spec":{"containers":[{"name":"only","image":"o"},{"$patch":"replace"}]}}');
  assert.deepEqual(at(rep, 'spec', 'containers'), [{ name: 'only', image: 'o' }]);
  const mapRep = smp('{"metadata":{"labels":{"$patch":"replace","x":"y"}}}');
  assert.deepEqual(at(mapRep, 'metadata', 'labels'), { x: 'y' });
  const mapDel = smp('{"metadata":{"labels":{"$patch":"delete"}}}');
  assert.deepEqual(at(mapDel, 'metadata', 'labels'), {});
  const prim = smp('{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}');
  assert.deepEqual(at(prim, 'metadata', 'finalizers'), ['b']);
  const dep = j('{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}}}') as JsonObject;
  const retained = smp('{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}', dep, DEPLOYMENT);
  assert.deepEqual(at(retained, 'spec', 'strategy'), { type: 'Recreate' });
  const whole = smp('{"$patch":"replace","metadata":{"name":"q"}}');
  assert.deepEqual(whole, { metadata: { name: 'q' } });
});

test('strategic merge failures carry the Status Kubernetes answers with', () => {
  const cases: [string, number, string][] = [
    ['{"spec":{"containers":[{"image":"x"}]}}', 500, 'map: map[image:x] does not contain declared merge key: name'],
    ['{"spec":{"containers":[{"name":"app","$patch":"merge"}]}}', 500, 'merging lists cannot yet be specified in the patch'],
    ['{"metadata":{"labels":{"$patch":"frob"}}}', 500, 'unknown patch type: frob in map: map[$patch:frob]'],
    ['{"spec":{"$retainKeys":"nope"}}', 400, 'invalid patch format of retainKeys'],
    ['{"spec":{"$retainKeys":["containers"],"nodeName":"n"}}', 400, 'invalid patch format of retainKeys'],
    ['{"metadata":{"$deleteFromPrimitiveList":["a"]}}', 400, 'invalid patch format of primitive list'],
    ['{"metadata":{"finalizers":[["x"]]}}', 500, 'list element types are not identical: [[a b] [[x]]]'],
    ['{"metadata":{"finalizers":[1]}}', 500, 'list element types are not identical: [[a b] [1]]'],
    ['{"spec":{"$setElementOrder/containers":[{"name":"b"}],"containers":[{"name":"a"}]}}', 500,
      'The order in patch list:\n[map[name:a]]\n doesn\'t match $setElementOrder list:\n[map[name:b]]\n'],
  ];
  for (const [patch, code, message] of cases) {
    const r = applyStrategicMergePatch(basePod(), j(patch), POD);
    assert.ok(!r.ok, patch);
    assert.equal(r.error.message, message, patch);
    assert.equal(r.error.status.code, code, patch);
  }
  const s422 = applyStrategicMergePatch(j('{"metadata":{"finalizers":[]}}'), j('{"metadata":{"finalizers":[["x"]]}}'), POD);
  assert.ok(!s422.ok);
  assert.equal(s422.error.message, 'lists of lists are not supported');
  assert.equal(s422.error.status.code, 422);
  assert.equal(s422.error.status.message, 'the server rejected our request due to an error in our request');
  const notMap = applyPatch('application/strategic-merge-patch+json', basePod(), '[1]', POD);
  assert.ok(!notMap.ok);
  assert.equal(notMap.error.status.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  const dup = applyPatch('application/merge-patch+json', basePod(), '{"metadata":{"name":"a","name":"b"}}', POD);
  assert.ok(dup.ok);
  assert.deepEqual(dup.value.duplicates, ['metadata.name']);
});

// ---- properties --------------------------------------------------------------------------

const plainJson: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean()),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('v'), { maxKeys: 3 })),
})).v;
const plainObject = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), plainJson, { maxKeys: 4 });

test('property: applying createMergePatch(A, B) to A gives B', () => {
  fc.assert(fc.property(plainObject, plainObject, (a, b) => {
    const r = applyMergePatch(a, createMergePatch(a, b));
    assert.ok(r.ok);
    assert.ok(jsonEqual(r.value, b), `${JSON.stringify(a)} -> ${JSON.stringify(b)} got ${JSON.stringify(r.value)}`);
  }), params(1000));
});

const ITEM = struct('test.Item', 'an item', { name: str('key', { required: true }), value: str('v'), tags: field(arrayOf(STRING), 'tags', { patchStrategy: 'merge' }) });
const SIMPLE = struct('test.Simple', 'a simple object', {
  name: str('name'), labels: strMap('labels'), items: mergeList(ITEM, 'name', 'items'), finalizers: field(arrayOf(STRING), 'set', { patchStrategy: 'merge' }),
  args: atomicList(STRING, 'replaced'), nested: field(struct('test.Nested', 'n', { x: str('x'), m: strMap('m') }), 'nested'),
});

const word = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const simpleArb: fc.Arbitrary<JsonObject> = fc.record({
  name: word, labels: fc.dictionary(word, word, { maxKeys: 3 }),
  items: fc.uniqueArray(fc.record({ name: word, value: word, tags: fc.uniqueArray(word, { maxLength: 3 }) }, { requiredKeys: ['name'] }),
    { selector: (i) => i.name, maxLength: 4 }),
  finalizers: fc.uniqueArray(word, { maxLength: 4 }), args: fc.array(word, { maxLength: 3 }),
  nested: fc.record({ x: word, m: fc.dictionary(word, word, { maxKeys: 2 }) }, { requiredKeys: [] }),
}, { requiredKeys: [] }) as fc.Arbitrary<JsonObject>;

/** A two-way strategic merge patch from a to b for SIMPLE-like schemas (what kubectl would send). */
function smpDiff(a: JsonObject, b: JsonObject, schema: Schema | undefined): JsonObject {
  const out: JsonObject = {};
  const fieldOf = (k: string) => (schema?.kind === 'object' ? schema.fields[k] : undefined);
  const childOf = (k: string): Schema | undefined => (schema?.kind === 'object' ? fieldOf(k)?.schema : schema?.kind === 'map' ? schema.values : undefined);
  for (const k of Object.keys(a)) if (!Object.prototype.hasOwnProperty.call(b, k)) out[k] = null;
  for (const [k, bv] of Object.entries(b)) {
    const av = Object.prototype.hasOwnProperty.call(a, k) ? a[k] : undefined;
    if (av === undefined) { out[k] = bv; continue; }
    if (jsonEqual(av, bv)) continue;
    const f = fieldOf(k);
    if (isJsonObject(av) && isJsonObject(bv)) {
      const sub = smpDiff(av, bv, childOf(k));
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (Array.isArray(av) && Array.isArray(bv) && f?.patchStrategy === 'merge' && f.patchMergeKey) {
      const key = f.patchMergeKey;
      const items = (f.schema as { items: Schema }).items;
      const keyOf = (x: JsonValue) => (x as JsonObject)[key];
      const find = (l: JsonValue[], v: JsonValue) => l.find((x) => keyOf(x) === keyOf(v)) as JsonObject | undefined;
      const changes: JsonValue[] = [];
      for (const item of bv) {
        const old = find(av, item);
        if (old === undefined) changes.push(item);
        else if (!jsonEqual(old, item)) {
          changes.push({ ...smpDiff(old, item as JsonObject, items), [key]: keyOf(item) as JsonValue });
        }
      }
      for (const item of av) if (find(bv, item) === undefined) changes.push({ [key]: (item as JsonObject)[key] as JsonValue, $patch: 'delete' });
      if (changes.length > 0) out[k] = changes;
      out[`$setElementOrder/${k}`] = bv.map((x) => ({ [key]: (x as JsonObject)[key] as JsonValue }));
    } else if (Array.isArray(av) && Array.isArray(bv) && f?.patchStrategy === 'merge') {
      const added = bv.filter((x) => !av.some((y) => jsonEqual(x, y)));
      const removed = av.filter((x) => !bv.some((y) => jsonEqual(x, y)));
      if (added.length > 0) out[k] = added;
      if (removed.length > 0) out[`$deleteFromPrimitiveList/${k}`] = removed;
      out[`$setElementOrder/${k}`] = bv;
    } else {
      out[k] = bv;
    }
  }
  return out;
}

test('property: applying a two-way strategic merge patch diff(A, B) to A gives B (order included)', () => {
  fc.assert(fc.property(simpleArb, simpleArb, (a, b) => {
    const patch = smpDiff(a, b, SIMPLE);
    const r = applyStrategicMergePatch(a, patch, SIMPLE);
    assert.ok(r.ok, `${JSON.stringify(patch)}: ${r.ok ? '' : r.error.message}`);
    assert.ok(jsonEqual(r.value, b), `A=${JSON.stringify(a)}\nB=${JSON.stringify(b)}\npatch=${JSON.stringify(patch)}\ngot=${JSON.stringify(r.value)}`);
  }), params(1000));
});

test('property: random patches of every type never throw: a result or a PatchError with a Status', () => {
  const podPatch = arbitraryOf(POD, { maxDepth: 5, maxItems: 2 }).map((v) => JSON.stringify(v));
  const patchBody = fc.oneof(fc.json({ maxDepth: 4 }), podPatch, fc.string({ maxLength: 30 }));
  const types = fc.constantFrom('application/json-patch+json' as const, 'application/merge-patch+json' as const,
    'application/strategic-merge-patch+json' as const);
  fc.assert(fc.property(arbitraryOf(POD, { maxDepth: 5, maxItems: 2 }), patchBody, types, (pod, body, type) => {
    const r = applyPatch(type, pod as JsonObject, body, POD);
    if (!r.ok) {
      assert.equal(r.error.code, 'FLOTILLA_ERR_PATCH');
      assert.ok([400, 413, 422, 500].includes(r.error.status.code));
    }
  }), params(1500));
});
