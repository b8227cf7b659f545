// Field selectors (apimachinery/pkg/fields) and, per resource, the fields Kubernetes lets
// you select on (the registries' GetAttrs / field label conversion funcs).
import { MAX_SELECTOR_CHARS, MAX_SELECTOR_REQUIREMENTS } from '../limits.js';
import { err, ok, type Result } from '../errors.js';
import type { SelectorError } from './labels.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

const selErr = (message: string): SelectorError => ({ code: 'FLOTILLA_ERR_SELECTOR', message });

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  static everything(): FieldSelector { return new FieldSelector([]); }
  isEverything(): boolean { return this.requirements.length === 0; }
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((r) => {
      const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.operator === '=' ? v === r.value : v !== r.value;
    });
  }
  /** Kubernetes' String(): terms sorted as parsed, values escaped. */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
  /** The value required for a field by an "=" term, if any (what field-indexed lists use). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }
}

export function escapeValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

/** fields.UnescapeValue. */
function unescapeValue(s: string): Result<string, SelectorError> {
  if (!/[\\,=]/.test(s)) return ok(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === undefined) return err(selErr('invalid field selector: invalid escape sequence: \\'));
      if (n !== '\\' && n !== ',' && n !== '=') return err(selErr(`invalid field selector: invalid escape sequence: \\${n}`));
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      return err(selErr(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`));
    } else {
      out += c;
    }
  }
  return ok(out);
}

/** Splits on unescaped commas. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) { escaped = false; continue; }
    if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

/** Splits a term at its first operator (!=, ==, =), as Go's splitTerm does (no escapes on the left). */
function splitTerm(term: string): { lhs: string; op: '=' | '!=' | '=='; rhs: string } | null {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return null;
}

/** fields.ParseSelector. */
export function parseFieldSelector(s: string): Result<FieldSelector, SelectorError> {
  if (s.length > MAX_SELECTOR_CHARS) return err(selErr(`selector is longer than ${MAX_SELECTOR_CHARS} characters`));
  const parts = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (t === null) return err(selErr(`invalid selector: '${s}'; can't understand '${part}'`));
    const v = unescapeValue(t.rhs);
    if (!v.ok) return v;
    if (reqs.length >= MAX_SELECTOR_REQUIREMENTS) return err(selErr(`more than ${MAX_SELECTOR_REQUIREMENTS} requirements`));
    reqs.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value: v.value });
  }
  return ok(new FieldSelector(reqs));
}

// ---- selectable fields per resource -----------------------------------------------------------

type Obj = Record<string, unknown>;
/** o[a] or o[a][b], undefined through anything that is not an object (one or two keys: no rest array). */
function get(o: unknown, a: string, b?: string): unknown {
  const x = o !== null && typeof o === 'object' ? (o as Obj)[a] : undefined;
  if (b === undefined) return x;
  return x !== null && typeof x === 'object' ? (x as Obj)[b] : undefined;
}
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

type Getter = (o: unknown) => string;

/**
 * Each selectable field's getter, per resource (metadata.name and, when namespaced,
 * metadata.namespace come on top). Getters rather than a record of every field: a watch with a
 * field selector judges every event, and building all nine pod fields to read one or two was
 * most of that cost.
 */
const META_GETTERS: Readonly<Record<string, Getter>> = {
  'metadata.name': (o) => str(get(o, 'metadata', 'name')),
  'metadata.namespace': (o) => str(get(o, 'metadata', 'namespace')),
};

function firstIp(o: unknown): string {
  const ips = get(o, 'status', 'podIPs');
  const first = Array.isArray(ips) ? str(get(ips[0], 'ip')) : '';
  return first !== '' ? first : str(get(o, 'status', 'podIP'));
}

const replicas: Getter = (o) => String(Number(get(o, 'status', 'replicas') ?? 0));

const GETTERS: Readonly<Record<string, Readonly<Record<string, Getter>>>> = {
  '/pods': {
    'spec.nodeName': (o) => str(get(o, 'spec', 'nodeName')),
    'spec.restartPolicy': (o) => str(get(o, 'spec', 'restartPolicy')),
    'spec.schedulerName': (o) => str(get(o, 'spec', 'schedulerName')),
    'spec.serviceAccountName': (o) => str(get(o, 'spec', 'serviceAccountName')),
    'spec.hostNetwork': (o) => (get(o, 'spec', 'hostNetwork') === true ? 'true' : 'false'),
    'status.phase': (o) => str(get(o, 'status', 'phase')),
    'status.podIP': firstIp,
    'status.nominatedNodeName': (o) => str(get(o, 'status', 'nominatedNodeName')),
  },
  '/nodes': { 'spec.unschedulable': (o) => (get(o, 'spec', 'unschedulable') === true ? 'true' : 'false') },
  '/namespaces': { 'status.phase': (o) => str(get(o, 'status', 'phase')) },
  '/secrets': { type: (o) => str(get(o, 'type')) },
  '/events': {
    'involvedObject.kind': (o) => str(get(o, 'involvedObject', 'kind')),
    'involvedObject.namespace': (o) => str(get(o, 'involvedObject', 'namespace')),
    'involvedObject.name': (o) => str(get(o, 'involvedObject', 'name')),
    'involvedObject.uid': (o) => str(get(o, 'involvedObject', 'uid')),
    'involvedObject.apiVersion': (o) => str(get(o, 'involvedObject', 'apiVersion')),
    'involvedObject.resourceVersion': (o) => str(get(o, 'involvedObject', 'resourceVersion')),
    'involvedObject.fieldPath': (o) => str(get(o, 'involvedObject', 'fieldPath')),
    reason: (o) => str(get(o, 'reason')),
    reportingComponent: (o) => str(get(o, 'reportingComponent')),
    source: (o) => str(get(o, 'source', 'component')) || str(get(o, 'reportingComponent')),
    type: (o) => str(get(o, 'type')),
  },
  '/replicationcontrollers': { 'status.replicas': replicas },
  'apps/replicasets': { 'status.replicas': replicas },
  '/services': {
    'spec.clusterIP': (o) => str(get(o, 'spec', 'clusterIP')),
    'spec.type': (o) => str(get(o, 'spec', 'type')),
  },
};

/** The getter of one selectable field of the resource; undefined for a field it does not have (reads as ''). */
function getterOf(group: string, plural: string, namespaced: boolean, field: string): Getter | undefined {
  if (field === 'metadata.name') return META_GETTERS['metadata.name'];
  if (field === 'metadata.namespace') return namespaced ? META_GETTERS['metadata.namespace'] : undefined;
  const own = GETTERS[`${group}/${plural}`];
  return own !== undefined && Object.prototype.hasOwnProperty.call(own, field) ? own[field] : undefined;
}

/** The selectable fields of an object of the resource (group, plural), with their values. */
export function selectableFields(group: string, plural: string, namespaced: boolean,
  obj: unknown): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': META_GETTERS['metadata.name']!(obj) };
  if (namespaced) out['metadata.namespace'] = META_GETTERS['metadata.namespace']!(obj);
  for (const [field, fn] of Object.entries(GETTERS[`${group}/${plural}`] ?? {})) out[field] = fn(obj);
  return out;
}

/**
 * `selector.matches(selectableFields(...))` as one function built once per selector, which
 * reads only the fields the selector names.
 */
export function fieldMatcher(group: string, plural: string, namespaced: boolean,
  selector: FieldSelector): (obj: unknown) => boolean {
  const terms = selector.requirements.map((r) => ({ get: getterOf(group, plural, namespaced, r.field),
    equal: r.operator === '=', value: r.value }));
  return (obj) => {
    for (const t of terms) {
      const v = t.get === undefined ? '' : t.get(obj);
      if ((v === t.value) !== t.equal) return false;
    }
    return true;
  };
}

/** The field labels a resource supports; metadata.name and metadata.namespace always. */
export function supportedFieldLabels(group: string, plural: string): string[] {
  return ['metadata.name', 'metadata.namespace', ...Object.keys(GETTERS[`${group}/${plural}`] ?? {})];
}

/**
 * Checks every field of a parsed selector is supported by the resource; the error is
 * Kubernetes' `field label not supported: spec.foo` (a 400 BadRequest at the apiserver).
 */
export function checkFieldSelector(group: string, plural: string,
  sel: FieldSelector): Result<FieldSelector, SelectorError> {
  const supported = new Set(supportedFieldLabels(group, plural));
  for (const r of sel.requirements) {
    if (!supported.has(r.field)) return err(selErr(`field label not supported: ${r.field}`));
  }
  return ok(sel);
}
