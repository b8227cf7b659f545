// Every bound of the auth package in one place, each with its unit in its name. Kubernetes
// puts no limit on most of these (a token file is read whole, a binding may list any number
// of subjects); ours are chosen so a mistaken or hostile input costs bounded time and memory.

/** Largest --token-auth-file we read (ours; Kubernetes reads any size). */
export const MAX_TOKEN_FILE_BYTES = 16 * 1024 * 1024;

/** Most tokens in one token file (ours). */
export const MAX_TOKEN_FILE_ENTRIES = 100_000;

/** Longest line of a token file, in characters (ours). */
export const MAX_TOKEN_FILE_LINE_CHARS = 64 * 1024;

/** Most groups one token-file user may carry (ours). */
export const MAX_USER_GROUPS = 1_000;

/** Longest bearer token we look up, in characters (ours; longer ones are refused as invalid). */
export const MAX_BEARER_TOKEN_CHARS = 16 * 1024;

/** Most rules of one Role/ClusterRole the authorizer walks (ours). */
export const MAX_RULES_PER_ROLE = 10_000;

/** Most subjects of one binding the authorizer walks (ours). */
export const MAX_SUBJECTS_PER_BINDING = 10_000;

/** Days a generated CA is valid (kubeadm: 10 years). */
export const CA_VALIDITY_DAYS = 3650;

/** Default days a serving or client certificate is valid (kubeadm: 1 year). */
export const LEAF_VALIDITY_DAYS_DEFAULT = 365;

/** Longest validity we issue a leaf certificate for, in days (ours; never beyond the CA). */
export const LEAF_VALIDITY_DAYS_MAX = 3650;

/** Backdating of notBefore, so peers with a slightly slow clock accept a fresh cert (ours). */
export const CERT_BACKDATE_MS = 5 * 60 * 1000;

/** Most subject alternative names on one serving certificate (ours). */
export const MAX_SERVING_CERT_HOSTS = 100;

/** Largest PEM file ensurePki reads back (ours). */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;
