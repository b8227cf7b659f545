// coordination.k8s.io Lease, rbac.authorization.k8s.io roles and bindings, autoscaling/v1
// Scale, and metav1 DeleteOptions validation.
import { GoRaw } from '../go-format.js';
import type { DeleteOptions } from '../types/meta.js';
import type { ClusterRole, ClusterRoleBinding, Lease, PolicyRule, Role, RoleBinding, RoleRef, Scale, Subject } from '../types/other.js';
import { invalid, notSupported, required, type FieldError } from './field-errors.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { IS_NEGATIVE_ERROR, nameIsDnsSubdomain, nameIsPathSegment } from './names.js';
import { child, index } from './paths.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function validateLease(l: Lease): FieldError[] {
  const errs = validateObjectMeta(l.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const d = l.spec?.leaseDurationSeconds;
  if (d !== undefined && d <= 0) errs.push(invalid('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  const t = l.spec?.leaseTransitions;
  if (t !== undefined && t < 0) errs.push(invalid('spec.leaseTransitions', t, IS_NEGATIVE_ERROR));
  return errs;
}

function validatePolicyRule(r: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if ((r.verbs ?? []).length === 0) errs.push(required(child(path, 'verbs'), 'verbs must contain at least one value'));
  if ((r.nonResourceURLs ?? []).length > 0) {
    if (namespaced) errs.push(invalid(child(path, 'nonResourceURLs'), r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if ((r.apiGroups ?? []).length > 0 || (r.resources ?? []).length > 0 || (r.resourceNames ?? []).length > 0) {
      errs.push(invalid(child(path, 'nonResourceURLs'), r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if ((r.apiGroups ?? []).length === 0) errs.push(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if ((r.resources ?? []).length === 0) errs.push(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(r: Role): FieldError[] {
  const errs = validateObjectMeta(r.metadata, { namespaced: true, nameFn: nameIsPathSegment });
  (r.rules ?? []).forEach((rule, i) => errs.push(...validatePolicyRule(rule, true, index('rules', i))));
  return errs;
}

export function validateClusterRole(r: ClusterRole): FieldError[] {
  const errs = validateObjectMeta(r.metadata, { namespaced: false, nameFn: nameIsPathSegment });
  (r.rules ?? []).forEach((rule, i) => errs.push(...validatePolicyRule(rule, false, index('rules', i))));
  if (r.aggregationRule !== undefined) {
    const sels = r.aggregationRule.clusterRoleSelectors ?? [];
    if (sels.length === 0) {
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    sels.forEach((s, i) => errs.push(...validateLabelSelector(s, index('aggregationRule.clusterRoleSelectors', i))));
  }
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(child(path, 'name'), ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...nameIsDnsSubdomain(s.name, false).map((m) => invalid(child(path, 'name'), s.name, m)));
      if (s.apiGroup) errs.push(notSupported(child(path, 'apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(child(path, 'namespace'), ''));
      break;
    case 'User': case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(child(path, 'apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(child(path, 'kind'), s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

type AnyBinding = RoleBinding | ClusterRoleBinding;

function validateBindingCommon(b: AnyBinding, namespaced: boolean, kinds: string[]): FieldError[] {
  const errs = validateObjectMeta(b.metadata, { namespaced, nameFn: nameIsPathSegment });
  const ref = b.roleRef ?? { apiGroup: '', kind: '', name: '' };
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name', ''));
  else errs.push(...nameIsPathSegment(ref.name, false).map((m) => invalid('roleRef.name', ref.name, m)));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, index('subjects', i))));
  return errs;
}

export const validateRoleBinding = (b: RoleBinding): FieldError[] => validateBindingCommon(b, true, ['Role', 'ClusterRole']);
export const validateClusterRoleBinding = (b: ClusterRoleBinding): FieldError[] => validateBindingCommon(b, false, ['ClusterRole']);

const goRoleRef = (r: RoleRef | undefined): GoRaw =>
  new GoRaw(`rbac.RoleRef{APIGroup:${JSON.stringify(r?.apiGroup ?? '')}, Kind:${JSON.stringify(r?.kind ?? '')}, Name:${JSON.stringify(r?.name ?? '')}}`);

/** RoleBinding and ClusterRoleBinding updates: roleRef may never change. */
export function validateBindingUpdate(b: AnyBinding, old: AnyBinding, namespaced: boolean): FieldError[] {
  const errs = validateObjectMetaUpdate(b.metadata, old.metadata);
  const [a, o] = [b.roleRef, old.roleRef];
  if (a?.apiGroup !== o?.apiGroup || a?.kind !== o?.kind || a?.name !== o?.name) errs.push(invalid('roleRef', goRoleRef(a), 'cannot change roleRef'));
  return errs.concat(namespaced ? validateRoleBinding(b) : validateClusterRoleBinding(b));
}

export function validateScale(s: Scale): FieldError[] {
  const errs = validateObjectMeta(s.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const r = s.spec?.replicas ?? 0;
  if (r < 0) errs.push(invalid('spec.replicas', r, IS_NEGATIVE_ERROR));
  return errs;
}

/** ValidateDeleteOptions (a 422 on kind DeleteOptions.meta.k8s.io when it fails). */
export function validateDeleteOptions(o: DeleteOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.orphanDependents !== undefined && o.propagationPolicy !== undefined) {
    errs.push(invalid('propagationPolicy', o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (o.propagationPolicy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(o.propagationPolicy)) {
    errs.push(notSupported('propagationPolicy', o.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  if ((o.dryRun ?? []).some((d) => d !== 'All')) errs.push(notSupported('dryRun', o.dryRun, ['All']));
  return errs;
}
