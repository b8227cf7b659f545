// The per-peer outbound queue: FIFO, bounded in messages and bytes. When full, the oldest
// messages go: Raft tolerates loss (every message is retried or superseded by a later one,
// §5.3), a newer message is worth more than an older one (it carries a newer commit index
// and term), and a slow or dead peer must not exhaust the sender's memory. Snapshots never
// enter this queue (they stream separately), so they are never dropped here.
import type { Message } from '../raft/types.js';

/** Below this many consumed slots the array is not compacted (compaction copies the live part). */
const COMPACT_MIN_HEAD = 1024;

export class MessageQueue {
  #items: (Message | undefined)[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  readonly #maxMessages: number;
  readonly #maxBytes: number;

  constructor(maxMessages: number, maxBytes: number) {
    this.#maxMessages = maxMessages;
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Sum of the size estimates of the queued messages. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Append `m` (costing `sizeBytes`), then drop from the front until within both bounds.
   * Returns how many messages were dropped (`m` itself when it alone exceeds the byte bound).
   */
  push(m: Message, sizeBytes: number): number {
    this.#items.push(m);
    this.#sizes.push(sizeBytes);
    this.#bytes += sizeBytes;
    let dropped = 0;
    while (this.length > this.#maxMessages || this.#bytes > this.#maxBytes) {
      this.#shiftOne();
      dropped++;
    }
    this.#compact();
    return dropped;
  }

  /** The i-th queued message from the front. */
  at(i: number): Message | undefined {
    return this.#items[this.#head + i];
  }

  sizeAt(i: number): number {
    return this.#sizes[this.#head + i] ?? 0;
  }

  /** Remove the first `n` messages (they were encoded into a frame). */
  take(n: number): Message[] {
    const out: Message[] = [];
    for (let i = 0; i < n && this.length > 0; i++) out.push(this.#shiftOne());
    this.#compact();
    return out;
  }

  /** Remove everything; returns how many messages were discarded. */
  clear(): number {
    const n = this.length;
    this.#items = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
    return n;
  }

  #shiftOne(): Message {
    const m = this.#items[this.#head];
    if (m === undefined) throw new Error('transport invariant broken: shift from an empty queue');
    // Release the reference at once: a dropped message must not keep its entries alive.
    this.#items[this.#head] = undefined;
    this.#bytes -= this.#sizes[this.#head] ?? 0;
    this.#head++;
    return m;
  }

  /** Amortised O(1): copy the live tail only once at least half of the array is consumed. */
  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head >= COMPACT_MIN_HEAD && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
