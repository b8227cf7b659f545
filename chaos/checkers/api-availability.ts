// Availability of the control plane's API, per fault: from the fault's injection to the next
// fault (or the end), the longest stretch without a successful write and without a successful
// read, for the workload's own requests and for kubectl's separately, and how long after the
// heal the first write invoked after it succeeded. Fails when the workload's write gap exceeds
// the bound, or when no write invoked after the last heal succeeded.
import type { ApiOp } from '../controlplane/history.js';
import { isWriteOp } from '../controlplane/history.js';
import { type FaultWindow, longestGap } from './availability.js';
import type { Verdict } from './linearizability.js';

export interface ApiFaultAvailability {
  fault: number;
  label: string;
  start: number;
  heal?: number;
  windowEnd: number;
  writeGapMs: number;
  writeGapStart: number;
  readGapMs: number;
  readGapStart: number;
  healToFirstWriteMs?: number;
  /** kubectl's gaps (undefined without kubectl load). */
  kubectlGapMs?: number;
  kubectlFailures?: number;
}

export interface ApiAvailabilityResult {
  checker: 'availability';
  verdict: Verdict;
  maxUnavailableMs: number;
  faults: ApiFaultAvailability[];
  violations: string[];
}

export function checkApiAvailability(ops: readonly ApiOp[], faults: readonly FaultWindow[], runEnd: number,
  maxUnavailableMs: number): ApiAvailabilityResult {
  const times = (pred: (o: ApiOp) => boolean) => ops.filter((o) => o.ret !== null && pred(o)).map((o) => o.ret!)
    .sort((a, b) => a - b);
  const writes = times((o) => o.via === 'api' && isWriteOp(o));
  const reads = times((o) => o.via === 'api' && !isWriteOp(o));
  const kubectl = times((o) => o.via === 'kubectl');
  const hasKubectl = ops.some((o) => o.via === 'kubectl');
  const sorted = [...faults].sort((a, b) => a.start - b.start);
  const violations: string[] = [];
  const firstWriteAfter = (t: number) => ops.filter((o) => o.via === 'api' && isWriteOp(o) && o.ret !== null &&
    o.call >= t).reduce<number | undefined>((m, o) => (m === undefined || o.ret! < m ? o.ret! : m), undefined);
  const out = sorted.map((f, i): ApiFaultAvailability => {
    const windowEnd = Math.max(f.start, sorted[i + 1]?.start ?? runEnd);
    const w = longestGap(writes, f.start, windowEnd);
    const r = longestGap(reads, f.start, windowEnd);
    const first = f.heal === undefined ? undefined : firstWriteAfter(f.heal);
    const k = hasKubectl ? longestGap(kubectl, f.start, windowEnd) : undefined;
    const fa: ApiFaultAvailability = { fault: f.id, label: f.label, start: f.start,
      ...(f.heal !== undefined ? { heal: f.heal } : {}), windowEnd,
      writeGapMs: Math.round(w.gapMs), writeGapStart: Math.round(w.start),
      readGapMs: Math.round(r.gapMs), readGapStart: Math.round(r.start),
      ...(first !== undefined ? { healToFirstWriteMs: Math.round(first - f.heal!) } : {}),
      ...(k ? { kubectlGapMs: Math.round(k.gapMs), kubectlFailures: ops.filter((o) => o.via === 'kubectl' &&
        o.ret === null && o.call >= f.start && o.call < windowEnd).length } : {}) };
    if (fa.writeGapMs > maxUnavailableMs) {
      violations.push(`${f.label}: no successful API write for ${fa.writeGapMs} ms from ${fa.writeGapStart} ms ` +
        `(bound ${maxUnavailableMs} ms)`);
    }
    return fa;
  });
  const lastHeal = Math.max(0, ...sorted.map((f) => f.heal ?? f.start));
  if (firstWriteAfter(lastHeal) === undefined) {
    violations.push(`no API write invoked after the last heal (${Math.round(lastHeal)} ms) succeeded`);
  }
  return { checker: 'availability', verdict: violations.length > 0 ? 'fail' : 'pass', maxUnavailableMs, faults: out,
    violations };
}
