// metadata.managedFields <-> a map of managers, as the apiserver's fieldmanager keeps them:
// keyed by a manager identifier built from the entry without its fields and time (and
// without apiVersion for appliers, so one Apply entry per manager whatever the version);
// encoded sorted by operation, time, manager, apiVersion, subresource (sortEncodedManagedFields).
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { FieldsV1Error, SsaLimitError, SsaStoredStateError } from './errors.js';
import { FieldSet, fromFieldsV1, toFieldsV1 } from './fieldset.js';
import { MAX_MANAGED_FIELDS_ENTRIES, MAX_UPDATE_MANAGERS } from './limits.js';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly subresource: string;
  /** RFC 3339, seconds; absent when never set. */
  readonly time?: string;
  readonly set: FieldSet;
}

export type Managers = Map<string, ManagerEntry>;

/** BuildManagerIdentifier: the entry as JSON without fieldsType, fieldsV1 and time. */
export function managerId(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: JsonObject = { manager: e.manager, operation: e.operation };
  if (e.operation !== 'Apply' && e.apiVersion !== '') id['apiVersion'] = e.apiVersion;
  if (e.subresource !== '') id['subresource'] = e.subresource;
  return JSON.stringify(id);
}

/** printManager of the apiserver's conflict messages: "mgr", "mgr" using v1, "mgr" with subresource "s" ... */
export function printManager(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource !== '') s += ` with subresource ${JSON.stringify(e.subresource)}`;
  return e.operation === 'Update' ? `${s} using ${e.apiVersion}` : s;
}

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** Decodes metadata.managedFields (DecodeManagedFields); throws SsaStoredStateError, with its wording. */
export function decodeManagedFields(raw: JsonValue | undefined): Managers {
  const out: Managers = new Map();
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) throw new SsaStoredStateError('failed to decode managed fields: not a list');
  if (raw.length > MAX_MANAGED_FIELDS_ENTRIES) {
    throw new SsaLimitError(`more than ${MAX_MANAGED_FIELDS_ENTRIES} managedFields entries`);
  }
  raw.forEach((e, i) => {
    const fail = (why: string): never => {
      throw new SsaStoredStateError(`failed to decode managed fields: ${why}`);
    };
    if (!isJsonObject(e)) return fail(`entry ${i} is not an object`);
    const operation = str(e['operation']);
    if (operation !== 'Apply' && operation !== 'Update') return fail('operation must be `Apply` or `Update`');
    const apiVersion = str(e['apiVersion']);
    if (apiVersion === '') return fail('apiVersion must not be empty');
    const fieldsType = str(e['fieldsType']);
    if (fieldsType === '') return fail(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') return fail(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    let set: FieldSet;
    try {
      set = e['fieldsV1'] === undefined || e['fieldsV1'] === null ? new FieldSet() : fromFieldsV1(e['fieldsV1']);
    } catch (err) {
      if (err instanceof FieldsV1Error) return fail(`error decoding versioned set from entry ${i}: ${err.message}`);
      throw err;
    }
    const time = typeof e['time'] === 'string' ? e['time'] : undefined;
    const entry: ManagerEntry = { manager: str(e['manager']), operation, apiVersion,
      subresource: str(e['subresource']), set, ...(time !== undefined ? { time } : {}) };
    out.set(managerId(entry), entry);
  });
  return out;
}

function seconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Encodes managers as metadata.managedFields entries, in Kubernetes' order; empty sets dropped. */
export function encodeManagedFields(managers: Managers): JsonObject[] {
  const entries = [...managers.values()].filter((e) => !e.set.isEmpty());
  entries.sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) ||
    cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource));
  return entries.map((e) => {
    const out: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time !== undefined) out['time'] = e.time;
    out['fieldsType'] = 'FieldsV1';
    out['fieldsV1'] = toFieldsV1(e.set);
    if (e.subresource !== '') out['subresource'] = e.subresource;
    return out;
  });
}

/** Name of the bucket entries that old Update entries are merged into (capManagersManager). */
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/**
 * capUpdateManagers: when more than MAX_UPDATE_MANAGERS Update entries exist, the oldest are
 * merged, per API version, into an "ancient-changes" Update entry (which takes the newest
 * merged entry's time).
 */
export function capUpdateManagers(managers: Managers): Managers {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return managers;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  const out: Managers = new Map(managers);
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [id, e] of updaters) {
    if (length <= MAX_UPDATE_MANAGERS) break;
    const bucket = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update' as const, apiVersion: e.apiVersion,
      subresource: '' };
    const bucketId = managerId(bucket);
    const first = firstOfVersion.get(e.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, id);
      continue;
    }
    let base = out.get(bucketId);
    if (!base) {
      const firstEntry = out.get(first) as ManagerEntry;
      out.delete(first);
      base = { ...bucket, set: firstEntry.set, ...(firstEntry.time !== undefined ? { time: firstEntry.time } : {}) };
    }
    out.set(bucketId, { ...bucket, set: base.set.union(e.set), ...(e.time !== undefined ? { time: e.time } : {}) });
    out.delete(id);
    length--;
  }
  return out;
}
