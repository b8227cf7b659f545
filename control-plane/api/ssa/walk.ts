// The typed walks of structured-merge-diff over plain JSON objects, each steered by a Shape:
// toFieldSet (typed.ToFieldSet), compare (typed.Compare: added/modified/removed paths),
// merge (typed.Merge: the applied configuration over the live object), removeItems
// (typed.RemoveItems) and ensureNamedFieldsAreMembers (fieldpath.Set.EnsureNamedFieldsAreMembers).
import { getOwn, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from '../json.js';
import { SsaLimitError, SsaRequestError } from './errors.js';
import { FieldSet, pathString, type FieldPath, type PathElement } from './fieldset.js';
import { MAX_FIELD_PATH_DEPTH, MAX_FIELD_SET_PATHS } from './limits.js';
import { LEAF, childShape, descends, fieldPe, itemElement, itemShape, type Shape } from './shape.js';

function checkDepth(path: FieldPath): void {
  if (path.length > MAX_FIELD_PATH_DEPTH) {
    throw new SsaLimitError(`object nested deeper than ${MAX_FIELD_PATH_DEPTH} fields at ${pathString(path.slice(0, 8))}...`);
  }
}

interface IndexedItem { readonly pe: PathElement; readonly value: JsonValue }

/**
 * The items of a list with their path elements, first occurrence of a key kept. strict: a
 * duplicate key is an error (Kubernetes refuses duplicates in an applied configuration; live
 * objects may hold them).
 */
function indexItems(shape: Shape, list: readonly JsonValue[], path: FieldPath, strict: boolean): IndexedItem[] {
  const seen = new Set<PathElement>();
  const out: IndexedItem[] = [];
  list.forEach((value, i) => {
    let pe: PathElement;
    try {
      pe = itemElement(shape, value, i);
    } catch (e) {
      if (e instanceof SsaRequestError) throw new SsaRequestError(`${pathString(path)}: ${e.message}`);
      throw e;
    }
    if (seen.has(pe)) {
      if (strict) {
        const what = shape.kind === 'set' ? 'value' : 'key';
        throw new SsaRequestError(`${pathString(path)}: duplicate entries for ${what} ${pathString([pe])}`);
      }
      return;
    }
    seen.add(pe);
    out.push({ pe, value });
  });
  return out;
}

// ---- ToFieldSet ---------------------------------------------------------------------------

/**
 * The fields set in value: leaves; list items (also members when they have children); map
 * entries; struct fields that are null or an empty object. strict refuses duplicate list keys.
 */
export function toFieldSet(value: JsonValue, shape: Shape, strict = false): FieldSet {
  const set = new FieldSet();
  let count = 0;
  const add = (path: FieldPath): void => {
    if (path.length === 0) return;
    if (++count > MAX_FIELD_SET_PATHS) throw new SsaLimitError(`field set larger than ${MAX_FIELD_SET_PATHS} paths`);
    set.insert(path);
  };
  const walk = (v: JsonValue, s: Shape, path: PathElement[]): void => {
    checkDepth(path);
    if (!descends(s, v)) {
      // Atomic values and empty lists of any kind: an atomic list is a leaf even when empty;
      // an empty granular list owns nothing (structured-merge-diff visits no items).
      if (s.kind === 'leaf' || !(Array.isArray(v) && v.length === 0)) add(path);
      return;
    }
    if (s.kind === 'struct' || s.kind === 'map') {
      const obj = v as JsonObject;
      for (const key of Object.keys(obj)) {
        const child = getOwn(obj, key) as JsonValue;
        const cs = childShape(s, key);
        const childPath = [...path, fieldPe(key)];
        walk(child, cs ?? LEAF, childPath);
        const emptyObject = isJsonObject(child) && Object.keys(child).length === 0;
        if (child === null || emptyObject || s.kind === 'map' || cs === undefined) add(childPath);
      }
      return;
    }
    for (const item of indexItems(s, v as JsonValue[], path, strict)) {
      const itemPath = [...path, item.pe];
      walk(item.value, itemShape(s), itemPath);
      add(itemPath);
    }
  };
  walk(value, shape, []);
  return set;
}

// ---- Compare ------------------------------------------------------------------------------

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

function isEmptyish(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.keys(v).length === 0;
}

/**
 * Whether Kubernetes' typed conversion of an empty Go object already holds this field: value
 * structs always exist, and fields without `omitempty` (the schema's required fields) are
 * written as null. Such fields never appear or disappear as a whole, so are never added or
 * removed themselves (only their leaves are).
 */
function alwaysPresent(parent: Shape, key: string, cs: Shape | undefined): boolean {
  if (parent.kind !== 'struct' || !cs) return false;
  return cs.kind === 'struct' || parent.schema.fields[key]?.required === true;
}

/**
 * typed.Compare: leaves are added, removed or modified; a map entry or list item that appears
 * or disappears is itself added or removed too, except fields that are always present.
 */
export function compare(lhs: JsonValue | undefined, rhs: JsonValue | undefined, shape: Shape): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  // One path array, pushed and popped as the walk goes (FieldSet.insert copies what it keeps): a
  // copy per visited field was most of the cost of recording ownership on every write.
  const path: PathElement[] = [];
  const child = (l: JsonValue | undefined, r: JsonValue | undefined, s: Shape, pe: PathElement,
    isStructField: boolean): void => {
    path.push(pe);
    walk(l, r, s, isStructField);
    path.pop();
  };
  const walk = (l: JsonValue | undefined, r: JsonValue | undefined, s: Shape, isStructField: boolean): void => {
    checkDepth(path);
    const lDesc = descends(s, l);
    const rDesc = descends(s, r);
    const sameKind = (l === undefined || r === undefined || lDesc === rDesc);
    const leaf = s.kind === 'leaf' || !sameKind || (!lDesc && !rDesc) || (isEmptyish(l) && isEmptyish(r));
    if (leaf) {
      if (path.length === 0) return;
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!jsonEqual(l, r)) c.modified.insert(path);
      return;
    }
    if (s.kind === 'struct' || s.kind === 'map') {
      const lo = (lDesc ? l : {}) as JsonObject;
      const ro = (rDesc ? r : {}) as JsonObject;
      // The keys of both sides, the left's first (the order the old Set of both gave).
      const visit = (key: string): void => {
        const cs = childShape(s, key);
        child(getOwn(lo, key), getOwn(ro, key), cs ?? LEAF, fieldPe(key), alwaysPresent(s, key, cs));
      };
      for (const key of Object.keys(lo)) visit(key);
      for (const key of Object.keys(ro)) if (!hasOwn(lo, key)) visit(key);
    } else {
      const li = lDesc ? indexItems(s, l as JsonValue[], path, false) : [];
      const ri = rDesc ? indexItems(s, r as JsonValue[], path, false) : [];
      const lm = new Map(li.map((x) => [x.pe, x.value]));
      const rm = new Map(ri.map((x) => [x.pe, x.value]));
      for (const pe of new Set([...lm.keys(), ...rm.keys()])) child(lm.get(pe), rm.get(pe), itemShape(s), pe, false);
    }
    if (path.length > 0 && !isStructField) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    }
  };
  walk(lhs, rhs, shape, false);
  return c;
}

// ---- Merge --------------------------------------------------------------------------------

/**
 * typed.Merge(live, config): config wins on leaves; structs and maps merge by field;
 * associative lists and sets merge by item key, ordered as structured-merge-diff orders them
 * (live-only items keep their place, config items follow the config's order). A null in the
 * config removes the field from the result (Kubernetes' typed conversion drops it too).
 */
export function merge(live: JsonValue | undefined, config: JsonValue | undefined, shape: Shape,
  path: PathElement[] = []): JsonValue | undefined {
  checkDepth(path);
  if (config === undefined) return live;
  if (config === null) return undefined;
  if (!descends(shape, config)) return config;
  if (shape.kind === 'struct' || shape.kind === 'map') {
    // The live object's field order, new fields after it.
    const out: JsonObject = {};
    const lo = isJsonObject(live) ? live : {};
    const co = config as JsonObject;
    for (const key of new Set([...Object.keys(lo), ...Object.keys(co)])) {
      const cs = childShape(shape, key) ?? LEAF;
      const merged = merge(getOwn(lo, key), getOwn(co, key), cs, [...path, fieldPe(key)]);
      if (merged !== undefined) setOwn(out, key, merged);
    }
    return out;
  }
  return mergeList(Array.isArray(live) && descends(shape, live) ? live : [], config as JsonValue[], shape, path);
}

function mergeList(live: readonly JsonValue[], config: readonly JsonValue[], shape: Shape,
  path: PathElement[]): JsonValue[] {
  const L = indexItems(shape, live, path, false);
  const R = indexItems(shape, config, path, true);
  const lMap = new Map(L.map((x) => [x.pe, x.value]));
  const rMap = new Map(R.map((x) => [x.pe, x.value]));
  const shared = R.filter((x) => lMap.has(x.pe)).map((x) => x.pe);
  let nextShared = 0;
  const done = new Set<PathElement>();
  const out: JsonValue[] = [];
  const emit = (pe: PathElement): void => {
    const v = merge(lMap.get(pe), rMap.get(pe), itemShape(shape), [...path, pe]);
    if (v !== undefined) out.push(v);
    done.add(pe);
    while (nextShared < shared.length && done.has(shared[nextShared] as PathElement)) nextShared++;
  };
  let lI = 0;
  let rI = 0;
  while (lI < L.length || rI < R.length) {
    const l = L[lI]?.pe;
    const r = R[rI]?.pe;
    if (l !== undefined && done.has(l)) { lI++; continue; }
    if (l !== undefined && !rMap.has(l)) { emit(l); lI++; continue; }
    if (r === undefined) { lI++; continue; }
    // A shared live item that the config places later waits for its turn in config order.
    if (l !== undefined && l !== r && l !== shared[nextShared]) { lI++; continue; }
    emit(r);
    rI++;
  }
  return out;
}

// ---- RemoveItems / EnsureNamedFieldsAreMembers ----------------------------------------------

/** typed.RemoveItems: drops every member path of set from value (children of non-members are visited). */
export function removeItems(value: JsonValue, shape: Shape, set: FieldSet, path: PathElement[] = []): JsonValue {
  checkDepth(path);
  if (set.isEmpty() || !descends(shape, value)) return value;
  if (shape.kind === 'struct' || shape.kind === 'map') {
    const obj = value as JsonObject;
    const out: JsonObject = {};
    for (const key of Object.keys(obj)) {
      const pe = fieldPe(key);
      if (set.hasMember(pe)) continue;
      const child = set.child(pe);
      const v = getOwn(obj, key) as JsonValue;
      setOwn(out, key, child ? removeItems(v, childShape(shape, key) ?? LEAF, child, [...path, pe]) : v);
    }
    return out;
  }
  const out: JsonValue[] = [];
  const items = value as JsonValue[];
  items.forEach((item, i) => {
    let pe: PathElement;
    try {
      pe = itemElement(shape, item, i);
    } catch {
      out.push(item);
      return;
    }
    if (set.hasMember(pe)) return;
    const child = set.child(pe);
    out.push(child ? removeItems(item, itemShape(shape), child, [...path, pe]) : item);
  });
  return out;
}

/** A copy of set where every struct field that has children in the set is also a member. */
export function ensureNamedFieldsAreMembers(set: FieldSet, shape: Shape): FieldSet {
  const out = new FieldSet();
  for (const m of set.memberElements()) out.addMember(m);
  for (const pe of set.childElements()) {
    const child = set.child(pe) as FieldSet;
    let cs: Shape = LEAF;
    if (shape.kind === 'struct' && pe.startsWith('f:')) {
      const declared = childShape(shape, pe.slice(2));
      if (declared) {
        out.addMember(pe);
        cs = declared;
      }
    } else if (shape.kind === 'map' && pe.startsWith('f:')) {
      cs = childShape(shape, pe.slice(2)) ?? LEAF;
    } else if (shape.kind === 'assoc') {
      cs = itemShape(shape);
    }
    out.ensureChild(pe).addAll(ensureNamedFieldsAreMembers(child, cs));
  }
  return out;
}
