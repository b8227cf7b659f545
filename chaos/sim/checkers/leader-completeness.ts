// Leader Completeness (Raft §5.4, Figure 3): if an entry is committed in a given term, it is
// present in the logs of the leaders of all higher-numbered terms.
//
// "Committed" is observed, not computed: an entry some member applied was committed. Its
// commit term is unknown but bounded: the applying member learned the commit index from a
// leader whose term was at most the member's own current term, so every leader of a term
// above that bound must hold the entry. Each new leader is checked when first seen, against
// every committed index its log has not compacted (compacted entries were applied by the
// leader itself, which state-machine safety covers).
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

export class LeaderCompleteness implements Checker {
  readonly name = 'leader-completeness';
  /** index -> term of the committed entry there (dense from the first committed index). */
  readonly #term: number[] = [];
  /** index -> the lowest "committed in a term <= this" bound any applier reported. */
  readonly #bound: number[] = [];
  #maxIndex = 0;
  #minIndex = Number.MAX_SAFE_INTEGER;

  observe(e: SimEvent): Violation | undefined {
    if (e.kind === 'apply') {
      const known = this.#term[e.index];
      if (known === undefined) {
        this.#term[e.index] = e.term;
        this.#bound[e.index] = e.memberTerm;
        if (e.index > this.#maxIndex) this.#maxIndex = e.index;
        if (e.index < this.#minIndex) this.#minIndex = e.index;
      } else if (e.memberTerm < (this.#bound[e.index] as number)) {
        this.#bound[e.index] = e.memberTerm;
      }
      // A different term at a known index is state-machine safety's to report.
      return undefined;
    }
    if (e.kind !== 'leader') return undefined;
    const from = Math.max(e.log.firstIndex, this.#minIndex);
    for (let i = from; i <= this.#maxIndex; i++) {
      const term = this.#term[i];
      const bound = this.#bound[i];
      if (term === undefined || bound === undefined || bound >= e.term) continue;
      const has = e.log.termAt(i);
      if (has !== term) {
        const what = has === undefined ? 'does not have it' : `has term ${has} there`;
        return {
          checker: this.name,
          message: `leader ${e.member} of term ${e.term} lacks committed entry ${i} (term ${term}, committed by ` +
            `term ${bound}): it ${what} (§5.4)`,
        };
      }
    }
    return undefined;
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new LeaderCompleteness(), events);
}
