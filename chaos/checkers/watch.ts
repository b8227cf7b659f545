// Watch guarantees as etcd's robustness tests state them, checked per watcher against the
// store's own change log (a watch from revision 1 after healing):
//   ordered     event revisions never go back;
//   unique      no event twice for one (revision, key);
//   atomic      all events of a revision arrive in one response;
//   reliable    from its start revision to where it caught up, exactly the log's events;
//   resumable   a watch started at a past revision begins with the log's first event there;
//   progress    no event at or below a progress notification's revision arrives after it.
import { CHECKER_LIMITS } from './limits.js';
import type { ReferenceHistory, WatcherHistory, WatchEventRec } from './history.js';
import type { Verdict } from './linearizability.js';

export type WatchProperty = 'ordered' | 'unique' | 'atomic' | 'reliable' | 'resumable' | 'progress';

export interface WatchViolation {
  property: WatchProperty;
  watcher: number;
  message: string;
}

export interface WatchResult {
  checker: 'watch';
  verdict: Verdict;
  watchers: number;
  events: number;
  violations: WatchViolation[];
  violationCount: number;
}

const ev = (e: WatchEventRec) => `${e.type} ${e.key}=${e.value ?? ''}@${e.modRev}`;

function orderedUniqueAtomic(w: WatcherHistory, out: WatchViolation[]): void {
  let last = 0;
  const seen = new Set<string>();
  const responseOfRevision = new Map<number, number>();
  w.responses.forEach((r, ri) => {
    if (r.kind !== 'events') return;
    for (const e of r.events) {
      if (e.modRev < last) {
        out.push({ property: 'ordered', watcher: w.id, message: `${ev(e)} after an event at rev ${last} (t=${r.at} ms)` });
      }
      last = Math.max(last, e.modRev);
      const id = `${e.modRev}\u0000${e.key}`;
      if (seen.has(id)) out.push({ property: 'unique', watcher: w.id, message: `${ev(e)} delivered twice (t=${r.at} ms)` });
      seen.add(id);
      const first = responseOfRevision.get(e.modRev);
      if (first === undefined) responseOfRevision.set(e.modRev, ri);
      else if (first !== ri) {
        out.push({ property: 'atomic', watcher: w.id,
          message: `events of rev ${e.modRev} split across responses ${first} and ${ri}` });
      }
    }
  });
}

function progressRespected(w: WatcherHistory, out: WatchViolation[]): void {
  let progress = 0;
  for (const r of w.responses) {
    if (r.kind === 'progress') {
      progress = Math.max(progress, r.revision);
      continue;
    }
    for (const e of r.events) {
      if (e.modRev <= progress) {
        out.push({ property: 'progress', watcher: w.id,
          message: `${ev(e)} arrived after a progress notification at rev ${progress} (t=${r.at} ms)` });
      }
    }
  }
}

function reliableResumable(w: WatcherHistory, ref: ReferenceHistory, out: WatchViolation[]): void {
  const got = w.responses.flatMap((r) => (r.kind === 'events' ? r.events : []));
  const upTo = w.caughtUpRevision;
  if (upTo === 0) {
    out.push({ property: 'reliable', watcher: w.id, message: `never caught up with the final revision ` +
      `${ref.finalRevision} (last event at rev ${got.at(-1)?.modRev ?? 'none'})${w.error ? `: ${w.error}` : ''}` });
  }
  const limit = upTo === 0 ? (got.at(-1)?.modRev ?? 0) : upTo;
  const want = ref.events.filter((e) => e.key.startsWith(w.prefix) && e.modRev >= w.startRevision && e.modRev <= limit);
  const mine = got.filter((e) => e.modRev <= limit);
  if (w.resumed && want.length > 0) {
    const first = mine[0];
    if (first === undefined || first.modRev !== want[0]!.modRev) {
      out.push({ property: 'resumable', watcher: w.id, message: `started at rev ${w.startRevision}: first event ` +
        `${first ? ev(first) : 'none'}, the store's first at or after it is ${ev(want[0]!)}` });
    }
  }
  const n = Math.max(want.length, mine.length);
  for (let i = 0; i < n; i++) {
    const a = want[i];
    const b = mine[i];
    if (a && b && ev(a) === ev(b)) continue;
    out.push({ property: 'reliable', watcher: w.id, message: `from rev ${w.startRevision} to ${limit}: event ${i} is ` +
      `${b ? ev(b) : 'missing'}, the store's history has ${a ? ev(a) : 'nothing more'}` });
    return;
  }
}

export function checkWatches(watchers: readonly WatcherHistory[], ref: ReferenceHistory): WatchResult {
  const violations: WatchViolation[] = [];
  let events = 0;
  for (const w of watchers) {
    for (const r of w.responses) if (r.kind === 'events') events += r.events.length;
    orderedUniqueAtomic(w, violations);
    progressRespected(w, violations);
    reliableResumable(w, ref, violations);
  }
  return {
    checker: 'watch', verdict: violations.length > 0 ? 'fail' : 'pass', watchers: watchers.length, events,
    violations: violations.slice(0, CHECKER_LIMITS.violationsShownMax), violationCount: violations.length,
  };
}
