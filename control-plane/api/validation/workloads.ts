// Validation of batch/v1 Job and CronJob and apps/v1 StatefulSet (pkg/apis/batch/validation,
// pkg/apis/apps/validation), the rules for the fields our types carry, with Kubernetes' field
// paths and messages.
import { parseCronSchedule, isValidTimeZone } from '../cron.js';
import { GoRaw } from '../go-format.js';
import { jsonEqual, type JsonValue } from '../json.js';
import { labelSelectorAsSelector } from '../selectors/label-selector.js';
import type { StatefulSet } from '../types/apps.js';
import type { CronJob, Job, JobSpec } from '../types/batch.js';
import type { PodTemplateSpec } from '../types/core.js';
import type { LabelSelector } from '../types/meta.js';
import { goStringMap } from './core-kinds.js';
import { forbidden, invalid, notSupported, required, type FieldError } from './field-errors.js';
import {
  goLabelSelector, validateImmutable, validateLabelSelector, validateNonnegative, validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import { isValidPercent, nameIsDnsSubdomain } from './names.js';
import { child } from './paths.js';
import { validatePodTemplateSpec } from './pod.js';
import { validatePvcSpec } from './storage.js';

/** The labels the apiserver puts on a Job's pods (batch.ControllerUidLabel, JobNameLabel and their legacy twins). */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
/** CronJob names leave 11 characters for the "-<minutes>" suffix of their jobs (validation.go). */
const CRONJOB_NAME_MAX_CHARS = 52;

function templateMatchesSelector(t: PodTemplateSpec | undefined, sel: LabelSelector | undefined, path: string):
  FieldError[] {
  const parsed = labelSelectorAsSelector(sel);
  if (!parsed.ok || parsed.value.isEverything() || parsed.value.matches(t?.metadata?.labels ?? {})) return [];
  return [invalid(child(child(path, 'metadata'), 'labels'), goStringMap(t?.metadata?.labels), '`selector` does not match template `labels`')];
}

function validateJobTemplate(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (t === undefined) return [required(path, '')];
  const errs = validatePodTemplateSpec(t, path);
  const rp = t.spec?.restartPolicy ?? '';
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(child(child(path, 'spec'), 'restartPolicy'), rp, ['OnFailure', 'Never']));
  return errs;
}

/** ValidateJobSpec minus the selector (checked by the callers: Jobs have one, job templates must not). */
function validateJobSpecFields(spec: JobSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = (f: string): string => child(path, f);
  errs.push(...validateNonnegative(spec?.parallelism, p('parallelism')));
  errs.push(...validateNonnegative(spec?.completions, p('completions')));
  errs.push(...validateNonnegative(spec?.backoffLimit, p('backoffLimit')));
  errs.push(...validateNonnegative(spec?.ttlSecondsAfterFinished, p('ttlSecondsAfterFinished')));
  const ads = spec?.activeDeadlineSeconds;
  if (ads !== undefined && ads <= 0) errs.push(invalid(p('activeDeadlineSeconds'), ads, 'must be greater than 0'));
  const mode = spec?.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push(notSupported(p('completionMode'), mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed' && spec?.completions === undefined) {
    errs.push(required(p('completions'), 'when completion mode is Indexed'));
  }
  const prp = spec?.podReplacementPolicy;
  if (prp !== undefined && prp !== 'TerminatingOrFailed' && prp !== 'Failed') {
    errs.push(notSupported(p('podReplacementPolicy'), prp, ['Failed', 'TerminatingOrFailed']));
  }
  errs.push(...validateJobTemplate(spec?.template, p('template')));
  return errs;
}

/** ValidateGeneratedSelector: without manualSelector the selector is the apiserver's own. */
function validateGeneratedSelector(job: Job): FieldError[] {
  const uid = job.metadata?.uid ?? '';
  if (job.spec?.manualSelector === true || uid === '') return [];
  const sel = job.spec?.selector;
  if (sel?.matchLabels?.[JOB_CONTROLLER_UID_LABEL] !== uid) {
    return [invalid('spec.selector', goLabelSelector(sel), '`selector` not auto-generated')];
  }
  const labels = job.spec?.template?.metadata?.labels ?? {};
  if (labels[JOB_CONTROLLER_UID_LABEL] !== uid) {
    return [invalid('spec.template.metadata.labels', goStringMap(labels), `must be '${JOB_CONTROLLER_UID_LABEL}=${uid}'`)];
  }
  return [];
}

export function validateJob(job: Job): FieldError[] {
  const errs = validateObjectMeta(job.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const spec = job.spec;
  if (spec?.selector === undefined) errs.push(required('spec.selector', ''));
  else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    errs.push(...templateMatchesSelector(spec.template, spec.selector, 'spec.template'));
  }
  errs.push(...validateGeneratedSelector(job));
  return errs.concat(validateJobSpecFields(spec, 'spec'));
}

/** ValidateJobUpdate: selector, template, completions and completionMode are immutable (suspended jobs aside). */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJob(job).filter((e) => !e.field.startsWith('metadata.'))];
  errs.push(...validateImmutable(job.spec?.selector ?? null, old.spec?.selector ?? null, 'spec.selector')
    .map((e) => ({ ...e, badValue: goLabelSelector(job.spec?.selector) })));
  if (!jsonEqual((job.spec?.template ?? null) as JsonValue, (old.spec?.template ?? null) as JsonValue)) {
    errs.push(invalid('spec.template', new GoRaw('core.PodTemplateSpec{...}'), 'field is immutable'));
  }
  errs.push(...validateImmutable(job.spec?.completions, old.spec?.completions, 'spec.completions'));
  errs.push(...validateImmutable(job.spec?.completionMode, old.spec?.completionMode, 'spec.completionMode'));
  return errs;
}

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const name = cj.metadata?.name ?? '';
  if (name.length > CRONJOB_NAME_MAX_CHARS) errs.push(invalid('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX_CHARS} characters`));
  const spec = cj.spec;
  const schedule = spec?.schedule ?? '';
  if (schedule === '') errs.push(required('spec.schedule', ''));
  else if (/^\s*(CRON_)?TZ=/.test(schedule)) {
    errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  } else {
    const parsed = parseCronSchedule(schedule);
    if (!parsed.ok) errs.push(invalid('spec.schedule', schedule, parsed.error));
  }
  const tz = spec?.timeZone;
  if (tz !== undefined && !isValidTimeZone(tz)) errs.push(invalid('spec.timeZone', tz, `unknown time zone ${tz}`));
  const cp = spec?.concurrencyPolicy ?? '';
  if (cp === '') errs.push(required('spec.concurrencyPolicy', ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateNonnegative(spec?.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  errs.push(...validateNonnegative(spec?.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonnegative(spec?.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const jt = spec?.jobTemplate?.spec;
  const jtPath = 'spec.jobTemplate.spec';
  if (jt?.selector !== undefined && jt.manualSelector !== true) {
    errs.push(invalid(`${jtPath}.selector`, goLabelSelector(jt.selector), '`selector` will be auto-generated'));
  }
  return errs.concat(validateJobSpecFields(jt, jtPath));
}

export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJob(cj).filter((e) => !e.field.startsWith('metadata.'))];
}

function validateStatefulSetStrategy(sts: StatefulSet): FieldError[] {
  const us = sts.spec?.updateStrategy;
  const path = 'spec.updateStrategy';
  if (us?.type === 'OnDelete') {
    return us.rollingUpdate !== undefined
      ? [invalid(`${path}.rollingUpdate`, new GoRaw('apps.RollingUpdateStatefulSetStrategy{...}'),
        "only allowed for updateStrategy 'RollingUpdate'")] : [];
  }
  if (us?.type !== 'RollingUpdate') {
    return [notSupported(path, new GoRaw(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(us?.type ?? '')}}`), ['OnDelete', 'RollingUpdate'])];
  }
  const ru = us.rollingUpdate;
  const errs = validateNonnegative(ru?.partition, `${path}.rollingUpdate.partition`);
  const mu = ru?.maxUnavailable;
  if (typeof mu === 'string') errs.push(...isValidPercent(mu).map((m) => invalid(`${path}.rollingUpdate.maxUnavailable`, mu, m)));
  else if (mu !== undefined && mu < 1) errs.push(invalid(`${path}.rollingUpdate.maxUnavailable`, mu, 'must be greater than 0'));
  return errs;
}

export function validateStatefulSet(sts: StatefulSet): FieldError[] {
  const errs = validateObjectMeta(sts.metadata, { namespaced: true, nameFn: nameIsDnsSubdomain });
  const spec = sts.spec;
  const pmp = spec?.podManagementPolicy ?? '';
  if (pmp === '') errs.push(required('spec.podManagementPolicy', ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(notSupported('spec.podManagementPolicy', pmp, ['OrderedReady', 'Parallel']));
  }
  errs.push(...validateStatefulSetStrategy(sts));
  errs.push(...validateNonnegative(spec?.replicas ?? 0, 'spec.replicas'));
  errs.push(...validateNonnegative(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errs.push(...validateNonnegative(spec?.ordinals?.start, 'spec.ordinals.start'));
  const sel = spec?.selector;
  if (sel === undefined) errs.push(required('spec.selector', ''));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      errs.push(invalid('spec.selector', goLabelSelector(sel), 'empty selector is invalid for statefulset'));
    }
  }
  const t = spec?.template;
  if (t === undefined) return [...errs, required('spec.template', '')];
  errs.push(...templateMatchesSelector(t, sel, 'spec.template'));
  errs.push(...validatePodTemplateSpec(t, 'spec.template'));
  if (t.spec?.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', t.spec?.restartPolicy ?? '', ['Always']));
  if (t.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  (spec?.volumeClaimTemplates ?? []).forEach((c, i) => {
    const p = `spec.volumeClaimTemplates[${i}]`;
    if (!c.metadata?.name) errs.push(required(`${p}.metadata.name`, ''));
    errs.push(...validatePvcSpec(c.spec, `${p}.spec`));
  });
  return errs;
}

/**
 * ValidateStatefulSetUpdate: only replicas, ordinals, template, updateStrategy, revisionHistoryLimit,
 * the PVC retention policy and minReadySeconds may change.
 */
export function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = [...validateObjectMetaUpdate(sts.metadata, old.metadata), ...validateStatefulSet(sts).filter((e) => !e.field.startsWith('metadata.'))];
  const strip = (s: StatefulSet): JsonValue => {
    const { replicas: _r, ordinals: _o, template: _t, updateStrategy: _u, persistentVolumeClaimRetentionPolicy: _p,
      minReadySeconds: _m, revisionHistoryLimit: _h, ...rest } = s.spec ?? { selector: {}, template: {} };
    return rest as unknown as JsonValue;
  };
  if (!jsonEqual(strip(sts), strip(old))) {
    errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', " +
      "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}
