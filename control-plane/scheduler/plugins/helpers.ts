// Shared predicates of the plugins: toleration matching (v1helper.TolerationsTolerateTaint),
// node selector terms (component-helpers nodeaffinity) and DefaultNormalizeScore.
import type { NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from '../../api/index.js';
import { MAX_NODE_SCORE } from '../limits.js';
import type { NodeInfo } from '../node-info.js';

/** Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal' || op === '') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (tolerations === undefined) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** FindMatchingUntoleratedTaint for the effects accepted by `effectOk`. */
export function findUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined,
  effectOk: (effect: string) => boolean): Taint | undefined {
  for (const taint of taints) {
    if (!effectOk(taint.effect)) continue;
    if (!tolerated(tolerations, taint)) return taint;
  }
  return undefined;
}

/** NodeSelectorRequirement against one label (or field) value; also used by the DaemonSet controller. */
export function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) ||
        !/^-?\d+$/.test(values[0] as string)) {
        return false;
      }
      const have = Number(value);
      const want = Number(values[0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default: return false;
  }
}

/** One NodeSelectorTerm: its expressions and fields ANDed; an empty term matches nothing. */
export function termMatchesNode(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!requirementMatches(r, node.labels[r.key])) return false;
  for (const r of fields) {
    // Only metadata.name is a supported field (nodeaffinity.nodeFieldSelectorKeys).
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, node.name)) return false;
  }
  return true;
}

/** NodeSelectorTerms are ORed. */
export function nodeMatchesTerms(terms: readonly NodeSelectorTerm[], node: NodeInfo): boolean {
  for (const t of terms) if (termMatchesNode(t, node)) return true;
  return false;
}

/** helper.DefaultNormalizeScore: scale to [0, MAX_NODE_SCORE] by the maximum, optionally reversed. */
export function defaultNormalizeScore(scores: Float64Array, count: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < count; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  if (max === 0) {
    if (reverse) for (let i = 0; i < count; i++) scores[i] = MAX_NODE_SCORE;
    return;
  }
  for (let i = 0; i < count; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * (scores[i] as number)) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
