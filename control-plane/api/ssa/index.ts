// Server-side apply: field sets, managedFields, apply with conflicts, ownership of other writes.
export { FieldSet, fromFieldsV1, toFieldsV1, pathString, type FieldPath, type PathElement } from './fieldset.js';
export {
  apply, appliedFieldSet, conflictCauses, conflictStatus, conflictStatusMessage, fieldSetOf, ignoredPrefixes,
  recordUpdate, secondsTime, type ApplyOptions, type ApplyResult, type Conflict, type RecordUpdateOptions,
} from './apply.js';
export { decodeManagedFields, encodeManagedFields, managerId, ANCIENT_CHANGES_MANAGER, type ManagerEntry } from './managed.js';
export { parseApplyBody } from './parse.js';
export { FieldsV1Error, SsaLimitError, SsaRequestError, SsaStoredStateError } from './errors.js';
export * as ssaLimits from './limits.js';
