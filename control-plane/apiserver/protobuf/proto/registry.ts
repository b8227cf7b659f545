// Every message we can decode, by name, and the kinds a request body may carry (by apiVersion).

import { isScalar, isSpecial, type MessageDesc } from './dsl.js';
import { CORE_V1 } from './core-v1.js';
import { CORE_V1_CONTAINER } from './core-v1-container.js';
import { APPS_V1, AUTHORIZATION_V1, AUTOSCALING_V1, COORDINATION_V1, POLICY_V1, RBAC_V1 } from './groups.js';
import { META_V1 } from './meta-v1.js';
import { BATCH_V1 } from './batch-v1.js';

function buildRegistry(): ReadonlyMap<string, MessageDesc> {
  const all = [...META_V1, ...CORE_V1, ...CORE_V1_CONTAINER, ...APPS_V1, ...RBAC_V1, ...POLICY_V1,
    ...COORDINATION_V1, ...AUTOSCALING_V1, ...AUTHORIZATION_V1, ...BATCH_V1];
  const byName = new Map<string, MessageDesc>();
  for (const m of all) {
    if (byName.has(m.name)) throw new Error(`descriptor ${m.name} defined twice`);
    byName.set(m.name, m);
  }
  // Every field type must resolve, so a typo fails at load and not on some request.
  for (const m of all) {
    for (const x of m.fields) {
      if (!isScalar(x.type) && !isSpecial(x.type) && !byName.has(x.type)) {
        throw new Error(`descriptor ${m.name}.${x.json}: unknown type ${x.type}`);
      }
      if (x.inline && (x.shape !== 'one' || !byName.has(x.type))) {
        throw new Error(`descriptor ${m.name}.${x.json}: only a single message can be inline`);
      }
    }
  }
  return byName;
}

export const MESSAGES: ReadonlyMap<string, MessageDesc> = buildRegistry();

/** apiVersion → kind → top-level message name. */
export const KINDS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  ['v1', new Map([
    ['ConfigMap', 'ConfigMap'], ['Secret', 'Secret'], ['Namespace', 'Namespace'], ['Service', 'Service'],
    ['ServiceAccount', 'ServiceAccount'], ['Pod', 'Pod'], ['DeleteOptions', 'DeleteOptions'],
  ])],
  ['apps/v1', new Map([['Deployment', 'Deployment'], ['DeleteOptions', 'DeleteOptions']])],
  ['batch/v1', new Map([['Job', 'Job'], ['CronJob', 'CronJob'], ['DeleteOptions', 'DeleteOptions']])],
  ['rbac.authorization.k8s.io/v1', new Map([
    ['Role', 'Role'], ['ClusterRole', 'ClusterRole'], ['RoleBinding', 'RoleBinding'],
    ['ClusterRoleBinding', 'ClusterRoleBinding'], ['DeleteOptions', 'DeleteOptions'],
  ])],
  ['policy/v1', new Map([['Eviction', 'Eviction'], ['DeleteOptions', 'DeleteOptions']])],
  ['coordination.k8s.io/v1', new Map([['Lease', 'Lease'], ['DeleteOptions', 'DeleteOptions']])],
  ['autoscaling/v1', new Map([['Scale', 'Scale'], ['DeleteOptions', 'DeleteOptions']])],
  ['authorization.k8s.io/v1', new Map([['SelfSubjectAccessReview', 'SelfSubjectAccessReview']])],
  ['meta.k8s.io/v1', new Map([['DeleteOptions', 'DeleteOptions']])],
]);

/** The supported kinds by version, e.g. `v1: ConfigMap, Secret; apps/v1: Deployment`, for error messages. */
export function supportedKinds(): string {
  return [...KINDS].map(([version, kinds]) => `${version}: ${[...kinds.keys()].join(', ')}`).join('; ');
}
