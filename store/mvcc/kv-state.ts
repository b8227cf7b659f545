// The multi-version key space: the B+tree of key histories, the revision log, the current
// and compacted revisions, and the size accounting the quota check reads. It knows nothing
// of leases or watchers (store.ts wires those in). Writes go through a WriteBatch: every
// change of one txn gets main = current + 1 and the next sub, reads inside the txn see its
// own changes (etcd storeTxnWrite reads at beginRev + 1 once it has changes), and commit()
// bumps the revision only if something changed (etcd storeTxnWrite.End).

import { BTreeMap } from './btree.js';
import { KeyHistory, RevisionLog, type Revision } from './history.js';
import type { KeyValue, LeaseId } from './types.js';
import { NO_LEASE, sharedLease } from './types.js';
import { EMPTY_BYTES, type KeySpan } from './bytes.js';
import { invariant } from './errors.js';

export interface WriteBatch {
  readonly main: number;
  readonly changes: Revision[];
}

export interface RangeResult {
  kvs: KeyValue[];
  count: number;
}

/** First revision a write can have: an empty store is at revision 1 (etcd). */
const FIRST_WRITE_REVISION = 2;

export class KvState {
  readonly tree = new BTreeMap<KeyHistory>();
  readonly log: RevisionLog;
  readonly #kvOverheadBytes: number;
  #currentRev = 1;
  /** etcd's compactMainRev: -1 until the first compaction. */
  #compactRev = -1;
  #sizeBytes = 0;
  #batch: WriteBatch | null = null;

  constructor(kvOverheadBytes: number, currentRev = 1, compactRev = -1) {
    this.#kvOverheadBytes = kvOverheadBytes;
    this.#currentRev = currentRev;
    this.#compactRev = compactRev;
    this.log = new RevisionLog(Math.max(compactRev, FIRST_WRITE_REVISION));
  }

  get currentRev(): number {
    return this.#currentRev;
  }

  get compactRev(): number {
    return this.#compactRev;
  }

  /** Logical bytes held: every retained revision's key, value and kvOverhead. */
  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** True between beginWrite() and commit(): the state is mid-change (no snapshot then). */
  get writing(): boolean {
    return this.#batch !== null;
  }

  /** The revision reads see: inside a write batch with changes, the batch's own revision. */
  get readRev(): number {
    const b = this.#batch;
    return b !== null && b.changes.length > 0 ? b.main : this.#currentRev;
  }

  beginWrite(): WriteBatch {
    invariant(this.#batch === null, 'nested write batch');
    invariant(this.#currentRev < Number.MAX_SAFE_INTEGER, 'revision overflow');
    this.#batch = { main: this.#currentRev + 1, changes: [] };
    return this.#batch;
  }

  /** Ends the batch; returns its changes (empty if it changed nothing and kept the revision). */
  commit(batch: WriteBatch): Revision[] {
    invariant(this.#batch === batch, 'commit of a batch that is not open');
    this.#batch = null;
    if (batch.changes.length === 0) return batch.changes;
    this.#currentRev = batch.main;
    this.log.append(batch.main, batch.changes);
    return batch.changes;
  }

  /** Returns the previous live value (for prev_kv and lease detach). */
  put(batch: WriteBatch, id: string, key: Uint8Array, value: Uint8Array, lease: LeaseId): KeyValue | undefined {
    let hist = this.tree.get(id);
    if (hist === undefined) {
      hist = new KeyHistory(id, key);
      this.tree.set(id, hist);
    }
    const last = hist.latest();
    const prev = last === undefined || last.tombstone ? undefined : last.kv;
    const kv: KeyValue = Object.freeze({
      key: hist.key,
      createRevision: prev === undefined ? batch.main : prev.createRevision,
      modRevision: batch.main,
      version: prev === undefined ? 1 : prev.version + 1,
      value,
      lease: sharedLease(lease),
    });
    this.#append(batch, hist, kv, false);
    return prev;
  }

  /** Writes a tombstone if the key is live; returns the value it had. */
  delete(batch: WriteBatch, hist: KeyHistory): KeyValue | undefined {
    const last = hist.latest();
    if (last === undefined || last.tombstone) return undefined;
    const kv: KeyValue = Object.freeze({
      key: hist.key,
      createRevision: 0,
      modRevision: batch.main,
      version: 0,
      value: EMPTY_BYTES,
      lease: NO_LEASE,
    });
    this.#append(batch, hist, kv, true);
    return last.kv;
  }

  #append(batch: WriteBatch, hist: KeyHistory, kv: KeyValue, tombstone: boolean): void {
    invariant(this.#batch === batch, 'write outside an open batch');
    const r: Revision = Object.freeze({ main: batch.main, sub: batch.changes.length, kv, tombstone, hist });
    hist.revs.push(r);
    batch.changes.push(r);
    this.#sizeBytes += this.#revisionBytes(r);
  }

  #revisionBytes(r: Revision): number {
    return r.kv.key.length + r.kv.value.length + this.#kvOverheadBytes;
  }

  /** Histories of keys in the span that are live at `rev`, in key order. */
  liveHistories(span: KeySpan, rev: number): KeyHistory[] {
    const out: KeyHistory[] = [];
    this.#visit(span, (h) => {
      if (h.liveAt(rev) !== undefined) out.push(h);
    });
    return out;
  }

  /** The live key-values of the span at `rev`, in key order; `limit` ≤ 0 = all. Counts them all. */
  rangeAt(span: KeySpan, rev: number, limit: number, countOnly: boolean): RangeResult {
    const kvs: KeyValue[] = [];
    let count = 0;
    this.#visit(span, (h) => {
      const kv = h.liveAt(rev);
      if (kv === undefined) return;
      count++;
      if (!countOnly && (limit <= 0 || kvs.length < limit)) kvs.push(kv);
    });
    return { kvs, count };
  }

  #visit(span: KeySpan, fn: (h: KeyHistory) => void): void {
    if (span.end === undefined) {
      const h = this.tree.get(span.start);
      if (h !== undefined) fn(h);
      return;
    }
    this.tree.scan(span.start, span.end, (_k, h) => {
      fn(h);
      return true;
    });
  }

  /**
   * Forget history below `rev` (etcd keyIndex.compact): for each key keep every revision ≥ rev
   * and, if the key had no change at rev, its last revision before rev when that is a put
   * (the value reads at rev still need). A key left with nothing leaves the index. A
   * tombstone at exactly rev is kept so a watcher starting at rev still sees that delete.
   * Cost: the changes in revisions [previous compaction, rev], not the whole key space —
   * keys untouched since the previous compaction already hold a single put that stays.
   */
  compact(rev: number): void {
    invariant(this.#batch === null, 'compaction inside a write batch');
    invariant(rev > this.#compactRev && rev <= this.#currentRev, `bad compaction revision ${rev}`);
    const touched = new Set<KeyHistory>();
    const last = Math.min(rev, this.log.last);
    for (let r = this.log.base; r <= last; r++) {
      for (const change of this.log.get(r) ?? []) touched.add(change.hist);
    }
    for (const hist of touched) this.#compactKey(hist, rev);
    this.log.dropBefore(Math.max(rev, FIRST_WRITE_REVISION));
    this.#compactRev = rev;
  }

  #compactKey(hist: KeyHistory, rev: number): void {
    const revs = hist.revs;
    const before = hist.countBefore(rev);
    if (before === 0) return;
    const lastBefore = revs[before - 1] as Revision;
    const changedAtRev = before < revs.length && (revs[before] as Revision).main === rev;
    const keepLast = !lastBefore.tombstone && !changedAtRev;
    const drop = keepLast ? before - 1 : before;
    if (drop === 0) return;
    for (let i = 0; i < drop; i++) this.#sizeBytes -= this.#revisionBytes(revs[i] as Revision);
    hist.revs = revs.slice(drop);
    if (hist.revs.length === 0) this.tree.delete(hist.id);
  }

  /** Every retained revision, key by key, each key's in order (hashing, snapshots). */
  forEachRevision(fn: (r: Revision) => void): void {
    this.tree.scan('', '', (_k, h) => {
      for (const r of h.revs) fn(r);
      return true;
    });
  }

  /**
   * Rebuild from retained revisions (snapshot restore). `revisions` come key by key, in
   * order within a key. Checks every invariant a snapshot must satisfy and throws if not.
   */
  static restore(kvOverheadBytes: number, currentRev: number, compactRev: number,
    revisions: Iterable<{ id: string; key: Uint8Array; main: number; sub: number; kv: KeyValue; tombstone: boolean }>,
  ): KvState {
    const s = new KvState(kvOverheadBytes, currentRev, compactRev);
    const logBase = s.log.base;
    const logged: Revision[] = []; // the changes the revision log holds, in key order
    let hist: KeyHistory | undefined;
    for (const x of revisions) {
      if (hist === undefined || hist.id !== x.id) {
        invariant(hist === undefined || hist.id < x.id, 'snapshot keys out of order');
        hist = new KeyHistory(x.id, x.key);
        s.tree.set(x.id, hist);
      }
      const prev = hist.latest();
      invariant(prev === undefined || prev.main < x.main || (prev.main === x.main && prev.sub < x.sub),
        'snapshot revisions of a key out of order');
      // Messages built only on failure: this runs once per revision of the snapshot.
      if (x.main > currentRev || x.main < FIRST_WRITE_REVISION) invariant(false, `snapshot revision ${x.main} out of range`);
      const r: Revision = Object.freeze({ main: x.main, sub: x.sub, kv: x.kv, tombstone: x.tombstone, hist });
      hist.revs.push(r);
      s.#sizeBytes += s.#revisionBytes(r);
      if (x.main >= logBase) logged.push(r);
    }
    // The log's records by main - base: a revision alone, or its changes once it has more
    // (a Map and an array per revision took a good part of a 250k-revision restart). Every
    // revision has a change, so the count is bounded by what the snapshot holds.
    const mains = Math.max(0, currentRev - logBase + 1);
    invariant(mains <= logged.length, `snapshot holds ${logged.length} changes for revisions ${logBase}..${currentRev}`);
    const byMain: (Revision | Revision[] | undefined)[] = new Array<undefined>(mains).fill(undefined);
    for (const r of logged) {
      const at = r.main - logBase;
      const had = byMain[at];
      if (had === undefined) byMain[at] = r;
      else if (Array.isArray(had)) had.push(r);
      else byMain[at] = [had, r];
    }
    for (let main = logBase; main <= currentRev; main++) {
      const had = byMain[main - logBase];
      invariant(had !== undefined, `snapshot lacks the changes of revision ${main}`);
      const group = Array.isArray(had) ? had.sort((a, b) => a.sub - b.sub) : [had];
      group.forEach((r, i) => r.sub === i || invariant(false, `snapshot revision ${main} has a gap in sub-revisions`));
      s.log.append(main, group);
    }
    return s;
  }
}
