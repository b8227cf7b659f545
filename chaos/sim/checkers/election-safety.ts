// Election Safety (Raft §5.2, Figure 3): at most one leader can be elected in a given term.
// "Ever", not "at a time": a member that led term 7 and another that leads term 7 an hour
// later is the same violation, so the checker remembers every term's leader.
import type { NodeId } from '../../../store/raft/types.js';
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

export class ElectionSafety implements Checker {
  readonly name = 'election-safety';
  /** term -> the one member seen leading it. Grows with the number of terms (bounded by the run). */
  readonly #leaderOfTerm = new Map<number, NodeId>();

  observe(e: SimEvent): Violation | undefined {
    if (e.kind !== 'leader') return undefined;
    const seen = this.#leaderOfTerm.get(e.term);
    if (seen === undefined) {
      this.#leaderOfTerm.set(e.term, e.member);
      return undefined;
    }
    if (seen === e.member) return undefined;
    return { checker: this.name, message: `two leaders in term ${e.term}: ${seen} and ${e.member} (§5.2)` };
  }

  leaderOf(term: number): NodeId | undefined {
    return this.#leaderOfTerm.get(term);
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new ElectionSafety(), events);
}
