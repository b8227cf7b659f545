// One generated.proto message → the JSON object Go's encoding/json would write for the same Go
// struct: JSON names, omitempty and pointers as the descriptor says, map keys sorted, embedded
// structs inlined, bytes as base64, Time/MicroTime/IntOrString/Quantity/FieldsV1 in their own form.
// Unknown fields are skipped (as gogo-protobuf's generated Unmarshal does) and noted.

import { parseJson, type JsonObject, type JsonValue } from '../../api/json.js';
import { Quantity } from '../../api/quantity.js';
import { ProtobufDecodeError } from './errors.js';
import { PROTOBUF_LIMITS } from './limits.js';
import { isScalar, isSpecial, type FieldDesc, type MessageDesc } from './proto/dsl.js';
import { MESSAGES } from './proto/registry.js';
import { toInt32, toInt64, WIRE_BYTES, WIRE_VARINT, WireReader, type Varint } from './wire.js';

export interface DecodeContext {
  readonly buf: Uint8Array;
  /** Where unknown fields were skipped, e.g. `spec.template.spec: field 99 (wire type 2)`. */
  readonly unknownFields: string[];
  unknownFieldCount: number;
}

type Range = readonly [number, number];
type Item = { readonly wire: number; readonly v: Varint; readonly range?: undefined }
  | { readonly wire: number; readonly range: Range; readonly v?: undefined };

const VARINT_TYPES = new Set(['int32', 'int64', 'bool']);

function fieldPath(path: string, json: string): string { return path === '' ? json : `${path}.${json}`; }

function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function noteUnknown(ctx: DecodeContext, path: string, desc: MessageDesc, id: number, wire: number): void {
  ctx.unknownFieldCount++;
  if (ctx.unknownFields.length < PROTOBUF_LIMITS.maxUnknownFieldNotes) {
    ctx.unknownFields.push(`${path === '' ? '<object>' : path}: field ${id} (wire type ${wire}) of ${desc.name}`);
  }
}

/** First pass: the wire items of each known field, in order; unknown fields skipped. */
function collect(ctx: DecodeContext, ranges: readonly Range[], desc: MessageDesc, path: string,
  depth: number): Map<number, Item[]> {
  const items = new Map<number, Item[]>();
  for (const [start, end] of ranges) {
    const r = new WireReader(ctx.buf, start, end);
    while (!r.done) {
      const [id, wire] = r.tag();
      const field = desc.byId.get(id);
      if (field === undefined) {
        noteUnknown(ctx, path, desc, id, wire);
        r.skip(wire, PROTOBUF_LIMITS.maxNestingDepth - depth);
        continue;
      }
      let list = items.get(id);
      if (list === undefined) { list = []; items.set(id, list); }
      const varintField = field.shape !== 'map' && VARINT_TYPES.has(field.type);
      if (varintField && wire === WIRE_VARINT) {
        list.push({ wire, v: r.varint() });
      } else if (varintField && wire === WIRE_BYTES && field.shape === 'list') {
        const [ps, pe] = r.bytesRange();
        const packed = new WireReader(ctx.buf, ps, pe);
        while (!packed.done) list.push({ wire: WIRE_VARINT, v: packed.varint() });
      } else if (!varintField && wire === WIRE_BYTES) {
        list.push({ wire, range: r.bytesRange() });
      } else {
        throw new ProtobufDecodeError(`${fieldPath(path, field.json)}: wrong wire type ${wire} for field ${id} ` +
          `of ${desc.name}`);
      }
    }
  }
  return items;
}

export function decodeMessage(ctx: DecodeContext, ranges: readonly Range[], desc: MessageDesc, path: string,
  depth: number): JsonObject {
  if (depth > PROTOBUF_LIMITS.maxNestingDepth) {
    throw new ProtobufDecodeError(`${path}: messages nested deeper than ${PROTOBUF_LIMITS.maxNestingDepth}`);
  }
  const items = collect(ctx, ranges, desc, path, depth);
  const out: JsonObject = {};
  for (const field of desc.fields) {
    const got = items.get(field.id) ?? [];
    const p = fieldPath(path, field.json);
    if (field.inline) {
      const inner = decodeMessage(ctx, got.map(rangeOf), messageDesc(field.type), path, depth + 1);
      for (const [k, v] of Object.entries(inner)) setKey(out, k, v);
      continue;
    }
    const value = field.shape === 'list' ? listValue(ctx, field, got, p, depth)
      : field.shape === 'map' ? mapValue(ctx, field, got, p, depth)
        : oneValue(ctx, field, got, p, depth);
    if (value !== undefined) setKey(out, field.json, value);
  }
  return out;
}

function messageDesc(name: string): MessageDesc {
  const d = MESSAGES.get(name);
  if (d === undefined) throw new Error(`no descriptor for message ${name}`);
  return d;
}

function rangeOf(item: Item): Range {
  if (item.range === undefined) throw new Error('a length-delimited item without a range');
  return item.range;
}

function listValue(ctx: DecodeContext, field: FieldDesc, got: readonly Item[], path: string,
  depth: number): JsonValue | undefined {
  if (got.length === 0) return field.presence === 'always' ? null : undefined;
  return got.map((item, i) => elementValue(ctx, field.type, [item], `${path}[${i}]`, depth));
}

function oneValue(ctx: DecodeContext, field: FieldDesc, got: readonly Item[], path: string,
  depth: number): JsonValue | undefined {
  if (got.length === 0) {
    if (field.presence === 'pointer') return undefined;
    if (field.presence === 'nullable') return null;
    if (isScalar(field.type)) return field.presence === 'always' ? scalarZero(field.type) : undefined;
    return elementValue(ctx, field.type, [], path, depth);
  }
  // A repeated occurrence: scalars and special types keep the last, messages merge (proto2 rules).
  const use = isScalar(field.type) || isSpecial(field.type) ? [got[got.length - 1] as Item] : got;
  const value = elementValue(ctx, field.type, use, path, depth);
  if (field.presence === 'omitempty' && isScalar(field.type) && isZeroScalar(value)) return undefined;
  return value;
}

function mapValue(ctx: DecodeContext, field: FieldDesc, got: readonly Item[], path: string,
  depth: number): JsonValue | undefined {
  const entries = new Map<string, JsonValue>();
  for (const item of got) {
    const [key, valueItems] = mapEntry(ctx, rangeOf(item), path);
    entries.set(key, elementValue(ctx, field.type, valueItems, `${path}[${JSON.stringify(key)}]`, depth));
  }
  if (entries.size === 0) return field.presence === 'always' ? null : undefined;
  const out: JsonObject = {};
  const keys = [...entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const k of keys) setKey(out, k, entries.get(k) as JsonValue);
  return out;
}

/** A map entry message {1: key, 2: value}; a missing key or value is the zero value. */
function mapEntry(ctx: DecodeContext, range: Range, path: string): [string, Item[]] {
  const r = new WireReader(ctx.buf, range[0], range[1]);
  let key = '';
  let value: Item[] = [];
  while (!r.done) {
    const [id, wire] = r.tag();
    if (id === 1 && wire === WIRE_BYTES) {
      const [s, e] = r.bytesRange();
      key = utf8(ctx.buf, s, e);
    } else if (id === 2 && wire === WIRE_BYTES) {
      value = [{ wire, range: r.bytesRange() }];
    } else if (id === 1 || id === 2) {
      throw new ProtobufDecodeError(`${path}: wrong wire type ${wire} in a map entry`);
    } else {
      r.skip(wire, PROTOBUF_LIMITS.maxNestingDepth);
    }
  }
  return [key, value];
}

/** One value of `type` from its wire items (none: the zero value). */
function elementValue(ctx: DecodeContext, type: string, items: readonly Item[], path: string,
  depth: number): JsonValue {
  if (isScalar(type)) {
    const item = items[items.length - 1];
    return item === undefined ? scalarZero(type) : scalarValue(ctx, type, item, path);
  }
  if (isSpecial(type)) return specialValue(ctx, type, items[items.length - 1]?.range, path);
  return decodeMessage(ctx, items.map(rangeOf), messageDesc(type), path, depth + 1);
}

function scalarValue(ctx: DecodeContext, type: string, item: Item, path: string): JsonValue {
  if (item.range !== undefined) {
    const [s, e] = item.range;
    return type === 'bytes' ? Buffer.from(ctx.buf.subarray(s, e)).toString('base64') : utf8(ctx.buf, s, e);
  }
  if (type === 'bool') return item.v !== 0 && item.v !== 0n;
  if (type === 'int32') return toInt32(item.v);
  return toInt64(item.v, path);
}

function scalarZero(type: string): JsonValue {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  if (type === 'bytes') return null;
  return 0;
}

function isZeroScalar(v: JsonValue): boolean { return v === '' || v === 0 || v === false || v === null; }

function utf8(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

/** The fields of a small fixed message (Time, IntOrString, Quantity, FieldsV1): last value of each. */
function smallFields(ctx: DecodeContext, range: Range): Map<number, Item> {
  const r = new WireReader(ctx.buf, range[0], range[1]);
  const out = new Map<number, Item>();
  while (!r.done) {
    const [id, wire] = r.tag();
    if (wire === WIRE_VARINT) out.set(id, { wire, v: r.varint() });
    else if (wire === WIRE_BYTES) out.set(id, { wire, range: r.bytesRange() });
    else r.skip(wire, PROTOBUF_LIMITS.maxNestingDepth);
  }
  return out;
}

function varintOf(item: Item | undefined, path: string, what: string): Varint {
  if (item === undefined) return 0;
  if (item.v === undefined) throw new ProtobufDecodeError(`${path}: wrong wire type for ${what}`);
  return item.v;
}

function bytesOf(item: Item | undefined, path: string, what: string): Range | undefined {
  if (item === undefined) return undefined;
  if (item.range === undefined) throw new ProtobufDecodeError(`${path}: wrong wire type for ${what}`);
  return item.range;
}

function specialValue(ctx: DecodeContext, type: string, range: Range | undefined, path: string): JsonValue {
  const fields = range === undefined ? new Map<number, Item>() : smallFields(ctx, range);
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      if (range === undefined || range[0] === range[1]) return null;
      const seconds = toInt64(varintOf(fields.get(1), path, 'seconds'), path);
      const nanos = toInt32(varintOf(fields.get(2), path, 'nanos'));
      return formatTime(seconds, type === 'MicroTime' ? nanos : 0, type === 'MicroTime', path);
    }
    case 'IntOrString': {
      const kind = toInt64(varintOf(fields.get(1), path, 'type'), path);
      if (kind === 0) return toInt32(varintOf(fields.get(2), path, 'intVal'));
      const s = bytesOf(fields.get(3), path, 'strVal');
      if (kind === 1) return s === undefined ? '' : utf8(ctx.buf, s[0], s[1]);
      throw new ProtobufDecodeError(`${path}: IntOrString type ${kind} is neither 0 (int) nor 1 (string)`);
    }
    case 'Quantity': {
      const s = bytesOf(fields.get(1), path, 'string');
      const text = s === undefined ? '' : utf8(ctx.buf, s[0], s[1]);
      if (range === undefined) return '0';
      const q = Quantity.parse(text);
      if (!q.ok) throw new ProtobufDecodeError(`${path}: quantity ${JSON.stringify(text)}: ${q.error.message}`);
      return q.value.toString();
    }
    default: {
      const raw = bytesOf(fields.get(1), path, 'Raw');
      if (raw === undefined) return null;
      const parsed = parseJson(utf8(ctx.buf, raw[0], raw[1]));
      if (!parsed.ok) throw new ProtobufDecodeError(`${path}: FieldsV1 is not JSON: ${parsed.error.message}`);
      return parsed.value.value;
    }
  }
}

const ZERO_TIME_SECONDS = -62135596800; // 0001-01-01T00:00:00Z, Go's zero time.Time
const MAX_TIME_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

/** RFC 3339 in UTC: seconds for Time, microseconds for MicroTime; Go's zero time is null. */
function formatTime(seconds: number, nanos: number, micro: boolean, path: string): JsonValue {
  const sec = seconds + Math.floor(nanos / 1e9);
  const ns = ((nanos % 1e9) + 1e9) % 1e9;
  if (sec === ZERO_TIME_SECONDS && ns === 0) return null;
  if (sec < ZERO_TIME_SECONDS || sec > MAX_TIME_SECONDS) {
    throw new ProtobufDecodeError(`${path}: time ${sec}s is outside years 0001-9999`);
  }
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(ns / 1000)).padStart(6, '0')}Z`;
}
