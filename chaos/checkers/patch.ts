// Resolving unknown outcomes with the store's own change log (as etcd's robustness tests
// do): values are unique per write, so a put or compare-and-set whose outcome is unknown
// took effect exactly when its value appears in the reference history — at that revision —
// and never otherwise. Resolved writes keep `ret: null` (their completion time is still
// unknown) but carry the revision; writes that never happened leave the history.
import type { Operation, ReferenceHistory } from './history.js';

export interface PatchSummary {
  resolvedHappened: number;
  resolvedNever: number;
}

export function patchHistory(ops: readonly Operation[], ref: ReferenceHistory):
  { ops: Operation[]; summary: PatchSummary } {
  const revisionOfValue = new Map<string, number>();
  for (const e of ref.events) if (e.type === 'PUT' && e.value !== null) revisionOfValue.set(e.value, e.modRev);
  const out: Operation[] = [];
  const summary: PatchSummary = { resolvedHappened: 0, resolvedNever: 0 };
  for (const op of ops) {
    const i = op.input;
    if (op.ret !== null || (i.kind !== 'put' && i.kind !== 'cas')) {
      out.push(op);
      continue;
    }
    const revision = revisionOfValue.get(i.value);
    if (revision === undefined) {
      summary.resolvedNever++;
      continue;
    }
    summary.resolvedHappened++;
    const output = i.kind === 'put'
      ? { kind: 'put' as const, revision }
      : { kind: 'cas' as const, succeeded: true, revision };
    // ret stays null: it may be linearized any time after its call; the output pins its revision.
    out.push({ ...op, output, error: `${op.error ?? 'unknown'}; found in the store's history at rev ${revision}` });
  }
  return { ops: out, summary };
}
