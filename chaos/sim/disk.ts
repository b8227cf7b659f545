// One member's simulated durable storage: what survives a crash. The simulator writes here
// when it persists a Ready (step 2 of the Ready protocol) and rebuilds the member's
// MemoryStorage from it on restart; anything the core held only in memory is gone.
// It mirrors the MemoryStorage contract (etcd's): appending truncates everything from the
// first new index on; compact(i) keeps entry i's term as the base; a snapshot replaces all.
import type { ConfState, Entry, HardState, Snapshot } from '../../store/raft/types.js';
import { NONE } from '../../store/raft/types.js';

export class Disk {
  hardState: HardState = { term: 0, vote: NONE, commit: 0 };
  snapshot: Snapshot | undefined;
  #baseIndex = 0;
  #baseTerm = 0;
  /** #entries[k].index === #baseIndex + 1 + k */
  #entries: Entry[] = [];

  firstIndex(): number {
    return this.#baseIndex + 1;
  }

  lastIndex(): number {
    return this.#baseIndex + this.#entries.length;
  }

  /** Term of entry i, including the compaction base; undefined when not held. */
  termAt(i: number): number | undefined {
    if (i === this.#baseIndex) return this.#baseTerm;
    if (i < this.#baseIndex) return undefined;
    return this.#entries[i - this.#baseIndex - 1]?.term;
  }

  entriesFrom(lo: number): Entry[] {
    return this.#entries.slice(Math.max(0, lo - this.#baseIndex - 1));
  }

  /**
   * Makes `ents` durable. Entries at or below the base are already covered by a snapshot and
   * dropped; a gap after the last index breaks the Storage contract and throws. Returns the
   * entries that were written, the term of the entry just before them and how many durable
   * entries they replaced.
   */
  append(ents: readonly Entry[]): { written: Entry[]; prevTerm: number; replaced: number } {
    const first = ents.findIndex((e) => e.index > this.#baseIndex);
    if (ents.length === 0 || first < 0) return { written: [], prevTerm: 0, replaced: 0 };
    const written = ents.slice(first);
    const start = (written[0] as Entry).index;
    if (start > this.lastIndex() + 1) {
      throw new Error(`disk: append at ${start} leaves a gap after last index ${this.lastIndex()}`);
    }
    for (let k = 1; k < written.length; k++) {
      if ((written[k] as Entry).index !== start + k) throw new Error(`disk: entries to append are not contiguous at ${start + k}`);
    }
    const replaced = this.lastIndex() - start + 1;
    this.#entries.length = start - this.#baseIndex - 1;
    for (const e of written) this.#entries.push(e);
    return { written, prevTerm: this.termAt(start - 1) ?? 0, replaced };
  }

  /** InstallSnapshot (§7): the log becomes the snapshot. An older snapshot is ignored, as MemoryStorage does. */
  applySnapshot(s: Snapshot): void {
    if (this.snapshot && s.metadata.index <= this.snapshot.metadata.index) return;
    this.snapshot = s;
    this.#baseIndex = s.metadata.index;
    this.#baseTerm = s.metadata.term;
    this.#entries = [];
  }

  /** A snapshot of the state machine at applied index `index` (which this log holds). */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    const term = this.termAt(index);
    if (term === undefined) throw new Error(`disk: cannot snapshot at ${index}: not in the log [${this.#baseIndex}, ${this.lastIndex()}]`);
    if (this.snapshot && index <= this.snapshot.metadata.index) {
      throw new Error(`disk: snapshot at ${index} is not newer than ${this.snapshot.metadata.index}`);
    }
    this.snapshot = { metadata: { index, term, confState: copyConf(confState) }, data };
    return this.snapshot;
  }

  /** Drops entries before `index`; entry `index` becomes the base (its term is kept). */
  compact(index: number): void {
    if (index <= this.#baseIndex) return;
    const term = this.termAt(index);
    if (term === undefined) throw new Error(`disk: cannot compact to ${index}: past last index ${this.lastIndex()}`);
    this.#entries = this.#entries.slice(index - this.#baseIndex);
    this.#baseIndex = index;
    this.#baseTerm = term;
  }

  /**
   * What a restarting member reads back (like replaying a WAL after its snapshot): the
   * snapshot, the hard state and the entries after the snapshot. Entries kept behind the
   * snapshot for slow followers do not survive a restart, as in etcd.
   */
  restart(): { hardState: HardState; snapshot: Snapshot | undefined; entries: Entry[] } {
    const snapIndex = this.snapshot?.metadata.index ?? 0;
    if (this.#baseIndex > snapIndex) {
      throw new Error(`disk: log compacted to ${this.#baseIndex}, past the snapshot at ${snapIndex}: entries lost`);
    }
    if (this.snapshot) this.compact(this.snapshot.metadata.index);
    return { hardState: { ...this.hardState }, snapshot: this.snapshot, entries: this.#entries.slice() };
  }
}

export function copyConf(c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}
