// How structured-merge-diff sees each schema node ("element relationship"), derived from our
// schema DSL plus the markers Kubernetes' Go types carry and the DSL does not:
// +structType=atomic, +mapType=atomic and OpenAPI defaults of list-map key fields.
import type { JsonValue } from '../json.js';
import { getOwn, isJsonObject } from '../json.js';
import type { ObjectSchema, Schema } from '../schema/dsl.js';
import { SsaRequestError } from './errors.js';
import { fieldElement, keyElement, valueElement, type PathElement } from './fieldset.js';

export type Shape =
  /** Scalars, atomic lists/structs/maps, RawExtension, fields not in the schema: owned as one leaf. */
  | { readonly kind: 'leaf' }
  /** A struct: named fields ("f:name"). */
  | { readonly kind: 'struct'; readonly schema: ObjectSchema }
  /** A granular map: entries "f:key", each a member. */
  | { readonly kind: 'map'; readonly values: Schema }
  /** An associative list (x-kubernetes-list-type: map): items "k:{...}" by their key fields. */
  | { readonly kind: 'assoc'; readonly item: ObjectSchema; readonly keys: readonly string[] }
  /** A set of scalars (x-kubernetes-list-type: set): items "v:<value>". */
  | { readonly kind: 'set' };

export const LEAF: Shape = { kind: 'leaf' };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';

/** Structs marked +structType=atomic in Kubernetes' Go types: replaced whole, owned as one leaf. */
const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  `${META}.LabelSelector`,
  `${CORE}.ObjectFieldSelector`, `${CORE}.ResourceFieldSelector`, `${CORE}.ConfigMapKeySelector`,
  `${CORE}.SecretKeySelector`, `${CORE}.LocalObjectReference`, `${CORE}.ObjectReference`,
  `${CORE}.NodeSelector`, `${CORE}.NodeSelectorTerm`,
]);

/** Maps marked +mapType=atomic (struct definition + field name). */
const ATOMIC_MAPS: ReadonlySet<string> = new Set([
  `${CORE}.PodSpec.nodeSelector`, `${CORE}.ServiceSpec.selector`, `${CORE}.ReplicationControllerSpec.selector`,
]);

/**
 * OpenAPI defaults of list-map key fields: structured-merge-diff uses them when an item omits
 * the key field (ContainerPort.protocol and ServicePort.protocol carry `default: "TCP"`).
 */
const KEY_DEFAULTS: ReadonlyMap<string, JsonValue> = new Map([
  [`${CORE}.ContainerPort.protocol`, 'TCP'],
  [`${CORE}.ServicePort.protocol`, 'TCP'],
]);

function isScalar(s: Schema): boolean {
  return s.kind !== 'array' && s.kind !== 'map' && s.kind !== 'object' && s.kind !== 'any';
}

/** The shape of a schema node; context is "<struct definition>.<field>" for a struct field. */
export function shapeOf(schema: Schema | undefined, context = ''): Shape {
  if (!schema) return LEAF;
  switch (schema.kind) {
    case 'object':
      return ATOMIC_STRUCTS.has(schema.name) ? LEAF : { kind: 'struct', schema };
    case 'map':
      return ATOMIC_MAPS.has(context) ? LEAF : { kind: 'map', values: schema.values };
    case 'array': {
      const keys = schema.listMapKeys ?? [];
      if (schema.listType === 'map' && schema.items.kind === 'object' && keys.length > 0) {
        return { kind: 'assoc', item: schema.items, keys };
      }
      if (schema.listType === 'set' && isScalar(schema.items)) return { kind: 'set' };
      return LEAF; // Kubernetes' lists without x-kubernetes-list-type are atomic.
    }
    default:
      return LEAF;
  }
}

/**
 * Shapes derived once per schema node: every write walks its object field by field, and a new
 * shape (plus its "<struct>.<field>" context string) per visited field was a good part of the
 * garbage of recording ownership. Schemas are built once and never change.
 */
const fieldShapes = new WeakMap<ObjectSchema, Map<string, Shape>>();
const plainShapes = new WeakMap<Schema, Shape>();

function plainShapeOf(schema: Schema): Shape {
  let s = plainShapes.get(schema);
  if (s === undefined) {
    s = shapeOf(schema);
    plainShapes.set(schema, s);
  }
  return s;
}

/** Shape of a child of a struct or map node; undefined when the struct does not declare the field. */
export function childShape(shape: Shape, key: string): Shape | undefined {
  if (shape.kind === 'struct') {
    const f = shape.schema.fields[key];
    if (!f) return undefined; // not declared: not remembered either (such keys come from the client)
    let byKey = fieldShapes.get(shape.schema);
    if (byKey === undefined) fieldShapes.set(shape.schema, byKey = new Map());
    let cs = byKey.get(key);
    if (cs === undefined) {
      cs = shapeOf(f.schema, `${shape.schema.name}.${key}`);
      byKey.set(key, cs);
    }
    return cs;
  }
  if (shape.kind === 'map') return plainShapeOf(shape.values);
  return LEAF;
}

/** Shape of an item of a list node. */
export function itemShape(shape: Shape): Shape {
  return shape.kind === 'assoc' ? plainShapeOf(shape.item) : LEAF;
}

/** Whether a JSON value fits a shape well enough to descend into it (else it is treated as a leaf). */
export function descends(shape: Shape, v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (shape.kind === 'struct' || shape.kind === 'map') return isJsonObject(v);
  if (shape.kind === 'assoc' || shape.kind === 'set') return Array.isArray(v);
  return false;
}

export function fieldPe(key: string): PathElement {
  return fieldElement(key);
}

/**
 * The path element of a list item: k:{...} from the key fields (or their defaults), v:<json>
 * for sets. Throws SsaRequestError worded like structured-merge-diff's validation when an
 * associative item lacks a key field that has no default.
 */
export function itemElement(shape: Shape, item: JsonValue, index: number): PathElement {
  if (shape.kind === 'set') return valueElement(item);
  if (shape.kind !== 'assoc') throw new SsaRequestError(`element ${index}: not a keyed list`);
  if (!isJsonObject(item)) {
    throw new SsaRequestError(`element ${index}: associative list with keys may not have non-map elements`);
  }
  const key: Record<string, JsonValue> = {};
  for (const k of shape.keys) {
    const v = getOwn(item, k) ?? KEY_DEFAULTS.get(`${shape.item.name}.${k}`);
    if (v === undefined || v === null) {
      throw new SsaRequestError(`element ${index}: associative list with keys has an element that omits key ` +
        `field ${JSON.stringify(k)} (and doesn't have default value)`);
    }
    key[k] = v;
  }
  return keyElement(key);
}
