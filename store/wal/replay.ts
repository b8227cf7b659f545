// Replay: folds the records of all segments, in order, into the log they describe. It
// reproduces what the writer's LogState saw:
//  - an Entries record starting at index f replaces every entry at or after f (a new
//    leader overwrote a conflicting suffix, §5.3), so replay yields the final log;
//  - a SnapshotMarker either keeps the log or discards it (§7), as its record says;
//  - the newest HardState wins.
// The known log is `entries`, contiguous from anchorIndex + 1. The first remaining segment's
// header supplies the starting anchor (segments before it may have been released); an
// Entries record that reaches below the anchor moves it down, and then the anchor's term is
// unknown (it lived in a released segment).
import type { Entry, HardState } from '../raft/types.js';
import {
  DecodeError, RecordType, decodeEntries, decodeHardState, decodeMarkerRecord,
  type RawRecord, type SegmentHeader, type SnapshotMarker, type WalMetadata,
} from './codec.js';
import { WalCorruptError, WalMissingEntriesError, WalSnapshotMismatchError } from './errors.js';
import type { LogPoint } from './log-state.js';

export interface ReplayOutcome {
  metadata: WalMetadata;
  hardState: HardState | null;
  /** Newest snapshot marker recorded in the WAL. */
  walMarker: SnapshotMarker | null;
  /** The snapshot position the returned entries follow. */
  base: SnapshotMarker;
  /** The final log's entries after base.index. */
  entries: Entry[];
  /** The caller's snapshot is newer than any marker in the WAL; a marker for it should be written. */
  baseIsNewer: boolean;
  /** With baseIsNewer: whether that marker discards the log on disk (its term does not match, §7). */
  baseResetsLog: boolean;
  /** Where the log on disk ends (what the next segment header must continue from). */
  diskPoint: LogPoint;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export class Replayer {
  #started = false;
  #metadata: WalMetadata = { clusterId: new Uint8Array(0), memberId: new Uint8Array(0) };
  #anchorIndex = 0;
  #anchorTerm: number | undefined = 0;
  #entries: Entry[] = [];
  #hardState: HardState | null = null;
  #marker: SnapshotMarker | null = null;

  get lastIndex(): number {
    return this.#anchorIndex + this.#entries.length;
  }

  /** Term of entry i if known. */
  termAt(i: number): number | undefined {
    if (i === this.#anchorIndex) return this.#anchorTerm;
    return this.#entries[i - this.#anchorIndex - 1]?.term;
  }

  beginSegment(h: SegmentHeader, file: string): void {
    if (!this.#started) {
      this.#started = true;
      this.#metadata = h.metadata;
      this.#anchorIndex = h.firstIndex - 1;
      this.#anchorTerm = h.prevTerm;
      this.#hardState = h.hardState;
      this.#marker = h.snapshotMarker;
      return;
    }
    if (!sameBytes(h.metadata.clusterId, this.#metadata.clusterId) ||
      !sameBytes(h.metadata.memberId, this.#metadata.memberId)) {
      throw new WalCorruptError(file, 0, 'the segment header names a different cluster or member than the ' +
        'segments before it (segments from two WALs are mixed in one directory)');
    }
    const term = this.termAt(this.lastIndex);
    if (h.firstIndex !== this.lastIndex + 1 || (term !== undefined && h.prevTerm !== term)) {
      throw new WalCorruptError(file, 0, `the segment header says the log continues after index ${h.firstIndex - 1} ` +
        `term ${h.prevTerm}, but the segments before it end at index ${this.lastIndex} term ${String(term)} ` +
        '(a segment is missing or was replaced)');
    }
  }

  record(rec: RawRecord, file: string): void {
    try {
      switch (rec.type) {
        case RecordType.Entries: return this.#entriesRecord(rec, file);
        case RecordType.HardState: this.#hardState = decodeHardState(rec.payload); return;
        case RecordType.SnapshotMarker: return this.#markerRecord(rec, file);
        case RecordType.SegmentHeader:
          throw new WalCorruptError(file, rec.offset, 'a segment header record appears after the start of the segment');
      }
    } catch (err) {
      if (err instanceof DecodeError) throw new WalCorruptError(file, rec.offset, `a record is malformed: ${err.message}`);
      throw err;
    }
  }

  #entriesRecord(rec: RawRecord, file: string): void {
    const { firstIndex, entries } = decodeEntries(rec.payload);
    if (firstIndex > this.lastIndex + 1) {
      throw new WalCorruptError(file, rec.offset, `an entries record starts at index ${firstIndex}, but the log ` +
        `replayed so far ends at ${this.lastIndex} (a gap)`);
    }
    if (firstIndex <= this.#anchorIndex) {
      // Replaces entries that were in released segments; what precedes it is no longer known.
      this.#anchorIndex = firstIndex - 1;
      this.#anchorTerm = undefined;
      this.#entries = [];
    } else {
      this.#entries.length = firstIndex - this.#anchorIndex - 1;
    }
    for (const e of entries) this.#entries.push(e);
  }

  #markerRecord(rec: RawRecord, file: string): void {
    const { marker: m, resetsLog } = decodeMarkerRecord(rec.payload);
    if (resetsLog) {
      this.#anchorIndex = m.index;
      this.#anchorTerm = m.term;
      this.#entries = [];
    } else {
      const term = this.termAt(m.index);
      if (m.index >= this.#anchorIndex && term !== m.term && !(m.index === this.#anchorIndex && term === undefined)) {
        throw new WalCorruptError(file, rec.offset, `a snapshot marker at index ${m.index} term ${m.term} says it ` +
          `matched the log, but the log has ${term === undefined ? 'no entry' : `term ${term}`} there`);
      }
    }
    if (!this.#marker || m.index >= this.#marker.index) this.#marker = m;
  }

  /**
   * The log after `fromSnapshot` (a snapshot the caller loaded), or after the newest marker
   * in the WAL when it is not given.
   */
  finish(fromSnapshot?: SnapshotMarker): ReplayOutcome {
    const walMarker = this.#marker;
    const base = fromSnapshot ?? walMarker ?? { index: this.#anchorIndex, term: this.#anchorTerm ?? 0 };
    const baseIsNewer = fromSnapshot !== undefined && (walMarker === null || fromSnapshot.index > walMarker.index);
    if (base.index < this.#anchorIndex) {
      throw new WalMissingEntriesError(`replay must start after index ${base.index}, but entries up to ` +
        `${this.#anchorIndex} were released (the WAL starts after index ${this.#anchorIndex})`);
    }
    if (walMarker && fromSnapshot && fromSnapshot.index === walMarker.index && fromSnapshot.term !== walMarker.term) {
      throw new WalSnapshotMismatchError(`the snapshot is at index ${fromSnapshot.index} term ${fromSnapshot.term} but ` +
        `the WAL recorded a snapshot at that index with term ${walMarker.term}`);
    }
    const term = this.termAt(base.index);
    const termUnknown = base.index === this.#anchorIndex && term === undefined;
    let entries: Entry[];
    let baseResetsLog = false;
    if (term === base.term || (termUnknown && !baseIsNewer)) {
      // (A marker the WAL wrote itself was checked against the log when written.)
      entries = this.#entries.slice(base.index - this.#anchorIndex);
    } else if (baseIsNewer && !termUnknown) {
      entries = []; // §7: the snapshot does not match the log, so the log is discarded.
      baseResetsLog = true;
    } else {
      throw new WalSnapshotMismatchError(`the snapshot is at index ${base.index} term ${base.term}, but the ` +
        `WAL's log has ${term === undefined ? 'no known entry' : `term ${term}`} there`);
    }
    const diskPoint: LogPoint = {
      lastIndex: this.lastIndex,
      lastTerm: this.termAt(this.lastIndex) ?? 0,
      hardState: this.#hardState,
      snapshotMarker: walMarker,
    };
    return { metadata: this.#metadata, hardState: this.#hardState, walMarker, base, entries, baseIsNewer,
      baseResetsLog, diskPoint };
  }
}
