// Every bound of the API machinery in one place, each with its unit in its name. Where
// Kubernetes has the same limit the value is Kubernetes' (the comment names it); the rest
// are ours, chosen so a hostile request costs bounded time and memory.

/** Largest request body the apiserver decodes (Kubernetes: MaxRequestBodyBytes, 3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Deepest nesting of arrays/objects in a decoded JSON document (ours; Go's decoder allows 10000). */
export const MAX_JSON_DEPTH = 256;

/** Most operations in one JSON patch (Kubernetes: maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/** Most bytes of all annotation keys and values of one object (Kubernetes: TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATIONS_TOTAL_BYTES = 256 * 1024;

/** Longest label value (Kubernetes: LabelValueMaxLength). */
export const MAX_LABEL_VALUE_CHARS = 63;

/** Longest name part of a qualified name such as a label key (Kubernetes: qualifiedNameMaxLength). */
export const MAX_QUALIFIED_NAME_CHARS = 63;

/** Longest DNS-1123 subdomain (Kubernetes: DNS1123SubdomainMaxLength). */
export const MAX_DNS1123_SUBDOMAIN_CHARS = 253;

/** Longest DNS-1123 label (Kubernetes: DNS1123LabelMaxLength). */
export const MAX_DNS1123_LABEL_CHARS = 63;

/** Longest DNS-1035 label (Kubernetes: DNS1035LabelMaxLength). */
export const MAX_DNS1035_LABEL_CHARS = 63;

/** Longest IANA service (port) name (Kubernetes: IsValidPortName). */
export const MAX_PORT_NAME_CHARS = 15;

/** Longest generateName prefix kept before the random suffix (Kubernetes: maxGeneratedNameLength). */
export const MAX_GENERATED_NAME_PREFIX_CHARS = 58;

/** Longest label or field selector string we parse (ours; Kubernetes is bounded only by the URL). */
export const MAX_SELECTOR_CHARS = 16 * 1024;

/** Most requirements in one label or field selector (ours). */
export const MAX_SELECTOR_REQUIREMENTS = 256;

/** Longest quantity string we parse, e.g. "100m" (ours; Kubernetes parses arbitrary precision). */
export const MAX_QUANTITY_CHARS = 64;

/** Largest decimal exponent (either sign) a quantity may carry, e.g. 1e30 (ours; keeps BigInt sizes small). */
export const MAX_QUANTITY_EXPONENT = 1000;

/** Most field errors collected for one object before the rest are dropped (ours). */
export const MAX_FIELD_ERRORS = 1000;

/** Most unknown/duplicate-field findings reported for one document (ours). */
export const MAX_FIELD_VALIDATION_FINDINGS = 1000;

/** Most bytes of a Go-style value rendering inside an error message (ours; longer is cut with "..."). */
export const MAX_ERROR_VALUE_CHARS = 1024;

/** Most endpoints listed in the ENDPOINTS column before "+ N more..." (kubectl: formatEndpoints). */
export const MAX_ENDPOINTS_SHOWN = 3;

/** Most rows printed into one Table (ours; the apiserver's list limit keeps lists smaller). */
export const MAX_TABLE_ROWS = 100_000;

/** Longest CronJob schedule string we parse (ours; Kubernetes has none). */
export const MAX_CRON_SCHEDULE_CHARS = 1024;

/** How far ahead a cron schedule is searched for its next time (robfig/cron gives up after 5 years). */
export const CRON_SEARCH_YEARS_MAX = 5;

/**
 * Distinct time strings whose canonical form decode remembers (ours): objects carry the same few
 * timestamps (creation, managedFields, conditions, all in whole seconds), and parsing each one
 * again was a seventh of decoding a pod. Beyond this many the memory is dropped and refilled.
 */
export const MAX_CANONICAL_TIME_CACHE_ENTRIES = 4_096;
