// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac): a request is allowed when some
// rule of some role bound to the user allows it. ClusterRoleBindings are visited first,
// then the RoleBindings of the request's namespace, which may reference a Role in that
// namespace or a ClusterRole (then granting it only in that namespace). RBAC only ever
// allows; a denial carries Kubernetes' forbidden sentence, plus `RBAC: ...` when a binding
// pointed at a role that does not exist (Kubernetes reports those resolution errors too).
import {
  forbidden, forbiddenReason, type ClusterRole, type ClusterRoleBinding, type PolicyRule, type Role,
  type RoleBinding, type Status, type Subject,
} from '../../api/index.js';
import { MAX_RULES_PER_ROLE, MAX_SUBJECTS_PER_BINDING } from './limits.js';
import { describeSubject, ruleAllows, subjectApplies } from './rbac-rules.js';
import type { UserInfo } from './token-file.js';

/** Where the authorizer reads roles and bindings (the apiserver's informer caches, or fixed lists in tests). */
export interface RbacSource {
  clusterRoleBindings(): ClusterRoleBinding[];
  roleBindings(namespace: string): RoleBinding[];
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
}

/** authorizer.Attributes, from the authenticated user and parseRequestInfo. */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface AuthorizationDecision {
  allowed: boolean;
  /**
   * Allowed: `RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to User "u"`.
   * Denied: the text after "is forbidden: " in Kubernetes' 403, e.g. `User "alice" cannot
   * list resource "pods" in API group "" in the namespace "default"` — pass it to forbiddenStatus.
   */
  reason: string;
}

type Binding = ClusterRoleBinding | RoleBinding;

/** The api package's attribute shape, which words the forbidden sentence. */
function statusAttributes(a: AuthorizationAttributes): Parameters<typeof forbiddenReason>[0] {
  if (!a.isResourceRequest) return { user: a.user.name, verb: a.verb, path: a.path };
  return {
    user: a.user.name, verb: a.verb, resource: a.resource, subresource: a.subresource, group: a.apiGroup,
    namespace: a.namespace, name: a.name,
  };
}

/**
 * Kubernetes' 403 message for a denied request (responsewriters.Forbidden):
 * `pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"`,
 * `pods "x" is forbidden: ...`, `... at the cluster scope`, `forbidden: User "alice" cannot get path "/foo"`.
 */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  return forbiddenStatus(a, forbiddenReason(statusAttributes(a))).message ?? '';
}

/** The 403 Status for a denied request, with the decision's reason (forbiddenReason if omitted). */
export function forbiddenStatus(a: AuthorizationAttributes, reason?: string): Status {
  const text = reason ?? forbiddenReason(statusAttributes(a));
  const gr = a.isResourceRequest ? { group: a.apiGroup, resource: a.resource } : null;
  return forbidden(gr, a.isResourceRequest ? a.name : '', text);
}

export class RbacAuthorizer {
  readonly #source: RbacSource;

  constructor(source: RbacSource) {
    this.#source = source;
  }

  authorize(a: AuthorizationAttributes): AuthorizationDecision {
    const errors: string[] = [];
    for (const b of this.#source.clusterRoleBindings()) {
      const allowed = this.#visit(a, b, '', 'ClusterRoleBinding', errors);
      if (allowed !== undefined) return { allowed: true, reason: allowed };
    }
    if (a.namespace !== '') {
      for (const b of this.#source.roleBindings(a.namespace)) {
        const allowed = this.#visit(a, b, a.namespace, 'RoleBinding', errors);
        if (allowed !== undefined) return { allowed: true, reason: allowed };
      }
    }
    const base = forbiddenReason(statusAttributes(a));
    if (errors.length === 0) return { allowed: false, reason: base };
    // utilerrors.NewAggregate: one error as is, several in brackets.
    const rbac = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
    return { allowed: false, reason: `${base}: RBAC: ${rbac}` };
  }

  /** The "allowed by" reason when this binding grants the request; undefined otherwise. */
  #visit(a: AuthorizationAttributes, b: Binding, ns: string, kind: string, errors: string[]): string | undefined {
    const subject = appliesTo(a.user, b.subjects ?? [], ns);
    if (subject === undefined) return undefined;
    const rules = this.#rulesOf(b, ns, errors);
    if (rules === undefined) return undefined;
    const limit = Math.min(rules.length, MAX_RULES_PER_ROLE);
    for (let i = 0; i < limit; i++) {
      if (!ruleAllows(a, rules[i] as PolicyRule)) continue;
      const name = ns === '' ? b.metadata?.name ?? '' : `${b.metadata?.name ?? ''}/${ns}`;
      return `RBAC: allowed by ${kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ` +
        `${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, ns)}`;
    }
    return undefined;
  }

  /**
   * GetRoleReferenceRules: a ClusterRole anywhere, a Role only in a RoleBinding's own
   * namespace (from a ClusterRoleBinding Kubernetes looks in namespace "" and finds nothing).
   */
  #rulesOf(b: Binding, ns: string, errors: string[]): PolicyRule[] | undefined {
    const ref = b.roleRef;
    let role: Role | ClusterRole | undefined;
    let resource: string;
    if (ref.kind === 'ClusterRole') {
      role = this.#source.clusterRole(ref.name);
      resource = 'clusterrole';
    } else if (ref.kind === 'Role') {
      role = ns === '' ? undefined : this.#source.role(ns, ref.name);
      resource = 'role';
    } else {
      errors.push(`unsupported role reference kind: ${JSON.stringify(ref.kind)}`);
      return undefined;
    }
    if (role === undefined) {
      errors.push(`${resource}.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`);
      return undefined;
    }
    return role.rules ?? [];
  }
}

/** The first subject of the binding that is the user (appliesTo). */
function appliesTo(user: UserInfo, subjects: Subject[], ns: string): Subject | undefined {
  const limit = Math.min(subjects.length, MAX_SUBJECTS_PER_BINDING);
  for (let i = 0; i < limit; i++) {
    const s = subjects[i] as Subject;
    if (subjectApplies(user, s, ns)) return s;
  }
  return undefined;
}
