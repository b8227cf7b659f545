// The resource registry: every resource the apiserver serves, with what discovery needs
// (group, version, kind, plural, singular, namespaced, verbs, shortNames, categories,
// subresources). Values are Kubernetes 1.32's for the same resources.
import { schemaForKind } from './schema/index.js';
import type { ObjectSchema } from './schema/dsl.js';
import { invariant } from './errors.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface SubresourceInfo {
  /** "status", "scale", "binding", "eviction", "log". */
  readonly name: string;
  /** The kind of the subresource's body (Scale, Binding, Eviction, or the parent's kind). */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly verbs: readonly Verb[];
}

export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly verbs: readonly Verb[];
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly SubresourceInfo[];
}

const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NO_COLLECTION_DELETE: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

interface Spec {
  group?: string; version?: string; kind: string; plural: string; namespaced?: boolean; verbs?: readonly Verb[];
  shortNames?: string[]; categories?: string[]; subresources?: SubresourceInfo[];
}

function sub(name: string, kind: string, verbs: Verb[], group = '', version = 'v1'): SubresourceInfo {
  return { name, group, version, kind, verbs };
}

const status = (kind: string): SubresourceInfo => sub('status', kind, ['get', 'patch', 'update']);
const appsStatus = (kind: string): SubresourceInfo => sub('status', kind, ['get', 'patch', 'update'], 'apps');
const scale = (): SubresourceInfo => sub('scale', 'Scale', ['get', 'patch', 'update'], 'autoscaling');

function resource(s: Spec): ResourceInfo {
  const group = s.group ?? '';
  return Object.freeze({
    group, version: s.version ?? 'v1', kind: s.kind, listKind: `${s.kind}List`, plural: s.plural,
    singular: s.kind.toLowerCase(), namespaced: s.namespaced ?? true, verbs: s.verbs ?? ALL_VERBS,
    shortNames: s.shortNames ?? [], categories: s.categories ?? [], subresources: s.subresources ?? [],
  });
}

export const RESOURCES: readonly ResourceInfo[] = Object.freeze([
  resource({ kind: 'Binding', plural: 'bindings', verbs: ['create'] }),
  resource({ kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] }),
  resource({ kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] }),
  resource({ kind: 'Event', plural: 'events', shortNames: ['ev'] }),
  resource({ kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: NO_COLLECTION_DELETE, shortNames: ['ns'],
    subresources: [sub('finalize', 'Namespace', ['update']), status('Namespace')] }),
  resource({ kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: [status('Node')] }),
  resource({ kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'],
    subresources: [status('PersistentVolumeClaim')] }),
  resource({ kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'],
    subresources: [status('PersistentVolume')] }),
  resource({ kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'], subresources: [
    sub('binding', 'Binding', ['create']),
    sub('eviction', 'Eviction', ['create'], 'policy'),
    sub('exec', 'PodExecOptions', ['create', 'get']),
    sub('log', 'Pod', ['get']),
    status('Pod'),
  ] }),
  resource({ kind: 'ReplicationController', plural: 'replicationcontrollers', shortNames: ['rc'], categories: ['all'],
    subresources: [scale(), status('ReplicationController')] }),
  resource({ kind: 'Secret', plural: 'secrets' }),
  resource({ kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'] }),
  resource({ kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'], subresources: [status('Service')] }),
  resource({ group: 'apps', kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'],
    subresources: [appsStatus('DaemonSet')] }),
  resource({ group: 'apps', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'],
    subresources: [scale(), appsStatus('Deployment')] }),
  resource({ group: 'apps', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'],
    subresources: [scale(), appsStatus('ReplicaSet')] }),
  resource({ group: 'apps', kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], categories: ['all'],
    subresources: [scale(), appsStatus('StatefulSet')] }),
  resource({ group: 'batch', kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'],
    subresources: [sub('status', 'CronJob', ['get', 'patch', 'update'], 'batch')] }),
  resource({ group: 'batch', kind: 'Job', plural: 'jobs', categories: ['all'],
    subresources: [sub('status', 'Job', ['get', 'patch', 'update'], 'batch')] }),
  resource({ group: 'networking.k8s.io', kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'],
    subresources: [sub('status', 'Ingress', ['get', 'patch', 'update'], 'networking.k8s.io')] }),
  resource({ group: 'coordination.k8s.io', kind: 'Lease', plural: 'leases' }),
  resource({ group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false }),
  resource({ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false }),
  resource({ group: 'rbac.authorization.k8s.io', kind: 'RoleBinding', plural: 'rolebindings' }),
  resource({ group: 'rbac.authorization.k8s.io', kind: 'Role', plural: 'roles' }),
]);

const byGroupResource = new Map<string, ResourceInfo>();
const byGroupKind = new Map<string, ResourceInfo>();
for (const r of RESOURCES) {
  byGroupResource.set(`${r.group}/${r.plural}`, r);
  byGroupKind.set(`${r.group}/${r.kind}`, r);
}

export function findResource(group: string, plural: string): ResourceInfo | undefined {
  return byGroupResource.get(`${group}/${plural}`);
}

export function findResourceForKind(group: string, kind: string): ResourceInfo | undefined {
  return byGroupKind.get(`${group}/${kind}`);
}

/** kubectl-style resolution of a name: plural, singular, short name, kind (any case), or "plural.group". */
export function resolveResource(name: string): ResourceInfo[] {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const [base, group] = dot < 0 ? [lower, undefined] : [lower.slice(0, dot), lower.slice(dot + 1)];
  return RESOURCES.filter((r) => (group === undefined || r.group === group || r.group.startsWith(`${group}.`))
    && (r.plural === base || r.singular === base || r.kind.toLowerCase() === base || r.shortNames.includes(base)));
}

/** Resources in a category ("all"), as `kubectl get all` expands it. */
export function resourcesInCategory(category: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.categories.includes(category));
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** "apps/v1" -> {group: "apps", version: "v1"}; "v1" -> {group: "", version: "v1"}. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function schemaOf(r: ResourceInfo): ObjectSchema {
  const s = schemaForKind(r);
  invariant(s !== undefined, `no schema for ${r.group}/${r.version}/${r.kind}`);
  return s;
}

export interface GroupVersion { readonly group: string; readonly version: string }

export function groupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of RESOURCES) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** One entry of an APIResourceList (discovery v1). */
export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface ApiResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: ApiResource[];
}

/** The discovery document GET /api/v1 or /apis/GROUP/VERSION answers with. */
export function apiResourceList(gv: GroupVersion): ApiResourceList {
  const resources: ApiResource[] = [];
  for (const r of RESOURCES.filter((x) => x.group === gv.group && x.version === gv.version)) {
    const entry: ApiResource = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind,
      verbs: [...r.verbs] };
    if (r.shortNames.length > 0) entry.shortNames = [...r.shortNames];
    if (r.categories.length > 0) entry.categories = [...r.categories];
    resources.push(entry);
    for (const s of r.subresources) {
      const e: ApiResource = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind,
        verbs: [...s.verbs] };
      if (s.group !== gv.group || s.version !== gv.version) { e.group = s.group; e.version = s.version; }
      resources.push(e);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(gv), resources };
}
