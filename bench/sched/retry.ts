// Retrying the bench's own writes through a loaded control plane: on a busy two-core machine one
// slow Raft round answers 503/504 or breaks a connection, and that must not end a run of thousands
// of pods (or leave a preemption victim Terminating for ever).
import { ApiError, ConnectionError } from '../../control-plane/client/index.js';
import { WRITE_ATTEMPTS } from './limits.js';

export function isTransient(e: unknown): boolean {
  return e instanceof ConnectionError || (e instanceof ApiError && (e.code === 503 || e.code === 504));
}

/**
 * Runs `write` up to WRITE_ATTEMPTS times while it fails transiently, backing off 100 ms per attempt.
 * `committed` says whether an error on a retry means the earlier, timed-out attempt did commit
 * (e.g. AlreadyExists for a create): then the write counts as done.
 */
export async function retryTransient(write: () => Promise<unknown>, committed: (e: unknown) => boolean = () => false):
  Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (e) {
      if (attempt > 1 && committed(e)) return;
      if (!isTransient(e) || attempt >= WRITE_ATTEMPTS) throw e;
      await new Promise((res) => setTimeout(res, 100 * attempt));
    }
  }
}
