// Properties of apply over schema-generated objects (FC_SEED replays a failure):
// re-applying the same configuration changes neither the object nor managedFields, and the
// applied configuration is always contained in the result (merging it again changes nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from '../json.js';
import { DEPLOYMENT } from '../schema/apps-schemas.js';
import { POD } from '../schema/core-schemas.js';
import type { ObjectSchema } from '../schema/dsl.js';
import { arbitraryOf } from '../testing/arbitrary.js';
import { params, seed } from '../testing/fc.js';
import { apply, recordUpdate } from './apply.js';
import { LEAF, childShape, itemElement, itemShape, shapeOf, type Shape } from './shape.js';
import { merge } from './walk.js';

test.after(() => console.log(`ssa properties ran with FC_SEED=${seed}`));

/** Makes a generated value a valid apply configuration: keyed list items get unique keys. */
function sanitize(v: JsonValue, s: Shape): JsonValue {
  if ((s.kind === 'struct' || s.kind === 'map') && isJsonObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = sanitize(x, childShape(s, k) ?? LEAF);
    return out;
  }
  if ((s.kind === 'assoc' || s.kind === 'set') && Array.isArray(v)) {
    const seen = new Set<string>();
    const out: JsonValue[] = [];
    v.forEach((item, i) => {
      let x = item;
      if (s.kind === 'assoc') {
        if (!isJsonObject(x)) return;
        x = { ...x };
        for (const k of s.keys) if (x[k] === undefined || x[k] === null) x[k] = `k${i}`;
        x = sanitize(x, itemShape(s));
      }
      const pe = itemElement(s, x, i);
      if (!seen.has(pe)) {
        seen.add(pe);
        out.push(x);
      }
    });
    return out;
  }
  return v;
}

function config(schema: ObjectSchema): fc.Arbitrary<JsonObject> {
  return arbitraryOf(schema, { maxDepth: 6, maxItems: 2 }).map((v) => {
    const obj = sanitize(v, shapeOf(schema)) as JsonObject;
    delete obj['status'];
    return obj;
  });
}

for (const schema of [DEPLOYMENT, POD]) {
  const apiVersion = schema.gvk?.group ? `${schema.gvk.group}/${schema.gvk.version}` : 'v1';
  test(`${schema.gvk?.kind}: apply is idempotent and its config is contained in the result`, () => {
    fc.assert(fc.property(config(schema), config(schema), fc.boolean(), (live, cfg, force) => {
      const current = recordUpdate({ schema, old: undefined, updated: { ...live, apiVersion }, manager: 'other',
        nowIso: '2024-01-01T00:00:00Z', apiVersion });
      const applied = { ...cfg, apiVersion };
      const first = apply({ schema, current, applied, manager: 'me', force, nowIso: '2024-01-02T00:00:00Z', apiVersion });
      if (!first.ok) {
        assert.ok(!force && first.conflicts.length > 0);
        return;
      }
      const again = apply({ schema, current: first.object, applied, manager: 'me', force: false,
        nowIso: '2024-01-03T00:00:00Z', apiVersion });
      assert.ok(again.ok, 'a re-apply never conflicts');
      assert.deepEqual(again.object, first.object);
      const withoutMf = { ...first.object, metadata: { ...(first.object['metadata'] as JsonObject) } };
      delete (withoutMf['metadata'] as JsonObject)['managedFields'];
      assert.ok(jsonEqual(merge(withoutMf, applied, shapeOf(schema)), withoutMf), 'applied values are in the result');
    }), params(150));
  });
}
