// Validation of networking.k8s.io/v1 Ingress (pkg/apis/networking/validation ValidateIngress*),
// for the fields our types carry.
import { GoRaw } from '../go-format.js';
import type { Ingress, IngressBackend } from '../types/networking.js';
import { invalid, notSupported, required, type FieldError } from './field-errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  isDns1035Label, isDns1123Subdomain, isValidIp, isValidPortName, isValidPortNum, nameIsDnsSubdomain,
} from './names.js';
import { child, index } from './paths.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

/** A host may be a DNS subdomain, optionally "*." wildcarded, never an IP (validateIngressRules). */
function validateHost(host: string, path: string): FieldError[] {
  if (isValidIp(host)) return [invalid(path, host, 'must be a DNS name, not an IP address')];
  const name = host.startsWith('*.') ? host.slice(2) : host;
  const msgs = isDns1123Subdomain(name);
  if (host.startsWith('*.') && msgs.length > 0) {
    return [invalid(path, host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, " +
      "which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character " +
      "(e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")];
  }
  return msgs.map((m) => invalid(path, host, m));
}

function validateBackend(b: IngressBackend, path: string): FieldError[] {
  const goBackend = new GoRaw('networking.IngressBackend{...}');
  if (b.service !== undefined && b.resource !== undefined) return [invalid(path, goBackend, 'cannot set both resource and service backends')];
  if (b.resource !== undefined) {
    const errs: FieldError[] = [];
    if (!b.resource.kind) errs.push(required(child(child(path, 'resource'), 'kind'), ''));
    if (!b.resource.name) errs.push(required(child(child(path, 'resource'), 'name'), ''));
    return errs;
  }
  if (b.service === undefined) return [invalid(path, goBackend, 'resource or service backend is required')];
  const sp = child(path, 'service');
  const errs = isDns1035Label(b.service.name ?? '').map((m) => invalid(child(sp, 'name'), b.service?.name ?? '', m));
  const port = b.service.port;
  const pp = child(sp, 'port');
  const hasName = (port?.name ?? '') !== '';
  const hasNumber = (port?.number ?? 0) !== 0;
  if (hasName && hasNumber) errs.push(invalid(pp, new GoRaw('networking.ServiceBackendPort{...}'), 'cannot set both port name & port number'));
  else if (hasName) errs.push(...isValidPortName(port?.name ?? '').map((m) => invalid(child(pp, 'name'), port?.name, m)));
  else if (hasNumber) errs.push(...isValidPortNum(port?.number ?? 0).map((m) => invalid(child(pp, 'number'), port?.number, m)));
  else errs.push(required(pp, 'port name or number is required'));
  return errs;
}

export function validateIngress(ing: Ingress): FieldError[] {
  const errs = validateObjectMeta(ing.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const spec = ing.spec ?? {};
  const rules = spec.rules ?? [];
  if (spec.defaultBackend === undefined && rules.length === 0) {
    errs.push(invalid('spec', new GoRaw('networking.IngressSpec{...}'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend !== undefined) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  const cls = spec.ingressClassName;
  if (cls !== undefined) errs.push(...isDns1123Subdomain(cls).map((m) => invalid('spec.ingressClassName', cls, m)));
  rules.forEach((r, i) => {
    const rp = index('spec.rules', i);
    if ((r.host ?? '') !== '') errs.push(...validateHost(r.host ?? '', child(rp, 'host')));
    if (r.http === undefined) return;
    const paths = r.http.paths ?? [];
    if (paths.length === 0) errs.push(required(child(child(rp, 'http'), 'paths'), ''));
    paths.forEach((p, j) => {
      const pp = index(child(child(rp, 'http'), 'paths'), j);
      if (!p.pathType) errs.push(required(child(pp, 'pathType'), 'pathType must be specified'));
      else if (!PATH_TYPES.includes(p.pathType)) errs.push(notSupported(child(pp, 'pathType'), p.pathType, PATH_TYPES));
      else if (p.pathType !== 'ImplementationSpecific' && !(p.path ?? '').startsWith('/')) {
        errs.push(invalid(child(pp, 'path'), p.path ?? '', 'must be an absolute path'));
      }
      errs.push(...validateBackend(p.backend ?? {}, child(pp, 'backend')));
    });
  });
  (spec.tls ?? []).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => errs.push(...validateHost(h, index(child(index('spec.tls', i), 'hosts'), j))));
  });
  return errs;
}

export function validateIngressUpdate(ing: Ingress, old: Ingress): FieldError[] {
  return [...validateObjectMetaUpdate(ing.metadata, old.metadata), ...validateIngress(ing).filter((e) => !e.field.startsWith('metadata.'))];
}
