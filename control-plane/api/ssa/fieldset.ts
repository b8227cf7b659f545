// Field sets: the sets of field paths a manager owns, as structured-merge-diff's fieldpath.Set.
// A path element is kept in its fieldsV1 spelling, which is also its identity:
//   f:<name>   a struct field or a map key          ("f:spec", "f:app")
//   k:<json>   an associative-list item by its keys ("k:{\"containerPort\":80,\"protocol\":\"TCP\"}")
//   v:<json>   a set-of-scalars item by its value   ("v:\"foregroundDeletion\"")
//   i:<n>      a list item by index (only read from stored fieldsV1; we never produce it)
// A node of the tree holds its member elements (paths that end here) and its children (paths
// that go on); an element can be both, which fieldsV1 writes as {".": {}, ...children}.
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { FieldsV1Error, SsaLimitError } from './errors.js';
import { MAX_FIELD_PATH_DEPTH, MAX_FIELD_SET_PATHS } from './limits.js';

export type PathElement = string;
export type FieldPath = readonly PathElement[];

export class FieldSet {
  readonly #members = new Set<PathElement>();
  readonly #children = new Map<PathElement, FieldSet>();

  /** Adds a path (a no-op for the empty path: the root is never a member). */
  insert(path: FieldPath): this {
    if (path.length > MAX_FIELD_PATH_DEPTH) {
      throw new SsaLimitError(`field path deeper than ${MAX_FIELD_PATH_DEPTH} elements`);
    }
    const last = path[path.length - 1];
    if (last === undefined) return this;
    let node: FieldSet | undefined;
    for (let i = 0; i < path.length - 1; i++) node = (node ?? this).ensureChild(path[i] as PathElement);
    (node ?? this).#members.add(last);
    return this;
  }

  has(path: FieldPath): boolean {
    const last = path[path.length - 1];
    if (last === undefined) return false;
    const node = path.slice(0, -1).reduce<FieldSet | undefined>((n, pe) => n?.child(pe), this);
    return node !== undefined && node.hasMember(last);
  }

  /** Whether this element is a member at this level. */
  hasMember(pe: PathElement): boolean {
    return this.#members.has(pe);
  }

  /** The subset below one element (structured-merge-diff's WithPrefix), or undefined. */
  child(pe: PathElement): FieldSet | undefined {
    return this.#children.get(pe);
  }

  memberElements(): PathElement[] {
    return [...this.#members].sort(comparePathElements);
  }

  childElements(): PathElement[] {
    return [...this.#children.keys()].sort(comparePathElements);
  }

  /** Member and child elements together, each once, in PathElement order. */
  elements(): PathElement[] {
    const out = [...this.#members];
    for (const pe of this.#children.keys()) if (!this.#members.has(pe)) out.push(pe);
    return out.sort(comparePathElements);
  }

  isEmpty(): boolean {
    if (this.#members.size > 0) return false;
    for (const c of this.#children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Number of member paths. */
  size(): number {
    let n = this.#members.size;
    for (const c of this.#children.values()) n += c.size();
    return n;
  }

  /** Every member path, in Kubernetes' order (a node's member before its children). */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: FieldSet, prefix: PathElement[]): void => {
      const elements = new Set([...node.#members, ...node.#children.keys()]);
      for (const pe of [...elements].sort(comparePathElements)) {
        if (node.#members.has(pe)) out.push([...prefix, pe]);
        const c = node.#children.get(pe);
        if (c) walk(c, [...prefix, pe]);
      }
    };
    walk(this, []);
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.addAll(other);
    return out;
  }

  /** Paths in this set and not in other (exact paths: a member of other does not remove its children). */
  difference(other: FieldSet): FieldSet {
    return FieldSet.#combine(this, other, (a, b) => a && !b, (a, b) => (b ? a.difference(b) : a.clone()));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.#combine(this, other, (a, b) => a && b, (a, b) => (b ? a.intersection(b) : undefined));
  }

  /**
   * The members of `a` that keepMember keeps, and the non-empty results of `child` for a's
   * children. In the sets' own order, not sorted: a set's order is never seen (everything that
   * prints or encodes a set sorts), and the sorting was a third of recording ownership.
   * `child` returns a new set (or undefined), which becomes the child as it is.
   */
  static #combine(a: FieldSet, b: FieldSet, keepMember: (inA: boolean, inB: boolean) => boolean,
    child: (ca: FieldSet, cb: FieldSet | undefined) => FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    for (const m of a.#members) if (keepMember(true, b.#members.has(m))) out.#members.add(m);
    for (const [pe, ca] of a.#children) {
      const c = child(ca, b.#children.get(pe));
      if (c && !c.isEmpty()) out.#children.set(pe, c);
    }
    return out;
  }

  /** This set without any path that starts with one of the prefixes (an ignore filter). */
  withoutPrefixes(prefixes: readonly FieldPath[]): FieldSet {
    return this.clone().removePrefixes(prefixes);
  }

  /** For building: withoutPrefixes in place (for a set nobody else holds yet). */
  removePrefixes(prefixes: readonly FieldPath[]): this {
    for (const prefix of prefixes) {
      const last = prefix[prefix.length - 1];
      const node = prefix.slice(0, -1).reduce<FieldSet | undefined>((n, pe) => n?.child(pe), this);
      if (node && last !== undefined) {
        node.#members.delete(last);
        node.#children.delete(last);
      }
    }
    return this;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.addAll(this);
    return out;
  }

  /** For building: the child node for pe, created if missing. */
  ensureChild(pe: PathElement): FieldSet {
    let c = this.#children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.#children.set(pe, c);
    }
    return c;
  }

  /** For building: marks pe a member at this level. */
  addMember(pe: PathElement): void {
    this.#members.add(pe);
  }

  /** For building: adds every path of other to this set. */
  addAll(other: FieldSet): void {
    for (const m of other.#members) this.#members.add(m);
    for (const [pe, c] of other.#children) this.ensureChild(pe).addAll(c);
  }
}

// ---- path elements ------------------------------------------------------------------------

export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** k:{...} with the key fields sorted by name, as structured-merge-diff serializes a key. */
export function keyElement(fields: Readonly<Record<string, JsonValue>>): PathElement {
  const sorted: JsonObject = {};
  for (const name of Object.keys(fields).sort()) sorted[name] = fields[name] as JsonValue;
  return `k:${JSON.stringify(sorted)}`;
}

export function valueElement(v: JsonValue): PathElement {
  return `v:${JSON.stringify(v)}`;
}

interface ParsedElement {
  readonly rank: number; // 0 field, 1 key, 2 value, 3 index (structured-merge-diff's PathElement order)
  readonly name?: string;
  readonly key?: readonly [string, JsonValue][];
  readonly value?: JsonValue;
  readonly index?: number;
}

const parsedCache = new Map<string, ParsedElement>();
const PARSED_CACHE_MAX = 10_000;

export function parsePathElement(pe: PathElement): ParsedElement {
  const hit = parsedCache.get(pe);
  if (hit) return hit;
  const parsed = parseUncached(pe);
  if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.clear();
  parsedCache.set(pe, parsed);
  return parsed;
}

function parseUncached(pe: PathElement): ParsedElement {
  const body = pe.slice(2);
  switch (pe.slice(0, 2)) {
    case 'f:': return { rank: 0, name: body };
    case 'k:': {
      const obj = parseJsonPart(pe, body);
      if (!isJsonObject(obj)) throw new FieldsV1Error(`key element ${JSON.stringify(pe)} is not a JSON object`);
      return { rank: 1, key: Object.keys(obj).sort().map((k) => [k, obj[k] as JsonValue] as [string, JsonValue]) };
    }
    case 'v:': return { rank: 2, value: parseJsonPart(pe, body) };
    case 'i:': {
      const index = Number(body);
      if (!/^\d+$/.test(body) || !Number.isSafeInteger(index)) {
        throw new FieldsV1Error(`index element ${JSON.stringify(pe)} is not a non-negative integer`);
      }
      return { rank: 3, index };
    }
    default:
      throw new FieldsV1Error(`unknown path element ${JSON.stringify(pe)} (want f:, k:, v: or i:)`);
  }
}

function parseJsonPart(pe: string, text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new FieldsV1Error(`element ${JSON.stringify(pe)} does not hold valid JSON`);
  }
}

/** The canonical spelling of a path element read from stored fieldsV1 (keys sorted, compact JSON). */
export function canonicalElement(pe: string): PathElement {
  const p = parsePathElement(pe);
  if (p.key) return keyElement(Object.fromEntries(p.key));
  if (p.rank === 2) return valueElement(p.value as JsonValue);
  if (p.rank === 3) return `i:${p.index as number}`;
  return pe;
}

/** structured-merge-diff's PathElement.Compare: fields, then keys, then values, then indices. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0;
  const pa = parsePathElement(a);
  const pb = parsePathElement(b);
  if (pa.rank !== pb.rank) return pa.rank - pb.rank;
  switch (pa.rank) {
    case 0: return compareStrings(pa.name as string, pb.name as string);
    case 1: return compareKeys(pa.key ?? [], pb.key ?? []);
    case 2: return compareValues(pa.value ?? null, pb.value ?? null);
    default: return (pa.index as number) - (pb.index as number);
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: readonly [string, JsonValue][], b: readonly [string, JsonValue][]): number {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) return x ? 1 : y ? -1 : 0;
    const c = compareStrings(x[0], y[0]) || compareValues(x[1], y[1]);
    if (c !== 0) return c;
  }
}

// structured-merge-diff's value.Compare orders by type: numbers, strings, booleans, lists, maps, null.
function typeRank(v: JsonValue): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null) return 4;
  return 5;
}

function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') {
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  }
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

// ---- rendering and fieldsV1 -----------------------------------------------------------------

/** Go's %q for the strings Kubernetes prints in paths (JSON quoting is the same for printable text). */
function goValueString(v: JsonValue): string {
  return JSON.stringify(v);
}

/** fieldpath.Path.String(): ".spec.containers[name=\"c\"].image", "[=\"x\"]", "[0]". */
export function pathString(path: FieldPath): string {
  return path.map((pe) => {
    const p = parsePathElement(pe);
    switch (p.rank) {
      case 0: return `.${p.name as string}`;
      case 1: return `[${(p.key ?? []).map(([k, v]) => `${k}=${goValueString(v)}`).join(',')}]`;
      case 2: return `[=${goValueString(p.value ?? null)}]`;
      default: return `[${p.index as number}]`;
    }
  }).join('');
}

/** Encodes a set as Kubernetes' fieldsV1 JSON ("." first, then elements in PathElement order). */
export function toFieldsV1(set: FieldSet): JsonObject {
  const out: JsonObject = {};
  for (const pe of set.elements()) {
    const child = set.child(pe);
    // A child with no member path encodes as {}: it is written only when pe itself is a member.
    const inner = child ? toFieldsV1(child) : undefined;
    if (inner !== undefined && !isEmptyObject(inner)) {
      out[pe] = set.hasMember(pe) ? { '.': {}, ...inner } : inner;
    } else if (set.hasMember(pe)) {
      out[pe] = {};
    }
  }
  return out;
}

function isEmptyObject(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}

/** Decodes fieldsV1 JSON; throws FieldsV1Error or SsaLimitError. */
export function fromFieldsV1(json: JsonValue): FieldSet {
  if (!isJsonObject(json)) throw new FieldsV1Error('fieldsV1 must be a JSON object');
  const set = new FieldSet();
  let count = 0;
  const walk = (obj: JsonObject, node: FieldSet, depth: number): void => {
    if (depth > MAX_FIELD_PATH_DEPTH) throw new SsaLimitError(`fieldsV1 deeper than ${MAX_FIELD_PATH_DEPTH} elements`);
    for (const [rawKey, v] of Object.entries(obj)) {
      if (rawKey === '.') continue;
      if (!isJsonObject(v)) throw new FieldsV1Error(`value of ${JSON.stringify(rawKey)} must be an object`);
      const pe = canonicalElement(rawKey);
      const keys = Object.keys(v);
      const isMember = keys.length === 0 || keys.includes('.');
      if (isMember) {
        node.addMember(pe);
        if (++count > MAX_FIELD_SET_PATHS) throw new SsaLimitError(`field set larger than ${MAX_FIELD_SET_PATHS} paths`);
      }
      if (keys.some((k) => k !== '.')) walk(v, node.ensureChild(pe), depth + 1);
    }
  };
  walk(json, set, 1);
  return set;
}
