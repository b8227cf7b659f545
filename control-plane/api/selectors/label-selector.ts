// metav1.LabelSelector (matchLabels + matchExpressions) to a matcher, as
// metav1.LabelSelectorAsSelector does: nil selects nothing, empty selects everything.
import { err, ok, type Result } from '../errors.js';
import { goQuote } from '../go-format.js';
import type { LabelSelector as MetaLabelSelector } from '../types/meta.js';
import { errorString } from '../validation/field-errors.js';
import { LabelSelector, newRequirement, type Operator, type Requirement, type SelectorError } from './labels.js';

const OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

export function labelSelectorAsSelector(
  sel: MetaLabelSelector | null | undefined): Result<LabelSelector, SelectorError> {
  if (sel === null || sel === undefined) return ok(LabelSelector.nothing());
  const matchLabels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return ok(LabelSelector.everything());
  const reqs: Requirement[] = [];
  const fail = (errs: readonly { type: string }[]) => {
    const msgs = [...new Set((errs as Parameters<typeof errorString>[0][]).map(errorString))];
    return err<SelectorError>({ code: 'FLOTILLA_ERR_SELECTOR', message: msgs.length === 1 ? msgs[0] as string : `[${msgs.join(', ')}]` });
  };
  for (const k of Object.keys(matchLabels).sort()) {
    const r = newRequirement(k, '=', [matchLabels[k] as string]);
    if (!r.ok) return fail(r.error);
    reqs.push(r.value);
  }
  for (const e of exprs) {
    const operator = e.operator ?? '';
    const op = Object.prototype.hasOwnProperty.call(OPERATORS, operator) ? OPERATORS[operator] : undefined;
    if (op === undefined) {
      return err({ code: 'FLOTILLA_ERR_SELECTOR', message: `${goQuote(operator)} is not a valid label selector operator` });
    }
    const r = newRequirement(e.key ?? '', op, e.values ?? []);
    if (!r.ok) return fail(r.error);
    reqs.push(r.value);
  }
  return ok(LabelSelector.of(reqs));
}

/** metav1.FormatLabelSelector: the selector's string form, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(sel: MetaLabelSelector | null | undefined): string {
  const r = labelSelectorAsSelector(sel);
  if (!r.ok) return '<error>';
  const s = r.value.toString();
  return s === '' ? '<none>' : s;
}
