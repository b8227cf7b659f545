// ReadIndex (§6.4): a leader may answer a read at its commit index only after it has
// confirmed, by a heartbeat round answered by a majority, that it was still the leader
// when the read arrived. Reads are batched: every read that arrives while no round is
// in flight joins the next round, so 10,000 concurrent reads cost one round trip, not
// 10,000. Each round has a number; a member's answer to round r confirms every round ≤ r
// (it proves leadership at a time after those reads arrived).
import { invariant } from './invariant.js';
import type { NodeId } from './types.js';

export interface PendingRead {
  context: Uint8Array;
  /** Who asked: this member (answer as a ReadState) or a follower (answer with a message). */
  from: NodeId;
  /** The commit index when the read arrived: the read is served at or after it. */
  index: number;
  /** The round that confirms it; 0 while waiting for a round to start. */
  round: number;
}

export class ReadIndexQueue {
  #reads: PendingRead[] = [];
  /** The last round started; rounds are numbered from 1 per leadership term. */
  #lastRound = 0;
  /** The highest round confirmed by a quorum. */
  #confirmedRound = 0;

  constructor(readonly maxPending: number) {}

  get size(): number {
    return this.#reads.length;
  }

  get lastRound(): number {
    return this.#lastRound;
  }

  full(): boolean {
    return this.#reads.length >= this.maxPending;
  }

  add(read: Omit<PendingRead, 'round'>): void {
    invariant(!this.full(), 'read queue is full');
    this.#reads.push({ ...read, round: 0 });
  }

  /** True when reads wait for a round and none is in flight. */
  needsRound(): boolean {
    return this.#lastRound === this.#confirmedRound && this.#reads.some((r) => r.round === 0);
  }

  /** Start a round covering every waiting read; returns its number (carried on heartbeats). */
  startRound(): number {
    this.#lastRound++;
    for (const r of this.#reads) if (r.round === 0) r.round = this.#lastRound;
    return this.#lastRound;
  }

  /** A quorum confirmed `round`: the reads it covers (and earlier ones) are released. */
  confirm(round: number): PendingRead[] {
    if (round <= this.#confirmedRound) return [];
    invariant(round <= this.#lastRound, () => `round ${round} confirmed before it started (last ${this.#lastRound})`);
    this.#confirmedRound = round;
    const released: PendingRead[] = [];
    const kept: PendingRead[] = [];
    for (const r of this.#reads) (r.round !== 0 && r.round <= round ? released : kept).push(r);
    this.#reads = kept;
    return released;
  }

  /** Leadership changed: pending reads are dropped (their clients time out and retry). */
  reset(): void {
    this.#reads = [];
    this.#lastRound = 0;
    this.#confirmedRound = 0;
  }
}
