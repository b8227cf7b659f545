// Majority arithmetic (§5.2, §5.3): what a majority of voters has, and how a vote stands.
import type { NodeId } from './types.js';

/**
 * The highest index that a majority of `voters` has: sort matches descending and take
 * the ⌊n/2⌋-th (0-based), which at least ⌊n/2⌋+1 voters have reached.
 */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0; // no voters (a removed leader): nothing can commit
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[Math.floor(voters.length / 2)]!;
}

export enum VoteResult {
  Pending = 'pending',
  Won = 'won',
  Lost = 'lost',
}

export function tallyVotes(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  const majority = Math.floor(voters.length / 2) + 1;
  if (granted >= majority) return VoteResult.Won;
  if (rejected >= majority || voters.length - rejected < majority) return VoteResult.Lost;
  return VoteResult.Pending;
}

export function hasQuorum(voters: readonly NodeId[], has: (id: NodeId) => boolean): boolean {
  let n = 0;
  for (const id of voters) if (has(id)) n++;
  return n >= Math.floor(voters.length / 2) + 1;
}
