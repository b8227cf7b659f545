// Long computations on a member's event loop (encoding a snapshot of the whole state, its
// CRC, joining its chunks) are written as generators that yield between bounded steps;
// this runs one a slice at a time and gives the loop back between slices, so timers
// (Raft ticks), peer messages and client requests are served while it runs — the same
// reason etcd snapshots its backend from a separate goroutine instead of its Raft loop.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Thrown by runInSlices when `abort()` said to stop: an expected outcome, not a failure. */
export class SlicedWorkAborted extends Error {
  readonly code = 'FLOTILLA_ERR_SLICED_WORK_ABORTED';
  constructor(why: string) {
    super(`background work stopped: ${why}`);
    this.name = 'SlicedWorkAborted';
  }
}

export interface SliceOptions {
  /** Run steps for about this long before yielding to the event loop. */
  sliceMs: number;
  /** Checked before every slice; a string stops the work with that reason. */
  abort?: () => string | undefined;
}

export async function runInSlices<T>(steps: Generator<void, T, void>, o: SliceOptions): Promise<T> {
  for (;;) {
    const why = o.abort?.();
    if (why !== undefined) {
      steps.return(undefined as T);
      throw new SlicedWorkAborted(why);
    }
    const until = performance.now() + o.sliceMs;
    let r = steps.next();
    while (r.done !== true && performance.now() < until) r = steps.next();
    if (r.done === true) return r.value;
    await nextTurn();
  }
}
