// Where objects live in the store: kube-apiserver's key layout under --etcd-prefix, so a
// Flotilla cluster's data looks like Kubernetes' to anyone reading it with etcdctl:
// `/registry/pods/<namespace>/<name>`, `/registry/namespaces/<name>`, services under
// `/registry/services/specs/...` and endpoints under `/registry/services/endpoints/...`.
import type { ResourceInfo } from '../../api/index.js';

/** Resources whose key prefix is not simply their plural (Kubernetes' own exceptions). */
const PREFIX_OVERRIDES: Record<string, string> = {
  '/services': 'services/specs',
  '/endpoints': 'services/endpoints',
  'apps/deployments': 'deployments',
  'apps/replicasets': 'replicasets',
  'apps/daemonsets': 'daemonsets',
  'coordination.k8s.io/leases': 'leases',
};

export class KeyLayout {
  constructor(readonly root: string) {
    if (!root.startsWith('/') || root.endsWith('/')) {
      throw new Error(`--etcd-prefix must start with "/" and not end with one, got ${JSON.stringify(root)}`);
    }
  }

  /** The prefix of every object of the resource, ending in "/". */
  resourcePrefix(r: Pick<ResourceInfo, 'group' | 'plural'>): string {
    const p = PREFIX_OVERRIDES[`${r.group}/${r.plural}`] ?? r.plural;
    return `${this.root}/${p}/`;
  }

  /** The prefix of one namespace's objects (or the whole resource for namespace ""). */
  collectionPrefix(r: Pick<ResourceInfo, 'group' | 'plural' | 'namespaced'>, namespace: string): string {
    const base = this.resourcePrefix(r);
    return r.namespaced && namespace !== '' ? `${base}${namespace}/` : base;
  }

  objectKey(r: Pick<ResourceInfo, 'group' | 'plural' | 'namespaced'>, namespace: string, name: string): string {
    return r.namespaced ? `${this.resourcePrefix(r)}${namespace}/${name}` : `${this.resourcePrefix(r)}${name}`;
  }

  /** The key of the service IP allocation bitmap (Kubernetes: /registry/ranges/serviceips). */
  get serviceIpRangeKey(): string {
    return `${this.root}/ranges/serviceips`;
  }

  get nodePortRangeKey(): string {
    return `${this.root}/ranges/servicenodeports`;
  }
}
