// fast-check generators derived from the schema DSL: values of the right JSON shape for any
// kind, with strings drawn from a mix of valid and invalid Kubernetes-looking values, so
// property tests reach deep into validation, defaulting and printing.
import fc from 'fast-check';
import type { JsonValue } from '../json.js';
import type { ObjectSchema, Schema } from '../schema/dsl.js';

const NAMEISH = ['', 'a', 'app', 'my-name', 'web-1', 'Foo', 'a.b', 'example.com/x', 'a/b/c', '-bad', 'x_y', 'kube-system',
  'default', 'nginx:1.25', 'nginx', 'latest', '10.0.0.1', 'None', 'TCP', 'UDP', 'http', 'Always', 'Never', 'In', 'Exists',
  'NoSchedule', 'ClusterIP', 'Pending', 'Running', '/data', 'data/x', '..', '25%', 'a'.repeat(64)];
const QUANTITIES = ['0', '1', '100m', '1Gi', '1.5', '-1', '2k', '1e3', '500Mi', '0.1', '3'];
const TIMES = ['2024-01-02T03:04:05Z', '2023-06-01T00:00:00Z', '2024-02-29T12:00:00+02:00'];

export const stringish = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAMEISH) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

export interface ArbOptions { readonly maxDepth: number; readonly maxItems: number }

function arb(s: Schema, depth: number, o: ArbOptions): fc.Arbitrary<JsonValue> {
  switch (s.kind) {
    case 'string':
      if (s.enum) {
        return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...s.enum) }, { weight: 1, arbitrary: stringish });
      }
      if (s.format === 'byte') return fc.constantFrom('', 'YQ==', 'aGVsbG8=');
      return stringish;
    case 'integer': return fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom(0, 1, 80, 8080, 65536, 2147483647));
    case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean': return fc.boolean();
    case 'quantity': return fc.constantFrom(...QUANTITIES);
    case 'int-or-string': return fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.constantFrom('25%', 'http', '150%', 'x', ''));
    case 'time': return fc.constantFrom(...TIMES);
    case 'any': return fc.constant({});
    case 'array':
      if (depth >= o.maxDepth) return fc.constant([]);
      return fc.array(arb(s.items, depth + 1, o), { maxLength: o.maxItems });
    case 'map':
      if (depth >= o.maxDepth) return fc.constant({});
      return fc.dictionary(stringish, arb(s.values, depth + 1, o), { maxKeys: o.maxItems }) as fc.Arbitrary<JsonValue>;
    case 'object':
      return objectArb(s, depth, o);
  }
}

function objectArb(s: ObjectSchema, depth: number, o: ArbOptions): fc.Arbitrary<JsonValue> {
  if (depth >= o.maxDepth) return fc.constant({});
  const model: Record<string, fc.Arbitrary<JsonValue>> = {};
  for (const [name, f] of Object.entries(s.fields)) {
    if (name === 'apiVersion' || name === 'kind' || name === 'managedFields') continue;
    model[name] = arb(f.schema, depth + 1, o);
  }
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>;
}

/** Values of a kind's schema (apiVersion/kind filled in from the schema's GVK). */
export function arbitraryOf(s: ObjectSchema, opts: ArbOptions = { maxDepth: 7, maxItems: 2 }): fc.Arbitrary<JsonValue> {
  return objectArb(s, 0, opts).map((v) => {
    if (s.gvk && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      return { apiVersion: s.gvk.group === '' ? s.gvk.version : `${s.gvk.group}/${s.gvk.version}`, kind: s.gvk.kind, ...v };
    }
    return v;
  });
}
