// batch/v1 messages (k8s.io/api/batch/v1/generated.proto), the fields `kubectl create job` and
// `kubectl create cronjob` send; in Go declaration order so the JSON comes out as Go writes it.

import { bool, f, i32, i64, message, objectMeta, str, type MessageDesc } from './dsl.js';

export const BATCH_V1: readonly MessageDesc[] = [
  message('Job', [objectMeta(), f(2, 'spec', 'JobSpec'), f(3, 'status', 'JobStatus')]),
  message('JobSpec', [
    i32(1, 'parallelism', 'ptr'), i32(2, 'completions', 'ptr'), i64(3, 'activeDeadlineSeconds', 'ptr'),
    i32(7, 'backoffLimit', 'ptr'), f(4, 'selector', 'LabelSelector', 'ptr'), bool(5, 'manualSelector', 'ptr'),
    f(6, 'template', 'PodTemplateSpec'), i32(8, 'ttlSecondsAfterFinished', 'ptr'), str(9, 'completionMode', 'ptr'),
    bool(10, 'suspend', 'ptr'), str(14, 'podReplacementPolicy', 'ptr'),
  ]),
  message('JobStatus', [
    f(1, 'conditions', 'JobCondition', 'list'), f(2, 'startTime', 'Time', 'ptr'), f(3, 'completionTime', 'Time', 'ptr'),
    i32(4, 'active'), i32(5, 'succeeded'), i32(6, 'failed'), i32(11, 'terminating', 'ptr'), str(7, 'completedIndexes'),
    i32(9, 'ready', 'ptr'),
  ]),
  message('JobCondition', [
    str(1, 'type', 'keep'), str(2, 'status', 'keep'), f(3, 'lastProbeTime', 'Time'), f(4, 'lastTransitionTime', 'Time'),
    str(5, 'reason'), str(6, 'message'),
  ]),
  message('CronJob', [objectMeta(), f(2, 'spec', 'CronJobSpec'), f(3, 'status', 'CronJobStatus')]),
  message('CronJobSpec', [
    str(1, 'schedule', 'keep'), str(8, 'timeZone', 'ptr'), i64(2, 'startingDeadlineSeconds', 'ptr'),
    str(3, 'concurrencyPolicy'), bool(4, 'suspend', 'ptr'), f(5, 'jobTemplate', 'JobTemplateSpec'),
    i32(6, 'successfulJobsHistoryLimit', 'ptr'), i32(7, 'failedJobsHistoryLimit', 'ptr'),
  ]),
  message('JobTemplateSpec', [objectMeta(), f(2, 'spec', 'JobSpec')]),
  message('CronJobStatus', [
    f(1, 'active', 'ObjectReference', 'list'), f(4, 'lastScheduleTime', 'Time', 'ptr'),
    f(5, 'lastSuccessfulTime', 'Time', 'ptr'),
  ]),
];
