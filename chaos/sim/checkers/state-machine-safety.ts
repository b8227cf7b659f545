// State Machine Safety (Raft §5.4.3, Figure 3): if a server has applied a log entry at a
// given index to its state machine, no other server will ever apply a different log entry
// for the same index.
//
// Compared per index: the entry's term and data hash, and a chain hash of everything the
// member applied up to and including it (h_i = H(h_{i-1}, entry_i)). The chain makes a
// snapshot comparable too: installing a snapshot taken at index S must land the member on
// the same chain hash as everyone who applied entries 1..S one by one.
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

interface Applied {
  term: number;
  /** undefined when the index was first seen through a snapshot (its bytes are not known). */
  dataHash: number | undefined;
  chainHash: number;
  member: string;
}

export class StateMachineSafety implements Checker {
  readonly name = 'state-machine-safety';
  readonly #applied = new Map<number, Applied>();

  observe(e: SimEvent): Violation | undefined {
    if (e.kind === 'apply') return this.#compare(e.member, e.index, e.term, e.dataHash, e.chainHash);
    if (e.kind === 'apply-snapshot') return this.#compare(e.member, e.index, e.term, undefined, e.chainHash);
    return undefined;
  }

  #compare(member: string, index: number, term: number, dataHash: number | undefined, chainHash: number):
    Violation | undefined {
    const seen = this.#applied.get(index);
    if (!seen) {
      this.#applied.set(index, { term, dataHash, chainHash, member });
      return undefined;
    }
    if (seen.term !== term) {
      return this.#bad(`${seen.member} applied an entry of term ${seen.term} at index ${index}, ${member} one of ` +
        `term ${term} (§5.4.3)`);
    }
    if (dataHash !== undefined && seen.dataHash !== undefined && seen.dataHash !== dataHash) {
      return this.#bad(`${seen.member} and ${member} applied different data at index ${index} (term ${term}) (§5.4.3)`);
    }
    if (seen.chainHash !== chainHash) {
      return this.#bad(`${seen.member} and ${member} reach index ${index} through different histories ` +
        `(state machine chain hash ${seen.chainHash.toString(16)} vs ${chainHash.toString(16)}) (§5.4.3)`);
    }
    if (seen.dataHash === undefined && dataHash !== undefined) seen.dataHash = dataHash;
    return undefined;
  }

  #bad(message: string): Violation {
    return { checker: this.name, message };
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new StateMachineSafety(), events);
}
