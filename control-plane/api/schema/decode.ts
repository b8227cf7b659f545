// Decoding a JSON value against a schema, as Kubernetes' typed JSON decoding does:
// type mismatches are errors with Go's encoding/json message; unknown fields are found
// (for fieldValidation) and dropped; nulls become zero values; quantities and times come
// out in their canonical serialized form. The result is what the apiserver would store.
import { MAX_CANONICAL_TIME_CACHE_ENTRIES, MAX_FIELD_VALIDATION_FINDINGS } from '../limits.js';
import { childPath, indexPath, isJsonObject, setOwn, type JsonObject, type JsonValue } from '../json.js';
import { quantityFromJson } from '../quantity.js';
import { goTypeName, shortName, type ObjectSchema, type Schema, type TimeSchema } from './dsl.js';

export interface DecodeResult {
  /** The decoded value: unknown fields dropped, nulls resolved, quantities/times canonical. */
  readonly value: JsonValue | undefined;
  /** Paths of unknown fields ("spec.containers[0].foo"), at most MAX_FIELD_VALIDATION_FINDINGS. */
  readonly unknownFields: readonly string[];
  /** The first type error, worded like Go's encoding/json; decoding fails when present. */
  readonly typeError?: string;
}

interface Ctx {
  unknown: string[];
  typeError?: string;
}

/**
 * Where we are, as a chain of steps: the paths (with indices; Go's dotted field path without)
 * are spelled out only for an error or an unknown field — building both strings for every field
 * decoded was a large part of decoding.
 */
interface Where {
  readonly parent: Where | undefined;
  /** A field name or map key; undefined for a list index. */
  readonly key: string | undefined;
  readonly index: number;
  /** A struct field (part of Go's field path), not a map key or list index. */
  readonly field: boolean;
  /** The enclosing struct's Go name ('' at the top). */
  readonly struct: string;
}

const TOP: Where = { parent: undefined, key: undefined, index: -1, field: false, struct: '' };

/** The field path with indices ("spec.containers[0].image"). */
function pathOf(w: Where): string {
  if (w.parent === undefined) return '';
  const parent = pathOf(w.parent);
  return w.key === undefined ? indexPath(parent, w.index) : childPath(parent, w.key);
}

/** Go's field path: struct fields only ("spec.containers.image"). */
function goPathOf(w: Where): string {
  if (w.parent === undefined) return '';
  const parent = goPathOf(w.parent);
  return w.field ? childPath(parent, w.key as string) : parent;
}

function jsonTypeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function typeMismatch(ctx: Ctx, where: Where, valueDesc: string, schema: Schema): undefined {
  if (ctx.typeError === undefined) {
    const target = where.struct === '' ? `Go value of type ${goTypeName(schema)}`
      : `Go struct field ${where.struct}.${goPathOf(where)} of type ${goTypeName(schema)}`;
    ctx.typeError = `json: cannot unmarshal ${valueDesc} into ${target}`;
  }
  return undefined;
}

const INT_RANGES = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1] } as const;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Input time → canonical form (null: invalid), one map per precision; see MAX_CANONICAL_TIME_CACHE_ENTRIES. */
const canonicalTimes = [new Map<string, string | null>(), new Map<string, string | null>()] as const;

/** Parses RFC 3339 like Go's time.Parse and re-serializes it in UTC the way metav1.Time (or MicroTime) does. */
export function canonicalTime(s: string, micro: boolean): string | undefined {
  const memo = canonicalTimes[micro ? 1 : 0];
  const known = memo.get(s);
  if (known !== undefined) return known ?? undefined;
  const t = parseCanonicalTime(s, micro);
  if (memo.size >= MAX_CANONICAL_TIME_CACHE_ENTRIES) memo.clear();
  memo.set(s, t ?? null);
  return t;
}

function parseCanonicalTime(s: string, micro: boolean): string | undefined {
  const m = RFC3339.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || se > 59) return undefined;
  const zone = m[8] as string;
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const ms = Date.UTC(y, mo - 1, d, h, mi, se) - offsetMin * 60_000;
  if (y < 1 || !Number.isFinite(ms)) return undefined;
  const base = new Date(ms).toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  const frac = (m[7] ?? '.').slice(1).padEnd(6, '0').slice(0, 6);
  return `${base}.${frac}Z`;
}

function timeError(s: string, schema: TimeSchema): string {
  const layout = schema.micro ? '2006-01-02T15:04:05.000000Z07:00' : '2006-01-02T15:04:05Z07:00';
  return `parsing time ${JSON.stringify(s)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(s)} as "2006"`;
}

/** The value Go leaves in a non-pointer slot when the JSON says null. */
function zeroValue(schema: Schema): JsonValue | undefined {
  switch (schema.kind) {
    case 'string': return '';
    case 'integer': case 'number': case 'int-or-string': return 0;
    case 'boolean': return false;
    case 'quantity': return '0';
    case 'object': return zeroStruct(schema);
    default: return null;
  }
}

function decodeScalar(schema: Schema, v: JsonValue, where: Where, ctx: Ctx): JsonValue | undefined {
  switch (schema.kind) {
    case 'string':
      if (typeof v !== 'string') return typeMismatch(ctx, where, jsonTypeName(v), schema);
      if (schema.format === 'byte' && !BASE64.test(v.replace(/[\r\n]/g, ''))) {
        ctx.typeError ??= `illegal base64 data at input byte ${Math.max(0, v.search(/[^A-Za-z0-9+/=\r\n]/))}`;
        return undefined;
      }
      return v;
    case 'integer': {
      if (typeof v !== 'number') return typeMismatch(ctx, where, jsonTypeName(v), schema);
      const [lo, hi] = INT_RANGES[schema.format];
      if (!Number.isInteger(v) || v < lo || v > hi) return typeMismatch(ctx, where, `number ${v}`, schema);
      return v;
    }
    case 'number':
      return typeof v === 'number' ? v : typeMismatch(ctx, where, jsonTypeName(v), schema);
    case 'boolean':
      return typeof v === 'boolean' ? v : typeMismatch(ctx, where, jsonTypeName(v), schema);
    case 'quantity': {
      const q = typeof v === 'string' || typeof v === 'number' ? quantityFromJson(v) : undefined;
      if (q === undefined || !q.ok) {
        ctx.typeError ??= q?.ok === false ? q.error.message
          : "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
        return undefined;
      }
      return q.value.toString();
    }
    case 'int-or-string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isInteger(v) && v >= INT_RANGES.int32[0] && v <= INT_RANGES.int32[1]) return v;
      ctx.typeError ??= `json: cannot unmarshal ${typeof v === 'number' ? `number ${v}` : jsonTypeName(v)} into Go value of type int32`;
      return undefined;
    case 'time': {
      if (typeof v !== 'string') return typeMismatch(ctx, where, jsonTypeName(v), { kind: 'string' });
      const t = canonicalTime(v, schema.micro);
      if (t === undefined) { ctx.typeError ??= timeError(v, schema); return undefined; }
      return t;
    }
    case 'any':
      return v;
    default:
      return undefined;
  }
}

function sortedByKey(entries: readonly [string, unknown][]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i - 1]![0] > entries[i]![0]) return false;
  return true;
}

function decodeValue(schema: Schema, v: JsonValue, where: Where, ctx: Ctx): JsonValue | undefined {
  if (v === null) return undefined;
  switch (schema.kind) {
    case 'array': {
      if (!Array.isArray(v)) return typeMismatch(ctx, where, jsonTypeName(v), schema);
      return v.map((item, i) => {
        const w: Where = { parent: where, key: undefined, index: i, field: false, struct: where.struct };
        const out = item === null ? zeroValue(schema.items) : decodeValue(schema.items, item, w, ctx);
        return out === undefined ? zeroValue(schema.items) ?? null : out;
      });
    }
    case 'map': {
      if (!isJsonObject(v)) return typeMismatch(ctx, where, jsonTypeName(v), schema);
      const out: JsonObject = {};
      // Go marshals map keys sorted (most maps, labels or resource requests, come sorted or small already).
      const entries = Object.entries(v);
      if (!sortedByKey(entries)) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, item] of entries) {
        const w: Where = { parent: where, key: k, index: -1, field: false, struct: where.struct };
        const d = item === null ? zeroValue(schema.values) : decodeValue(schema.values, item, w, ctx);
        const value = d === undefined ? zeroValue(schema.values) : d;
        if (value !== undefined) setOwn(out, k, value);
      }
      return out;
    }
    case 'object':
      if (!isJsonObject(v)) return typeMismatch(ctx, where, jsonTypeName(v), schema);
      return decodeStruct(schema, v, where, ctx);
    default:
      return decodeScalar(schema, v, where, ctx);
  }
}

/**
 * What Go serializes for a required (non-omitempty) field the JSON left out: the zero value
 * for scalars and structs; nil slices, maps and times serialize as null, so they stay absent.
 */
function requiredZero(schema: Schema): JsonValue | undefined {
  switch (schema.kind) {
    case 'string': case 'integer': case 'number': case 'boolean': case 'quantity': case 'int-or-string':
      return zeroValue(schema);
    case 'object': return zeroStruct(schema);
    default: return undefined;
  }
}

/** What decodeStruct needs of a schema besides its fields, computed once per schema (schemas never change). */
interface StructInfo {
  /** Go's type name, for errors. */
  readonly struct: string;
  /** Field names in declaration order (Go marshals struct fields in it). */
  readonly order: readonly string[];
  /** Each field's place in `order`. */
  readonly index: ReadonlyMap<string, number>;
  readonly required: readonly (readonly [string, Schema])[];
}

const structInfos = new WeakMap<ObjectSchema, StructInfo>();

function structInfo(schema: ObjectSchema): StructInfo {
  let info = structInfos.get(schema);
  if (info === undefined) {
    const entries = Object.entries(schema.fields);
    info = { struct: shortName(schema.name), order: entries.map(([k]) => k),
      index: new Map(entries.map(([k], i) => [k, i])),
      required: entries.filter(([, f]) => f.required).map(([k, f]) => [k, f.schema] as const) };
    structInfos.set(schema, info);
  }
  return info;
}

/** A struct with only its required fields, at their zero values. */
function zeroStruct(schema: ObjectSchema): JsonObject {
  const out: JsonObject = {};
  fillRequired(schema, out);
  return out;
}

/** Adds the zero value of every required field out lacks; returns how many it added. */
function fillRequired(schema: ObjectSchema, out: JsonObject): number {
  let added = 0;
  for (const [k, fieldSchema] of structInfo(schema).required) {
    if (Object.prototype.hasOwnProperty.call(out, k)) continue;
    const z = requiredZero(fieldSchema);
    if (z !== undefined) {
      setOwn(out, k, z);
      added++;
    }
  }
  return added;
}

function decodeStruct(schema: ObjectSchema, v: JsonObject, where: Where, ctx: Ctx): JsonObject {
  const out: JsonObject = {};
  const info = structInfo(schema);
  const struct = info.struct;
  // Go marshals struct fields in declaration order: reorder unless they came in it already.
  let inOrder = true;
  let lastIndex = -1;
  for (const [k, item] of Object.entries(v)) {
    const f = Object.prototype.hasOwnProperty.call(schema.fields, k) ? schema.fields[k] : undefined;
    const w: Where = { parent: where, key: k, index: -1, field: true, struct };
    if (f === undefined) {
      if (ctx.unknown.length < MAX_FIELD_VALIDATION_FINDINGS) ctx.unknown.push(pathOf(w));
      continue;
    }
    const d = decodeValue(f.schema, item, w, ctx);
    if (d === undefined) continue;
    setOwn(out, k, d);
    const i = info.index.get(k) as number;
    if (i < lastIndex) inOrder = false;
    lastIndex = i;
  }
  if (fillRequired(schema, out) === 0 && inOrder) return out;
  const ordered: JsonObject = {};
  for (const k of info.order) {
    if (Object.prototype.hasOwnProperty.call(out, k)) setOwn(ordered, k, out[k] as JsonValue);
  }
  return ordered;
}

/** Decodes a whole document against a kind's schema. */
export function decode(schema: Schema, value: JsonValue): DecodeResult {
  const ctx: Ctx = { unknown: [] };
  const out = value === null ? zeroValue(schema) : decodeValue(schema, value, TOP, ctx);
  return { value: out, unknownFields: ctx.unknown, typeError: ctx.typeError };
}
