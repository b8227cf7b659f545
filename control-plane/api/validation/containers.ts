// Container validation (pkg/apis/core/validation: validateContainerCommon and friends).
import { GoRaw } from '../go-format.js';
import { Quantity, parseQuantity } from '../quantity.js';
import type {
  Container, ContainerPort, EnvFromSource, EnvVar, IntOrString, Lifecycle, LifecycleHandler, Probe, ResourceList,
  ResourceRequirements, VolumeMount,
} from '../types/core.js';
import {
  duplicate, forbidden, internal, invalid, notFound, notSupported, required, type FieldError,
} from './field-errors.js';
import {
  IS_NEGATIVE_ERROR, isConfigMapKey, isDns1123Label, isEnvVarName, isQualifiedName,
  isValidPortName, isValidPortNum, nameIsDnsSubdomain,
} from './names.js';
import { validateNonnegative } from './meta.js';
import { child, index, key } from './paths.js';

export const dns1123Label = (v: string, path: string): FieldError[] =>
  isDns1123Label(v).map((m) => invalid(path, v, m));

/** A relative path without ".." steps (validateLocalDescendingPath). */
export function localDescendingPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(invalid(path, p, "must not contain '..'"));
  return errs;
}

export function validatePortNumOrName(port: IntOrString, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return [internal(path, `unknown type: ${typeof port}`)];
}

function validatePorts(ports: ContainerPort[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const ip = index(path, i);
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(child(ip, 'name'), p.name, m)));
      else if (names.has(p.name)) errs.push(duplicate(child(ip, 'name'), p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(child(ip, 'containerPort'), ''));
    else errs.push(...isValidPortNum(p.containerPort).map((m) => invalid(child(ip, 'containerPort'), p.containerPort, m)));
    if (p.hostPort) errs.push(...isValidPortNum(p.hostPort).map((m) => invalid(child(ip, 'hostPort'), p.hostPort, m)));
    if (!p.protocol) errs.push(required(child(ip, 'protocol'), ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(notSupported(child(ip, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

/** Host ports must not repeat across the given containers (AccumulateUniqueHostPorts). */
export function hostPortConflicts(containers: Container[], path: string, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => (c.ports ?? []).forEach((p, pi) => {
    if (!p.hostPort) return;
    const s = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
    if (seen.has(s)) errs.push(duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), s));
    else seen.add(s);
  }));
  return errs;
}

const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu',
  'requests.ephemeral-storage', 'requests.memory'];

function validateKeySelector(sel: { name?: string; key: string }, path: string): FieldError[] {
  const errs = nameIsDnsSubdomain(sel.name ?? '', false).map((m) => invalid(child(path, 'name'), sel.name ?? '', m));
  if (!sel.key) errs.push(required(child(path, 'key'), ''));
  else errs.push(...isConfigMapKey(sel.key).map((m) => invalid(child(path, 'key'), sel.key, m)));
  return errs;
}

function validateValueFrom(ev: EnvVar, path: string): FieldError[] {
  const vf = ev.valueFrom;
  if (vf === undefined) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (vf.fieldRef) {
    sources++;
    const fp = child(path, 'fieldRef');
    const f = vf.fieldRef;
    const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(f.fieldPath);
    if (!f.apiVersion) errs.push(required(child(fp, 'apiVersion'), ''));
    else if (!f.fieldPath) errs.push(required(child(fp, 'fieldPath'), ''));
    else if (sub) {
      const name = sub[1] === 'metadata.annotations' ? (sub[2] as string).toLowerCase() : sub[2] as string;
      errs.push(...isQualifiedName(name).map((m) => invalid(fp, name, m)));
    } else if (!ENV_FIELD_PATHS.includes(f.fieldPath)) {
      errs.push(notSupported(child(fp, 'fieldPath'), f.fieldPath, ENV_FIELD_PATHS));
    }
  }
  if (vf.resourceFieldRef) {
    sources++;
    const rp = child(path, 'resourceFieldRef');
    if (!vf.resourceFieldRef.resource) errs.push(required(child(rp, 'resource'), ''));
    else if (!RESOURCE_FIELD_PATHS.includes(vf.resourceFieldRef.resource)) {
      errs.push(notSupported(child(rp, 'resource'), vf.resourceFieldRef.resource, RESOURCE_FIELD_PATHS));
    }
  }
  if (vf.configMapKeyRef) { sources++; errs.push(...validateKeySelector(vf.configMapKeyRef, child(path, 'configMapKeyRef'))); }
  if (vf.secretKeyRef) { sources++; errs.push(...validateKeySelector(vf.secretKeyRef, child(path, 'secretKeyRef'))); }
  if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (ev.value) errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

function validateEnv(env: EnvVar[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const ip = index(path, i);
    if (!ev.name) errs.push(required(child(ip, 'name'), ''));
    errs.push(...isEnvVarName(ev.name ?? '').map((m) => invalid(child(ip, 'name'), ev.name ?? '', m)));
    errs.push(...validateValueFrom(ev, child(ip, 'valueFrom')));
  });
  return errs;
}

function validateEnvFrom(envFrom: EnvFromSource[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (envFrom ?? []).forEach((ev, i) => {
    const ip = index(path, i);
    if (ev.prefix) errs.push(...isEnvVarName(ev.prefix).map((m) => invalid(child(ip, 'prefix'), ev.prefix, m)));
    let sources = 0;
    for (const [field, ref] of [['configMapRef', ev.configMapRef], ['secretRef', ev.secretRef]] as const) {
      if (ref === undefined) continue;
      sources++;
      if (!ref.name) errs.push(required(child(child(ip, field), 'name'), ''));
      else errs.push(...nameIsDnsSubdomain(ref.name, false).map((m) => invalid(child(child(ip, field), 'name'), ref.name, m)));
    }
    if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, volumes: ReadonlySet<string>,
  path: string): FieldError[] {
  const errs: FieldError[] = [];
  const points = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const ip = index(path, i);
    if (!m.name) errs.push(required(child(ip, 'name'), ''));
    if (!volumes.has(m.name ?? '')) errs.push(notFound(child(ip, 'name'), m.name ?? ''));
    if (!m.mountPath) errs.push(required(child(ip, 'mountPath'), ''));
    if (points.has(m.mountPath ?? '')) errs.push(invalid(child(ip, 'mountPath'), m.mountPath, 'must be unique'));
    points.add(m.mountPath ?? '');
    // Kubernetes reports subPath problems on the list's path, not the item's.
    if (m.subPath) errs.push(...localDescendingPath(m.subPath, child(path, 'subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(child(ip, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...localDescendingPath(m.subPathExpr, child(path, 'subPathExpr')));
    }
  });
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const isHugePages = (n: string): boolean => n.startsWith('hugepages-');
const isNative = (n: string): boolean => !n.includes('/') || n.includes('kubernetes.io/');
const isExtended = (n: string): boolean => !isNative(n) && !n.startsWith('requests.') && isQualifiedName(`requests.${n}`).length === 0;
const overcommitAllowed = (n: string): boolean => isNative(n) && !isHugePages(n);

function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function quantities(list: ResourceList | undefined, path: string, errs: FieldError[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const name of Object.keys(list ?? {}).sort()) {
    const p = key(path, name);
    errs.push(...validateResourceName(name, p));
    const raw = (list as ResourceList)[name] as string | number;
    const q = parseQuantity(String(raw));
    if (!q.ok) { errs.push(invalid(p, String(raw), q.error.message)); continue; }
    if (q.value.sign() < 0) errs.push(invalid(p, q.value.toString(), IS_NEGATIVE_ERROR));
    if (isExtended(name) && q.value.scaledValue(-3) % 1000n !== 0n) errs.push(invalid(p, new GoRaw(q.value.toString()), 'must be an integer'));
    out.set(name, q.value);
  }
  return out;
}

/** ValidateResourceRequirements for a container. */
export function validateResources(r: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = quantities(r?.limits, limPath, errs);
  const requests = quantities(r?.requests, reqPath, errs);
  for (const [name, q] of requests) {
    const lim = limits.get(name);
    if (lim !== undefined) {
      if (q.cmp(lim) !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (q.cmp(lim) > 0) {
        errs.push(invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  const all = [...limits.keys(), ...requests.keys()];
  if (all.some(isHugePages) && !all.some((n) => n === 'cpu' || n === 'memory')) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}

type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> & { sleep?: LifecycleHandler['sleep'] };

function validateHandler(h: Handler, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const one = (field: string, check: () => FieldError[]) => {
    if (n > 0) errs.push(forbidden(child(path, field), 'may not specify more than 1 handler type'));
    else { n++; errs.push(...check()); }
  };
  if (h.exec) one('exec', () => ((h.exec?.command ?? []).length === 0 ? [required(child(child(path, 'exec'), 'command'), '')] : []));
  if (h.httpGet) {
    const g = h.httpGet;
    one('httpGet', () => {
      const p = child(path, 'httpGet');
      const e: FieldError[] = [];
      if (!g.path) e.push(required(child(p, 'path'), ''));
      e.push(...validatePortNumOrName(g.port, child(p, 'port')));
      if (!['HTTP', 'HTTPS'].includes(g.scheme ?? '')) e.push(notSupported(child(p, 'scheme'), g.scheme ?? '', ['HTTP', 'HTTPS']));
      return e;
    });
  }
  if (h.tcpSocket) { const t = h.tcpSocket; one('tcpSocket', () => validatePortNumOrName(t.port, child(child(path, 'tcpSocket'), 'port'))); }
  if (h.grpc) { const g = h.grpc; one('grpc', () => isValidPortNum(g.port).map((m) => invalid(child(child(path, 'grpc'), 'port'), g.port, m))); }
  if (h.sleep) {
    const s = h.sleep;
    one('sleep', () => (s.seconds < 0 ? [invalid(child(child(path, 'sleep'), 'seconds'), s.seconds, IS_NEGATIVE_ERROR)] : []));
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(p: Probe | undefined, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (p === undefined) return [];
  const errs = validateHandler(p, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegative(p[f] ?? 0, child(path, f)));
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (kind === 'readiness' && p.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  if (kind !== 'readiness' && (p.successThreshold ?? 0) !== 1) {
    errs.push(invalid(child(path, 'successThreshold'), p.successThreshold ?? 0, 'must be 1'));
  }
  return errs;
}

function validateLifecycle(l: Lifecycle, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (l.postStart) errs.push(...validateHandler(l.postStart, child(path, 'postStart')));
  if (l.preStop) errs.push(...validateHandler(l.preStop, child(path, 'preStop')));
  return errs;
}

/** validateContainerCommon: what every container, init or regular, must satisfy. */
function validateContainerCommon(c: Container, volumes: ReadonlySet<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(child(path, 'name'), ''));
  else errs.push(...dns1123Label(c.name, child(path, 'name')));
  if (!c.image) errs.push(required(child(path, 'image'), ''));
  const tmp = c.terminationMessagePolicy ?? '';
  if (tmp === '') errs.push(required(child(path, 'terminationMessagePolicy'), ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(child(path, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validatePorts(c.ports, child(path, 'ports')));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, child(path, 'volumeMounts')));
  const ipp = c.imagePullPolicy ?? '';
  if (ipp === '') errs.push(required(child(path, 'imagePullPolicy'), ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(ipp)) {
    errs.push(notSupported(child(path, 'imagePullPolicy'), ipp, ['Always', 'IfNotPresent', 'Never']));
  }
  errs.push(...validateResources(c.resources, child(path, 'resources')));
  return errs;
}

export function validateContainers(containers: Container[] | undefined, volumes: ReadonlySet<string>,
  path: string): FieldError[] {
  const list = containers ?? [];
  if (list.length === 0) return [required(path, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(c.name ?? '')) errs.push(duplicate(child(p, 'name'), c.name ?? ''));
    else names.add(c.name ?? '');
    if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, child(p, 'lifecycle')));
    errs.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), 'readiness'));
    errs.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), 'startup'));
    if (c.restartPolicy !== undefined) errs.push(forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(list, path));
  return errs;
}

export function validateInitContainers(inits: Container[] | undefined, regular: Container[] | undefined,
  volumes: ReadonlySet<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name ?? ''));
  (inits ?? []).forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && !sidecar) errs.push(notSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
    if (names.has(c.name ?? '')) errs.push(duplicate(child(p, 'name'), c.name ?? ''));
    else if (c.name) names.add(c.name);
    errs.push(...hostPortConflicts([c], path));
    if (sidecar) {
      if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, child(p, 'lifecycle')));
      errs.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), 'readiness'));
      errs.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), 'startup'));
      return;
    }
    const notForInit = 'may not be set for init containers without restartPolicy=Always';
    if (c.lifecycle) errs.push(forbidden(child(p, 'lifecycle'), notForInit));
    if (c.livenessProbe) errs.push(forbidden(child(p, 'livenessProbe'), notForInit));
    if (c.readinessProbe) errs.push(forbidden(child(p, 'readinessProbe'), 'may not be set for init containers'));
    if (c.startupProbe) errs.push(forbidden(child(p, 'startupProbe'), notForInit));
  });
  return errs;
}

