// JSON Merge Patch (RFC 7386) as Kubernetes applies it (evanphx/json-patch MergePatch):
// objects merge recursively, null deletes, anything else replaces; null members inside
// newly added objects are pruned. A patch that is not a JSON object is 400 "Invalid JSON Patch".
import { err, ok, type Result } from '../errors.js';
import { deepClone, getOwn, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from '../json.js';
import { patchError, type PatchError } from './errors.js';

function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((x) => (x === null ? x : pruneNulls(x)));
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) setOwn(out, k, pruneNulls(x));
    return out;
  }
  return v;
}

function merge(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return pruneNulls(patch);
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) { delete out[k]; continue; }
    setOwn(out, k, merge(hasOwn(out, k) ? out[k] : undefined, v));
  }
  return out;
}

/** Applies a merge patch (parsed JSON) to a document; the input is not modified. */
export function applyMergePatch(doc: JsonValue, patch: JsonValue): Result<JsonValue, PatchError> {
  if (!isJsonObject(doc)) return err(patchError('badRequest', 'Invalid JSON Document'));
  if (!isJsonObject(patch)) return err(patchError('badRequest', 'Invalid JSON Patch'));
  return ok(merge(deepClone(doc), deepClone(patch)));
}

/** The merge patch that turns a into b (RFC 7386 §3 in reverse); for clients and tests. */
export function createMergePatch(a: JsonValue, b: JsonValue): JsonValue {
  if (!isJsonObject(a) || !isJsonObject(b)) return deepClone(b);
  const out: JsonObject = {};
  for (const k of Object.keys(a)) if (!hasOwn(b, k)) setOwn(out, k, null);
  for (const [k, v] of Object.entries(b)) {
    const old = getOwn(a, k);
    if (old === undefined) setOwn(out, k, deepClone(v));
    else if (isJsonObject(old) && isJsonObject(v)) {
      const sub = createMergePatch(old, v);
      if (isJsonObject(sub) && Object.keys(sub).length > 0) setOwn(out, k, sub);
    } else if (!jsonEqual(old, v)) setOwn(out, k, deepClone(v));
  }
  return out;
}
