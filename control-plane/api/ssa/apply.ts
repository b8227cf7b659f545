// Server-side apply and ownership tracking of other writes: structured-merge-diff's
// merge.Updater (Apply, Update, prune, conflicts) plus the apiserver fieldmanager layers we
// need (stripMeta, managedFieldsUpdater, buildManagerInfo, capManagers, reset fields).
import { deepClone, getOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from '../json.js';
import type { ObjectSchema } from '../schema/dsl.js';
import type { Status, StatusCause } from '../types/meta.js';
import { ApiInvariantError } from '../errors.js';
import { SsaLimitError, SsaRequestError, SsaStoredStateError } from './errors.js';
import { FieldSet, pathString, type FieldPath } from './fieldset.js';
import {
  capUpdateManagers, decodeManagedFields, encodeManagedFields, managerId, printManager,
  type ManagerEntry, type Managers, type Operation,
} from './managed.js';
import { shapeOf, type Shape } from './shape.js';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet } from './walk.js';

/** One field another manager owns with a different value than the applied configuration. */
export interface Conflict {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  /** '' for the main resource. */
  readonly subresource: string;
  readonly path: FieldPath;
  /** fieldpath.Path.String(): ".spec.replicas". */
  readonly field: string;
}

export type ApplyResult =
  | { readonly ok: true; readonly object: JsonObject }
  | { readonly ok: false; readonly conflicts: Conflict[] };

export interface ApplyOptions {
  readonly schema: ObjectSchema;
  readonly current: JsonObject | undefined;
  readonly applied: JsonObject;
  readonly manager: string;
  readonly force: boolean;
  readonly nowIso: string;
  /** The request's group/version ("apps/v1"); the applied apiVersion must equal it. */
  readonly apiVersion: string;
  /** "status" for an apply to the status subresource. */
  readonly subresource?: string;
}

export interface RecordUpdateOptions {
  readonly schema: ObjectSchema;
  readonly old: JsonObject | undefined;
  readonly updated: JsonObject;
  readonly manager: string;
  readonly nowIso: string;
  readonly apiVersion: string;
  readonly subresource?: string;
}

// stripMetaManager: these exact paths are never owned by anyone.
const STRIPPED: FieldSet = (() => {
  const s = new FieldSet();
  s.insert(['f:apiVersion']).insert(['f:kind']).insert(['f:metadata']);
  for (const f of ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation',
    'managedFields', 'resourceVersion']) s.insert(['f:metadata', `f:${f}`]);
  return s;
})();

/**
 * Fields the write's strategy resets (GetResetFields), ignored for ownership and conflicts:
 * status for the main resource (and other subresources), spec for the status subresource.
 */
export function ignoredPrefixes(subresource: string): FieldPath[] {
  return subresource === 'status' ? [['f:spec']] : [['f:status']];
}

let lastNowIso = '';
let lastSecondsTime = '';

/** RFC 3339 with seconds precision, as metav1.Time serializes (the last answer kept: writes come in bursts). */
export function secondsTime(nowIso: string): string {
  if (nowIso === lastNowIso) return lastSecondsTime;
  const ms = Date.parse(nowIso);
  if (Number.isNaN(ms)) throw new ApiInvariantError(`nowIso ${JSON.stringify(nowIso)} is not an RFC 3339 time`);
  lastSecondsTime = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  lastNowIso = nowIso;
  return lastSecondsTime;
}

/** The set of field paths present in obj, by the schema's list and map semantics (typed.ToFieldSet). */
export function fieldSetOf(schema: ObjectSchema, obj: JsonObject): FieldSet {
  return toFieldSet(obj, shapeOf(schema));
}

/** The set an applier of obj comes to own: fieldSetOf without the stripped and reset fields. */
export function appliedFieldSet(schema: ObjectSchema, obj: JsonObject, subresource = ''): FieldSet {
  return owned(toFieldSet(obj, shapeOf(schema), true), ignoredPrefixes(subresource));
}

function owned(set: FieldSet, ignore: readonly FieldPath[]): FieldSet {
  return set.withoutPrefixes(ignore).difference(STRIPPED);
}

function metadataOf(obj: JsonObject): JsonObject | undefined {
  const m = getOwn(obj, 'metadata');
  return isJsonObject(m) ? m : undefined;
}

function withoutManagedFields(obj: JsonObject): JsonObject {
  const out = deepClone(obj);
  const meta = metadataOf(out);
  if (meta) delete meta['managedFields'];
  return out;
}

function withManagedFields(obj: JsonObject, managers: Managers): JsonObject {
  const out = deepClone(obj);
  setManagedFields(out, managers);
  return out;
}

function setManagedFields(out: JsonObject, managers: Managers): void {
  let meta = metadataOf(out);
  if (!meta) {
    meta = {};
    setOwn(out, 'metadata', meta);
  }
  const encoded = encodeManagedFields(capUpdateManagers(managers));
  if (encoded.length > 0) meta['managedFields'] = encoded;
  else delete meta['managedFields'];
}

function withoutPrefixes(obj: JsonObject, prefixes: readonly FieldPath[]): JsonObject {
  const out = deepClone(obj);
  for (const p of prefixes) {
    if (p.length === 1 && p[0]?.startsWith('f:')) delete out[p[0].slice(2)];
  }
  return out;
}

/** The live object's field set; a live object that cannot be typed is broken stored state. */
function liveSet(live: JsonObject, root: Shape): void {
  try {
    toFieldSet(live, root);
  } catch (e) {
    if (e instanceof SsaRequestError && !(e instanceof SsaLimitError)) {
      throw new SsaStoredStateError(`failed to create typed live object: ${e.message}`);
    }
    throw e;
  }
}

function checkAppliedBody(applied: JsonObject, apiVersion: string): void {
  const version = getOwn(applied, 'apiVersion');
  if (version !== apiVersion) {
    throw new SsaRequestError('Incorrect version specified in apply patch. ' +
      `Specified patch version: ${typeof version === 'string' ? version : ''}, expected: ${apiVersion}`);
  }
  const meta = metadataOf(applied);
  if (meta && getOwn(meta, 'managedFields') !== undefined && getOwn(meta, 'managedFields') !== null) {
    throw new SsaRequestError('metadata.managedFields must be nil');
  }
}

/**
 * prune (merge/update.go): removes what the applier owned last time, no longer applies, and
 * no other manager owns — following RemoveItems, addBackOwnedItems and addBackDanglingItems.
 */
function prune(merged: JsonObject, root: Shape, managers: Managers, lastSet: FieldSet): JsonObject {
  const ensure = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, root);
  let managed = new FieldSet();
  for (const e of managers.values()) managed = managed.union(e.set);
  const pruned = removeItems(merged, root, ensure(lastSet)) as JsonObject;
  const mergedSet = toFieldSet(merged, root);
  const ownedBack = removeItems(merged, root,
    ensure(mergedSet).difference(ensure(toFieldSet(pruned, root)).union(ensure(managed)))) as JsonObject;
  const dangling = mergedSet.difference(toFieldSet(ownedBack, root)).intersection(lastSet);
  return removeItems(merged, root, dangling) as JsonObject;
}

/**
 * update (merge/update.go): compares live and new; another manager's fields that changed
 * are conflicts (taken over under force); removed fields leave every other manager's set.
 */
function takeOwnership(live: JsonObject, next: JsonObject, root: Shape, managers: Managers, selfId: string,
  ignore: readonly FieldPath[], force: boolean): { conflicts: Conflict[]; changed: FieldSet; removed: FieldSet } {
  const c = compare(live, next, root);
  // The comparison's sets are this call's own: built on in place rather than copied (a create
  // only adds, so its whole object's set is taken as it is).
  let changed: FieldSet;
  if (c.modified.isEmpty()) changed = c.added;
  else {
    changed = c.modified;
    changed.addAll(c.added);
  }
  changed.removePrefixes(ignore);
  const removed = c.removed.removePrefixes(ignore);
  const conflicts: Conflict[] = [];
  for (const [id, e] of [...managers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (id === selfId) continue;
    for (const path of e.set.intersection(changed).paths()) {
      conflicts.push({ manager: e.manager, operation: e.operation, apiVersion: e.apiVersion,
        subresource: e.subresource, path, field: pathString(path) });
    }
  }
  if (conflicts.length > 0 && !force) return { conflicts, changed, removed };
  for (const [id, e] of managers) {
    if (id === selfId) continue;
    managers.set(id, { ...e, set: e.set.difference(changed).difference(removed) });
  }
  for (const [id, e] of managers) if (e.set.isEmpty()) managers.delete(id);
  return { conflicts, changed, removed };
}

/**
 * Server-side apply (PATCH application/apply-patch+yaml). Returns the object to store with
 * metadata.managedFields updated, or the conflicts (answer 409 with conflictStatus). Throws
 * SsaRequestError (400) for a bad applied configuration, SsaStoredStateError (500) for an
 * undecodable stored managedFields.
 */
export function apply(o: ApplyOptions): ApplyResult {
  checkAppliedBody(o.applied, o.apiVersion);
  const root = shapeOf(o.schema);
  const subresource = o.subresource ?? '';
  const ignore = ignoredPrefixes(subresource);
  const managers = decodeManagedFields(o.current ? metadataOf(o.current)?.['managedFields'] : undefined);
  const live = withoutManagedFields(o.current ?? {});
  liveSet(live, root);
  // The reset fields of the config are not merged: the strategy would reset them anyway.
  const config = withoutPrefixes(o.applied, ignore);
  const newSet = owned(toFieldSet(config, root, true), ignore);
  let next = (merge(live, config, root) ?? {}) as JsonObject;
  const id = managerId({ manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, subresource });
  const last = managers.get(id);
  const entry: ManagerEntry = { manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, subresource,
    set: newSet, ...(last?.time !== undefined ? { time: last.time } : {}) };
  managers.set(id, entry);
  if (last && !last.set.isEmpty()) next = prune(next, root, managers, last.set);
  const { conflicts } = takeOwnership(live, next, root, managers, id, ignore, o.force);
  if (conflicts.length > 0 && !o.force) return { ok: false, conflicts };
  const changed = !jsonEqual(live, next);
  // managedFieldsUpdater.Apply: the entry's time moves only when the object changed.
  if (managers.has(id) && (changed || last?.time === undefined)) {
    managers.set(id, { ...(managers.get(id) as ManagerEntry), time: secondsTime(o.nowIso) });
  }
  return { ok: true, object: withManagedFields(changed ? next : live, managers) };
}

/** A managedFields of exactly one empty entry asks to clear managedFields (Kubernetes' documented reset). */
function isResetRequest(raw: JsonValue | undefined): boolean {
  return Array.isArray(raw) && raw.length === 1 && isJsonObject(raw[0]) && Object.keys(raw[0]).length === 0;
}

function decodeOr(raw: JsonValue | undefined): Managers | undefined {
  try {
    return decodeManagedFields(raw);
  } catch (e) {
    if (e instanceof SsaStoredStateError || e instanceof SsaRequestError) return undefined;
    throw e;
  }
}

/**
 * Ownership of a create, update or (non-apply) patch: what changed between old and updated is
 * owned by manager as an "Update" entry (merged with its earlier entry for the same
 * apiVersion and subresource) and leaves every other manager. Never fails: like the
 * apiserver's UpdateNoErrors, an object that cannot be tracked gets no managedFields.
 */
export function recordUpdate(o: RecordUpdateOptions): JsonObject {
  const raw = metadataOf(o.updated)?.['managedFields'];
  if (isResetRequest(raw)) return withManagedFields(o.updated, new Map());
  const subresource = o.subresource ?? '';
  // FieldManager.Update: the client's managedFields if it sent valid ones (main resource only),
  // else the live object's.
  let managers = subresource === '' ? decodeOr(raw) : undefined;
  if (!managers || managers.size === 0) {
    managers = (o.old ? decodeOr(metadataOf(o.old)?.['managedFields']) : undefined) ?? new Map();
  }
  const root = shapeOf(o.schema);
  const ignore = ignoredPrefixes(subresource);
  const updated = withoutManagedFields(o.updated);
  try {
    const { changed, removed } = takeOwnership(withoutManagedFields(o.old ?? {}), updated, root, managers, '',
      ignore, true);
    // owned(changed − removed): changed is already without the ignored prefixes.
    const current = (removed.isEmpty() ? changed : changed.difference(removed)).difference(STRIPPED);
    if (!current.isEmpty()) {
      const id = managerId({ manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, subresource });
      const prev = managers.get(id)?.set;
      managers.set(id, { manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, subresource,
        set: prev ? prev.union(current) : current, time: secondsTime(o.nowIso) });
    }
  } catch (e) {
    if (e instanceof SsaRequestError) return updated;
    throw e;
  }
  // `updated` is this call's own copy: no second clone.
  setManagedFields(updated, managers);
  return updated;
}

// ---- conflict reporting -------------------------------------------------------------------

/** The 409 message of the apiserver's NewConflictError (kind and name are not part of it). */
export function conflictStatusMessage(conflicts: readonly Conflict[], _kind?: string, _name?: string): string {
  const first = conflicts[0];
  if (conflicts.length === 1 && first) return `Apply failed with 1 conflict: conflict with ${printManager(first)}: ${first.field}`;
  const byManager = new Map<string, { printed: string; fields: string[] }>();
  for (const c of conflicts) {
    const id = managerId(c);
    const group = byManager.get(id) ?? { printed: printManager(c), fields: [] };
    group.fields.push(c.field);
    byManager.set(id, group);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const g = byManager.get(id) as { printed: string; fields: string[] };
    lines.push(`conflicts with ${g.printed}:`, ...g.fields.map((f) => `- ${f}`));
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** One StatusCause per conflict: {reason: "FieldManagerConflict", message: "conflict with ...", field}. */
export function conflictCauses(conflicts: readonly Conflict[]): StatusCause[] {
  return conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c)}`,
    field: c.field }));
}

/** The whole 409 Status (errors.NewApplyConflict: reason Conflict, details with causes only). */
export function conflictStatus(conflicts: readonly Conflict[]): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: conflictStatusMessage(conflicts), reason: 'Conflict', details: { causes: conflictCauses(conflicts) },
    code: 409 };
}
