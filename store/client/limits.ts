// Bounds of the store client, with units.
export const CLIENT_LIMITS = Object.freeze({
  /** A whole request, retries across endpoints included. */
  requestTimeoutMs: 15_000,
  /** One attempt against one endpoint (a member that hangs must not eat the whole budget). */
  attemptTimeoutMs: 7_000,
  maxAttempts: 32,
  retryBackoffMinMs: 25,
  retryBackoffMaxMs: 1_000,
  reconnectBackoffMinMs: 100,
  reconnectBackoffMaxMs: 2_000,
  maxReceiveBytes: 64 * 1024 * 1024,
});
