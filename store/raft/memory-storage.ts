// An in-memory Storage: the simulator's disk and the store's cache of its WAL.
// Layout (as etcd's MemoryStorage): ents[0] is a dummy entry standing for the last
// entry covered by the snapshot, so term(snapshotIndex) stays answerable after compaction
// — AppendEntries' consistency check (§5.3) needs the term of the entry before `next`.
import { invariant } from './invariant.js';
import { encodeConfChange } from './confchange.js';
import type { ConfState, Entry, HardState, NodeId, Snapshot, Storage } from './types.js';
import { ConfChangeType, EntryType, NONE } from './types.js';

export interface MemoryStorageInit {
  hardState?: HardState;
  confState?: ConfState;
  snapshot?: Snapshot;
  entries?: Entry[];
}

function dummy(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(0) };
}

export function entryBytes(e: Entry): number {
  return e.data.byteLength;
}

export class MemoryStorage implements Storage {
  /**
   * A brand-new cluster member's state, as etcd bootstraps: the initial voters as
   * committed AddNode entries at indexes 1..n of term 1. The membership is known at once
   * (confState), and a member added later learns it by replaying these entries.
   * The driver applies them like any committed ConfChange (a no-op for existing voters).
   */
  static bootstrap(voters: readonly NodeId[]): MemoryStorage {
    const entries = voters.map((nodeId, i): Entry => ({
      term: 1, index: i + 1, type: EntryType.ConfChange,
      data: encodeConfChange({ type: ConfChangeType.AddNode, nodeId }),
    }));
    return new MemoryStorage({
      confState: { voters: [...voters].sort(), learners: [] },
      entries,
      hardState: { term: 1, vote: NONE, commit: voters.length },
    });
  }

  #hardState: HardState = { term: 0, vote: NONE, commit: 0 };
  #snapshot: Snapshot;
  /**
   * The membership a restarted member starts with (initialState), which may be newer than
   * the snapshot's: conf changes applied after it. Kept apart from the snapshot, whose
   * metadata must describe exactly the state at its own index.
   */
  #confState: ConfState | undefined;
  #ents: Entry[];

  constructor(init: MemoryStorageInit = {}) {
    const confState = init.confState ?? { voters: [], learners: [] };
    this.#snapshot = init.snapshot ?? { metadata: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
    if (init.confState && !init.snapshot) this.#snapshot.metadata.confState = init.confState;
    this.#ents = [dummy(this.#snapshot.metadata.index, this.#snapshot.metadata.term)];
    if (init.hardState) this.#hardState = { ...init.hardState };
    if (init.entries) this.append(init.entries);
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.#hardState }, confState: this.#confState ?? this.#snapshot.metadata.confState };
  }

  hardState(): HardState {
    return { ...this.#hardState };
  }

  setHardState(hs: HardState): void {
    this.#hardState = { ...hs };
  }

  /** The membership as of the applied index, for a restart (the snapshot's stays as it was). */
  setConfState(cs: ConfState): void {
    this.#confState = { voters: [...cs.voters], learners: [...cs.learners] };
  }

  #offset(): number {
    return this.#ents[0]!.index;
  }

  firstIndex(): number {
    return this.#offset() + 1;
  }

  lastIndex(): number {
    return this.#offset() + this.#ents.length - 1;
  }

  term(i: number): number | 'compacted' | 'unavailable' {
    const offset = this.#offset();
    if (i < offset) return 'compacted';
    if (i - offset >= this.#ents.length) return 'unavailable';
    return this.#ents[i - offset]!.term;
  }

  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] | 'compacted' | 'unavailable' {
    const offset = this.#offset();
    if (lo <= offset) return 'compacted';
    if (hi > this.lastIndex() + 1) return 'unavailable';
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.#ents[i - offset]!;
      size += entryBytes(e);
      if (out.length > 0 && size > maxSizeBytes) break;
      out.push(e);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Persisted entries: a conflicting suffix (a new leader's log, §5.3) is replaced. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return; // all already compacted
    const skip = Math.max(0, first - entries[0]!.index);
    const fresh = skip > 0 ? entries.slice(skip) : entries;
    const at = fresh[0]!.index - this.#offset();
    invariant(at <= this.#ents.length, () => `append leaves a gap: at ${fresh[0]!.index}, last ${this.lastIndex()}`);
    this.#ents.length = at;
    for (const e of fresh) this.#ents.push(e);
  }

  /** Replace everything with a snapshot received from the leader (InstallSnapshot, §7). */
  applySnapshot(snap: Snapshot): void {
    const { index, term } = snap.metadata;
    if (index <= this.#snapshot.metadata.index) return;
    this.#snapshot = snap;
    this.#confState = undefined;
    this.#ents = [dummy(index, term)];
  }

  /** Record a state machine image at an applied index, for compaction and slow followers. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    invariant(index <= this.lastIndex(), () => `snapshot at ${index} beyond last index ${this.lastIndex()}`);
    invariant(index >= this.#snapshot.metadata.index, () => `snapshot at ${index} older than ${this.#snapshot.metadata.index}`);
    const term = this.term(index);
    invariant(typeof term === 'number', () => `no term for snapshot index ${index}`);
    this.#snapshot = { metadata: { index, term, confState: { ...confState } }, data };
    return this.#snapshot;
  }

  /** Drop entries before `index`; entry `index` becomes the dummy (§7: log compaction). */
  compact(index: number): void {
    const offset = this.#offset();
    if (index <= offset) return;
    invariant(index <= this.lastIndex(), () => `compact ${index} beyond last index ${this.lastIndex()}`);
    const keep = this.#ents.slice(index - offset);
    keep[0] = dummy(index, keep[0]!.term);
    this.#ents = keep;
  }
}
