// Validation of core/v1 PersistentVolumeClaim and PersistentVolume (pkg/apis/core/validation:
// ValidatePersistentVolumeClaim*, ValidatePersistentVolume*), for the fields our types carry.
import { jsonEqual, type JsonValue } from '../json.js';
import { parseQuantity } from '../quantity.js';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec } from '../types/storage.js';
import { forbidden, invalid, notSupported, required, type FieldError } from './field-errors.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDns1123Subdomain, nameIsDnsSubdomain } from './names.js';
import { child, index, key } from './paths.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const PV_SOURCES = ['hostPath', 'local', 'nfs', 'csi'] as const;

function validateAccessModes(modes: readonly string[] | undefined, path: string): FieldError[] {
  if ((modes ?? []).length === 0) return [required(path, 'at least 1 access mode is required')];
  const errs: FieldError[] = [];
  for (const m of modes ?? []) if (!ACCESS_MODES.includes(m)) errs.push(notSupported(path, m, ACCESS_MODES));
  if ((modes ?? []).includes('ReadWriteOncePod') && (modes ?? []).length > 1) {
    errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

/** A storage quantity that must be present and above zero (ValidatePositiveQuantityValue). */
function validateStorage(raw: unknown, path: string): FieldError[] {
  if (raw === undefined) return [required(path, '')];
  const q = parseQuantity(String(raw));
  if (!q.ok) return [invalid(path, String(raw), 'must be a valid quantity')];
  return q.value.sign() > 0 ? [] : [invalid(path, q.value.toString(), 'must be greater than zero')];
}

function validateStorageClassName(name: string | undefined, path: string): FieldError[] {
  if (name === undefined || name === '') return [];
  return isDns1123Subdomain(name).map((m) => invalid(path, name, m));
}

/** ValidatePersistentVolumeClaimSpec (also used for StatefulSet volumeClaimTemplates). */
export function validatePvcSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
  const errs = validateAccessModes(spec?.accessModes, child(path, 'accessModes'));
  if (spec?.selector !== undefined) errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  errs.push(...validateStorage(spec?.resources?.requests?.['storage'], key(child(path, 'resources'), 'storage')));
  const vm = spec?.volumeMode;
  if (vm !== undefined && !VOLUME_MODES.includes(vm)) errs.push(notSupported(child(path, 'volumeMode'), vm, VOLUME_MODES));
  errs.push(...validateStorageClassName(spec?.storageClassName, child(path, 'storageClassName')));
  const ds = spec?.dataSource;
  if (ds !== undefined) {
    if (!ds.name) errs.push(required(child(child(path, 'dataSource'), 'name'), ''));
    if (!ds.kind) errs.push(required(child(child(path, 'dataSource'), 'kind'), ''));
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  return [...validateObjectMeta(pvc.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain }), ...validatePvcSpec(pvc.spec, 'spec')];
}

/** Only resources.requests and volumeAttributesClassName may change (expansion / VAC modification). */
export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim):
  FieldError[] {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata),
    ...validatePvcSpec(pvc.spec, 'spec')];
  const strip = (s: PersistentVolumeClaimSpec | undefined): JsonValue => {
    const { resources: _r, volumeAttributesClassName: _v, ...rest } = s ?? {};
    // volumeName may be set once by a binder.
    if (old.spec?.volumeName === undefined || old.spec.volumeName === '') delete rest.volumeName;
    return rest as unknown as JsonValue;
  };
  if (!jsonEqual(strip(pvc.spec), strip(old.spec))) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  return errs;
}

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, { namespaced: false, nameFn: nameIsDnsSubdomain });
  const spec = pv.spec ?? {};
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const cap = spec.capacity ?? {};
  if (Object.keys(cap).length === 0) errs.push(required('spec.capacity', ''));
  else if (!('storage' in cap) || Object.keys(cap).length > 1) errs.push(notSupported('spec.capacity', Object.keys(cap).join(','), ['storage']));
  else errs.push(...validateStorage(cap['storage'], key('spec.capacity', 'storage')));
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp !== undefined && !RECLAIM_POLICIES.includes(rp)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', rp, RECLAIM_POLICIES));
  const vm = spec.volumeMode;
  if (vm !== undefined && !VOLUME_MODES.includes(vm)) errs.push(notSupported('spec.volumeMode', vm, VOLUME_MODES));
  errs.push(...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'));
  const sources = PV_SOURCES.filter((s) => spec[s] !== undefined);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  for (const s of sources.slice(1)) errs.push(forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath !== undefined && !spec.hostPath.path) errs.push(required('spec.hostPath.path', ''));
  if (spec.local !== undefined) {
    if (!spec.local.path) errs.push(required('spec.local.path', ''));
    if (spec.nodeAffinity?.required === undefined) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (spec.nfs !== undefined) {
    if (!spec.nfs.server) errs.push(required('spec.nfs.server', ''));
    if (!spec.nfs.path) errs.push(required('spec.nfs.path', ''));
    else if (!spec.nfs.path.startsWith('/')) errs.push(invalid('spec.nfs.path', spec.nfs.path, 'must be an absolute path'));
  }
  if (spec.csi !== undefined) {
    if (!spec.csi.driver) errs.push(required('spec.csi.driver', ''));
    if (!spec.csi.volumeHandle) errs.push(required('spec.csi.volumeHandle', ''));
  }
  (spec.mountOptions ?? []).forEach((o, i) => { if (o === '') errs.push(required(index('spec.mountOptions', i), '')); });
  return errs;
}

/** The volume source may not change once set (ValidatePersistentVolumeSourceUpdate); volumeMode is immutable. */
export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata),
    ...validatePersistentVolume(pv).filter((e) => !e.field.startsWith('metadata.'))];
  const src = (p: PersistentVolume): JsonValue =>
    Object.fromEntries(PV_SOURCES.map((s) => [s, (p.spec?.[s] ?? null) as JsonValue]));
  if (!jsonEqual(src(pv), src(old))) {
    errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is forbidden once set'));
  }
  if ((pv.spec?.volumeMode ?? '') !== (old.spec?.volumeMode ?? '')) errs.push(invalid('spec.volumeMode', pv.spec?.volumeMode ?? '', 'field is immutable'));
  return errs;
}
