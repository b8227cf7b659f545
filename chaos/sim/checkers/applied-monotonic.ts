// A member's applied index only moves forward, one entry at a time, across crashes too.
// The state machine is persisted together with its applied index (etcd's consistent index),
// so a restart must resume exactly where the last apply left off; committed entries must
// arrive as applied+1, applied+2, ... (Raft §5.3: entries are applied in log order), and a
// snapshot may only move the state machine forward (§7: a snapshot older than what the
// follower has applied is ignored, never installed).
import type { NodeId } from '../../../store/raft/types.js';
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

export class AppliedMonotonic implements Checker {
  readonly name = 'applied-monotonic';
  readonly #applied = new Map<NodeId, number>();

  observe(e: SimEvent): Violation | undefined {
    if (e.kind !== 'apply' && e.kind !== 'apply-snapshot' && e.kind !== 'restart') return undefined;
    const last = this.#applied.get(e.member);
    if (e.kind === 'restart') {
      if (last !== undefined && e.applied !== last) {
        return this.#bad(`${e.member} restarted at applied index ${e.applied} but had applied ${last} before the crash`);
      }
      this.#applied.set(e.member, e.applied);
      return undefined;
    }
    if (e.kind === 'apply-snapshot') {
      if (last !== undefined && e.index <= last) {
        return this.#bad(`${e.member} installed a snapshot at ${e.index} after applying up to ${last} (§7)`);
      }
      this.#applied.set(e.member, e.index);
      return undefined;
    }
    if (last !== undefined && e.index !== last + 1) {
      return this.#bad(`${e.member} applied entry ${e.index} right after ${last} (entries apply in order, §5.3)`);
    }
    this.#applied.set(e.member, e.index);
    return undefined;
  }

  #bad(message: string): Violation {
    return { checker: this.name, message };
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new AppliedMonotonic(), events);
}
