// The Raft log as one member sees it: a durable prefix (Storage, read-only here) and an
// unstable suffix (entries or a snapshot the driver has not yet persisted). The split is
// what lets the core stay pure: new entries live here until the driver reports, through
// advance(), that they are on disk.
import { invariant } from './invariant.js';
import type { Entry, Snapshot, Storage } from './types.js';
import { entryBytes } from './memory-storage.js';

/** Entries and snapshot not yet persisted. entries[0] has index `offset`. */
class Unstable {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];
  constructor(public offset: number) {}

  lastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  term(i: number): number | undefined {
    if (i < this.offset) {
      const s = this.snapshot?.metadata;
      return s !== undefined && s.index === i ? s.term : undefined;
    }
    const last = this.lastIndex();
    if (last === undefined || i > last) return undefined;
    return this.entries[i - this.offset]!.term;
  }

  /** Append, replacing any suffix that conflicts (a new leader overrode it, §5.3). */
  truncateAndAppend(ents: Entry[]): void {
    const first = ents[0]!.index;
    if (first === this.offset + this.entries.length) {
      for (const e of ents) this.entries.push(e);
    } else if (first <= this.offset) {
      // Replaces everything unstable, and part of the durable log the driver will overwrite.
      this.offset = first;
      this.entries = [...ents];
    } else {
      this.entries = this.entries.slice(0, first - this.offset);
      for (const e of ents) this.entries.push(e);
    }
  }

  stableTo(i: number, t: number): void {
    const term = this.term(i);
    // Only if the entry is still the one that was persisted: a later Ready may have
    // replaced it with a newer leader's entry that is not yet durable.
    if (term !== t || i < this.offset) return;
    this.entries = this.entries.slice(i + 1 - this.offset);
    this.offset = i + 1;
  }

  stableSnapTo(i: number): void {
    if (this.snapshot?.metadata.index === i) this.snapshot = undefined;
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.entries = [];
    this.snapshot = s;
  }
}

export class RaftLog {
  readonly storage: Storage;
  readonly unstable: Unstable;
  /** Highest index known committed (§5.3). */
  committed: number;
  /** Highest index the driver has applied (reported through advance). */
  applied: number;
  /** Highest index handed out in a Ready's committedEntries, not yet advanced. */
  applying: number;

  constructor(storage: Storage, committed: number, applied: number | undefined) {
    this.storage = storage;
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = Math.max(committed, first - 1);
    this.applied = Math.max(applied ?? first - 1, first - 1);
    invariant(this.applied <= this.committed, () => `applied ${this.applied} is past committed ${this.committed}`);
    invariant(this.committed <= this.lastIndex(), () => `committed ${this.committed} is past last ${this.lastIndex()}`);
    this.applying = this.applied;
  }

  firstIndex(): number {
    const s = this.unstable.snapshot;
    return s !== undefined ? s.metadata.index + 1 : this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.lastIndex() ?? this.storage.lastIndex();
  }

  /** The last index that is durable: below the unstable suffix. */
  persistedLastIndex(): number {
    // A snapshot waiting to be persisted replaces the whole log: none of it is durable yet.
    if (this.unstable.snapshot !== undefined) return 0;
    if (this.unstable.entries.length > 0) return Math.min(this.unstable.offset - 1, this.storage.lastIndex());
    return this.lastIndex();
  }

  /** Term of entry i, or undefined if it is compacted away or beyond the log. */
  term(i: number): number | undefined {
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined;
    const t = this.unstable.term(i);
    if (t !== undefined) return t;
    const st = this.storage.term(i);
    return typeof st === 'number' ? st : undefined;
  }

  lastTerm(): number {
    const t = this.term(this.lastIndex());
    invariant(t !== undefined, 'the last entry has no term');
    return t;
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** §5.4.1: a candidate's log is at least as up-to-date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Index of the first entry whose term differs from ours (or that we lack), 0 if none. */
  findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term`: every entry after it conflicts
   * with a log whose entry at `index` has `term`, so replication can skip to it (§5.3's
   * optimisation: back off a whole term per round trip, not one entry).
   */
  findConflictByTerm(index: number, term: number): number {
    for (let i = index; i >= this.firstIndex() - 1; i--) {
      const t = this.term(i);
      if (t === undefined) return i;
      if (t <= term) return i;
    }
    return this.firstIndex() - 1;
  }

  /** AppendEntries receiver (Figure 2): returns the new last index, or undefined on mismatch. */
  maybeAppend(index: number, logTerm: number, committed: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const conflict = this.findConflict(ents);
    if (conflict !== 0) {
      invariant(conflict > this.committed, () => `entry ${conflict} conflicts with committed ${this.committed}`);
      this.append(ents.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    invariant(after >= this.committed, () => `append after ${after} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    invariant(index <= this.lastIndex(), () => `commit ${index} is past the last index ${this.lastIndex()}`);
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    invariant(index <= this.committed || this.seededApplyBeyondCommit,
      () => `applied ${index} is past committed ${this.committed}`);
    invariant(index >= this.applied, () => `applied ${index} goes back from ${this.applied}`);
    this.applied = index;
    if (this.applying < index) this.applying = index;
  }

  /** Set only by the ApplyBeforeCommit seeded bug, so its effect reaches the simulator. */
  seededApplyBeyondCommit = false;

  /** Entries in [lo, hi), at most maxBytes of data (at least one). */
  slice(lo: number, hi: number, maxBytes: number): Entry[] | 'compacted' {
    invariant(lo <= hi && hi <= this.lastIndex() + 1, () => `slice [${lo}, ${hi}) out of [.., ${this.lastIndex()}]`);
    if (lo < this.firstIndex()) return 'compacted';
    if (lo === hi) return [];
    const out: Entry[] = [];
    let size = 0;
    const uOffset = this.unstable.offset;
    if (lo < uOffset) {
      const stored = this.storage.entries(lo, Math.min(hi, uOffset), maxBytes);
      if (stored === 'compacted') return 'compacted';
      invariant(stored !== 'unavailable', () => `storage lacks [${lo}, ${Math.min(hi, uOffset)})`);
      for (const e of stored) {
        out.push(e);
        size += entryBytes(e);
      }
      if (out.length < Math.min(hi, uOffset) - lo) return out; // size limit reached
    }
    for (let i = Math.max(lo, uOffset); i < hi; i++) {
      const e = this.unstable.entries[i - uOffset]!;
      size += entryBytes(e);
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Committed entries not yet handed out, bounded in count and bytes. */
  nextCommittedEntries(maxCount: number, maxBytes: number, upTo: number = this.committed): Entry[] {
    if (this.unstable.snapshot !== undefined) return []; // the snapshot is applied first
    const lo = Math.max(this.applying + 1, this.firstIndex());
    const hi = Math.min(upTo, this.applying + maxCount) + 1;
    if (lo >= hi) return [];
    const ents = this.slice(lo, hi, maxBytes);
    invariant(ents !== 'compacted', () => `committed entries from ${lo} were compacted before being applied`);
    return ents;
  }

  hasNextCommittedEntries(upTo: number = this.committed): boolean {
    return upTo > this.applying && this.unstable.snapshot === undefined;
  }

  snapshot(): Snapshot | 'temporarily-unavailable' {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** InstallSnapshot (§7): the log becomes the snapshot; everything before is discarded. */
  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }
}
