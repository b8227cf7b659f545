// Reconnect delays: exponential so a dead peer costs few dial attempts, capped so a peer
// that comes back is found within backoffMaxMs, and jittered so the members that lost the
// same peer (all of them, when it restarts) do not dial it in lockstep.

/**
 * Delay before reconnect attempt `attempt` (0 for the first after a failure): "equal
 * jitter" — uniformly in [ceiling/2, ceiling] where ceiling = min(max, initial * 2^attempt).
 * Never below half the ceiling, so jitter cannot turn backoff into a tight loop.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  // 2^31 exceeds any sane max; clamping the exponent keeps the arithmetic finite.
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 0), 31));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}
