// The watchable half of the store (etcd server/storage/mvcc/watchable_store.go), driven
// explicitly instead of by goroutines: the store calls notify() after each write; the
// driver calls syncWatchers() and syncVictims() on its own schedule (etcd runs them every
// 100 ms / 10 ms) and progressTick() at the progress-notify interval.
//
// A watcher is in exactly one place:
//   synced    it has every event up to the current revision; notify() feeds it live.
//   unsynced  it starts in the past (or fell behind); syncWatchers() feeds it from the
//             revision log in bounded batches, then moves it to synced.
//   victim    its stream was full when a batch was ready; the batch is held, retried by
//             syncVictims(), and the watcher resumes after it. Nothing is ever dropped.
// Responses queue on the watcher's stream, bounded per watcher and per stream; the layer
// above drains them with poll().

import type { KvState } from './kv-state.js';
import type { Revision } from './history.js';
import { WATCH_QUEUE_RESLICE_ENTRIES, type MvccLimits } from './limits.js';
import { toSpan, type KeySpan, spanContains } from './bytes.js';
import { assertFinite, Errors, fail, invariant, ok, type Result } from './errors.js';
import { EventType, WatchFilterType, type Event, type WatchCreateRequest, type WatchResponse } from './types.js';

type WatcherState = 'synced' | 'unsynced' | 'victim' | 'done';

export class Watcher {
  state: WatcherState = 'unsynced';
  /** The first revision whose events this watcher still needs. */
  minRev = 0;
  /** Event responses of this watcher queued on its stream. */
  pendingResponses = 0;
  /** Events were queued since the last progress tick (etcd elides that tick's notification). */
  sentSinceTick = false;

  constructor(
    readonly id: number,
    readonly stream: WatchStream,
    readonly span: KeySpan,
    readonly prevKv: boolean,
    readonly noPut: boolean,
    readonly noDelete: boolean,
    readonly progressNotify: boolean,
  ) {}
}

/** Watchers indexed by what they watch (etcd watcherGroup: key map plus ranges). */
class WatcherGroup {
  readonly all = new Set<Watcher>();
  readonly #byKey = new Map<string, Set<Watcher>>();
  // Ranges grouped by identical span: clients (the API server's watch cache, etcdctl) share
  // a few prefixes, so matching scans distinct ranges, not watchers. '\uffff' cannot occur
  // in a key string, so it separates start and end unambiguously.
  readonly #ranges = new Map<string, { span: KeySpan; set: Set<Watcher> }>();

  add(w: Watcher): void {
    invariant(!this.all.has(w), 'watcher added to a group twice');
    this.all.add(w);
    if (w.span.end === undefined) {
      let set = this.#byKey.get(w.span.start);
      if (set === undefined) this.#byKey.set(w.span.start, (set = new Set()));
      set.add(w);
      return;
    }
    const id = `${w.span.start}\uffff${w.span.end}`;
    let entry = this.#ranges.get(id);
    if (entry === undefined) this.#ranges.set(id, (entry = { span: w.span, set: new Set() }));
    entry.set.add(w);
  }

  delete(w: Watcher): boolean {
    if (!this.all.delete(w)) return false;
    if (w.span.end === undefined) {
      const set = this.#byKey.get(w.span.start);
      invariant(set !== undefined && set.delete(w), 'watcher missing from its key set');
      if (set.size === 0) this.#byKey.delete(w.span.start);
      return true;
    }
    const id = `${w.span.start}\uffff${w.span.end}`;
    const entry = this.#ranges.get(id);
    invariant(entry !== undefined && entry.set.delete(w), 'watcher missing from its range set');
    if (entry.set.size === 0) this.#ranges.delete(id);
    return true;
  }

  forMatching(key: string, fn: (w: Watcher) => void): void {
    const set = this.#byKey.get(key);
    if (set !== undefined) for (const w of set) fn(w);
    for (const { span, set: ws } of this.#ranges.values()) {
      if (spanContains(span, key)) for (const w of ws) fn(w);
    }
  }
}

interface HeldBatch {
  events: Event[];
  revision: number;
}

function response(watchId: number, revision: number, events: Event[]): WatchResponse {
  return { watchId, revision, created: false, canceled: false, compactRevision: 0, cancelReason: '', events };
}

/** The mvccpb.Event for one change; prev_kv as etcd's watch server reads it (at main - 1). */
export function eventOf(r: Revision, withPrevKv: boolean): Event {
  const type = r.tombstone ? EventType.DELETE : EventType.PUT;
  if (!withPrevKv) return { type, kv: r.kv };
  const prevKv = r.hist.liveBefore(r.main);
  return prevKv === undefined ? { type, kv: r.kv } : { type, kv: r.kv, prevKv };
}

export class WatchHub {
  readonly synced = new WatcherGroup();
  readonly unsynced = new WatcherGroup();
  readonly victims = new Map<Watcher, HeldBatch>();
  readonly streams = new Set<WatchStream>();
  readonly #readable = new Set<WatchStream>();
  watcherCount = 0;

  constructor(readonly limits: Readonly<MvccLimits>, readonly state: () => KvState) {}

  register(w: Watcher, startRev: number): void {
    const current = this.state().currentRev;
    this.watcherCount++;
    // etcd watchableStore.watch: a watcher from 0 or from the future is synced at once.
    if (startRev <= 0 || startRev > current) {
      w.minRev = Math.max(current + 1, startRev);
      w.state = 'synced';
      this.synced.add(w);
    } else {
      w.minRev = startRev;
      w.state = 'unsynced';
      this.unsynced.add(w);
    }
  }

  unregister(w: Watcher): void {
    if (w.state === 'done') return;
    const removed = this.synced.delete(w) || this.unsynced.delete(w) || this.victims.delete(w);
    invariant(removed, 'watcher in no group');
    w.state = 'done';
    this.watcherCount--;
  }

  markReadable(s: WatchStream): void {
    this.#readable.add(s);
  }

  /** Tell streams that became readable. Runs after the state is consistent again. */
  flushReadable(): void {
    while (this.#readable.size > 0) {
      const [s] = this.#readable;
      this.#readable.delete(s as WatchStream);
      (s as WatchStream).fireReadable();
    }
  }

  /** Filter and queue one event batch; false if the watcher's or its stream's bound is reached. */
  trySend(w: Watcher, events: Event[], revision: number): boolean {
    const kept = w.noPut || w.noDelete
      ? events.filter((e) => !(w.noPut && e.type === EventType.PUT) && !(w.noDelete && e.type === EventType.DELETE))
      : events;
    if (kept.length === 0) return true; // etcd watcher.send: everything filtered → nothing to send
    if (!w.stream.hasRoomFor(w)) return false;
    w.stream.enqueue(response(w.id, revision, kept), w);
    w.sentSinceTick = true;
    return true;
  }

  /** Feed the changes of one just-committed revision to synced watchers (etcd notify). */
  notify(changes: Revision[]): void {
    if (this.synced.all.size === 0 || changes.length === 0) return;
    const rev = (changes[0] as Revision).main;
    const batches = new Map<Watcher, Event[]>();
    for (const r of changes) {
      let plain: Event | undefined;
      let withPrev: Event | undefined;
      this.synced.forMatching(r.hist.id, (w) => {
        if (rev < w.minRev) return; // a watcher that asked to start in the future
        const ev = w.prevKv ? (withPrev ??= eventOf(r, true)) : (plain ??= eventOf(r, false));
        const list = batches.get(w);
        if (list === undefined) batches.set(w, [ev]);
        else list.push(ev);
      });
    }
    for (const [w, events] of batches) {
      w.minRev = rev + 1;
      if (!this.trySend(w, events, rev)) {
        this.synced.delete(w);
        w.state = 'victim';
        this.victims.set(w, { events, revision: rev });
      }
    }
  }

  /** Retry held batches (etcd moveVictims); returns how many were delivered. */
  syncVictims(): number {
    let moved = 0;
    const current = this.state().currentRev;
    for (const [w, held] of [...this.victims]) {
      if (!this.trySend(w, held.events, held.revision)) continue;
      this.victims.delete(w);
      moved++;
      if (w.minRev <= current) {
        w.state = 'unsynced';
        this.unsynced.add(w);
      } else {
        w.state = 'synced';
        this.synced.add(w);
      }
    }
    if (moved > 0) this.#retryDeferredProgress();
    return moved;
  }

  /**
   * One bounded catch-up step for unsynced watchers (etcd syncWatchers): at most
   * maxWatchersPerSync watchers and maxSyncScanChangesPerStep changes scanned. Returns
   * how many watchers are still unsynced.
   */
  syncWatchers(): number {
    const s = this.state();
    let budget = this.limits.maxSyncScanChangesPerStep;
    const chosen = [...this.unsynced.all].slice(0, this.limits.maxWatchersPerSync);
    for (const w of chosen) {
      if (budget <= 0) break;
      // Rotate so a watcher with a long way to go does not starve the others.
      this.unsynced.delete(w);
      this.unsynced.add(w);
      if (w.minRev > s.currentRev) {
        this.#toSynced(w); // only after a restore to an older snapshot
        continue;
      }
      if (w.minRev < s.compactRev) {
        this.#cancelCompacted(w, s.compactRev);
        continue;
      }
      budget -= this.#catchUp(w, s, budget);
    }
    this.#retryDeferredProgress();
    return this.unsynced.all.size;
  }

  /** Scan the log from w.minRev and send one batch; returns the changes scanned. */
  #catchUp(w: Watcher, s: KvState, budget: number): number {
    const events: Event[] = [];
    let revsWithEvents = 0;
    let scanned = 0;
    let rev = w.minRev;
    while (rev <= s.currentRev) {
      const changes = s.log.get(rev) ?? []; // revision 1 (the empty store) has none
      let matched = false;
      for (const c of changes) {
        if (!spanContains(w.span, c.hist.id)) continue;
        events.push(eventOf(c, w.prevKv));
        matched = true;
      }
      scanned += changes.length;
      rev++;
      if (matched) revsWithEvents++;
      // Whole revisions only: a batch never splits one (etcd eventBatch).
      const full = revsWithEvents >= this.limits.maxRevisionsPerWatchBatch ||
        events.length >= this.limits.maxEventsPerWatchBatch;
      if (full || scanned >= budget) break;
    }
    w.minRev = rev;
    // The response's revision is the last one this batch covers: every event of this
    // watcher up to it is in the batch. (etcd sends its current revision even for a
    // partial batch.)
    if (events.length > 0 && !this.trySend(w, events, rev - 1)) {
      this.unsynced.delete(w);
      w.state = 'victim';
      this.victims.set(w, { events, revision: rev - 1 });
      return scanned;
    }
    if (rev > s.currentRev) this.#toSynced(w);
    return scanned;
  }

  #toSynced(w: Watcher): void {
    this.unsynced.delete(w);
    w.state = 'synced';
    this.synced.add(w);
  }

  /** etcd chooseAll: a watcher whose start was compacted is canceled with compact_revision. */
  #cancelCompacted(w: Watcher, compactRev: number): void {
    if (!w.stream.hasRoomFor(w)) return; // retried next step
    const current = this.state().currentRev;
    w.stream.enqueue({ ...response(w.id, current, []), canceled: true, compactRevision: compactRev }, w);
    w.stream.forget(w);
    this.unregister(w);
  }

  /** Progress-notify interval elapsed (etcd watch server progressTicker). */
  progressTick(): void {
    const current = this.state().currentRev;
    for (const stream of this.streams) {
      for (const w of stream.watchers.values()) {
        if (!w.progressNotify) continue;
        if (!w.sentSinceTick && w.state === 'synced' && w.stream.hasRoomFor(w)) {
          w.stream.enqueue(response(w.id, current, []), w);
        }
        w.sentSinceTick = false;
      }
    }
  }

  #retryDeferredProgress(): void {
    for (const stream of this.streams) stream.retryDeferredProgress();
  }

  /**
   * After a snapshot restore every synced watcher must be re-checked against the new
   * history (etcd watchableStore.Restore). It had every event up to the old revision, so
   * it resumes after that; a compaction in the snapshot past that point cancels it.
   */
  onRestore(oldCurrentRev: number): void {
    for (const w of [...this.synced.all]) {
      this.synced.delete(w);
      w.minRev = Math.max(w.minRev, oldCurrentRev + 1);
      w.state = 'unsynced';
      this.unsynced.add(w);
    }
  }
}

interface Queued {
  readonly resp: WatchResponse;
  /** The watcher whose bound this response counts against; null for control responses. */
  readonly counted: Watcher | null;
}

export interface WatchStreamOptions {
  /** Called (never re-entrantly inside a store call) when the queue goes from empty to non-empty. */
  onReadable?: () => void;
}

/** One client watch stream (etcd watchStream + the per-stream half of the watch server). */
export class WatchStream {
  readonly watchers = new Map<number, Watcher>();
  #queue: Queued[] = [];
  #head = 0;
  #nextId = 0;
  #closed = false;
  #deferredProgress = false;
  #progressQueued = false;
  #controlPending = 0;

  constructor(readonly hub: WatchHub, readonly options: WatchStreamOptions = {}) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Responses waiting to be polled. */
  get pendingResponses(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Create a watcher (etcd WatchCreateRequest). Queues the `created` response, or on
   * refusal a created+canceled response with the reason, as etcd's watch server does.
   */
  watch(req: WatchCreateRequest): Result<number> {
    const result = this.#create(req);
    if (!result.ok) {
      const rev = this.hub.state().currentRev;
      const refusal = { ...response(-1, rev, []), created: true, canceled: true, cancelReason: result.error.message };
      this.enqueue(refusal, null);
    }
    this.hub.flushReadable();
    return result;
  }

  #create(req: WatchCreateRequest): Result<number> {
    invariant(!this.#closed, 'watch on a closed stream');
    assertFinite({ startRevision: req.startRevision, watchId: req.watchId });
    const span = toSpan(req.key, req.rangeEnd);
    // etcd watchStream.Watch: a range whose end is not above its start watches nothing.
    if (span.end !== undefined && span.end !== '' && span.start >= span.end) return fail(Errors.watcherRangeEmpty);
    const limits = this.hub.limits;
    // Control responses (created/canceled) do not count against the event bounds; a client
    // that creates and cancels without reading is refused once that many are unread.
    if (this.watchers.size >= limits.maxWatchersPerStream || this.hub.watcherCount >= limits.maxWatchers ||
      this.#controlPending >= limits.maxWatchersPerStream) {
      return fail(Errors.tooManyWatchers);
    }
    let id = req.watchId ?? 0;
    if (id === 0) {
      // etcd 3.5: per-stream IDs from 0, skipping IDs the client chose.
      while (this.watchers.has(this.#nextId)) this.#nextId++;
      id = this.#nextId++;
    } else if (this.watchers.has(id)) {
      return fail(Errors.watcherDuplicateId);
    }
    const filters = req.filters ?? [];
    const w = new Watcher(id, this, span, req.prevKv === true, filters.includes(WatchFilterType.NOPUT),
      filters.includes(WatchFilterType.NODELETE), req.progressNotify === true);
    this.watchers.set(id, w);
    this.enqueue({ ...response(id, this.hub.state().currentRev, []), created: true }, null);
    this.hub.register(w, req.startRevision ?? 0);
    return ok(id);
  }

  /** Cancel a watcher; its undelivered responses are dropped (the client asked to stop). */
  cancel(watchId: number): Result<void> {
    invariant(!this.#closed, 'cancel on a closed stream');
    const w = this.watchers.get(watchId);
    if (w === undefined) return fail(Errors.watcherNotExist);
    this.forget(w);
    this.hub.unregister(w);
    this.#purge(w);
    this.enqueue({ ...response(watchId, this.hub.state().currentRev, []), canceled: true }, null);
    this.hub.flushReadable();
    return ok(undefined);
  }

  /**
   * Stream-wide progress request (etcd RequestProgressAll): if every watcher is synced, a
   * response with watch ID -1 and the current revision; otherwise it is sent once they are.
   */
  requestProgress(): void {
    invariant(!this.#closed, 'progress request on a closed stream');
    this.#deferredProgress = true;
    this.retryDeferredProgress();
    this.hub.flushReadable();
  }

  retryDeferredProgress(): void {
    if (!this.#deferredProgress) return;
    for (const w of this.watchers.values()) if (w.state !== 'synced') return;
    this.#deferredProgress = false;
    // One queued at a time is enough: it is a lower bound the client will still receive.
    if (this.watchers.size === 0 || this.#progressQueued) return;
    this.#progressQueued = true;
    this.enqueue(response(-1, this.hub.state().currentRev, []), null);
  }

  /** Take up to `max` responses in order. */
  poll(max = Number.POSITIVE_INFINITY): WatchResponse[] {
    const out: WatchResponse[] = [];
    while (this.#head < this.#queue.length && out.length < max) {
      const q = this.#queue[this.#head++] as Queued;
      if (q.counted !== null) q.counted.pendingResponses--;
      else this.#controlPending--;
      if (q.counted === null && q.resp.watchId === -1 && !q.resp.created) this.#progressQueued = false;
      out.push(q.resp);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > WATCH_QUEUE_RESLICE_ENTRIES && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  /** Cancel every watcher and drop what is queued. */
  close(): void {
    if (this.#closed) return;
    for (const w of this.watchers.values()) this.hub.unregister(w);
    this.watchers.clear();
    this.#queue = [];
    this.#head = 0;
    this.#controlPending = 0;
    this.#closed = true;
    this.hub.streams.delete(this);
  }

  hasRoomFor(w: Watcher): boolean {
    const limits = this.hub.limits;
    return w.pendingResponses < limits.maxPendingResponsesPerWatcher &&
      this.pendingResponses < limits.maxPendingResponsesPerStream;
  }

  enqueue(resp: WatchResponse, counted: Watcher | null): void {
    if (this.#closed) return;
    if (this.pendingResponses === 0) this.hub.markReadable(this);
    this.#queue.push({ resp, counted });
    if (counted !== null) counted.pendingResponses++;
    else this.#controlPending++;
  }

  forget(w: Watcher): void {
    this.watchers.delete(w.id);
  }

  fireReadable(): void {
    if (!this.#closed && this.pendingResponses > 0) this.options.onReadable?.();
  }

  #purge(w: Watcher): void {
    const kept = this.#queue.slice(this.#head).filter((q) => q.counted !== w);
    this.#queue = kept;
    this.#head = 0;
    w.pendingResponses = 0;
  }
}

