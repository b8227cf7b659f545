// Defaults of the kinds added for `kubectl apply --prune`'s allowlist: batch/v1 Job and CronJob,
// apps/v1 StatefulSet, core/v1 PersistentVolumeClaim and PersistentVolume (SetDefaults_* in
// pkg/apis/{batch,apps,core}/v1). Ingress has no defaults in networking.k8s.io/v1.
import type { CronJob, Job, JobSpec } from '../types/batch.js';
import type { StatefulSet } from '../types/apps.js';
import type { PodSpec } from '../types/core.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../types/storage.js';

/** batch/v1 SetDefaults_Job: backoffLimit 6, parallelism/completions 1, NonIndexed, not suspended. */
export const DEFAULT_JOB_BACKOFF_LIMIT = 6;
export const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 3;
export const DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 1;
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

export function defaultJob(job: Job, defaultPodSpec: (s: PodSpec) => PodSpec): Job {
  const spec: JobSpec = (job.spec ??= { template: {} });
  // Both unset: one pod to completion. Only completions set: parallelism 1. Only parallelism
  // set: completions stays nil (a work-queue job: done when any pod succeeds).
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= DEFAULT_JOB_BACKOFF_LIMIT;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  const labels = spec.template?.metadata?.labels;
  if (labels !== undefined && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata ??= {};
    job.metadata.labels = { ...labels };
  }
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
  return job;
}

/** SetDefaults_CronJob: Allow, not suspended, history 3 successful / 1 failed (the job template's pod spec too). */
export function defaultCronJob(cj: CronJob, defaultPodSpec: (s: PodSpec) => PodSpec): CronJob {
  const spec = (cj.spec ??= { schedule: '', jobTemplate: {} });
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT;
  spec.failedJobsHistoryLimit ??= DEFAULT_FAILED_JOBS_HISTORY_LIMIT;
  const podSpec = spec.jobTemplate?.spec?.template?.spec;
  if (podSpec) defaultPodSpec(podSpec);
  return cj;
}

/** SetDefaults_PersistentVolumeClaim: volumeMode Filesystem, phase Pending. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): PersistentVolumeClaim {
  const spec = (pvc.spec ??= {});
  spec.volumeMode ||= 'Filesystem';
  pvc.status ??= {};
  pvc.status.phase ||= 'Pending';
  return pvc;
}

/** SetDefaults_PersistentVolume: phase Pending, reclaim policy Retain, volumeMode Filesystem. */
export function defaultPersistentVolume(pv: PersistentVolume): PersistentVolume {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ||= 'Filesystem';
  if (spec.hostPath) spec.hostPath.type ??= '';
  pv.status ??= {};
  pv.status.phase ||= 'Pending';
  return pv;
}

/**
 * apps/v1 SetDefaults_StatefulSet: OrderedReady, RollingUpdate with partition 0, replicas 1,
 * revisionHistoryLimit 10, PVC retention Retain/Retain; claim templates get the PVC defaults.
 */
export function defaultStatefulSet(sts: StatefulSet, defaultPodSpec: (s: PodSpec) => PodSpec): StatefulSet {
  const spec = (sts.spec ??= { selector: {}, template: {} });
  spec.podManagementPolicy ||= 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    us.rollingUpdate ??= {};
    us.rollingUpdate.partition ??= 0;
  }
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  for (const t of spec.volumeClaimTemplates ?? []) defaultPersistentVolumeClaim(t);
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
  return sts;
}
