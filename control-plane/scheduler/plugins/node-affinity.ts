// NodeAffinity (plugins/nodeaffinity): spec.nodeSelector and the required node affinity
// terms filter; preferred terms score by the sum of matching weights (normalized to 100).
import type { NodeSelectorTerm, PodSpec, PreferredSchedulingTerm } from '../../api/index.js';
import type { NodeInfo } from '../node-info.js';
import { Action, Code, Status, type AnyPlugin } from '../framework.js';
import { defaultNormalizeScore, nodeMatchesTerms, termMatchesNode } from './helpers.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const REJECT = new Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_NODE_AFFINITY], NODE_AFFINITY);
const PREFILTER_KEY = 'PreFilter' + NODE_AFFINITY;

interface Required { selector: [string, string][]; terms: readonly NodeSelectorTerm[] | null }

/** Does the pod's nodeSelector + required affinity accept the node? (nodeaffinity.GetRequiredNodeAffinity) */
export function requiredNodeAffinityMatches(spec: PodSpec | undefined, node: NodeInfo): boolean {
  const sel = spec?.nodeSelector;
  if (sel !== undefined) for (const k of Object.keys(sel)) if (node.labels[k] !== sel[k]) return false;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms === undefined || nodeMatchesTerms(terms, node);
}

export function nodeAffinityPlugin(): AnyPlugin {
  return {
    name: NODE_AFFINITY,
    eventsToRegister: () => [{ event: { resource: 'Node', action: Action.Add | Action.UpdateNodeLabel,
      label: 'NodeLabelChange' } }],
    preFilter(state, pod) {
      const spec = pod.pod.spec;
      const selector = Object.entries(spec?.nodeSelector ?? {});
      const terms =
        spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? null;
      if (selector.length === 0 && terms === null) return Status.SKIP;
      state.write(PREFILTER_KEY, { selector, terms } satisfies Required);
      return Status.SUCCESS;
    },
    filter(state, _pod, node) {
      const req = state.read<Required>(PREFILTER_KEY);
      if (req === undefined) return Status.SUCCESS;
      for (const [k, v] of req.selector) if (node.labels[k] !== v) return REJECT;
      if (req.terms !== null && !nodeMatchesTerms(req.terms, node)) return REJECT;
      return Status.SUCCESS;
    },
    preScore(state, pod) {
      const pref = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      if (pref === undefined || pref.length === 0) return Status.SKIP;
      state.write('PreScore' + NODE_AFFINITY, pref);
      return Status.SUCCESS;
    },
    score(state, _pod, node) {
      const pref = state.read<PreferredSchedulingTerm[]>('PreScore' + NODE_AFFINITY) ?? [];
      let sum = 0;
      for (const t of pref) if (t.weight !== 0 && termMatchesNode(t.preference, node)) sum += t.weight;
      return sum;
    },
    normalizeScore(_state, _pod, scores, count) {
      defaultNormalizeScore(scores, count, false);
    },
  };
}
