// Membership changes, one server at a time (thesis §4.1), taking effect when applied.
//
// Why single-server changes rather than joint consensus: any two majorities of C and of
// C±1 server overlap, so one change at a time is safe without the joint phase, and it
// keeps the core smaller. Why "when applied" rather than "when appended" (the thesis'
// choice): a change that takes effect only once committed can never be rolled back by a
// log truncation, so no member ever reverts to an old configuration. The price is the
// rule that a leader accepts a new change only after the previous one is applied, and
// only after an entry of its own term has been applied (the fix for the single-server
// bug found after the thesis: a new leader must commit in its term before changing
// membership) — see Raft.proposeConfChange.
import { invariant } from './invariant.js';
import type { ConfChange, ConfState, NodeId } from './types.js';
import { ConfChangeType } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const context = cc.context ? Buffer.from(cc.context).toString('base64') : undefined;
  return encoder.encode(JSON.stringify({ type: cc.type, nodeId: cc.nodeId, context }));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const raw = JSON.parse(decoder.decode(data)) as { type: number; nodeId: string; context?: string };
  invariant(raw.type in ConfChangeType && typeof raw.nodeId === 'string', 'malformed ConfChange entry');
  const cc: ConfChange = { type: raw.type as ConfChangeType, nodeId: raw.nodeId };
  if (raw.context !== undefined) cc.context = new Uint8Array(Buffer.from(raw.context, 'base64'));
  return cc;
}

/** Why `cc` cannot apply to `cs`, or undefined when it can. */
export function confChangeProblem(cs: ConfState, cc: ConfChange): string | undefined {
  const isVoter = cs.voters.includes(cc.nodeId);
  const isLearner = cs.learners.includes(cc.nodeId);
  switch (cc.type) {
    case ConfChangeType.AddNode:
      return isVoter ? `${cc.nodeId} is already a voter` : undefined;
    case ConfChangeType.AddLearner:
      if (isVoter) return `${cc.nodeId} is a voter; demoting voters to learners is not supported`;
      return isLearner ? `${cc.nodeId} is already a learner` : undefined;
    case ConfChangeType.RemoveNode:
      if (!isVoter && !isLearner) return `${cc.nodeId} is not a member`;
      if (isVoter && cs.voters.length === 1) return 'cannot remove the last voter';
      return undefined;
  }
}

/** The configuration after `cc`; a no-op for a change that does not apply (it was validated at proposal). */
export function applyToConfState(cs: ConfState, cc: ConfChange): ConfState {
  if (confChangeProblem(cs, cc) !== undefined) return cs;
  const without = (ids: NodeId[]) => ids.filter((id) => id !== cc.nodeId);
  switch (cc.type) {
    case ConfChangeType.AddNode:
      return { voters: [...cs.voters, cc.nodeId].sort(), learners: without(cs.learners) };
    case ConfChangeType.AddLearner:
      return { voters: cs.voters, learners: [...cs.learners, cc.nodeId].sort() };
    case ConfChangeType.RemoveNode:
      return { voters: without(cs.voters), learners: without(cs.learners) };
  }
}
