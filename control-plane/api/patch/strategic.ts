// Strategic merge patch (apimachinery/pkg/util/strategicpatch) as the apiserver applies it
// (MergeParallelList and IgnoreUnmatchedNulls on), driven by the schema's patch metadata:
// lists with patchStrategy "merge" merge by their patchMergeKey (or as sets, for
// primitives); other lists are replaced; maps merge; null deletes. Directives:
// $patch: replace|delete|merge, $retainKeys, $setElementOrder/<list>,
// $deleteFromPrimitiveList/<list>. Element order follows Kubernetes' rules: patch order
// (or $setElementOrder) for patched items, server order for the rest, interleaved by server order.
import { err, ok, type Result } from '../errors.js';
import { goJsonTypeName, goPlainValue } from '../go-format.js';
import { MAX_JSON_DEPTH } from '../limits.js';
import { deepClone, hasOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from '../json.js';
import type { PatchStrategy, Schema } from '../schema/dsl.js';
import { PatchFailure, patchError, type PatchError } from './errors.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER_PREFIX = '$setElementOrder';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList';

// mergepatch's sentinel errors.
const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const BAD_SET_ORDER = 'invalid patch format of setElementOrder list';
const NO_LIST_OF_LISTS = 'lists of lists are not supported';

type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
const kindOf = (v: JsonValue): Kind =>
  (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v as Kind);

interface FieldMeta { readonly child?: Schema; readonly strategy?: 'merge' | 'replace'; readonly mergeKey?: string }

function baseStrategy(s: PatchStrategy | undefined): 'merge' | 'replace' | undefined {
  if (s === 'merge' || s === 'merge,retainKeys') return 'merge';
  return s === 'replace' ? 'replace' : undefined;
}

/** Patch metadata of a key under a struct or map schema; unknown keys have none (maps merge, lists replace). */
function lookup(schema: Schema | undefined, key: string): FieldMeta {
  if (schema?.kind === 'object') {
    const f = hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
    return f ? { child: f.schema, strategy: baseStrategy(f.patchStrategy), mergeKey: f.patchMergeKey } : {};
  }
  if (schema?.kind === 'map') return { child: schema.values };
  return {};
}

function fail(kind: PatchFailure['kind'], message: string): never {
  throw new PatchFailure(kind, message);
}
function noMergeKey(m: JsonValue, key: string): never {
  return fail('internal', `map: ${goPlainValue(m)} does not contain declared merge key: ${key}`);
}
function badArgType(expected: string, actual: JsonValue | undefined): never {
  return fail('internal', `expected a ${expected}, but received a ${goJsonTypeName(actual)}`);
}

function discardNulls(v: JsonValue): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k] as JsonValue);
    }
  }
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    return fail('badRequest', prefix === DELETE_PRIMITIVE_PREFIX ? BAD_PRIMITIVE_LIST : BAD_SET_ORDER);
  }
  return s.slice(slash + 1);
}

/** Go's == on two decoded JSON scalars (maps and slices never compare equal here). */
const scalarEq = (a: JsonValue | undefined, b: JsonValue | undefined): boolean =>
  a === b && (a === null || typeof a !== 'object');

/** The element kind shared by all items of the lists. */
function elementKind(...lists: JsonValue[][]): Kind {
  let kind: Kind | undefined;
  for (const l of lists) {
    for (const v of l) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === 'array') fail('unprocessable', NO_LIST_OF_LISTS);
        if (k === 'null') fail('internal', `list element types are not identical: ${goPlainValue(lists)}`);
        kind = k;
      } else if (k !== kind) {
        fail('internal', `list element types are not identical: ${goPlainValue(lists)}`);
      }
    }
  }
  return kind ?? fail('internal', 'no elements in any of the given slices');
}

function keyOf(item: JsonValue, mergeKey: string, kind: Kind): JsonValue | undefined {
  if (kind !== 'object') return item;
  return isJsonObject(item) ? item[mergeKey] : undefined;
}

function indexIn(list: JsonValue[], item: JsonValue, mergeKey: string, kind: Kind): number {
  const want = keyOf(item, mergeKey, kind);
  return list.findIndex((v) => {
    const k = keyOf(v, mergeKey, kind);
    return scalarEq(k, want) || (want === undefined && k === undefined);
  });
}

function findByKey(list: JsonValue[], mergeKey: string, value: JsonValue | undefined): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as JsonValue;
    if (!isJsonObject(item)) fail('internal', `value for key ${i} is not a map.`);
    if (hasOwn(item, mergeKey) && scalarEq(item[mergeKey], value)) return i;
  }
  return -1;
}

/** Items of `list` present (by merge key or value) in `by`, and the rest. */
function partition(list: JsonValue[], by: JsonValue[], mergeKey: string, kind: Kind): [JsonValue[], JsonValue[]] {
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) {
    if (kind === 'object') {
      if (!isJsonObject(v)) badArgType('map[string]interface {}', v);
      if (!hasOwn(v as JsonObject, mergeKey)) noMergeKey(v, mergeKey);
      (findByKey(by, mergeKey, (v as JsonObject)[mergeKey] as JsonValue) >= 0 ? inPatch : serverOnly).push(v);
    } else {
      (by.some((b) => scalarEq(b, v)) ? inPatch : serverOnly).push(v);
    }
  }
  return [inPatch, serverOnly];
}

function isDeleteItem(v: JsonValue): boolean {
  return isJsonObject(v) && v[DIRECTIVE] === 'delete';
}

function sortByOrder(items: JsonValue[], order: JsonValue[], mergeKey: string, kind: Kind): JsonValue[] {
  let toDelete: JsonValue[] = [];
  let rest = items;
  if (kind === 'object') {
    for (const v of [...items, ...order]) {
      if (!isJsonObject(v)) badArgType('map[string]interface {}', v);
      if (!hasOwn(v as JsonObject, mergeKey)) noMergeKey(v, mergeKey);
    }
    toDelete = items.filter(isDeleteItem);
    rest = items.filter((v) => !isDeleteItem(v));
  }
  const idx = new Map(rest.map((v) => [v, indexIn(order, v, mergeKey, kind)]));
  const sorted = rest.map((v, i) => ({ v, i })).sort((a, b) => {
    const ia = idx.get(a.v) as number;
    const ib = idx.get(b.v) as number;
    return ia >= 0 && ib >= 0 && ia !== ib ? ia - ib : a.i - b.i;
  });
  return [...sorted.map((x) => x.v), ...toDelete];
}

/**
 * normalizeElementOrder + mergeSortedSlice: patch items in patch order, server-only items
 * interleaved by server order.
 */
function normalizeOrder(patchItems: JsonValue[], serverOnly: JsonValue[], patchOrder: JsonValue[],
  serverOrder: JsonValue[], mergeKey: string, kind: Kind): JsonValue[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++] as JsonValue); continue; }
    if (j >= right.length) { out.push(left[i++] as JsonValue); continue; }
    const li = indexIn(serverOrder, left[i] as JsonValue, mergeKey, kind);
    const ri = indexIn(serverOrder, right[j] as JsonValue, mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as JsonValue);
    else out.push(right[j++] as JsonValue);
  }
  return out;
}

class Merger {
  private depth = 0;

  mergeMap(original: JsonObject, patch: JsonObject, schema: Schema | undefined): JsonObject {
    if (++this.depth > MAX_JSON_DEPTH) fail('badRequest', `exceeded max depth of ${MAX_JSON_DEPTH}`);
    try {
      return this.mergeMapInner(original, patch, schema);
    } finally {
      this.depth--;
    }
  }

  private mergeMapInner(original: JsonObject, patch: JsonObject, schema: Schema | undefined): JsonObject {
    if (hasOwn(patch, DIRECTIVE)) {
      const d = patch[DIRECTIVE];
      if (d === 'replace') { delete patch[DIRECTIVE]; return patch; }
      if (d === 'delete') return {};
      return fail('internal', `unknown patch type: ${goPlainValue(d)} in map: ${goPlainValue(patch)}`);
    }
    applyRetainKeys(original, patch);
    this.mergeOrderedLists(original, patch, schema);
    for (const key of Object.keys(patch)) {
      let k = key;
      let isDeleteList = false;
      if (key.startsWith(DELETE_PRIMITIVE_PREFIX)) {
        k = extractKey(key, DELETE_PRIMITIVE_PREFIX);
        isDeleteList = true;
      }
      const patchV = patch[key] as JsonValue;
      if (patchV === null) { delete original[k]; continue; }
      if (!hasOwn(original, k) || kindOf(original[k] as JsonValue) !== kindOf(patchV)) {
        if (!isDeleteList) { discardNulls(patchV); setOwn(original, k, patchV); }
        continue;
      }
      const meta = lookup(schema, k);
      const orig = original[k] as JsonValue;
      if (isJsonObject(orig)) {
        const p = patchV as JsonObject;
        setOwn(original, k, meta.strategy === 'replace' ? this.mergeMap({}, p, meta.child) : this.mergeMap(orig, p, meta.child));
      } else if (Array.isArray(orig)) {
        setOwn(original, k, this.mergeSliceHandler(orig, patchV as JsonValue[], meta, isDeleteList));
      } else {
        setOwn(original, k, patchV);
      }
    }
    return original;
  }

  private mergeSliceHandler(original: JsonValue[], patch: JsonValue[], meta: FieldMeta,
    isDeleteList: boolean): JsonValue[] {
    if (meta.strategy !== 'merge') return patch;
    const items = meta.child?.kind === 'array' ? meta.child.items : undefined;
    return this.mergeSlice(original, patch, items, meta.mergeKey ?? '', isDeleteList);
  }

  private mergeSlice(original: JsonValue[], patch: JsonValue[], items: Schema | undefined, mergeKey: string,
    isDeleteList: boolean): JsonValue[] {
    if (original.length === 0 && patch.length === 0) return original;
    const kind = elementKind(original, patch);
    let merged: JsonValue[];
    let orig = original;
    let pat = patch;
    if (kind !== 'object') {
      if (isDeleteList) return original.filter((v) => !patch.some((d) => scalarEq(d, v)));
      merged = [];
      for (const v of [...original, ...patch]) if (!merged.some((m) => scalarEq(m, v))) merged.push(v);
    } else {
      if (mergeKey === '') fail('internal', 'cannot merge lists without merge key for type map');
      [orig, pat] = withSpecialElements(original, patch, mergeKey);
      merged = this.withoutSpecialElements(orig, pat, mergeKey, items);
    }
    const [patchItems, serverOnly] = partition(merged, pat, mergeKey, kind);
    return normalizeOrder(patchItems, serverOnly, pat, orig, mergeKey, kind);
  }

  private withoutSpecialElements(original: JsonValue[], patch: JsonValue[], mergeKey: string,
    items: Schema | undefined): JsonValue[] {
    const out = [...original];
    for (const v of patch) {
      const p = v as JsonObject;
      if (!hasOwn(p, mergeKey)) noMergeKey(p, mergeKey);
      const i = findByKey(out, mergeKey, p[mergeKey] as JsonValue);
      if (i >= 0) out[i] = this.mergeMap(out[i] as JsonObject, p, items);
      else out.push(v);
    }
    return out;
  }

  /** $setElementOrder/<list>: merge the list, then order it by the directive. */
  private mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: Schema | undefined): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ORDER_PREFIX) || !hasOwn(patch, key)) continue;
      const order = patch[key] as JsonValue;
      delete patch[key];
      if (!Array.isArray(order)) badArgType('[]interface {}', order);
      const listKey = extractKey(key, SET_ORDER_PREFIX);
      const origList = hasOwn(original, listKey) ? original[listKey] as JsonValue : undefined;
      const patchList = hasOwn(patch, listKey) ? patch[listKey] as JsonValue : undefined;
      if (origList !== undefined && !Array.isArray(origList)) badArgType('[]interface {}', origList);
      if (patchList !== undefined && !Array.isArray(patchList)) badArgType('[]interface {}', patchList);
      const meta = lookup(schema, listKey);
      const mergeKey = meta.mergeKey ?? '';
      validateOrderList((patchList ?? []) as JsonValue[], order as JsonValue[], mergeKey);
      let merged: JsonValue[];
      if (origList !== undefined && patchList === undefined) merged = origList as JsonValue[];
      else if (origList === undefined && patchList !== undefined) merged = patchList as JsonValue[];
      else if (origList !== undefined && patchList !== undefined) {
        merged = this.mergeSliceHandler(origList as JsonValue[], patchList as JsonValue[], meta, false);
      } else continue;
      const kind = elementKind((origList ?? []) as JsonValue[], (patchList ?? []) as JsonValue[]);
      const [patchItems, serverOnly] = partition(merged, order as JsonValue[], mergeKey, kind);
      const serverOrder = (origList ?? []) as JsonValue[];
      const ordered = normalizeOrder(patchItems, serverOnly, order as JsonValue[], serverOrder, mergeKey, kind);
      setOwn(original, listKey, ordered);
      delete patch[listKey];
    }
  }
}

/** mergeSliceWithSpecialElements: $patch delete/replace/merge items in a list of maps. */
function withSpecialElements(original: JsonValue[], patch: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  let orig = [...original];
  const rest: JsonValue[] = [];
  let replace = false;
  for (const v of patch) {
    const p = v as JsonObject;
    if (!hasOwn(p, DIRECTIVE)) { rest.push(v); continue; }
    const d = p[DIRECTIVE];
    if (d === 'delete') {
      if (!hasOwn(p, mergeKey)) noMergeKey(p, mergeKey);
      const value = p[mergeKey] as JsonValue;
      for (let i = findByKey(orig, mergeKey, value); i >= 0; i = findByKey(orig, mergeKey, value)) {
        orig = [...orig.slice(0, i), ...orig.slice(i + 1)];
      }
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      fail('internal', 'merging lists cannot yet be specified in the patch');
    } else {
      fail('internal', `unknown patch type: ${goPlainValue(d)} in map: ${goPlainValue(p)}`);
    }
  }
  return replace ? [rest, []] : [orig, rest];
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) return fail('badRequest', BAD_RETAIN_KEYS);
  const allowed = new Set(keep.filter((k): k is string => typeof k === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE_PREFIX) || k.startsWith(SET_ORDER_PREFIX)) continue;
    if (!allowed.has(k)) fail('badRequest', BAD_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!allowed.has(k)) delete original[k];
}

/** validatePatchWithSetOrderList: the patch list's items appear in the $setElementOrder list in the same order. */
function validateOrderList(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let nonDelete = patchList;
  if (mergeKey !== '') {
    for (const v of patchList) if (!isJsonObject(v)) badArgType('map[string]interface {}', v);
    nonDelete = patchList.filter((v) => !isDeleteItem(v));
  }
  const keyOrItself = (v: JsonValue): JsonValue | undefined => {
    if (mergeKey === '') return v;
    if (!isJsonObject(v)) return badArgType('map[string]interface {}', v);
    if (!hasOwn(v, mergeKey)) noMergeKey(v, mergeKey);
    return v[mergeKey];
  };
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < order.length) {
    const item = nonDelete[p] as JsonValue;
    if (isJsonObject(item) && hasOwn(item, DIRECTIVE)) { p++; continue; }
    if (scalarEq(keyOrItself(item), keyOrItself(order[s] as JsonValue))) p++;
    s++;
  }
  if (p < nonDelete.length && s >= order.length) {
    fail('internal', `The order in patch list:\n${goPlainValue(patchList)}\n doesn't match ${SET_ORDER_PREFIX} list:\n${goPlainValue(order)}\n`);
  }
}

/**
 * Applies a strategic merge patch to an object of the given schema. The inputs are not
 * modified. Errors carry the Status Kubernetes answers with (400 for malformed directives,
 * 422 for lists of lists, 500 for the rest, as interpretStrategicMergePatchError leaves them).
 */
export function applyStrategicMergePatch(original: JsonValue, patch: JsonValue, schema: Schema | undefined):
  Result<JsonObject, PatchError> {
  if (!isJsonObject(original)) return err(patchError('badRequest', 'invalid JSON document'));
  if (!isJsonObject(patch)) {
    return err(patchError('badRequest', `json: cannot unmarshal ${Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch} into Go value of type map[string]interface {}`));
  }
  try {
    return ok(new Merger().mergeMap(deepClone(original), deepClone(patch), schema));
  } catch (e) {
    if (e instanceof PatchFailure) return err(patchError(e.kind, e.message));
    throw e;
  }
}
