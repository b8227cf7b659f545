// The WAL's own view of the log it has been asked to write: last index, the term of each
// index since the newest snapshot (as runs, because terms change rarely), the newest
// snapshot marker and hard state. It exists to refuse saves that the Raft log cannot
// contain (gaps, rewrites of snapshotted entries, terms going backwards) before any byte is
// written, and to give each new segment header the log position it starts at.
import type { Entry, HardState } from '../raft/types.js';
import { EntryType } from '../raft/types.js';
import type { SnapshotMarker } from './codec.js';
import { WalInvalidSaveError } from './errors.js';

export interface SaveRequest {
  hardState?: HardState;
  /** Contiguous entries; any existing entries at or after entries[0].index are replaced. */
  entries?: readonly Entry[];
  /** Records that a snapshot at (index, term) is saved; written before the entries. */
  snapshotMarker?: SnapshotMarker;
}

/** Where the log stands after some prefix of the saves (what a new segment header records). */
export interface LogPoint {
  lastIndex: number;
  lastTerm: number;
  hardState: HardState | null;
  snapshotMarker: SnapshotMarker | null;
}

interface TermRun {
  /** First index with this term. */
  start: number;
  term: number;
}

function isIndex(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export class LogState {
  /** runs[0].start is the floor: the newest snapshot index (or the replay base); never empty. */
  #runs: TermRun[];
  #lastIndex: number;
  #marker: SnapshotMarker | null;
  #hardState: HardState | null;

  constructor(base: SnapshotMarker, entriesAfterBase: readonly Entry[], marker: SnapshotMarker | null,
    hardState: HardState | null) {
    this.#runs = [{ start: base.index, term: base.term }];
    this.#lastIndex = base.index;
    this.#marker = marker;
    this.#hardState = hardState;
    if (entriesAfterBase.length > 0) this.#appendUnchecked(entriesAfterBase);
  }

  clone(): LogState {
    const c = new LogState({ index: 0, term: 0 }, [], this.#marker, this.#hardState);
    c.#runs = this.#runs.slice();
    c.#lastIndex = this.#lastIndex;
    return c;
  }

  point(): LogPoint {
    const lastTerm = this.termAt(this.#lastIndex);
    if (lastTerm === undefined) throw new Error(`invariant: no term for the last index ${this.#lastIndex}`);
    return {
      lastIndex: this.#lastIndex,
      lastTerm,
      hardState: this.#hardState,
      snapshotMarker: this.#marker,
    };
  }

  get floorIndex(): number {
    return (this.#runs[0] as TermRun).start;
  }

  /** Term of entry i, or undefined if i is before the floor or after the last index. */
  termAt(i: number): number | undefined {
    if (i < this.floorIndex || i > this.#lastIndex) return undefined;
    let lo = 0;
    let hi = this.#runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#runs[mid] as TermRun).start <= i) lo = mid;
      else hi = mid - 1;
    }
    return (this.#runs[lo] as TermRun).term;
  }

  /**
   * Applies one save in WAL order (marker, entries, hard state); throws and changes nothing
   * if invalid. Returns whether the snapshot marker discarded the log (§7).
   */
  apply(req: SaveRequest): { markerResetsLog: boolean } {
    const next = this.clone();
    const markerResetsLog = req.snapshotMarker ? next.#applyMarker(req.snapshotMarker) : false;
    if (req.entries && req.entries.length > 0) next.#applyEntries(req.entries);
    if (req.hardState) next.#applyHardState(req.hardState);
    this.#runs = next.#runs;
    this.#lastIndex = next.#lastIndex;
    this.#marker = next.#marker;
    this.#hardState = next.#hardState;
    return { markerResetsLog };
  }

  #applyMarker(m: SnapshotMarker): boolean {
    if (!isIndex(m.index) || !isIndex(m.term) || m.index < 1) {
      throw new WalInvalidSaveError(`snapshot marker (index ${m.index}, term ${m.term}) is not a valid position`);
    }
    // The newest snapshot known: the newest marker, or the replay base if a caller opened
    // from a newer snapshot file. Snapshots only move forward (a follower ignores older ones).
    const newest = this.#marker && this.#marker.index > this.floorIndex
      ? this.#marker : { index: this.floorIndex, term: this.termAt(this.floorIndex) };
    if (m.index < newest.index) {
      throw new WalInvalidSaveError(`snapshot marker index ${m.index} is older than the current snapshot ${newest.index}`);
    }
    if (m.index === newest.index && m.term !== newest.term) {
      throw new WalInvalidSaveError(`snapshot marker (index ${m.index}, term ${m.term}) contradicts the snapshot ` +
        `already recorded at that index with term ${String(newest.term)}`);
    }
    // §7: a snapshot whose last entry is in the log keeps the entries after it; otherwise the
    // whole log is discarded. The decision is recorded in the marker record for replay.
    const keep = this.termAt(m.index) === m.term;
    if (keep) {
      const from = this.#runs.findLastIndex((r) => r.start <= m.index);
      this.#runs = this.#runs.slice(from);
      // A new object: clones share run objects, so they are never mutated in place.
      this.#runs[0] = { start: m.index, term: m.term };
    } else {
      this.#runs = [{ start: m.index, term: m.term }];
      this.#lastIndex = m.index;
    }
    this.#marker = { index: m.index, term: m.term };
    return !keep;
  }

  #applyEntries(entries: readonly Entry[]): void {
    const first = entries[0] as Entry;
    const f = first.index;
    if (!isIndex(f) || f <= this.floorIndex) {
      throw new WalInvalidSaveError(`entries start at index ${f}, at or before the snapshot index ${this.floorIndex}`);
    }
    if (f > this.#lastIndex + 1) {
      throw new WalInvalidSaveError(`entries start at index ${f} but the log ends at ${this.#lastIndex} (a gap)`);
    }
    let prevTerm = this.termAt(f - 1) as number;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      if (e.index !== f + i) throw new WalInvalidSaveError(`entry ${i} has index ${e.index}, expected ${f + i}`);
      if (!isIndex(e.term) || e.term < prevTerm) {
        throw new WalInvalidSaveError(`entry ${e.index} has term ${e.term}, below the previous entry's term ${prevTerm}`);
      }
      if (e.type !== EntryType.Normal && e.type !== EntryType.ConfChange) {
        throw new WalInvalidSaveError(`entry ${e.index} has unknown type ${String(e.type)}`);
      }
      if (!(e.data instanceof Uint8Array)) throw new WalInvalidSaveError(`entry ${e.index} data is not a Uint8Array`);
      prevTerm = e.term;
    }
    this.#appendUnchecked(entries);
  }

  #appendUnchecked(entries: readonly Entry[]): void {
    const f = (entries[0] as Entry).index;
    while (this.#runs.length > 1 && (this.#runs[this.#runs.length - 1] as TermRun).start >= f) this.#runs.pop();
    for (const e of entries) {
      const lastRun = this.#runs[this.#runs.length - 1] as TermRun;
      if (lastRun.term !== e.term) this.#runs.push({ start: e.index, term: e.term });
    }
    this.#lastIndex = (entries[entries.length - 1] as Entry).index;
  }

  #applyHardState(hs: HardState): void {
    if (!isIndex(hs.term) || !isIndex(hs.commit) || typeof hs.vote !== 'string') {
      throw new WalInvalidSaveError(`hard state ${JSON.stringify(hs)} is malformed`);
    }
    if (this.#hardState && hs.term < this.#hardState.term) {
      throw new WalInvalidSaveError(`hard state term ${hs.term} is below the saved term ${this.#hardState.term}`);
    }
    this.#hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }
}
