// Small valid objects for tests, already defaulted the way the apiserver would store them.
import { applyDefaults } from '../defaults/index.js';
import type { Deployment, DaemonSet, ReplicaSet } from '../types/apps.js';
import type { Pod, Service } from '../types/core.js';

export function pod(overrides: Partial<Pod> = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
    ...overrides,
  };
  return applyDefaults({ group: '', version: 'v1', kind: 'Pod' }, p);
}

export function deployment(): Deployment {
  return applyDefaults({ group: 'apps', version: 'v1', kind: 'Deployment' }, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'x', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  } as Deployment);
}

export function replicaSet(): ReplicaSet {
  return applyDefaults({ group: 'apps', version: 'v1', kind: 'ReplicaSet' }, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'x-1', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  } as ReplicaSet);
}

export function daemonSet(): DaemonSet {
  return applyDefaults({ group: 'apps', version: 'v1', kind: 'DaemonSet' }, {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
    },
  } as DaemonSet);
}

export function service(): Service {
  return applyDefaults({ group: '', version: 'v1', kind: 'Service' }, {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], clusterIP: '10.96.0.10' },
  } as Service);
}

/** A deep copy, for update tests. */
export function copy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
