// Availability, per fault: the longest stretch with no successful write (and read) from the
// fault's injection until the next fault (or the end), and how long after healing the first
// write invoked after the heal succeeded. It is a measurement first; the verdict fails only
// when a stretch exceeds the experiment's bound or no write succeeds after the last heal.
import type { Operation } from './history.js';
import type { Verdict } from './linearizability.js';

export interface FaultWindow {
  id: number;
  label: string;
  /** Injection and heal (ms since the run began); heal undefined if never healed. */
  start: number;
  heal?: number;
}

export interface FaultAvailability {
  fault: number;
  label: string;
  start: number;
  heal?: number;
  windowEnd: number;
  longestWriteGapMs: number;
  writeGapStart: number;
  longestReadGapMs: number;
  readGapStart: number;
  /** Heal to the completion of the first write invoked after it; undefined if none. */
  healToFirstWriteMs?: number;
}

export interface AvailabilityResult {
  checker: 'availability';
  verdict: Verdict;
  maxUnavailableMs: number;
  faults: FaultAvailability[];
  violations: string[];
}

const isWrite = (o: Operation) => ['put', 'delete', 'cas', 'leaseRevoke'].includes(o.input.kind);
const isRead = (o: Operation) => o.input.kind === 'get' || o.input.kind === 'list';

/** Longest stretch in [from, to] with no completion in `times` (sorted). */
export function longestGap(times: readonly number[], from: number, to: number): { gapMs: number; start: number } {
  let prev = from;
  let best = { gapMs: 0, start: from };
  for (const t of times) {
    if (t < from) continue;
    if (t > to) break;
    if (t - prev > best.gapMs) best = { gapMs: t - prev, start: prev };
    prev = t;
  }
  if (to - prev > best.gapMs) best = { gapMs: to - prev, start: prev };
  return best;
}

export function checkAvailability(ops: readonly Operation[], faults: readonly FaultWindow[], runEnd: number,
  maxUnavailableMs: number): AvailabilityResult {
  const done = (pred: (o: Operation) => boolean) =>
    ops.filter((o) => o.ret !== null && o.output !== undefined && pred(o)).map((o) => o.ret as number)
      .sort((a, b) => a - b);
  const writes = done(isWrite);
  const reads = done(isRead);
  const sorted = [...faults].sort((a, b) => a.start - b.start);
  const violations: string[] = [];
  const out: FaultAvailability[] = sorted.map((f, i) => {
    const windowEnd = Math.max(f.start, sorted[i + 1]?.start ?? runEnd);
    const w = longestGap(writes, f.start, windowEnd);
    const r = longestGap(reads, f.start, windowEnd);
    const firstAfterHeal = f.heal === undefined ? undefined
      : ops.filter((o) => isWrite(o) && o.ret !== null && o.output !== undefined && o.call >= f.heal!)
        .reduce<number | undefined>((m, o) => (m === undefined || o.ret! < m ? o.ret! : m), undefined);
    const fa: FaultAvailability = {
      fault: f.id, label: f.label, start: f.start, ...(f.heal !== undefined ? { heal: f.heal } : {}), windowEnd,
      longestWriteGapMs: Math.round(w.gapMs), writeGapStart: Math.round(w.start),
      longestReadGapMs: Math.round(r.gapMs), readGapStart: Math.round(r.start),
      ...(firstAfterHeal !== undefined ? { healToFirstWriteMs: Math.round(firstAfterHeal - f.heal!) } : {}),
    };
    if (fa.longestWriteGapMs > maxUnavailableMs) {
      violations.push(`${f.label}: no successful write for ${fa.longestWriteGapMs} ms from ${fa.writeGapStart} ms ` +
        `(bound ${maxUnavailableMs} ms)`);
    }
    return fa;
  });
  const lastHeal = Math.max(0, ...sorted.map((f) => f.heal ?? f.start));
  if (!ops.some((o) => isWrite(o) && o.ret !== null && o.output !== undefined && o.call >= lastHeal)) {
    violations.push(`no write invoked after the last heal (${Math.round(lastHeal)} ms) succeeded`);
  }
  return { checker: 'availability', verdict: violations.length > 0 ? 'fail' : 'pass', maxUnavailableMs, faults: out,
    violations };
}
