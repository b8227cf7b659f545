// A BackendWatchStream over the MVCC engine's watch stream: converts requests and
// responses, and asks the backend to sync watchers when a create starts in the past or a
// poll makes room for held batches.

import type * as api from './backend.js';
import type { MvccStore, WatchStream, WatchFilterType } from '../mvcc/index.js';
import * as cv from './local-convert.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class LocalWatchStream implements api.BackendWatchStream {
  readonly #stream: WatchStream;
  readonly #kickSync: () => void;
  /** Refusals decided here (IDs the engine cannot hold), delivered after the engine's queue. */
  readonly #refused: api.WatchResponse[] = [];
  readonly #onReadable: () => void;
  readonly #store: MvccStore;

  constructor(store: MvccStore, onReadable: () => void, kickSync: () => void) {
    this.#store = store;
    this.#onReadable = onReadable;
    this.#stream = store.newWatchStream({ onReadable });
    this.#kickSync = kickSync;
  }

  create(req: api.WatchCreateRequest): bigint {
    if (req.watchId < 0n || req.watchId > MAX_SAFE) {
      this.#refused.push({
        revision: cv.big(this.#store.currentRevision), watchId: -1n, created: true, canceled: true,
        compactRevision: 0n, cancelReason: 'flotilla: watch_id must be between 0 and 2^53-1', events: [],
      });
      queueMicrotask(this.#onReadable);
      return -1n;
    }
    const r = this.#stream.watch({
      key: req.key, rangeEnd: req.rangeEnd, startRevision: cv.num(req.startRevision),
      progressNotify: req.progressNotify, filters: req.filters as number[] as WatchFilterType[], prevKv: req.prevKv,
      watchId: Number(req.watchId),
    });
    if (!r.ok) return -1n;
    if (req.startRevision > 0n && req.startRevision <= cv.big(this.#store.currentRevision)) this.#kickSync();
    return cv.big(r.value);
  }

  cancel(watchId: bigint): boolean {
    if (watchId < 0n || watchId > MAX_SAFE) return false;
    return this.#stream.cancel(Number(watchId)).ok;
  }

  requestProgress(): void {
    this.#stream.requestProgress();
  }

  poll(max: number): api.WatchResponse[] {
    const out = this.#stream.poll(max).map(cv.watchResp);
    while (out.length < max && this.#refused.length > 0) out.push(this.#refused.shift() as api.WatchResponse);
    if (out.length > 0 && this.#store.watchStats().victims > 0) this.#kickSync();
    return out;
  }

  close(): void {
    this.#stream.close();
    this.#refused.length = 0;
  }
}
