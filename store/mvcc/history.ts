// History of the key space. Each change to a key (a put or a delete's tombstone) is one
// immutable Revision, identified like etcd's revision{main, sub}: `main` is the store
// revision of the txn that made it, `sub` its position among that txn's changes. Every
// Revision is referenced from two places:
//   - its key's KeyHistory (revisions of that key in order), found through the B+tree, so
//     reading a key at any revision is a binary search and a put appends in O(1);
//   - the RevisionLog (changes grouped by main revision), so watchers catch up from any
//     retained revision without scanning the key space, and compaction visits only what
//     it removes.

import type { KeyValue } from './types.js';
import { invariant } from './errors.js';

export interface Revision {
  readonly main: number;
  readonly sub: number;
  /** For a tombstone only key and modRevision are set (what etcd puts in a DELETE event). */
  readonly kv: KeyValue;
  readonly tombstone: boolean;
  readonly hist: KeyHistory;
}

export class KeyHistory {
  readonly id: string;
  readonly key: Uint8Array;
  /**
   * Ordered by (main, sub). A key may change twice in one main revision (see txn-check.ts).
   * Only ever grown by push, or replaced whole by compaction — never spliced or truncated in
   * place: a snapshot being encoded in the background holds an array and its length and
   * relies on those revisions staying put (snapshot.ts captureSnapshot).
   */
  revs: Revision[] = [];

  constructor(id: string, key: Uint8Array) {
    this.id = id;
    this.key = key;
  }

  latest(): Revision | undefined {
    return this.revs[this.revs.length - 1];
  }

  /** Number of revisions with main < rev (binary search). */
  countBefore(rev: number): number {
    const revs = this.revs;
    let lo = 0;
    let hi = revs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((revs[mid] as Revision).main < rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The key's last change at or before `rev`. */
  at(rev: number): Revision | undefined {
    const last = this.revs[this.revs.length - 1];
    if (last !== undefined && last.main <= rev) return last; // the common case: reading the present
    return this.revs[this.countBefore(rev + 1) - 1];
  }

  /** The key's value as of `rev`, if it existed then. */
  liveAt(rev: number): KeyValue | undefined {
    const r = this.at(rev);
    return r === undefined || r.tombstone ? undefined : r.kv;
  }

  /**
   * The value before main revision `main`: what etcd's watch server reads at main - 1 to fill
   * prev_kv. Undefined if the key did not exist then, or that revision was compacted away.
   */
  liveBefore(main: number): KeyValue | undefined {
    const r = this.revs[this.countBefore(main) - 1];
    return r === undefined || r.tombstone ? undefined : r.kv;
  }
}

function isChangeList(r: Revision | readonly Revision[]): r is readonly Revision[] {
  return Array.isArray(r);
}

/** Changes grouped by main revision, for revisions base..base+records.length-1 (dense). */
export class RevisionLog {
  #base: number;
  /**
   * One record per main revision: the Revision itself when it is the only change (a put, a
   * single delete), else the changes in sub order. Most writes are single puts, and an
   * array per revision kept in history is two more heap objects (the array and its
   * backing store, sized for 17) for every garbage collection to mark.
   */
  #records: (Revision | readonly Revision[])[] = [];

  constructor(base: number) {
    this.#base = base;
  }

  get base(): number {
    return this.#base;
  }

  /** Last revision held, or base - 1 when empty. */
  get last(): number {
    return this.#base + this.#records.length - 1;
  }

  append(main: number, changes: readonly Revision[]): void {
    invariant(main === this.last + 1, `revision log gap: appending ${main} after ${this.last}`);
    invariant(changes.length > 0, 'revision log record without changes');
    this.#records.push(changes.length === 1 ? changes[0]! : changes);
  }

  /** The changes of revision `main` in sub order (a new one-element array for a single change). */
  get(main: number): readonly Revision[] | undefined {
    const r = this.#records[main - this.#base];
    return r === undefined || isChangeList(r) ? r : [r];
  }

  /** Drop records below newBase (compaction). */
  dropBefore(newBase: number): void {
    if (newBase <= this.#base) return;
    const n = Math.min(newBase - this.#base, this.#records.length);
    this.#records = this.#records.slice(n);
    this.#base = newBase;
  }
}
