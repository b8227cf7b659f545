// Every bound of the Kubernetes-protobuf request decoder, named in one place (units last).

export const PROTOBUF_LIMITS = {
  /** Largest body decoded (Kubernetes: MaxRequestBodyBytes, 3 MiB; the apiserver refuses more first). */
  maxBodyBytes: 3 * 1024 * 1024,
  /** Deepest nesting of messages and groups (ours; real objects stay under 20). */
  maxNestingDepth: 100,
  /** Most unknown-field notes kept for one body (the rest are counted, not listed). */
  maxUnknownFieldNotes: 100,
} as const;
