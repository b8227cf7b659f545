// Leader Append-Only (Raft §5.3, Figure 3): a leader never overwrites or deletes entries in
// its log; it only appends new entries. Observed on the durable log: a member that persists
// a batch replacing entries it already had, while it leads a term, broke the rule. (A
// leader's Ready only ever extends its durable log: whatever conflicting suffix it had as a
// follower was replaced and persisted before it could win an election.)
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

export class LeaderAppendOnly implements Checker {
  readonly name = 'leader-append-only';

  observe(e: SimEvent): Violation | undefined {
    if (e.kind !== 'persist' || e.leaderTerm === 0 || e.replaced === 0) return undefined;
    const first = e.entries[0]?.index ?? 0;
    return {
      checker: this.name,
      message: `${e.member}, leader of term ${e.leaderTerm}, replaced ${e.replaced} entries of its log from index ` +
        `${first} (a leader only appends, §5.3)`,
    };
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new LeaderAppendOnly(), events);
}
