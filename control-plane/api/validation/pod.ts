// Pod, pod spec and pod template validation (pkg/apis/core/validation: ValidatePodSpec,
// ValidatePodCreate, ValidatePodUpdate, ValidatePodStatusUpdate, ValidatePodBinding).
import { GoRaw } from '../go-format.js';
import { deepClone, jsonEqual, type JsonValue } from '../json.js';
import { parseQuantity } from '../quantity.js';
import type {
  Affinity, Binding, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodAffinity, PodAffinityTerm, PodSpec,
  PodTemplateSpec, Toleration, TopologySpreadConstraint, Volume,
} from '../types/core.js';
import { validateContainers, validateInitContainers, dns1123Label, localDescendingPath } from './containers.js';
import { duplicate, forbidden, invalid, notSupported, required, type FieldError } from './field-errors.js';
import {
  validateAnnotations, validateLabelName, validateLabelSelector, validateLabels, validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import {
  INVALID_IP_MESSAGE, inclusiveRangeError, isQualifiedName, isValidIp, isValidLabelValue, nameIsDnsLabel,
  nameIsDnsSubdomain,
} from './names.js';
import { child, index } from './paths.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const MAX_INT32 = 2 ** 31 - 1;

type KeyToPaths = { key: string; path: string; mode?: number }[] | undefined;

function validateKeyToPaths(items: KeyToPaths, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((kp, i) => {
    const p = index(path, i);
    if (!kp.key) errs.push(required(child(p, 'key'), ''));
    if (!kp.path) errs.push(required(child(p, 'path'), ''));
    errs.push(...localDescendingPath(kp.path ?? '', child(p, 'path')));
    if ((kp.path ?? '').startsWith('..')) errs.push(invalid(child(p, 'path'), kp.path, "must not start with '..'"));
    if (kp.mode !== undefined && (kp.mode > 0o777 || kp.mode < 0)) errs.push(invalid(child(p, 'mode'), kp.mode, FILE_MODE_ERROR));
  });
  return errs;
}

function validateVolumeSource(v: Volume, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const one = (field: string, present: boolean, check: () => FieldError[]) => {
    if (!present) return;
    if (n > 0) errs.push(forbidden(child(path, field), 'may not specify more than 1 volume type'));
    else { n++; errs.push(...check()); }
  };
  one('emptyDir', v.emptyDir !== undefined, () => {
    const q = v.emptyDir?.sizeLimit === undefined ? undefined : parseQuantity(String(v.emptyDir.sizeLimit));
    return q !== undefined && (!q.ok || q.value.sign() < 0)
      ? [forbidden(child(child(path, 'emptyDir'), 'sizeLimit'), 'SizeLimit field must be a valid resource quantity')] : [];
  });
  one('hostPath', v.hostPath !== undefined, () => (v.hostPath?.path ? [] : [required(child(child(path, 'hostPath'), 'path'), '')]));
  one('secret', v.secret !== undefined, () => {
    const s = v.secret ?? {};
    const p = child(path, 'secret');
    const e: FieldError[] = s.secretName ? [] : [required(child(p, 'secretName'), '')];
    if (s.defaultMode !== undefined && (s.defaultMode > 0o777 || s.defaultMode < 0)) e.push(invalid(child(p, 'defaultMode'), s.defaultMode, FILE_MODE_ERROR));
    return e.concat(validateKeyToPaths(s.items, child(p, 'items')));
  });
  one('persistentVolumeClaim', v.persistentVolumeClaim !== undefined,
    () => (v.persistentVolumeClaim?.claimName ? [] : [required(child(child(path, 'persistentVolumeClaim'), 'claimName'), '')]));
  one('configMap', v.configMap !== undefined, () => {
    const c = v.configMap ?? {};
    const p = child(path, 'configMap');
    const e: FieldError[] = c.name ? [] : [required(child(p, 'name'), '')];
    if (c.defaultMode !== undefined && (c.defaultMode > 0o777 || c.defaultMode < 0)) e.push(invalid(child(p, 'defaultMode'), c.defaultMode, FILE_MODE_ERROR));
    return e.concat(validateKeyToPaths(c.items, child(p, 'items')));
  });
  if (n === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: returns the names of the valid volumes too (for volumeMounts). */
function validateVolumes(volumes: Volume[] | undefined, path: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const p = index(path, i);
    const el = validateVolumeSource(v, p);
    if (!v.name) el.push(required(child(p, 'name'), ''));
    else el.push(...dns1123Label(v.name, child(p, 'name')));
    if (names.has(v.name ?? '')) el.push(duplicate(child(p, 'name'), v.name ?? ''));
    if (el.length === 0) names.add(v.name);
    else errs.push(...el);
  });
  return { names, errs };
}

function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = index(path, i);
    if (t.key) errs.push(...validateLabelName(t.key, child(p, 'key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(child(p, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    const op = t.operator ?? '';
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(t.value ?? '');
      if (msgs.length > 0) errs.push(invalid(child(p, 'operator'), t.value ?? '', msgs.join(';')));
    } else if (op === 'Exists') {
      if (t.value) errs.push(invalid(child(p, 'operator'), new GoRaw(JSON.stringify(t)), "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(child(p, 'operator'), op, ['Equal', 'Exists']));
    }
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(notSupported(child(p, 'effect'), t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r: NodeSelectorRequirement, j) => {
    const p = index(child(path, 'matchExpressions'), j);
    const n = (r.values ?? []).length;
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (n === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
      if (n > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else if (r.operator === 'Gt' || r.operator === 'Lt') {
      if (n !== 1) errs.push(required(child(p, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    } else {
      errs.push(invalid(child(p, 'operator'), r.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(r.key, child(p, 'key')));
  });
  (term.matchFields ?? []).forEach((r, j) => {
    const p = index(child(path, 'matchFields'), j);
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if ((r.values ?? []).length !== 1) {
        errs.push(required(child(p, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
      }
    } else {
      errs.push(invalid(child(p, 'operator'), r.operator, 'not a valid selector operator'));
    }
    if (r.key !== 'metadata.name') errs.push(invalid(child(p, 'key'), r.key, 'not a valid field selector key'));
    else (r.values ?? []).forEach((v, k) => errs.push(...nameIsDnsSubdomain(v, false).map((m) => invalid(index(child(p, 'values'), k), v, m))));
  });
  return errs;
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: string): FieldError[] {
  const errs = validateLabelSelector(t.labelSelector, child(path, 'labelSelector'));
  errs.push(...validateLabelSelector(t.namespaceSelector, child(path, 'namespaceSelector')));
  for (const ns of t.namespaces ?? []) errs.push(...nameIsDnsLabel(ns, false).map((m) => invalid(child(path, 'namespace'), ns, m)));
  if (!t.topologyKey) errs.push(required(child(path, 'topologyKey'), 'can not be empty'));
  return errs.concat(validateLabelName(t.topologyKey ?? '', child(path, 'topologyKey')));
}

function validatePodAffinity(a: PodAffinity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (a.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
    errs.push(...validatePodAffinityTerm(t, index(child(path, 'requiredDuringSchedulingIgnoredDuringExecution'), i))));
  (a.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w, i) => {
    const p = index(child(path, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    if (w.weight <= 0 || w.weight > 100) errs.push(invalid(child(p, 'weight'), w.weight, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(w.podAffinityTerm ?? { topologyKey: '' }, child(p, 'podAffinityTerm')));
  });
  return errs;
}

function validateAffinity(a: Affinity | undefined, path: string): FieldError[] {
  if (a === undefined) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na !== undefined) {
    const np = child(path, 'nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req !== undefined) {
      const tp = child(child(np, 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
      if ((req.nodeSelectorTerms ?? []).length === 0) errs.push(required(tp, 'must have at least one node selector term'));
      else req.nodeSelectorTerms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, index(tp, i))));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      if (t.weight <= 0 || t.weight > 100) errs.push(invalid(child(p, 'weight'), t.weight, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, child(p, 'preference')));
    });
  }
  if (a.podAffinity) errs.push(...validatePodAffinity(a.podAffinity, child(path, 'podAffinity')));
  if (a.podAntiAffinity) errs.push(...validatePodAffinity(a.podAntiAffinity, child(path, 'podAntiAffinity')));
  return errs;
}

function validateTopologySpread(constraints: TopologySpreadConstraint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = constraints ?? [];
  list.forEach((c, i) => {
    const p = index(path, i);
    if (c.maxSkew <= 0) errs.push(invalid(child(p, 'maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable)) {
      errs.push(notSupported(child(p, 'whenUnsatisfiable'), c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway']));
    }
    if (list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(child(p, '{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    }
    if (c.minDomains !== undefined) {
      if (c.minDomains <= 0) errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`));
      }
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const v = c[f];
      if (v !== undefined && v !== 'Honor' && v !== 'Ignore') errs.push(notSupported(child(p, f), v, ['Honor', 'Ignore']));
    }
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}

function enumCheck(value: string | undefined, path: string, valid: string[]): FieldError[] {
  if (!value) return [required(path, '')];
  return valid.includes(value) ? [] : [notSupported(path, value, valid)];
}

/** ValidatePodSpec: shared by pods and pod templates. */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const s = spec ?? { containers: [] };
  const vols = validateVolumes(s.volumes, child(path, 'volumes'));
  const errs = [...vols.errs];
  errs.push(...validateContainers(s.containers, vols.names, child(path, 'containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, vols.names, child(path, 'initContainers')));
  errs.push(...enumCheck(s.restartPolicy, child(path, 'restartPolicy'), ['Always', 'OnFailure', 'Never']));
  errs.push(...enumCheck(s.dnsPolicy, child(path, 'dnsPolicy'), ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  errs.push(...validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validateAffinity(s.affinity, child(path, 'affinity')));
  (s.readinessGates ?? []).forEach((g, i) => errs.push(...isQualifiedName(g.conditionType ?? '')
    .map((m) => invalid(child(index(child(path, 'readinessGates'), i), 'conditionType'), g.conditionType ?? '', m))));
  const gates = new Set<string>();
  (s.schedulingGates ?? []).forEach((g, i) => {
    const p = index(child(path, 'schedulingGates'), i);
    errs.push(...isQualifiedName(g.name ?? '').map((m) => invalid(child(p, 'name'), g.name ?? '', m)));
    if (gates.has(g.name)) errs.push(duplicate(p, g.name));
    gates.add(g.name);
  });
  errs.push(...validateTopologySpread(s.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  const named = (v: string | undefined, field: string) =>
    (v ? nameIsDnsSubdomain(v, false).map((m) => invalid(child(path, field), v, m)) : []);
  errs.push(...named(s.serviceAccountName, 'serviceAccountName'), ...named(s.nodeName, 'nodeName'));
  const ads = s.activeDeadlineSeconds;
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) errs.push(invalid(child(path, 'activeDeadlineSeconds'), ads, inclusiveRangeError(1, MAX_INT32)));
  if (s.hostname) errs.push(...dns1123Label(s.hostname, child(path, 'hostname')));
  if (s.subdomain) errs.push(...dns1123Label(s.subdomain, child(path, 'subdomain')));
  if ((s.tolerations ?? []).length > 0) errs.push(...validateTolerations(s.tolerations, child(path, 'tolerations')));
  errs.push(...named(s.priorityClassName, 'priorityClassName'));
  if (s.preemptionPolicy !== undefined && !['Never', 'PreemptLowerPriority'].includes(s.preemptionPolicy)) {
    errs.push(notSupported(child(path, 'preemptionPolicy'), s.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  return errs;
}

/** ValidatePodTemplateSpec (labels, annotations, spec). */
export function validatePodTemplateSpec(t: PodTemplateSpec, path: string): FieldError[] {
  const errs = validateLabels(t.metadata?.labels, child(child(path, 'metadata'), 'labels'));
  errs.push(...validateAnnotations(t.metadata?.annotations, child(child(path, 'metadata'), 'annotations')));
  return errs.concat(validatePodSpec(t.spec, child(path, 'spec')));
}

function validatePodIps(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const ips = pod.status?.podIPs ?? [];
  ips.forEach((ip, i) => { if (!isValidIp(ip.ip)) errs.push(invalid(index('status.podIPs', i), ip.ip, INVALID_IP_MESSAGE)); });
  if (ips.length > 1) {
    const families = new Set(ips.map((ip) => (ip.ip.includes(':') ? 6 : 4)));
    if (families.size !== 2 || ips.length > 2) errs.push(invalid('status.podIPs', ips, 'may specify no more than one IP for each IP family'));
    const seen = new Set<string>();
    ips.forEach((ip, i) => {
      if (seen.has(ip.ip)) errs.push(duplicate(index('status.podIPs', i), new GoRaw(`core.PodIP{IP:${JSON.stringify(ip.ip)}}`)));
      seen.add(ip.ip);
    });
  }
  return errs;
}

function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  for (const field of ['containers', 'initContainers'] as const) {
    (pod.spec?.[field] ?? []).forEach((c, i) => {
      const image = c.image ?? '';
      if (image !== image.trim()) errs.push(invalid(child(index(`spec.${field}`, i), 'image'), image, 'must not have leading or trailing whitespace'));
    });
  }
  return errs;
}

export function validatePodCreate(pod: Pod): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  if (pod.spec?.nodeName && (pod.spec.schedulingGates ?? []).length > 0) {
    errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs.concat(validatePodIps(pod));
}

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A short description of the differing paths (Kubernetes prints a cmp.Diff of the specs here). */
function specDiff(a: JsonValue | undefined, b: JsonValue | undefined, path: string, out: string[]): void {
  if (out.length >= 10 || jsonEqual(a, b)) return;
  const isObj = (v: unknown): v is Record<string, JsonValue> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) specDiff(a[k], b[k], child(path, k), out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => specDiff(x, b[i], index(path, i), out));
  } else {
    out.push(`  ${path}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`);
  }
}

function onlyAddedTolerations(newT: Toleration[] | undefined, oldT: Toleration[] | undefined): FieldError[] {
  for (const old of oldT ?? []) {
    const found = (newT ?? []).some((n) => {
      const relaxed = { ...old, tolerationSeconds: n.tolerationSeconds };
      return jsonEqual(JSON.parse(JSON.stringify(relaxed)) as JsonValue, n as unknown as JsonValue);
    });
    if (!found) return [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, 'spec.tolerations');
}

/** ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations (and gates removal) may change. */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodMetadataAndSpec(pod));
  const spec = pod.spec ?? { containers: [] };
  const oldSpec = old.spec ?? { containers: [] };
  for (const field of ['containers', 'initContainers'] as const) {
    const n = spec[field] ?? [];
    if (n.length !== (oldSpec[field] ?? []).length) {
      errs.push(forbidden(`spec.${field}`, 'pod updates may not add or remove containers'));
      return errs;
    }
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined) {
    if (ads < 0 || ads > MAX_INT32) return [...errs, invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, MAX_INT32))];
    if (oldSpec.activeDeadlineSeconds !== undefined && oldSpec.activeDeadlineSeconds < ads) {
      return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
    }
  } else if (oldSpec.activeDeadlineSeconds !== undefined) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(spec.tolerations, oldSpec.tolerations));
  const oldGates = (oldSpec.schedulingGates ?? []).map((g) => g.name);
  if ((spec.schedulingGates ?? []).some((g) => !oldGates.includes(g.name))) {
    errs.push(forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate'));
  }
  const munged = deepClone(spec as unknown as JsonValue) as unknown as PodSpec;
  for (const field of ['containers', 'initContainers'] as const) {
    (munged[field] ?? []).forEach((c, i) => { c.image = (oldSpec[field] ?? [])[i]?.image as string; });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  munged.schedulingGates = oldSpec.schedulingGates;
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  const strip = (s: PodSpec) => JSON.parse(JSON.stringify(s)) as JsonValue;
  if (!jsonEqual(strip(munged), strip(oldSpec))) {
    const diff: string[] = [];
    specDiff(strip(oldSpec), strip(munged), 'spec', diff);
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${diff.join('\n')}`));
  }
  return errs;
}

/** ValidatePodStatusUpdate (spec changes are ignored by the status strategy before this runs). */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(forbidden('status.nodeName', 'may not be changed directly'));
  const nnn = pod.status?.nominatedNodeName ?? '';
  if (nnn !== (old.status?.nominatedNodeName ?? '') && nnn !== '') {
    errs.push(...nameIsDnsSubdomain(nnn, false).map((m) => invalid('status.nominatedNodeName', nnn, m)));
  }
  const restart = old.spec?.restartPolicy ?? 'Always';
  if (restart !== 'Always') {
    for (const field of ['containerStatuses', 'initContainerStatuses'] as const) {
      (old.status?.[field] ?? []).forEach((o, i) => {
        const term = o.state?.terminated;
        if (term === undefined || (term.exitCode !== 0 && restart === 'OnFailure')) return;
        if ((pod.status?.[field] ?? []).some((n) => n.name === o.name && n.state?.terminated === undefined)) {
          errs.push(forbidden(child(index(`status.${field}`, i), 'state'), 'may not be transitioned to non-terminated state'));
        }
      });
    }
  }
  return errs.concat(validatePodIps(pod));
}

/** ValidatePodBinding (POST pods/binding). */
export function validateBinding(b: Binding): FieldError[] {
  const errs: FieldError[] = [];
  if (b.target?.kind && b.target.kind !== 'Node') errs.push(notSupported('target.kind', b.target.kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(required('target.name', ''));
  return errs;
}
