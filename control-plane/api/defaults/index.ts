// Defaulting as Kubernetes' v1 defaulters do it (SetDefaults_* in pkg/apis/*/v1, plus the
// conversions that keep deprecated twin fields in sync). Defaulters mutate the object in
// place and return it; they run after decoding and before validation, on create, update and
// after patches, exactly where Kubernetes' decoder applies them. The list of defaults is in
// control-plane/api/README.md.
import type {
  ConfigMap, Container, Endpoints, Namespace, Node, Pod, PodSpec, PodTemplateSpec, Probe, ReplicationController, Secret,
  Service, Volume,
} from '../types/core.js';
import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from '../types/other.js';
import type { GroupVersionKind } from '../schema/dsl.js';
import {
  defaultCronJob, defaultJob, defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStatefulSet,
} from './workloads.js';

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;
export const DEFAULT_VOLUME_MODE = 0o644;
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * The tag of an image reference as Kubernetes' ParseImageName sees it: "latest" when the
 * reference has neither tag nor digest, "" when it does not parse or has only a digest.
 */
export function imageTag(image: string): string {
  if (image === '' || image !== image.trim()) return '';
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : '';
  if (at >= 0 && !/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(digest)) return '';
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const repo = colon >= 0 ? named.slice(0, colon) : named;
  const tag = colon >= 0 ? named.slice(colon + 1) : '';
  const path = repo.includes('/') && /[.:]|^localhost$/.test(repo.slice(0, repo.indexOf('/'))) ? repo.slice(repo.indexOf('/') + 1) : repo;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path)) return '';
  if (colon >= 0 && !/^[\w][\w.-]{0,127}$/.test(tag)) return '';
  if (tag !== '') return tag;
  return digest === '' ? 'latest' : '';
}

function defaultProbe(p: Probe | undefined): void {
  if (p === undefined) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  if (p.httpGet) {
    p.httpGet.path ||= '/';
    p.httpGet.scheme ||= 'HTTP';
  }
}

function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= DEFAULT_TERMINATION_MESSAGE_PATH;
  c.terminationMessagePolicy ||= 'File';
  for (const port of c.ports ?? []) port.protocol ||= 'TCP';
  for (const env of c.env ?? []) {
    if (env.valueFrom?.fieldRef) env.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

function defaultVolume(v: Volume): void {
  const sources = ['emptyDir', 'configMap', 'secret', 'hostPath', 'persistentVolumeClaim'] as const;
  if (sources.every((s) => v[s] === undefined)) v.emptyDir = {};
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_VOLUME_MODE;
  if (v.secret) v.secret.defaultMode ??= DEFAULT_VOLUME_MODE;
  if (v.hostPath) v.hostPath.type ??= '';
}

/** SetDefaults_PodSpec and everything under it (pods and pod templates alike). */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  // The deprecated serviceAccount field mirrors serviceAccountName (v1 conversion).
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  if (spec.hostNetwork) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const p of c.ports ?? []) p.hostPort ||= p.containerPort;
    }
  }
  return spec;
}

function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec) defaultPodSpec(t.spec);
}

/** SetDefaults_Pod: requests default to limits, service links on, then the spec defaults. */
export function defaultPod(pod: Pod): Pod {
  pod.spec ??= { containers: [] };
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (limits === undefined || c.resources === undefined) continue;
    c.resources.requests ??= {};
    const requests = c.resources.requests;
    for (const [k, v] of Object.entries(limits)) {
      if (!Object.prototype.hasOwnProperty.call(requests, k)) requests[k] = v;
    }
  }
  pod.spec.enableServiceLinks ??= true;
  defaultPodSpec(pod.spec);
  // podIP mirrors podIPs[0] (v1 conversion).
  const ips = pod.status?.podIPs;
  if (pod.status && ips && ips.length > 0) pod.status.podIP = ips[0]?.ip;
  else if (pod.status?.podIP && !ips) pod.status.podIPs = [{ ip: pod.status.podIP }];
  return pod;
}

export function defaultService(svc: Service): Service {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external = spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
  if (external) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  // clusterIPs[0] mirrors clusterIP (v1 conversion).
  if (spec.clusterIP && (spec.clusterIPs ?? []).length === 0) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && (spec.clusterIPs ?? []).length > 0) spec.clusterIP = spec.clusterIPs?.[0];
  return svc;
}

export function defaultEndpoints(ep: Endpoints): Endpoints {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= 'TCP';
  return ep;
}

export function defaultNamespace(ns: Namespace): Namespace {
  const name = ns.metadata?.name;
  if (name) {
    ns.metadata ??= {};
    ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  }
  ns.status ??= {};
  ns.status.phase ||= 'Active';
  return ns;
}

export function defaultNode(node: Node): Node {
  const status = node.status;
  if (status?.capacity && status.allocatable === undefined) status.allocatable = { ...status.capacity };
  return node;
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Secret: type Opaque; stringData is written into data (base64) and dropped (v1 conversion). */
export function defaultSecret(s: Secret): Secret {
  s.type ||= 'Opaque';
  if (s.stringData !== undefined) {
    s.data ??= {};
    for (const [k, v] of Object.entries(s.stringData)) s.data[k] = base64(v);
    delete s.stringData;
  }
  return s;
}

export function defaultReplicationController(rc: ReplicationController): ReplicationController {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels !== undefined) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    rc.metadata ??= {};
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultTemplate(spec.template);
  return rc;
}

export function defaultDeployment(d: Deployment): Deployment {
  const spec = (d.spec ??= { selector: {}, template: {} });
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxUnavailable ??= '25%';
    strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec.template);
  return d;
}

export function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  const spec = (rs.spec ??= { selector: {} });
  spec.replicas ??= 1;
  defaultTemplate(spec.template);
  return rs;
}

export function defaultDaemonSet(ds: DaemonSet): DaemonSet {
  const spec = (ds.spec ??= { selector: {}, template: {} });
  const us = (spec.updateStrategy ??= {});
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    us.rollingUpdate ??= {};
    us.rollingUpdate.maxUnavailable ??= 1;
    us.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec.template);
  return ds;
}

function defaultSubject(s: Subject): void {
  if (s.apiGroup) return;
  if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  else if (s.kind === 'ServiceAccount') s.apiGroup = '';
}

export function defaultRoleBinding<T extends RoleBinding | ClusterRoleBinding>(b: T): T {
  if (b.roleRef) b.roleRef.apiGroup ||= RBAC_GROUP;
  for (const s of b.subjects ?? []) defaultSubject(s);
  return b;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- dispatch by kind */
const DEFAULTERS: Record<string, (o: any) => unknown> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/Namespace': defaultNamespace,
  '/Node': defaultNode,
  '/Secret': defaultSecret,
  '/ConfigMap': (c: ConfigMap) => c,
  '/ReplicationController': defaultReplicationController,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/StatefulSet': (o) => defaultStatefulSet(o, defaultPodSpec),
  'batch/Job': (o) => defaultJob(o, defaultPodSpec),
  'batch/CronJob': (o) => defaultCronJob(o, defaultPodSpec),
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/PersistentVolume': defaultPersistentVolume,
  'rbac.authorization.k8s.io/RoleBinding': defaultRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultRoleBinding,
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Applies the kind's defaults in place (kinds without defaults are returned unchanged). */
export function applyDefaults<T>(gvk: GroupVersionKind, obj: T): T {
  const fn = DEFAULTERS[`${gvk.group}/${gvk.kind}`];
  if (fn !== undefined && typeof obj === 'object' && obj !== null) fn(obj);
  return obj;
}
