// Figure 2's per-member rules, checked at the moment a member acts on them. The five
// end-to-end checkers catch the damage a broken rule eventually does (two leaders, a lost
// commit); these catch the rule breaking, at the step it breaks, even when no fault
// happens to turn it into damage in this run:
//  - persist before replying (Figure 2, "Persistent state on all servers: updated on stable
//    storage before responding to RPCs"): a vote request leaves only once the candidate's
//    term and self-vote are durable, a granted vote only once the vote is, an append
//    acknowledgement only once the acknowledged entries are;
//  - reject stale terms (§5.1): an append is acknowledged only to the leader of the
//    acknowledging member's current term;
//  - apply only committed entries (Figure 2, "if commitIndex > lastApplied: apply"): no
//    member applies past its own commit index.
import type { NodeId } from '../../../store/raft/types.js';
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

export class ProtocolRules implements Checker {
  readonly name = 'protocol-rules';
  readonly #leaderOfTerm = new Map<number, NodeId>();

  observe(e: SimEvent): Violation | undefined {
    switch (e.kind) {
      case 'leader':
        if (!this.#leaderOfTerm.has(e.term)) this.#leaderOfTerm.set(e.term, e.member);
        return undefined;
      case 'apply':
        if (e.index > e.commit) {
          return this.#bad(`${e.member} applied entry ${e.index} beyond its commit index ${e.commit} (Figure 2)`);
        }
        return undefined;
      case 'reply':
        return this.#reply(e);
      default:
        return undefined;
    }
  }

  #reply(e: Extract<SimEvent, { kind: 'reply' }>): Violation | undefined {
    const durable = `durable term ${e.durableTerm}, vote '${e.durableVote}'`;
    if (e.type === 'Vote' && (e.durableTerm !== e.term || e.durableVote !== e.member)) {
      return this.#bad(`${e.member} asked ${e.to} for a vote in term ${e.term} before persisting its own vote (${durable}; ` +
        'Figure 2: persist before sending RPCs)');
    }
    if (e.type === 'VoteResp' && !e.reject && (e.durableTerm !== e.term || e.durableVote !== e.to)) {
      return this.#bad(`${e.member} granted its term-${e.term} vote to ${e.to} before persisting it (${durable}; ` +
        'Figure 2: persist before responding)');
    }
    if (e.type === 'AppResp' && !e.reject && e.index > 0) {
      if (!e.indexDurable) {
        return this.#bad(`${e.member} acknowledged entries up to ${e.index} to ${e.to} before persisting them ` +
          '(Figure 2: persist before responding)');
      }
      const leader = this.#leaderOfTerm.get(e.term);
      if (leader !== undefined && leader !== e.to) {
        return this.#bad(`${e.member} in term ${e.term} acknowledged an append from ${e.to}, but ${leader} leads term ` +
          `${e.term}: it accepted a stale leader's entries (§5.1)`);
      }
    }
    return undefined;
  }

  #bad(message: string): Violation {
    return { checker: this.name, message };
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new ProtocolRules(), events);
}
