// Bindings, from a recorded list+watch of pods: a pod is bound at most once. Concretely
//  - a pod (uid) whose spec.nodeName was set never shows another node, and is never unbound;
//  - a pod name is never bound under two uids unless the first was seen deleted before the
//    second was bound (the same name running twice would be two pods claiming one identity).
// A re-list replaces the state as a whole; a pod missing from it counts as deleted.
import type { Observation, PodView } from '../controlplane/history.js';
import { replay } from '../controlplane/history.js';
import { CHECKER_LIMITS } from './limits.js';
import type { Verdict } from './linearizability.js';

export interface BindingsResult {
  checker: 'bindings';
  verdict: Verdict;
  pods: number;
  bound: number;
  violationCount: number;
  violations: string[];
}

export function checkBindings(obs: readonly Observation<PodView>[]): BindingsResult {
  const nodeOf = new Map<string, string>();
  const liveUidOfName = new Map<string, string>();
  const seen = new Set<string>();
  const violations: string[] = [];
  const at = (t: number) => `${(t / 1000).toFixed(2)} s`;
  replay(obs, (p) => p.name, (state, step, removed) => {
    for (const r of removed) if (liveUidOfName.get(r.name) === r.uid) liveUidOfName.delete(r.name);
    const changed = step.kind === 'list' ? [...state.values()] : step.type === 'DELETED' ? [] : [step.object];
    for (const p of changed) {
      seen.add(p.uid);
      const prev = nodeOf.get(p.uid);
      if (prev !== undefined && p.nodeName !== prev) {
        violations.push(`${at(step.t)}: pod ${p.name} (uid ${p.uid}) was bound to ${prev}, now ` +
          `${p.nodeName === '' ? 'unbound' : `bound to ${p.nodeName}`}`);
      }
      if (p.nodeName === '' || prev !== undefined) continue;
      nodeOf.set(p.uid, p.nodeName);
      const other = liveUidOfName.get(p.name);
      if (other !== undefined && other !== p.uid) {
        violations.push(`${at(step.t)}: pod name ${p.name} bound twice: uid ${other} on ${nodeOf.get(other)} was ` +
          `never seen deleted when uid ${p.uid} was bound to ${p.nodeName}`);
      }
      liveUidOfName.set(p.name, p.uid);
    }
  });
  return { checker: 'bindings', verdict: violations.length > 0 ? 'fail' : 'pass', pods: seen.size, bound: nodeOf.size,
    violationCount: violations.length, violations: violations.slice(0, CHECKER_LIMITS.violationsShownMax) };
}
