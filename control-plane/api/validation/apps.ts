// apps/v1 validation: Deployment, ReplicaSet, DaemonSet (pkg/apis/apps/validation plus the
// registry strategies' apps/v1 selector immutability).
import { GoRaw } from '../go-format.js';
import { labelSelectorAsSelector } from '../selectors/label-selector.js';
import type { IntOrString, PodTemplateSpec } from '../types/core.js';
import type { DaemonSet, Deployment, DeploymentStrategy, ReplicaSet } from '../types/apps.js';
import type { LabelSelector } from '../types/meta.js';
import { forbidden, invalid, notSupported, required, type FieldError } from './field-errors.js';
import { goStringMap } from './core-kinds.js';
import {
  goLabelSelector, validateImmutable, validateLabelSelector, validateNonnegative, validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import { isValidPercent, nameIsDnsSubdomain } from './names.js';
import { child } from './paths.js';
import { validatePodTemplateSpec } from './pod.js';

/** intstr.IntOrString prints through its String() method: 25% or 1, unquoted. */
const goIntOrString = (v: IntOrString | undefined): GoRaw => new GoRaw(String(v ?? 0));

function validatePositiveIntOrPercent(v: IntOrString | undefined, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, goIntOrString(v), m));
  return validateNonnegative(v ?? 0, path);
}

function intOrPercentValue(v: IntOrString | undefined): number {
  if (typeof v === 'string') return /^[0-9]+%$/.test(v) ? Number(v.slice(0, -1)) : 0;
  return v ?? 0;
}

function notMoreThan100Percent(v: IntOrString | undefined, path: string): FieldError[] {
  if (typeof v !== 'string' || !/^[0-9]+%$/.test(v) || intOrPercentValue(v) <= 100) return [];
  return [invalid(path, goIntOrString(v), 'must not be greater than 100%')];
}

/** Selector rules shared by Deployment and ReplicaSet; returns whether the selector parsed. */
function validateWorkloadSelector(sel: LabelSelector | undefined, path: string, what: string): FieldError[] {
  if (sel === undefined) return [required(path, '')];
  const errs = validateLabelSelector(sel, path);
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
    errs.push(invalid(path, goLabelSelector(sel), `empty selector is invalid for ${what}`));
  }
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet (also used for Deployments and DaemonSets). */
function validateTemplateFor(t: PodTemplateSpec | undefined, sel: LabelSelector | undefined, path: string,
  kind: string): FieldError[] {
  if (t === undefined) return [required(path, '')];
  const errs: FieldError[] = [];
  const selector = labelSelectorAsSelector(sel);
  if (!selector.ok) return [invalid(child(path.replace(/\.template$/, ''), 'selector'), goLabelSelector(sel), 'invalid label selector')];
  if (!selector.value.isEverything() && !selector.value.matches(t.metadata?.labels ?? {})) {
    errs.push(invalid(child(child(path, 'metadata'), 'labels'), goStringMap(t.metadata?.labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(t, path));
  if (t.spec?.restartPolicy !== 'Always') errs.push(notSupported(child(child(path, 'spec'), 'restartPolicy'), t.spec?.restartPolicy ?? '', ['Always']));
  if (t.spec?.activeDeadlineSeconds !== undefined) {
    const p = child(child(path, 'spec'), 'activeDeadlineSeconds');
    errs.push(kind === 'DaemonSet' ? invalid(p, t.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported')
      : forbidden(p, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

function validateDeploymentStrategy(s: DeploymentStrategy | undefined, path: string): FieldError[] {
  const type = s?.type ?? '';
  if (type === 'Recreate') {
    return s?.rollingUpdate !== undefined ? [forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type === 'RollingUpdate') {
    const ru = s?.rollingUpdate;
    if (ru === undefined) return [required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
    const p = child(path, 'rollingUpdate');
    const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, child(p, 'maxUnavailable')),
      ...validatePositiveIntOrPercent(ru.maxSurge, child(p, 'maxSurge'))];
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(invalid(child(p, 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
    return errs.concat(notMoreThan100Percent(ru.maxUnavailable, child(p, 'maxUnavailable')));
  }
  return [notSupported(path, new GoRaw(`apps.DeploymentStrategy{Type:${JSON.stringify(type)}}`), ['Recreate', 'RollingUpdate'])];
}

export function validateDeployment(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const spec = d.spec;
  errs.push(...validateNonnegative(spec?.replicas ?? 0, 'spec.replicas'));
  errs.push(...validateWorkloadSelector(spec?.selector, 'spec.selector', 'deployment'));
  errs.push(...validateTemplateFor(spec?.template ?? {}, spec?.selector, 'spec.template', 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(spec?.strategy, 'spec.strategy'));
  errs.push(...validateNonnegative(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = spec?.progressDeadlineSeconds;
  if (pds !== undefined) {
    errs.push(...validateNonnegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (spec?.minReadySeconds ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [...validateObjectMetaUpdate(d.metadata, old.metadata), ...validateDeployment(d).filter((e) => !e.field.startsWith('metadata.')),
    ...selectorImmutable(d.spec?.selector, old.spec?.selector)];
}

function selectorImmutable(sel: LabelSelector | undefined, old: LabelSelector | undefined): FieldError[] {
  return validateImmutable(sel ?? null, old ?? null, 'spec.selector').map((e) => ({ ...e, badValue: goLabelSelector(sel) }));
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const spec = rs.spec;
  errs.push(...validateNonnegative(spec?.replicas ?? 0, 'spec.replicas'));
  errs.push(...validateNonnegative(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  errs.push(...validateWorkloadSelector(spec?.selector, 'spec.selector', 'deployment'));
  errs.push(...validateTemplateFor(spec?.template ?? {}, spec?.selector, 'spec.template', 'ReplicaSet'));
  return errs;
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [...validateObjectMetaUpdate(rs.metadata, old.metadata), ...validateReplicaSet(rs).filter((e) => !e.field.startsWith('metadata.')),
    ...selectorImmutable(rs.spec?.selector, old.spec?.selector)];
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const errs = validateObjectMeta(ds.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const spec = ds.spec;
  const sel = spec?.selector;
  errs.push(...validateLabelSelector(sel, 'spec.selector'));
  const t = spec?.template ?? {};
  const parsed = labelSelectorAsSelector(sel);
  if (parsed.ok && !parsed.value.matches(t.metadata?.labels ?? {})) {
    errs.push(invalid('spec.template.metadata.labels', goStringMap(t.metadata?.labels), '`selector` does not match template `labels`'));
  }
  if (sel !== undefined && Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
    errs.push(invalid('spec.selector', goLabelSelector(sel), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(t, 'spec.template'));
  if (t.spec?.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', t.spec?.restartPolicy ?? '', ['Always']));
  if (t.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(invalid('spec.template.spec.activeDeadlineSeconds', t.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegative(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  const us = spec?.updateStrategy;
  if (us?.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (ru === undefined) errs.push(required('spec.updateStrategy.rollingUpdate', ''));
    else {
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`), ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasU = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasS = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasU && hasS) errs.push(invalid(`${p}.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      if (!hasU && !hasS) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (us?.type !== 'OnDelete') {
    errs.push(notSupported('spec.updateStrategy', new GoRaw(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(us?.type ?? '')}}`), ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...validateNonnegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  return [...validateObjectMetaUpdate(ds.metadata, old.metadata), ...validateDaemonSet(ds).filter((e) => !e.field.startsWith('metadata.')),
    ...selectorImmutable(ds.spec?.selector, old.spec?.selector)];
}
