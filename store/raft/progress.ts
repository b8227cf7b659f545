// The leader's view of one follower's replication (etcd's Progress), and the bound on
// what is in flight to it. Three states:
//  - probe: we do not know where the follower's log matches ours; send one App at a
//    time and wait for its answer (or a heartbeat answer) before the next.
//  - replicate: the follower is in sync; pipeline App messages optimistically, bounded
//    by Inflights (count and bytes) — flow control so a slow follower cannot make the
//    leader buffer without limit.
//  - snapshot: the follower needs entries we compacted; a snapshot is on its way and
//    nothing else is sent until it lands, fails, or times out.
import { invariant } from './invariant.js';

export enum ProgressState {
  Probe = 'probe',
  Replicate = 'replicate',
  Snapshot = 'snapshot',
}

/** A bounded queue of App messages in flight: (last index, bytes) per message. */
export class Inflights {
  #lastIndices: number[] = [];
  #sizes: number[] = [];
  #bytes = 0;
  constructor(readonly maxCount: number, readonly maxBytes: number) {}

  get count(): number {
    return this.#lastIndices.length;
  }

  full(): boolean {
    return this.#lastIndices.length >= this.maxCount || this.#bytes >= this.maxBytes;
  }

  add(lastIndex: number, bytes: number): void {
    invariant(!this.full(), 'adding to full inflights');
    const prev = this.#lastIndices[this.#lastIndices.length - 1];
    invariant(prev === undefined || lastIndex > prev, () => `inflight ${lastIndex} not after ${prev}`);
    this.#lastIndices.push(lastIndex);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
  }

  /** Everything up to `index` was acknowledged. */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.#lastIndices.length && this.#lastIndices[n]! <= index) {
      this.#bytes -= this.#sizes[n]!;
      n++;
    }
    if (n > 0) {
      this.#lastIndices.splice(0, n);
      this.#sizes.splice(0, n);
    }
  }

  freeFirst(): void {
    const first = this.#lastIndices[0];
    if (first !== undefined) this.freeLE(first);
  }

  reset(): void {
    this.#lastIndices = [];
    this.#sizes = [];
    this.#bytes = 0;
  }
}

export class Progress {
  /** Highest index known replicated on the follower. */
  match: number;
  /** Next index to send. */
  next: number;
  state = ProgressState.Probe;
  /** Probe: one App is outstanding; wait for a response before the next. */
  probeSent = false;
  /** Snapshot: the index of the snapshot in flight. */
  pendingSnapshot = 0;
  /** Ticks spent in the snapshot state (a lost snapshot must not stall the follower forever). */
  snapshotTicks = 0;
  /** Heard from since the last CheckQuorum round (thesis §6.2). */
  recentActive = false;
  /** ReadIndex: the highest read round this member confirmed (§6.4). */
  ackedReadRound = 0;
  readonly inflights: Inflights;

  constructor(next: number, match: number, readonly isLearner: boolean, maxInflight: number, maxInflightBytes: number) {
    this.next = next;
    this.match = match;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  becomeProbe(): void {
    // After a snapshot, the follower has at least the snapshot (if it applied it).
    const from = this.state === ProgressState.Snapshot ? Math.max(this.match, this.pendingSnapshot) : this.match;
    this.state = ProgressState.Probe;
    this.next = from + 1;
    this.#resetState();
  }

  becomeReplicate(): void {
    this.state = ProgressState.Replicate;
    this.next = this.match + 1;
    this.#resetState();
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.state = ProgressState.Snapshot;
    this.#resetState();
    this.pendingSnapshot = snapshotIndex;
  }

  #resetState(): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }

  /** An acknowledgement up to n; false if it is stale (we knew already). */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * A rejection of the App whose previous index was `rejected`. `hint` is where the
   * logs may match. Returns false if the rejection is stale (out-of-order delivery).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
    }
  }
}
