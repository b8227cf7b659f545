// ObjectMeta, labels, annotations, owner references, finalizers and label selectors
// (apimachinery api/validation/objectmeta.go and metav1/validation).
import { GoRaw } from '../go-format.js';
import { MAX_ANNOTATIONS_TOTAL_BYTES } from '../limits.js';
import { utf8Length, jsonEqual, type JsonValue } from '../json.js';
import type { LabelSelector, ObjectMeta, OwnerReference } from '../types/meta.js';
import { forbidden, invalid, required, tooLong, type FieldError } from './field-errors.js';
import {
  FIELD_IMMUTABLE_ERROR, IS_NEGATIVE_ERROR, isQualifiedName, isValidLabelValue, nameIsDnsLabel, type NameValidator,
} from './names.js';
import { child, index } from './paths.js';

export function validateLabelName(name: string, path: string): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    errs.push(...isValidLabelValue(v).map((m) => invalid(path, v, m)));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => invalid(path, k, m)));
    total += utf8Length(k) + utf8Length(v);
  }
  if (total > MAX_ANNOTATIONS_TOTAL_BYTES) errs.push(tooLong(path, '', MAX_ANNOTATIONS_TOTAL_BYTES));
  return errs;
}

export function validateNonnegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, IS_NEGATIVE_ERROR)] : [];
}

/** Immutable on update: the new value must equal the old one (ValidateImmutableField). */
export function validateImmutable(newValue: unknown, oldValue: unknown, path: string): FieldError[] {
  return jsonEqual(newValue as JsonValue | undefined, oldValue as JsonValue | undefined) ? []
    : [invalid(path, newValue ?? null, FIELD_IMMUTABLE_ERROR)];
}

function validateOwnerReferences(refs: OwnerReference[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const version = ref.apiVersion.includes('/') ? ref.apiVersion.slice(ref.apiVersion.indexOf('/') + 1) : ref.apiVersion;
    if (version === '') errs.push(invalid(child(path, 'apiVersion'), ref.apiVersion, 'version must not be empty'));
    if (ref.kind === '') errs.push(invalid(child(path, 'kind'), ref.kind, 'kind must not be empty'));
    if (ref.name === '') errs.push(invalid(child(path, 'name'), ref.name, 'name must not be empty'));
    if (ref.uid === '') errs.push(invalid(child(path, 'uid'), ref.uid, 'uid must not be empty'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) errs.push(...isQualifiedName(f).map((m) => invalid(path, f, m)));
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface MetaRules {
  readonly namespaced: boolean;
  readonly nameFn: NameValidator;
}

/** ValidateObjectMeta. The server must have generated the name from generateName before calling. */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: MetaRules, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    errs.push(...rules.nameFn(m.generateName, true).map((msg) => invalid(child(path, 'generateName'), m.generateName, msg)));
  }
  if (!m.name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  else errs.push(...rules.nameFn(m.name, false).map((msg) => invalid(child(path, 'name'), m.name, msg)));
  if (rules.namespaced) {
    if (!m.namespace) errs.push(required(child(path, 'namespace'), ''));
    else errs.push(...nameIsDnsLabel(m.namespace, false).map((msg) => invalid(child(path, 'namespace'), m.namespace, msg)));
  } else if (m.namespace) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation, child(path, 'generation')));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  return errs;
}

/** ValidateObjectMetaUpdate. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length > 0) {
      errs.push(forbidden(child(path, 'finalizers'),
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if (!m.resourceVersion) errs.push(invalid(child(path, 'resourceVersion'), m.resourceVersion ?? '', 'must be specified for an update'));
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(child(path, 'generation'), m.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutable(m.name ?? '', o.name ?? '', child(path, 'name')));
  errs.push(...validateImmutable(m.namespace ?? '', o.namespace ?? '', child(path, 'namespace')));
  errs.push(...validateImmutable(m.uid ?? '', o.uid ?? '', child(path, 'uid')));
  errs.push(...validateImmutable(m.creationTimestamp, o.creationTimestamp, child(path, 'creationTimestamp')));
  errs.push(...validateImmutable(m.deletionTimestamp, o.deletionTimestamp, child(path, 'deletionTimestamp')));
  errs.push(...validateImmutable(m.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, child(path, 'deletionGracePeriodSeconds')));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  return errs;
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (sel === undefined) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = e.values ?? [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(invalid(child(p, 'operator'), e.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(e.key, child(p, 'key')));
    values.forEach((v, j) => errs.push(...isValidLabelValue(v).map((msg) => invalid(index(child(p, 'values'), j), v, msg))));
  });
  return errs;
}

/** How Go prints a metav1.LabelSelector with %#v, for the "empty selector" and immutability messages. */
export function goLabelSelector(sel: LabelSelector | undefined): GoRaw {
  const ml = sel?.matchLabels;
  const labels = ml === undefined ? 'map[string]string(nil)'
    : `map[string]string{${Object.keys(ml).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(ml[k])}`).join(', ')}}`;
  const me = sel?.matchExpressions;
  const exprs = me === undefined ? '[]v1.LabelSelectorRequirement(nil)'
    : `[]v1.LabelSelectorRequirement{${me.map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${e.values === undefined ? '[]string(nil)' : `[]string{${e.values.map((v) => JSON.stringify(v)).join(', ')}}`}}`).join(', ')}}`;
  return new GoRaw(`v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`);
}
