// Validation of core/v1 kinds other than Pod: Service, Namespace, Node, ConfigMap, Secret,
// ServiceAccount, Event, Endpoints, ReplicationController.
import { GoRaw } from '../go-format.js';
import { jsonEqual, utf8Length, type JsonValue } from '../json.js';
import { Quantity, parseQuantity } from '../quantity.js';
import type {
  ConfigMap, Endpoints, Event, Namespace, Node, ReplicationController, Secret, Service, ServiceAccount,
} from '../types/core.js';
import { dns1123Label, validatePortNumOrName } from './containers.js';
import { duplicate, forbidden, invalid, notSupported, required, tooLong, type FieldError } from './field-errors.js';
import {
  validateImmutable, validateLabelName, validateLabels, validateNonnegative, validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import {
  INVALID_IP_MESSAGE, IS_NEGATIVE_ERROR, isConfigMapKey, isDns1123Subdomain, isQualifiedName, isValidIp,
  isValidLabelValue, isValidPortNum, nameIsDns1035Label, nameIsDnsLabel, nameIsDnsSubdomain,
} from './names.js';
import { child, index, key } from './paths.js';
import { validatePodTemplateSpec } from './pod.js';

/** core.MaxSecretSize: 1 MiB of data per Secret or ConfigMap. */
export const MAX_SECRET_BYTES = 1024 * 1024;
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

const isHeadless = (s: Service): boolean => s.spec?.clusterIP === 'None';
const externallyAccessible = (s: Service): boolean => s.spec?.type === 'LoadBalancer' || s.spec?.type === 'NodePort'
  || (s.spec?.type === 'ClusterIP' && (s.spec.externalIPs ?? []).length > 0);

function goServicePort(protocol: string, port: number): GoRaw {
  return new GoRaw(`core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, `
    + 'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}');
}

function validateServicePorts(s: Service): FieldError[] {
  const errs: FieldError[] = [];
  const ports = s.spec?.ports ?? [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = index('spec.ports', i);
    if (ports.length > 1 && !p.name) errs.push(required(child(pp, 'name'), ''));
    else if (p.name) {
      errs.push(...dns1123Label(p.name, child(pp, 'name')));
      if (names.has(p.name)) errs.push(duplicate(child(pp, 'name'), p.name));
      else names.add(p.name);
    }
    errs.push(...isValidPortNum(p.port).map((m) => invalid(child(pp, 'port'), p.port, m)));
    if (!p.protocol) errs.push(required(child(pp, 'protocol'), ''));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(child(pp, 'protocol'), p.protocol, PROTOCOLS));
    errs.push(...validatePortNumOrName(p.targetPort ?? 0, child(pp, 'targetPort')));
    if (p.appProtocol !== undefined) errs.push(...isQualifiedName(p.appProtocol).map((m) => invalid(child(pp, 'appProtocol'), p.appProtocol, m)));
  });
  return errs;
}

/** nodePort rules and duplicate (protocol, port) pairs, checked after the type. */
function validateServicePortConflicts(s: Service): FieldError[] {
  const errs: FieldError[] = [];
  const ports = s.spec?.ports ?? [];
  if (s.spec?.type === 'ClusterIP') {
    ports.forEach((p, i) => { if (p.nodePort) errs.push(forbidden(child(index('spec.ports', i), 'nodePort'), "may not be used when `type` is 'ClusterIP'")); });
  }
  const nodePorts = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const k = `${p.protocol}/${p.nodePort}`;
      if (nodePorts.has(k)) errs.push(duplicate(child(index('spec.ports', i), 'nodePort'), p.nodePort));
      nodePorts.add(k);
    }
    const k = `${p.protocol}/${p.port}`;
    if (seen.has(k)) errs.push(duplicate(index('spec.ports', i), goServicePort(p.protocol ?? '', p.port)));
    seen.add(k);
  });
  return errs;
}

function validateClusterIps(s: Service): FieldError[] {
  const spec = s.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs', ''));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) {
    errs.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const fams = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(index('spec.ipFamilies', i), f, ['IPv4', 'IPv6']));
    if (fams.has(f)) errs.push(duplicate(index('spec.ipFamilies', i), f));
    fams.add(f);
  });
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (spec.ipFamilyPolicy !== undefined && !policies.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, policies));
  }
  let bad = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) { bad = true; errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value")); }
      return;
    }
    if (!isValidIp(ip)) { bad = true; errs.push(invalid(index('spec.clusterIPs', i), ip, INVALID_IP_MESSAGE)); }
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (!bad && ips.length > 1 && new Set(ips.map((ip) => ip.includes(':'))).size !== 2) {
    errs.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  return errs;
}

function validateServiceTypeRules(s: Service): FieldError[] {
  const spec = s.spec ?? {};
  const errs: FieldError[] = [];
  const type = spec.type ?? '';
  if ((type === 'LoadBalancer' || type === 'NodePort') && isHeadless(s)) {
    errs.push(invalid('spec.clusterIPs[0]', (spec.clusterIPs ?? [])[0] ?? 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if ((spec.clusterIPs ?? []).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if ((spec.ipFamilies ?? []).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...isDns1123Subdomain(cname).map((m) => invalid('spec.externalName', cname, m)));
    else errs.push(required('spec.externalName', ''));
  }
  return errs;
}

export function validateService(s: Service): FieldError[] {
  const spec = s.spec ?? {};
  const errs = validateObjectMeta(s.metadata, { namespaced: true, nameFn: nameIsDns1035Label });
  if ((spec.ports ?? []).length === 0 && !isHeadless(s) && spec.type !== 'ExternalName') errs.push(required('spec.ports', ''));
  errs.push(...validateServiceTypeRules(s));
  errs.push(...validateServicePorts(s));
  if (spec.selector !== undefined) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity', ''));
  else if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (t === undefined) errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'when session affinity type is ClientIP'));
    else if (t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS) {
      errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
    }
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig !== undefined) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIps(s));
  (spec.externalIPs ?? []).forEach((ip, i) => { if (!isValidIp(ip)) errs.push(invalid(index('spec.externalIPs', i), ip, INVALID_IP_MESSAGE)); });
  const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  if (!spec.type) errs.push(required('spec.type', ''));
  else if (!types.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, types));
  errs.push(...validateServicePortConflicts(s));
  if (!externallyAccessible(s)) {
    if (spec.externalTrafficPolicy) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) {
    errs.push(required('spec.externalTrafficPolicy', ''));
  } else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) {
    errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.internalTrafficPolicy !== undefined && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  return errs;
}

/**
 * ValidateServiceUpdate. The allocated clusterIP(s) may not change; the apiserver copies
 * them from the old object when the request leaves them empty (as Kubernetes' strategy does)
 * before validating.
 */
export function validateServiceUpdate(s: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(s.metadata, old.metadata);
  const ext = s.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName';
  if (!ext && !(isHeadless(s) && isHeadless(old))) {
    const a = old.spec?.clusterIPs ?? [];
    const b = s.spec?.clusterIPs ?? [];
    if (a.length === b.length) {
      a.forEach((ip, i) => { if (ip !== b[i]) errs.push(invalid(index('spec.clusterIPs', i), b, 'may not change once set')); });
    } else if (a.length > b.length) {
      if (b.length === 0) errs.push(invalid('spec.clusterIPs[0]', b, 'primary clusterIP can not be unset'));
      else if (b[0] !== a[0]) errs.push(invalid('spec.clusterIPs[0]', b, 'may not change once set'));
      if (b.length === 1 && s.spec?.ipFamilyPolicy !== 'SingleStack') {
        errs.push(invalid('spec.clusterIPs[0]', b, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (a.length > 0 && b[0] !== a[0]) {
      errs.push(invalid('spec.clusterIPs[0]', b, 'may not change once set'));
    }
  }
  return errs.concat(validateService(s));
}

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDnsLabel });
  for (const f of ns.spec?.finalizers ?? []) {
    errs.push(...isQualifiedName(f).map((m) => invalid('spec.finalizers', f, m)));
    if (!f.includes('/') && !STANDARD_FINALIZERS.includes(f)) {
      errs.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

function validateResourceQuantities(list: Record<string, string | number> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const name of Object.keys(list ?? {}).sort()) {
    const q = parseQuantity(String((list as Record<string, string | number>)[name]));
    if (!q.ok) errs.push(invalid(child(path, name), String((list as Record<string, string>)[name]), q.error.message));
    else if (q.value.cmp(Quantity.fromInt(0)) < 0) {
      errs.push(invalid(child(path, name), q.value.toString(), IS_NEGATIVE_ERROR));
    }
  }
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDnsSubdomain });
  const seen = new Map<string, Set<string>>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    // Kubernetes reports taint errors under metadata.taints (its field path starts at metadata).
    const p = index('metadata.taints', i);
    errs.push(...validateLabelName(t.key ?? '', child(p, 'key')));
    const vm = isValidLabelValue(t.value ?? '');
    if (vm.length > 0) errs.push(invalid(child(p, 'value'), t.value ?? '', vm.join(';')));
    const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
    if (!t.effect) errs.push(required(child(p, 'effect'), ''));
    else if (!effects.includes(t.effect)) errs.push(notSupported(child(p, 'effect'), t.effect, effects));
    const keys = seen.get(t.effect ?? '') ?? new Set<string>();
    if (keys.has(t.key ?? '')) {
      errs.push({ ...duplicate(p, new GoRaw(JSON.stringify(t))), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(t.key ?? '');
    seen.set(t.effect ?? '', keys);
  });
  errs.push(...validateResourceQuantities(node.status?.capacity, 'status.capacity'));
  errs.push(...validateResourceQuantities(node.status?.allocatable, 'status.allocatable'));
  const addrs = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const k = `${a.type}/${a.address}`;
    if (addrs.has(k)) errs.push(duplicate(index('status.addresses', i), new GoRaw(`core.NodeAddress{Type:${JSON.stringify(a.type)}, Address:${JSON.stringify(a.address)}}`)));
    addrs.add(k);
  });
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  const oldCidrs = old.spec?.podCIDRs ?? [];
  if (oldCidrs.length > 0 && !jsonEqual(oldCidrs, node.spec?.podCIDRs ?? [])) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs.concat(validateNode(node));
}

const base64Bytes = (s: string): number => Math.floor((s.replace(/=+$/, '').length * 3) / 4);

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  let total = 0;
  for (const k of Object.keys(cm.data ?? {}).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('data', k), k, m)));
    if (Object.prototype.hasOwnProperty.call(cm.binaryData ?? {}, k)) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += utf8Length((cm.data as Record<string, string>)[k] as string);
  }
  for (const k of Object.keys(cm.binaryData ?? {}).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('binaryData', k), k, m)));
    total += base64Bytes((cm.binaryData as Record<string, string>)[k] as string);
  }
  if (total > MAX_SECRET_BYTES) errs.push(tooLong('', '', MAX_SECRET_BYTES));
  return errs;
}

function immutableData(newImm: boolean | undefined, oldImm: boolean | undefined,
  fields: [string, unknown, unknown][]): FieldError[] {
  if (oldImm !== true) return [];
  const errs: FieldError[] = [];
  if (newImm !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const [f, a, b] of fields) {
    if (!jsonEqual((a ?? {}) as JsonValue, (b ?? {}) as JsonValue)) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  return [...validateObjectMetaUpdate(cm.metadata, old.metadata),
    ...immutableData(cm.immutable, old.immutable, [['data', cm.data, old.data], ['binaryData', cm.binaryData, old.binaryData]]),
    ...validateConfigMap(cm)];
}

const has = (o: Record<string, string> | undefined, k: string): boolean =>
  Object.prototype.hasOwnProperty.call(o ?? {}, k);

export function validateSecret(s: Secret): FieldError[] {
  const errs = validateObjectMeta(s.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  let total = 0;
  for (const k of Object.keys(s.data ?? {}).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('data', k), k, m)));
    total += base64Bytes((s.data as Record<string, string>)[k] as string);
  }
  if (total > MAX_SECRET_BYTES) errs.push(tooLong('data', '', MAX_SECRET_BYTES));
  const d = s.data;
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
      if (!has(d, '.dockercfg')) errs.push(required(key('data', '.dockercfg'), ''));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has(d, '.dockerconfigjson')) errs.push(required(key('data', '.dockerconfigjson'), ''));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has(d, 'username') && !has(d, 'password')) errs.push(required(key('data', 'username'), ''), required(key('data', 'password'), ''));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!d?.['ssh-privatekey']) errs.push(required(key('data', 'ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      if (!has(d, 'tls.crt')) errs.push(required(key('data', 'tls.crt'), ''));
      if (!has(d, 'tls.key')) errs.push(required(key('data', 'tls.key'), ''));
      break;
  }
  return errs;
}

export function validateSecretUpdate(s: Secret, old: Secret): FieldError[] {
  return [...validateObjectMetaUpdate(s.metadata, old.metadata),
    ...validateImmutable(s.type ?? '', old.type ?? '', 'type'),
    ...immutableData(s.immutable, old.immutable, [['data', s.data, old.data]]),
    ...validateSecret(s)];
}

export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  return validateObjectMeta(sa.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
}

/** Event validation for core/v1 (legacyValidateEvent; reportingComponent is the v1 field name). */
export function validateEvent(e: Event): FieldError[] {
  const errs = validateObjectMeta(e.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const ns = e.metadata?.namespace ?? '';
  const ions = e.involvedObject?.namespace ?? '';
  if (!e.eventTime) {
    if (ions === '' ? ns !== '' && ns !== 'default' : ns !== ions) {
      errs.push(invalid('involvedObject.namespace', ions, 'does not match event.namespace'));
    }
  } else {
    if (ions === '' && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', ions, 'does not match event.namespace'));
    const rc = e.reportingComponent ?? '';
    if (rc === '') errs.push(required('reportingComponent', ''));
    errs.push(...isQualifiedName(rc).map((m) => invalid('reportingComponent', rc, m)));
    const lengthRule = (v: string | undefined, f: string, max: number, req: boolean) => {
      if (req && !v) errs.push(required(f, ''));
      if ((v ?? '').length > max) errs.push(invalid(f, '', `can have at most ${max} characters`));
    };
    lengthRule(e.reportingInstance, 'reportingInstance', 128, true);
    lengthRule(e.action, 'action', 128, true);
    lengthRule(e.reason, 'reason', 128, true);
    lengthRule(e.message, 'message', 1024, false);
  }
  return errs;
}

/**
 * Endpoints. Kubernetes also refuses loopback and link-local endpoint IPs; Flotilla gives
 * pods loopback addresses (127.0.0.0/8), so that check is deliberately left out.
 */
export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = index('subsets', i);
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) {
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const f of ['addresses', 'notReadyAddresses'] as const) {
      (ss[f] ?? []).forEach((a, j) => {
        const ap = index(child(p, f), j);
        if (!isValidIp(a.ip)) errs.push(invalid(child(ap, 'ip'), a.ip, INVALID_IP_MESSAGE));
        else if (a.ip === '0.0.0.0' || a.ip === '::') errs.push(invalid(child(ap, 'ip'), a.ip, 'may not be unspecified (0.0.0.0)'));
        if (a.hostname) errs.push(...dns1123Label(a.hostname, child(ap, 'hostname')));
        if (a.nodeName !== undefined) errs.push(...nameIsDnsSubdomain(a.nodeName, false).map((m) => invalid(child(ap, 'nodeName'), a.nodeName, m)));
      });
    }
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = index(child(p, 'ports'), j);
      if (ports.length > 1 && !port.name) errs.push(required(child(pp, 'name'), ''));
      else if (port.name) errs.push(...dns1123Label(port.name, child(pp, 'name')));
      errs.push(...isValidPortNum(port.port).map((m) => invalid(child(pp, 'port'), port.port, m)));
      if (!port.protocol) errs.push(required(child(pp, 'protocol'), ''));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(child(pp, 'protocol'), port.protocol, PROTOCOLS));
    });
  });
  return errs;
}

function goStringMap(m: Record<string, string> | undefined): GoRaw {
  if (m === undefined) return new GoRaw('map[string]string(nil)');
  return new GoRaw(`map[string]string{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`);
}

export { goStringMap };

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const spec = rc.spec ?? {};
  errs.push(...validateNonnegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector', ''));
  errs.push(...validateNonnegative(spec.replicas ?? 0, 'spec.replicas'));
  const t = spec.template;
  if (t === undefined) return [...errs, required('spec.template', '')];
  const labels = t.metadata?.labels ?? {};
  if (Object.keys(selector).length > 0 && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(invalid('spec.template.metadata.labels', goStringMap(t.metadata?.labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(t, 'spec.template'));
  if (t.spec?.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', t.spec?.restartPolicy ?? '', ['Always']));
  if (t.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

