// RBAC matching of one rule and one subject, as Kubernetes' rbac/v1 helpers
// (pkg/apis/rbac/v1/evaluation_helpers.go) and rbac.appliesToUser do it.
import type { PolicyRule, Subject } from '../../api/index.js';
import type { UserInfo } from './token-file.js';

/** The request as RBAC sees it. */
export interface RuleRequest {
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
}

const ALL = '*';

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** `*`, the exact `resource` or `resource/subresource`, or `*\/subresource` for any resource's subresource. */
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some((r) => r === ALL || r === combined ||
    (subresource !== '' && r === `*/${subresource}`));
}

/** An empty resourceNames allows any name; otherwise the request must name one of them (so never list/create). */
function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** `*`, an exact path, or a prefix ending in `*` (all trailing stars trimmed, as strings.TrimRight does). */
function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === ALL || u === path ||
    (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))));
}

/** RuleAllows. */
export function ruleAllows(req: RuleRequest, rule: PolicyRule): boolean {
  if (!verbMatches(rule, req.verb)) return false;
  if (!req.isResourceRequest) return nonResourceUrlMatches(rule, req.path);
  const combined = req.subresource === '' ? req.resource : `${req.resource}/${req.subresource}`;
  return apiGroupMatches(rule, req.apiGroup) && resourceMatches(rule, combined, req.subresource) &&
    resourceNameMatches(rule, req.name);
}

/** serviceaccount.MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * appliesToUser. `bindingNamespace` is the RoleBinding's namespace ('' for a
 * ClusterRoleBinding): a ServiceAccount subject without a namespace means one in it.
 */
export function subjectApplies(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User': return user.name === subject.name;
    case 'Group': return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace !== undefined && subject.namespace !== '' ? subject.namespace : bindingNamespace;
      return ns !== '' && user.name === serviceAccountUsername(ns, subject.name);
    }
    default: return false;
  }
}

/** describeSubject, for the "allowed by" reason. */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    const ns = subject.namespace !== undefined && subject.namespace !== '' ? subject.namespace : bindingNamespace;
    return `${subject.kind} ${JSON.stringify(`${subject.name}/${ns}`)}`;
  }
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}
