// The write-ahead log: append-only segment files in one directory.
//
// Writes go through one queue. A save is validated and encoded when it is called, then
// waits; one flush at a time writes every waiting save (up to maxGroupBytes) with a single
// writev and a single fdatasync, then resolves all of them (group commit). Saves made while
// a flush is on disk form the next group, so under load the fsync cost is shared.
import { constants } from 'node:fs';
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Entry, HardState } from '../raft/types.js';
import { NONE } from '../raft/types.js';
import { sealRecord, type SegmentHeader, type SnapshotMarker, type WalMetadata } from './codec.js';
import { encodeSave, type EncodedSave } from './encode-save.js';
import {
  WalClosedError, WalConfigError, WalExistsError, WalFailedError, WalInvalidReleaseError, WalQueueFullError,
} from './errors.js';
import { fsyncDir, removeTempFiles, writeAll, writeAllSync } from './fsutil.js';
import { DEFAULT_INLINE_WRITE_MAX_BYTES, MAX_METADATA_FIELD_BYTES, type WalLimits } from './limits.js';
import { LogState, type LogPoint, type SaveRequest } from './log-state.js';
import { openSegments, type SegmentRef, type WalWarning } from './open.js';
import {
  resolveLimits, type CreateOptions, type OpenOptions, type WalMetricsHooks, type WalOptions,
} from './options.js';
import { createSegmentFile, parseSegmentName } from './segment.js';

export interface SaveOptions {
  /**
   * Default true: the promise resolves once the save is fsynced. With false (a Ready whose
   * mustSync is false) it resolves once written; a later synced save makes it durable.
   */
  sync?: boolean;
  /**
   * Default false. True: the caller has nothing to do until this save is durable (a
   * follower's Ready: its ack waits for the write), so a small durable group of such saves
   * (at most WalOptions.inlineWriteMaxBytes) is written on the calling thread, blocking it
   * for the disk, instead of going through the thread pool — which costs two thread
   * wake-ups (a pool thread to start the write, the event loop when it is done), each
   * waiting for a free core on a loaded machine.
   */
  inline?: boolean;
}

export interface OpenResult {
  wal: WAL;
  metadata: WalMetadata;
  /** The newest saved hard state; term 0, no vote, commit 0 if none was saved. */
  hardState: HardState;
  /** The newest snapshot marker in the WAL (including one open wrote for `fromSnapshot`). */
  snapshotMarker: SnapshotMarker | null;
  /** The snapshot position `entries` follow: `fromSnapshot`, else the newest marker, else index 0. */
  base: SnapshotMarker;
  /** The final log after base.index: conflicting suffixes already replaced. */
  entries: Entry[];
  warnings: WalWarning[];
}

export interface WalStats {
  fsyncs: number;
  fsyncSecondsTotal: number;
  fsyncSecondsMax: number;
  bytesWritten: number;
  groupsCommitted: number;
  /** Commit groups written on the calling thread (WalOptions.inlineWriteMaxBytes). */
  inlineWrites: number;
  savesCommitted: number;
  segmentsCreated: number;
  segmentsReleased: number;
  segmentCount: number;
  queuedSaves: number;
  queuedBytes: number;
}

export interface WalPosition {
  file: string;
  seq: number;
  /** Where the next record will be written in `file`. */
  offsetBytes: number;
}

interface Pending {
  enc: EncodedSave;
  sync: boolean;
  inline: boolean;
  /** The log as it will be once this save is written. */
  after: LogPoint;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface WalInit {
  dir: string;
  limits: WalLimits;
  options: WalOptions;
  metadata: WalMetadata;
  segments: SegmentRef[];
  fh: FileHandle;
  appendOffset: number;
  headerEnd: number;
  logical: LogState;
  written: LogPoint;
}

export class WAL {
  readonly dir: string;
  readonly metadata: WalMetadata;
  readonly #limits: WalLimits;
  readonly #preallocate: boolean;
  readonly #extendAhead: number;
  readonly #inlineWriteMax: number;
  /** The current segment's zeros reach this offset (WalOptions.extendAheadBytes); ≥ #appendOffset when on. */
  #extendedTo: number;
  /** A background extension (#maybeExtend), awaited before a write past #extendedTo, a roll or close. */
  #extending: Promise<void> | null = null;
  readonly #hooks: WalMetricsHooks;
  readonly #segments: SegmentRef[];
  #fh: FileHandle;
  /**
   * The current segment opened again with O_DSYNC, opened on first use: a group that must
   * be durable and follows no unsynced write is written through it, so write and fdatasync
   * are one trip to the thread pool instead of two (each trip is a wake-up of the event loop).
   */
  #dsyncFh: FileHandle | undefined;
  #appendOffset: number;
  #headerEnd: number;
  /** The log including every accepted save, written or not: new saves are validated against it. */
  #logical: LogState;
  /** The log as far as it has been written to the current segment. */
  #written: LogPoint;
  #durableMarkerIndex: number;
  #unsynced = false;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #flushing: Promise<void> | null = null;
  #failure: WalFailedError | null = null;
  #closed = false;
  #releaseChain: Promise<unknown> = Promise.resolve();
  #stats = { fsyncs: 0, fsyncSecondsTotal: 0, fsyncSecondsMax: 0, bytesWritten: 0, groupsCommitted: 0,
    inlineWrites: 0, savesCommitted: 0, segmentsCreated: 0, segmentsReleased: 0 };

  private constructor(init: WalInit) {
    this.dir = init.dir;
    this.metadata = init.metadata;
    this.#limits = init.limits;
    this.#preallocate = init.options.preallocate ?? false;
    this.#extendAhead = this.#preallocate ? 0 : Math.max(0, init.options.extendAheadBytes ?? 0);
    this.#inlineWriteMax = Math.max(0, init.options.inlineWriteMaxBytes ?? DEFAULT_INLINE_WRITE_MAX_BYTES);
    this.#extendedTo = init.appendOffset;
    this.#hooks = init.options.metrics ?? {};
    this.#segments = init.segments;
    this.#fh = init.fh;
    this.#appendOffset = init.appendOffset;
    this.#headerEnd = init.headerEnd;
    this.#logical = init.logical;
    this.#written = init.written;
    this.#durableMarkerIndex = init.written.snapshotMarker?.index ?? 0;
  }

  /** Creates a new WAL in `dir` (created if missing); refuses if segments already exist there. */
  static async create(dir: string, options: CreateOptions): Promise<WAL> {
    const limits = resolveLimits(options.limits);
    for (const [name, field] of Object.entries(options.metadata)) {
      if (!(field instanceof Uint8Array) || field.byteLength > MAX_METADATA_FIELD_BYTES) {
        throw new WalConfigError(`metadata.${name} must be a Uint8Array of at most ${MAX_METADATA_FIELD_BYTES} bytes`);
      }
    }
    await mkdir(dir, { recursive: true });
    await fsyncDir(dirname(dir));
    await removeTempFiles(dir);
    if ((await readdir(dir)).some((n) => parseSegmentName(n) !== null)) throw new WalExistsError(dir);
    const header: SegmentHeader = { seq: 1, firstIndex: 1, prevTerm: 0,
      preallocatedBytes: options.preallocate ? limits.segmentSizeBytes : 0,
      metadata: options.metadata, hardState: null, snapshotMarker: null };
    const seg = await createSegmentFile(dir, header);
    const logical = new LogState({ index: 0, term: 0 }, [], null, null);
    const segments = [{ seq: 1, firstIndex: 1, path: seg.path }];
    const wal = new WAL({ dir, limits, options, metadata: options.metadata, segments, fh: seg.fh,
      appendOffset: seg.dataEnd, headerEnd: seg.dataEnd, logical, written: logical.point() });
    wal.#stats.segmentsCreated++;
    wal.#hook('onSegmentCreated', seg.path);
    return wal;
  }

  /**
   * Reads every segment, repairs a torn tail, and returns the log to restart from plus the
   * WAL positioned for appending. Refuses (WalCorruptError) anything that is not a torn tail.
   */
  static async open(dir: string, options: OpenOptions = {}): Promise<OpenResult> {
    const limits = resolveLimits(options.limits);
    const opened = await openSegments(dir, options.fromSnapshot);
    const o = opened.outcome;
    const snapshotMarker = o.baseIsNewer ? o.base : o.walMarker;
    const logical = new LogState(o.base, o.entries, snapshotMarker, o.hardState);
    const wal = new WAL({ dir, limits, options, metadata: o.metadata, segments: opened.segments, fh: opened.fh,
      appendOffset: opened.appendOffset, headerEnd: opened.headerEnd, logical, written: o.diskPoint });
    if (o.baseIsNewer) {
      // Make the disk agree with what we return, so later entries replay after this snapshot too.
      // The §7 decision comes from the log on disk, which `logical` (starting at base) cannot see.
      const enc = encodeSave({ snapshotMarker: o.base }, limits, o.baseResetsLog);
      try {
        await Promise.all(wal.#push([{ enc, after: logical.point() }], true, false));
      } catch (err) {
        await wal.close().catch(() => undefined);
        throw err;
      }
    }
    return { wal, metadata: o.metadata, hardState: o.hardState ?? { term: 0, vote: NONE, commit: 0 }, snapshotMarker,
      base: o.base, entries: o.entries, warnings: opened.warnings };
  }

  /** Appends one Ready's records; resolves when they are durable (see SaveOptions.sync). */
  save(req: SaveRequest, options?: SaveOptions): Promise<void> {
    return this.saveMany([req], options);
  }

  /**
   * Appends several Readys in order, validated together (all or none are accepted) and
   * written in as few commit groups as maxGroupBytes allows (normally one fsync).
   */
  saveMany(reqs: readonly SaveRequest[], options: SaveOptions = {}): Promise<void> {
    let pending: Promise<void>[];
    try {
      pending = this.#enqueue(reqs, options.sync ?? true, options.inline ?? false);
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.all(pending).then(() => undefined);
  }

  #enqueue(reqs: readonly SaveRequest[], sync: boolean, inline: boolean): Promise<void>[] {
    this.#checkUsable();
    if (this.#queue.length + reqs.length > this.#limits.maxQueuedSaves) {
      throw new WalQueueFullError(this.#queue.length, this.#queuedBytes);
    }
    const next = this.#logical.clone();
    const prepared = reqs.map((req) => {
      const { markerResetsLog } = next.apply(req);
      return { enc: encodeSave(req, this.#limits, markerResetsLog), after: next.point() };
    });
    const bytes = prepared.reduce((n, p) => n + p.enc.buf.length, 0);
    if (this.#queuedBytes + bytes > this.#limits.maxQueuedBytes) {
      throw new WalQueueFullError(this.#queue.length, this.#queuedBytes);
    }
    this.#logical = next;
    return this.#push(prepared, sync, inline);
  }

  #push(prepared: { enc: EncodedSave; after: LogPoint }[], sync: boolean, inline: boolean): Promise<void>[] {
    const promises = prepared.map(({ enc, after }) => new Promise<void>((resolve, reject) => {
      this.#queue.push({ enc, sync, inline, after, resolve, reject });
      this.#queuedBytes += enc.buf.length;
    }));
    this.#flushing ??= this.#flushLoop();
    return promises;
  }

  #checkUsable(): void {
    if (this.#closed) throw new WalClosedError();
    if (this.#failure) throw this.#failure;
  }

  async #flushLoop(): Promise<void> {
    // Yield once so saves issued in the same tick join the first group.
    await Promise.resolve();
    try {
      while (this.#queue.length > 0) {
        const group = this.#takeGroup();
        try {
          await this.#commitGroup(group);
        } catch (err) {
          this.#fail(err, group);
          return;
        }
      }
    } finally {
      this.#flushing = null;
    }
  }

  #takeGroup(): Pending[] {
    let bytes = (this.#queue[0] as Pending).enc.buf.length;
    let n = 1;
    while (n < this.#queue.length && bytes + (this.#queue[n] as Pending).enc.buf.length <= this.#limits.maxGroupBytes) {
      bytes += (this.#queue[n] as Pending).enc.buf.length;
      n++;
    }
    this.#queuedBytes -= bytes;
    return this.#queue.splice(0, n);
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    const bytes = group.reduce((n, p) => n + p.enc.buf.length, 0);
    const segmentHasData = this.#appendOffset > this.#headerEnd;
    if (bytes > 0 && segmentHasData && this.#appendOffset + bytes > this.#limits.segmentSizeBytes) await this.#roll();
    let off = this.#appendOffset;
    for (const p of group) {
      for (const rec of p.enc.recordOffsets) sealRecord(p.enc.buf, rec, this.#currentSeq, off + rec);
      off += p.enc.buf.length;
    }
    const sync = group.some((p) => p.sync);
    const synchronousWrite = bytes > 0 && sync && !this.#unsynced;
    if (this.#extendAhead > 0 && off > this.#extendedTo) {
      await this.#extending;
      if (off > this.#extendedTo) await this.#extend(off); // a group larger than the lead: extend inline
    }
    if (bytes > 0) {
      const start = performance.now();
      const fh = synchronousWrite ? (this.#dsyncFh ??= await this.#openDsync()) : this.#fh;
      const bufs = group.map((p) => p.enc.buf);
      if (synchronousWrite && bytes <= this.#inlineWriteMax && group.every((p) => p.inline)) {
        writeAllSync(fh.fd, bufs, this.#appendOffset);
        this.#stats.inlineWrites++;
      } else {
        await writeAll(fh, bufs, this.#appendOffset);
      }
      this.#appendOffset = off;
      this.#unsynced = !synchronousWrite;
      this.#stats.bytesWritten += bytes;
      this.#hook('onBytesWritten', bytes);
      this.#written = (group[group.length - 1] as Pending).after;
      if (synchronousWrite) this.#synced((performance.now() - start) / 1000);
    } else {
      this.#written = (group[group.length - 1] as Pending).after;
    }
    if (this.#unsynced && sync) await this.#datasync();
    this.#stats.groupsCommitted++;
    this.#stats.savesCommitted += group.length;
    this.#hook('onGroupCommitted', group.length, bytes);
    for (const p of group) p.resolve();
    this.#maybeExtend();
  }

  /** Start extending in the background once less than half the lead is left. */
  #maybeExtend(): void {
    if (this.#extendAhead === 0 || this.#extending || this.#closed) return;
    if (this.#extendedTo - this.#appendOffset >= this.#extendAhead / 2) return;
    this.#extending = this.#extend(this.#appendOffset)
      .catch((err: unknown) => {
        // Only a lost speed-up: appends still grow the file, and are durable as before.
        process.emitWarning(`WAL extend-ahead failed: ${String(err)}`, { code: 'FLOTILLA_WAL_EXTEND' });
      })
      .finally(() => {
        this.#extending = null;
      });
  }

  /** Write zeros from #extendedTo to `from` + the lead, and fdatasync them (see extendAheadBytes). */
  async #extend(from: number): Promise<void> {
    const start = Math.max(this.#extendedTo, this.#appendOffset);
    const end = Math.max(from, start) + this.#extendAhead;
    const fh = this.#fh;
    await writeAll(fh, [Buffer.alloc(end - start)], start);
    await fh.datasync();
    if (fh === this.#fh) this.#extendedTo = Math.max(this.#extendedTo, end);
  }

  /** Cut the zeros past the data off the current segment, durably (a segment must end with its data). */
  async #trimExtension(): Promise<void> {
    await this.#extending;
    if (this.#extendedTo <= this.#appendOffset) return;
    await this.#fh.truncate(this.#appendOffset);
    await this.#fh.datasync();
    this.#extendedTo = this.#appendOffset;
  }

  #openDsync(): Promise<FileHandle> {
    const path = (this.#segments[this.#segments.length - 1] as SegmentRef).path;
    return open(path, constants.O_WRONLY | constants.O_DSYNC);
  }

  async #datasync(): Promise<void> {
    const start = performance.now();
    await this.#fh.datasync();
    this.#synced((performance.now() - start) / 1000);
  }

  /** Everything written so far is durable (after `seconds` of fdatasync or O_DSYNC write). */
  #synced(seconds: number): void {
    this.#unsynced = false;
    this.#durableMarkerIndex = this.#written.snapshotMarker?.index ?? 0;
    this.#stats.fsyncs++;
    this.#stats.fsyncSecondsTotal += seconds;
    this.#stats.fsyncSecondsMax = Math.max(this.#stats.fsyncSecondsMax, seconds);
    this.#hook('onFsync', seconds);
  }

  /** A broken metrics callback must not fail the WAL's writes: it is reported, not thrown. */
  #hook<K extends keyof WalMetricsHooks>(name: K, ...args: Parameters<NonNullable<WalMetricsHooks[K]>>): void {
    const fn = this.#hooks[name] as ((...a: typeof args) => void) | undefined;
    if (!fn) return;
    try {
      fn(...args);
    } catch (err) {
      process.emitWarning(`WAL metrics hook ${name} threw: ${String(err)}`, { code: 'FLOTILLA_WAL_METRICS_HOOK' });
    }
  }

  get #currentSeq(): number {
    return (this.#segments[this.#segments.length - 1] as SegmentRef).seq;
  }

  /** Starts a new segment; its header repeats the log position, hard state and newest marker. */
  async #roll(): Promise<void> {
    // Only the last segment may hold a torn tail, so the old one must be whole on disk first.
    if (this.#unsynced) await this.#datasync();
    await this.#trimExtension();
    const w = this.#written;
    const header: SegmentHeader = { seq: this.#currentSeq + 1, firstIndex: w.lastIndex + 1, prevTerm: w.lastTerm,
      preallocatedBytes: this.#preallocate ? this.#limits.segmentSizeBytes : 0, metadata: this.metadata,
      hardState: w.hardState, snapshotMarker: w.snapshotMarker };
    const seg = await createSegmentFile(this.dir, header);
    const old = this.#fh;
    const oldDsync = this.#dsyncFh;
    this.#fh = seg.fh;
    this.#dsyncFh = undefined;
    this.#segments.push({ seq: header.seq, firstIndex: header.firstIndex, path: seg.path });
    this.#appendOffset = seg.dataEnd;
    this.#headerEnd = seg.dataEnd;
    this.#extendedTo = seg.dataEnd;
    this.#stats.segmentsCreated++;
    this.#hook('onSegmentCreated', seg.path);
    await old.close();
    await oldDsync?.close();
  }

  #fail(err: unknown, group: Pending[]): void {
    this.#failure = err instanceof WalFailedError ? err : new WalFailedError(err);
    for (const p of [...group, ...this.#queue]) p.reject(this.#failure);
    this.#queue = [];
    this.#queuedBytes = 0;
  }

  /**
   * Deletes segments holding nothing after `index`, which must not pass the newest durable
   * snapshot marker. Keeps the newest segment whose first index is at most index + 1 (every
   * entry after `index` is in it or later) and everything after it.
   */
  releaseTo(index: number): Promise<{ removed: string[] }> {
    try {
      this.#checkUsable();
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.#releaseChain.then(() => this.#release(index));
    this.#releaseChain = run.catch(() => undefined);
    return run;
  }

  async #release(index: number): Promise<{ removed: string[] }> {
    if (index > this.#durableMarkerIndex) throw new WalInvalidReleaseError(index, this.#durableMarkerIndex);
    let keepFrom = 0;
    for (let i = 0; i < this.#segments.length; i++) {
      if ((this.#segments[i] as SegmentRef).firstIndex <= index + 1) keepFrom = i;
    }
    if (keepFrom >= this.#segments.length) throw new Error('invariant: release must keep the last segment');
    const victims = this.#segments.splice(0, keepFrom);
    const removed: string[] = [];
    for (let i = 0; i < victims.length; i++) {
      const v = victims[i] as SegmentRef;
      try {
        // Oldest first, each made durable before the next: a crash leaves a contiguous suffix.
        await unlink(v.path);
        await fsyncDir(this.dir);
      } catch (err) {
        this.#segments.unshift(...victims.slice(i));
        throw err;
      }
      removed.push(v.path);
      this.#stats.segmentsReleased++;
      this.#hook('onSegmentReleased', v.path);
    }
    return { removed };
  }

  /** Waits for queued saves to be written, then closes the segment. Later calls fail with WalClosedError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#flushing;
    await this.#releaseChain;
    if (!this.#failure) await this.#trimExtension().catch(() => undefined); // else open repairs the zero tail
    await this.#fh.close();
    await this.#dsyncFh?.close();
  }

  stats(): WalStats {
    return { ...this.#stats, segmentCount: this.#segments.length, queuedSaves: this.#queue.length,
      queuedBytes: this.#queuedBytes };
  }

  get position(): WalPosition {
    const last = this.#segments[this.#segments.length - 1] as SegmentRef;
    return { file: last.path, seq: last.seq, offsetBytes: this.#appendOffset };
  }

  /** The segment files in sequence order. */
  segmentFiles(): string[] {
    return this.#segments.map((s) => s.path);
  }
}
