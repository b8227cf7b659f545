// Log Matching (Raft §5.3, Figure 3): if two logs contain an entry with the same index and
// term, the logs are identical in all entries up through that index.
//
// Checked on durable logs, incrementally. For every (index, term) any member ever made
// durable we remember the term of the entry before it and a hash of its bytes. If two logs
// agree on (i, t) they must then agree on the term at i-1, which by the same rule applied
// to (i-1, t') forces agreement all the way down: one comparison per appended entry
// proves the whole-prefix property by induction, without ever comparing two logs.
// Also checked on each durable append: indices are contiguous and terms never decrease
// along a log (§5.3: a leader only appends entries of its own, current term).
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

interface Seen {
  term: number;
  prevTerm: number;
  dataHash: number;
  member: string;
}

export class LogMatching implements Checker {
  readonly name = 'log-matching';
  /** index -> every distinct (term, prevTerm, hash) seen there; a handful per index. */
  readonly #seen = new Map<number, Seen[]>();

  observe(e: SimEvent): Violation | undefined {
    if (e.kind !== 'persist') return undefined;
    let prevTerm = e.prevTerm;
    let prevIndex = -1;
    for (const ent of e.entries) {
      if (prevIndex >= 0 && ent.index !== prevIndex + 1) {
        return this.#bad(`${e.member} persisted a gap: entry ${ent.index} right after ${prevIndex}`);
      }
      if (ent.term < prevTerm) {
        return this.#bad(`${e.member}'s log goes back in term: entry ${ent.index} has term ${ent.term} after term ${prevTerm}`);
      }
      const v = this.#record(e.member, ent.index, ent.term, prevTerm, ent.dataHash);
      if (v) return v;
      prevTerm = ent.term;
      prevIndex = ent.index;
    }
    return undefined;
  }

  #record(member: string, index: number, term: number, prevTerm: number, dataHash: number): Violation | undefined {
    let list = this.#seen.get(index);
    if (!list) {
      list = [];
      this.#seen.set(index, list);
    }
    for (const s of list) {
      if (s.term !== term) continue;
      if (s.prevTerm !== prevTerm) {
        return this.#bad(`entry (${index}, term ${term}) follows term ${s.prevTerm} on ${s.member} but term ${prevTerm} ` +
          `on ${member}: same index and term, different prefixes (§5.3)`);
      }
      if (s.dataHash !== dataHash) {
        return this.#bad(`entry (${index}, term ${term}) holds different data on ${s.member} and ${member} (§5.3)`);
      }
      return undefined;
    }
    list.push({ term, prevTerm, dataHash, member });
    return undefined;
  }

  #bad(message: string): Violation {
    return { checker: this.name, message };
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new LogMatching(), events);
}
