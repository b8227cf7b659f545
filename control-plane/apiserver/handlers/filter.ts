// LIST and WATCH filtering: namespace, labelSelector, fieldSelector — parsed once per request,
// errors as Kubernetes' 400s.
import {
  badRequest, checkFieldSelector, fieldMatcher, type JsonObject, type LabelSelector, parseFieldSelector,
  parseLabelSelector, type ResourceInfo, type Status,
} from '../../api/index.js';
import type { FieldSelector } from '../../api/selectors/fields.js';

export interface ObjectFilter {
  readonly labels: LabelSelector | undefined;
  readonly fields: FieldSelector | undefined;
  matches(obj: JsonObject): boolean;
}

export function parseFilter(r: ResourceInfo, q: URLSearchParams): ObjectFilter | Status {
  let labels: LabelSelector | undefined;
  let fields: FieldSelector | undefined;
  const ls = q.get('labelSelector');
  if (ls !== null && ls !== '') {
    const p = parseLabelSelector(ls);
    if (!p.ok) return badRequest(p.error.message);
    labels = p.value;
  }
  const fs = q.get('fieldSelector');
  if (fs !== null && fs !== '') {
    const p = parseFieldSelector(fs);
    if (!p.ok) return badRequest(p.error.message);
    const c = checkFieldSelector(r.group, r.plural, p.value);
    if (!c.ok) return badRequest(c.error.message);
    fields = c.value;
  }
  const fieldsMatch = fields && !fields.isEverything()
    ? fieldMatcher(r.group, r.plural, r.namespaced, fields) : undefined;
  const matches = (obj: JsonObject): boolean => {
    if (labels && !labels.isEverything()) {
      const m = (obj['metadata'] ?? {}) as JsonObject;
      if (!labels.matches((m['labels'] ?? {}) as Record<string, string>)) return false;
    }
    return fieldsMatch === undefined || fieldsMatch(obj);
  };
  return { labels, fields, matches };
}
