// Every bound of server-side apply in one place, units last. Kubernetes has the same limit
// where the comment names it; the rest are ours, so a hostile object or fieldsV1 costs
// bounded time and memory.

/** Most member paths in one field set (ours; Kubernetes is bounded only by the object size). */
export const MAX_FIELD_SET_PATHS = 100_000;

/** Deepest field path, in path elements (ours; built-in kinds nest about 12 deep). */
export const MAX_FIELD_PATH_DEPTH = 100;

/** Most managedFields entries we decode from one object (ours). */
export const MAX_MANAGED_FIELDS_ENTRIES = 1_000;

/**
 * Most "Update" entries kept; older ones are merged into "ancient-changes" buckets per API
 * version (Kubernetes: DefaultMaxUpdateManagers = 10 in the apiserver's capManagersManager).
 */
export const MAX_UPDATE_MANAGERS = 10;

/** Most YAML aliases expanded while parsing one apply body (ours; guards "billion laughs"). */
export const MAX_APPLY_YAML_ALIASES = 100;
