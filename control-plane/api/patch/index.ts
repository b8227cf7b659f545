// Patch entry points by content type, as the apiserver's PATCH handler dispatches them.
import { err, type Result } from '../errors.js';
import { parseJson, type JsonObject, type JsonValue } from '../json.js';
import type { Schema } from '../schema/dsl.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic.js';
import { patchError, type PatchError } from './errors.js';

export type PatchType = 'application/json-patch+json' | 'application/merge-patch+json' | 'application/strategic-merge-patch+json';

export interface PatchResult {
  readonly object: JsonValue;
  /** Duplicate keys found in the patch body (paths), for fieldValidation Strict/Warn. */
  readonly duplicates: readonly string[];
}

/** Parses a patch body and applies it to the current object (JSON). SMP needs the kind's schema. */
export function applyPatch(type: PatchType, current: JsonObject, body: string, schema: Schema | undefined):
  Result<PatchResult, PatchError> {
  const parsed = parseJson(body);
  if (!parsed.ok) return err(patchError('badRequest', parsed.error.message));
  const duplicates = parsed.value.duplicates.map((d) => d.path);
  const patch = parsed.value.value;
  let r: Result<JsonValue, PatchError>;
  switch (type) {
    case 'application/json-patch+json': r = applyJsonPatch(current, patch); break;
    case 'application/merge-patch+json': r = applyMergePatch(current, patch); break;
    case 'application/strategic-merge-patch+json': r = applyStrategicMergePatch(current, patch, schema); break;
  }
  return r.ok ? { ok: true, value: { object: r.value, duplicates } } : r;
}

export { applyJsonPatch, decodeJsonPatch, type JsonPatchOperation } from './json-patch.js';
export { applyMergePatch, createMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic.js';
export type { PatchError } from './errors.js';
