// JSON Patch (RFC 6902): add, remove, replace, move, copy, test over JSON Pointers
// (RFC 6901). Decoding errors are 400; a patch that does not apply is 422 with Kubernetes'
// generic message (the reason is kept in PatchError.message); more than
// MAX_JSON_PATCH_OPERATIONS operations is 413.
import { MAX_JSON_PATCH_OPERATIONS } from '../limits.js';
import { err, ok, type Result } from '../errors.js';
import { deepClone, getOwn, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from '../json.js';
import { PatchFailure, patchError, type PatchError } from './errors.js';

export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly from?: string;
  readonly value?: JsonValue;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Decodes a JSON patch document (already parsed JSON). */
export function decodeJsonPatch(doc: JsonValue): Result<JsonPatchOperation[], PatchError> {
  if (!Array.isArray(doc)) {
    return err(patchError('badRequest', `json: cannot unmarshal ${isJsonObject(doc) ? 'object' : typeof doc} into Go value of type jsonpatch.Patch`));
  }
  if (doc.length > MAX_JSON_PATCH_OPERATIONS) {
    return err(patchError('tooLarge', `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${doc.length}`));
  }
  const ops: JsonPatchOperation[] = [];
  for (const o of doc) {
    if (!isJsonObject(o)) {
      return err(patchError('badRequest', `json: cannot unmarshal ${Array.isArray(o) ? 'array' : typeof o} into Go value of type jsonpatch.Operation`));
    }
    const op = getOwn(o, 'op');
    const path = getOwn(o, 'path');
    const from = getOwn(o, 'from');
    if (typeof op !== 'string' || !OPS.has(op)) return err(patchError('unprocessable', `Unexpected kind: ${String(op)}`));
    if (typeof path !== 'string') return err(patchError('unprocessable', `${op} operation failed to decode path`));
    if ((op === 'move' || op === 'copy') && typeof from !== 'string') {
      return err(patchError('unprocessable', `${op} operation failed to decode from`));
    }
    const entry: { op: JsonPatchOperation['op']; path: string; from?: string; value?: JsonValue } = { op: op as JsonPatchOperation['op'], path };
    if (typeof from === 'string') entry.from = from;
    if (hasOwn(o, 'value')) entry.value = o['value'] as JsonValue;
    ops.push(entry);
  }
  return ok(ops);
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchFailure('unprocessable', `JSON pointer must be empty or start with a "/": ${JSON.stringify(p)}`);
  return p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, forAdd: boolean): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchFailure('unprocessable', `Unable to access invalid index: ${token}: invalid index referenced`);
  const i = Number(token);
  if (i > length || (!forAdd && i === length)) {
    throw new PatchFailure('unprocessable', `Unable to access invalid index: ${i}: invalid index referenced`);
  }
  return i;
}

/** The container holding the target of a pointer, and the last token. */
function parentOf(doc: JsonValue, tokens: string[], op: string, path: string): { parent: JsonValue; key: string } {
  let cur: JsonValue = doc;
  for (const t of tokens.slice(0, -1)) {
    let next: JsonValue | undefined;
    if (Array.isArray(cur)) next = cur[arrayIndex(t, cur.length, false)];
    else if (isJsonObject(cur)) next = getOwn(cur, t);
    if (next === undefined) throw new PatchFailure('unprocessable', `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
    cur = next;
  }
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function getAt(doc: JsonValue, path: string, op: string): JsonValue {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, op, path);
  let v: JsonValue | undefined;
  if (Array.isArray(parent)) v = parent[arrayIndex(key, parent.length, false)];
  else if (isJsonObject(parent)) v = getOwn(parent, key);
  if (v === undefined) throw new PatchFailure('unprocessable', `${op} operation does not apply: doc is missing key: ${path}: missing value`);
  return v;
}

function add(doc: JsonValue, path: string, value: JsonValue, op = 'add'): JsonValue {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value);
  else if (isJsonObject(parent)) setOwn(parent, key, value);
  else throw new PatchFailure('unprocessable', `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  return doc;
}

function remove(doc: JsonValue, path: string, op = 'remove'): { doc: JsonValue; removed: JsonValue } {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchFailure('unprocessable', `${op} operation does not apply: cannot remove the whole document`);
  const { parent, key } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    return { doc, removed: parent.splice(i, 1)[0] as JsonValue };
  }
  if (isJsonObject(parent) && hasOwn(parent, key)) {
    const removed = parent[key] as JsonValue;
    delete parent[key];
    return { doc, removed };
  }
  throw new PatchFailure('unprocessable', `Unable to remove nonexistent key: ${key}: missing value`);
}

function requireValue(o: JsonPatchOperation): JsonValue {
  if (o.value === undefined) throw new PatchFailure('unprocessable', `${o.op} operation missing value`);
  return deepClone(o.value);
}

function applyOne(doc: JsonValue, o: JsonPatchOperation): JsonValue {
  switch (o.op) {
    case 'add': return add(doc, o.path, requireValue(o));
    case 'remove': return remove(doc, o.path).doc;
    case 'replace': {
      getAt(doc, o.path, 'replace');
      const tokens = parsePointer(o.path);
      if (tokens.length === 0) return requireValue(o);
      const value = requireValue(o);
      const { parent, key } = parentOf(doc, tokens, 'replace', o.path);
      if (Array.isArray(parent)) parent[arrayIndex(key, parent.length, false)] = value;
      else setOwn(parent as JsonObject, key, value);
      return doc;
    }
    case 'move': {
      const from = o.from as string;
      if (o.path.startsWith(`${from}/`)) {
        throw new PatchFailure('unprocessable', `move operation does not apply: cannot move ${from} into its own child ${o.path}`);
      }
      getAt(doc, from, 'move');
      const { doc: d, removed } = remove(doc, from, 'move');
      return add(d, o.path, removed, 'move');
    }
    case 'copy':
      return add(doc, o.path, deepClone(getAt(doc, o.from as string, 'copy')), 'copy');
    case 'test': {
      const actual = getAt(doc, o.path, 'test');
      if (!jsonEqual(actual, o.value ?? null)) throw new PatchFailure('unprocessable', `testing value ${o.path} failed: test failed`);
      return doc;
    }
  }
}

/** Applies a JSON patch (parsed JSON) to a document; the input document is not modified. */
export function applyJsonPatch(doc: JsonValue, patch: JsonValue): Result<JsonValue, PatchError> {
  const ops = decodeJsonPatch(patch);
  if (!ops.ok) return ops;
  let out = deepClone(doc);
  try {
    for (const o of ops.value) out = applyOne(out, o);
  } catch (e) {
    if (e instanceof PatchFailure) return err(patchError(e.kind, e.message));
    throw e;
  }
  return ok(out);
}
