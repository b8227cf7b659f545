// No acknowledged write lost. Every acknowledged put, successful compare-and-set and
// deleting delete must be in the store's change log at the revision it was acknowledged
// with, and a final linearizable read after healing must show, for every key, the log's
// last change to it — so at least the newest acknowledged write or something later.
import { CHECKER_LIMITS } from './limits.js';
import { describeInput, describeRead, type FinalRead, type Operation, type ReferenceHistory } from './history.js';
import type { Verdict } from './linearizability.js';

export interface LostWriteViolation {
  op?: number;
  key: string;
  message: string;
}

export interface LostWritesResult {
  checker: 'lost-writes';
  verdict: Verdict;
  acknowledgedWrites: number;
  keys: number;
  violations: LostWriteViolation[];
  violationCount: number;
}

function acknowledged(op: Operation): { key: string; revision: number; value: string | null } | undefined {
  const i = op.input;
  const o = op.output;
  if (op.ret === null || o === undefined) return undefined;
  if (i.kind === 'put' && o.kind === 'put') return { key: i.key, revision: o.revision, value: i.value };
  if (i.kind === 'cas' && o.kind === 'cas' && o.succeeded) return { key: i.key, revision: o.revision, value: i.value };
  if (i.kind === 'delete' && o.kind === 'delete' && o.deleted > 0) return { key: i.key, revision: o.revision, value: null };
  return undefined;
}

export function checkLostWrites(ops: readonly Operation[], ref: ReferenceHistory, final: FinalRead): LostWritesResult {
  const violations: LostWriteViolation[] = [];
  const logged = new Map<string, string | null>();
  const lastOfKey = new Map<string, { value: string | null; modRev: number }>();
  for (const e of ref.events) {
    logged.set(`${e.modRev}\u0000${e.key}`, e.type === 'PUT' ? e.value : null);
    lastOfKey.set(e.key, { value: e.type === 'PUT' ? e.value : null, modRev: e.type === 'PUT' ? e.modRev : 0 });
  }
  const newestAck = new Map<string, number>();
  let count = 0;
  for (const op of ops) {
    const a = acknowledged(op);
    if (a === undefined) continue;
    count++;
    newestAck.set(a.key, Math.max(newestAck.get(a.key) ?? 0, a.revision));
    const id = `${a.revision}\u0000${a.key}`;
    if (!logged.has(id) || logged.get(id) !== a.value) {
      violations.push({ op: op.id, key: a.key, message: `#${op.id} ${describeInput(op.input)} acknowledged at rev ` +
        `${a.revision} is not in the store's history there` });
    }
    if (a.revision > final.revision) {
      violations.push({ op: op.id, key: a.key, message: `#${op.id} acknowledged at rev ${a.revision}, ` +
        `after the final read's revision ${final.revision}` });
    }
  }
  const keys = new Set([...newestAck.keys(), ...lastOfKey.keys(), ...Object.keys(final.kvs)]);
  for (const key of keys) {
    const seen = final.kvs[key] ?? { value: null, modRev: 0 };
    const last = lastOfKey.get(key) ?? { value: null, modRev: 0 };
    if (seen.value !== last.value || (seen.value !== null && seen.modRev !== last.modRev)) {
      violations.push({ key, message: `final read of ${key} saw ${describeRead(seen)}, the store's history ends ` +
        `with ${describeRead(last)}` });
    }
    const newest = newestAck.get(key) ?? 0;
    if (seen.value !== null && seen.modRev < newest) {
      violations.push({ key, message: `final read of ${key} saw ${describeRead(seen)}, older than the write ` +
        `acknowledged at rev ${newest}` });
    }
  }
  return {
    checker: 'lost-writes', verdict: violations.length > 0 ? 'fail' : 'pass', acknowledgedWrites: count,
    keys: keys.size, violations: violations.slice(0, CHECKER_LIMITS.violationsShownMax),
    violationCount: violations.length,
  };
}
