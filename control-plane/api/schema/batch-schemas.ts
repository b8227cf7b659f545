// batch/v1 schemas: Job and CronJob (the common fields; no podFailurePolicy, successPolicy,
// backoffLimitPerIndex or managedBy).
import { bool, enumOf, field, i32, i64, kindSchema, atomicList, str, strList, struct, time, type ObjectSchema } from './dsl.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta-schemas.js';
import { OBJECT_REFERENCE, POD_TEMPLATE_SPEC } from './core-schemas.js';

const BATCH = 'io.k8s.api.batch.v1';
const gvk = (kind: string) => ({ group: 'batch', version: 'v1', kind });

const JOB_CONDITION = struct(`${BATCH}.JobCondition`, 'JobCondition describes current state of a job.', {
  type: str('Type of job condition, Complete or Failed.', { required: true }),
  status: field(enumOf('False', 'True', 'Unknown'), 'Status of the condition, one of True, False, Unknown.', { required: true }),
  lastProbeTime: time('Last time the condition was checked.'),
  lastTransitionTime: time('Last time the condition transit from one status to another.'),
  reason: str("(brief) reason for the condition's last transition."),
  message: str('Human readable message indicating details about last transition.'),
});

export const JOB_SPEC = struct(`${BATCH}.JobSpec`, 'JobSpec describes how the job execution will look like.', {
  parallelism: i32('Specifies the maximum desired number of pods the job should run at any given time. Defaults to 1.'),
  completions: i32('Specifies the desired number of successfully finished pods the job should be run with.'),
  activeDeadlineSeconds: i64('Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.'),
  backoffLimit: i32('Specifies the number of retries before marking this job failed. Defaults to 6'),
  selector: field(LABEL_SELECTOR, 'A label query over pods that should match the pod count. Normally, the system sets this field for you.'),
  manualSelector: bool('manualSelector controls generation of pod labels and pod selectors. Leave `manualSelector` unset unless you are certain what you are doing.'),
  template: field(POD_TEMPLATE_SPEC, 'Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are "Never" or "OnFailure".',
    { required: true }),
  ttlSecondsAfterFinished: i32('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).'),
  completionMode: field(enumOf('Indexed', 'NonIndexed'), 'completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`.'),
  suspend: bool('suspend specifies whether the Job controller should create Pods or not. Defaults to false.'),
  podReplacementPolicy: field(enumOf('Failed', 'TerminatingOrFailed'), 'podReplacementPolicy specifies when to create replacement Pods.'),
});

export const JOB = kindSchema(`${BATCH}.Job`, gvk('Job'), 'Job represents the configuration of a single job.', OBJECT_META, {
  spec: field(JOB_SPEC, 'Specification of the desired behavior of a job.'),
  status: field(struct(`${BATCH}.JobStatus`, 'JobStatus represents the current state of a Job.', {
    conditions: atomicList(JOB_CONDITION, "The latest available observations of an object's current state."),
    startTime: time('Represents time when the job controller started processing a job.'),
    completionTime: time('Represents time when the job was completed.'),
    active: i32('The number of pending and running pods which are not terminating (without a deletionTimestamp).'),
    succeeded: i32('The number of pods which reached phase Succeeded.'),
    failed: i32('The number of pods which reached phase Failed.'),
    terminating: i32('The number of pods which are terminating (in phase Pending or Running and have a deletionTimestamp).'),
    completedIndexes: str('completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format.'),
    uncountedTerminatedPods: field(struct(`${BATCH}.UncountedTerminatedPods`,
      "UncountedTerminatedPods holds UIDs of Pods that have terminated but haven't been accounted in Job status counters.", {
        succeeded: strList('succeeded holds UIDs of succeeded Pods.', { listType: 'set' }),
        failed: strList('failed holds UIDs of failed Pods.', { listType: 'set' }),
      }), "uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn't yet accounted for in the status counters."),
    ready: i32('The number of active pods which have a Ready condition and are not terminating (without a deletionTimestamp).'),
  }), 'Current status of a job.'),
});

export const CRON_JOB = kindSchema(`${BATCH}.CronJob`, gvk('CronJob'), 'CronJob represents the configuration of a single cron job.', OBJECT_META, {
  spec: field(struct(`${BATCH}.CronJobSpec`, 'CronJobSpec describes how the job execution will look like and when it will actually run.', {
    schedule: str('The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', { required: true }),
    timeZone: str('The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    startingDeadlineSeconds: i64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason.'),
    concurrencyPolicy: field(enumOf('Allow', 'Forbid', 'Replace'), 'Specifies how to treat concurrent executions of a Job. Valid values are: "Allow" (default), "Forbid", "Replace".'),
    suspend: bool('This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.'),
    jobTemplate: field(struct(`${BATCH}.JobTemplateSpec`, 'JobTemplateSpec describes the data a Job should have when created from a template', {
      metadata: field(OBJECT_META, 'Standard object\'s metadata of the jobs created from this template.'),
      spec: field(JOB_SPEC, 'Specification of the desired behavior of the job.'),
    }), 'Specifies the job that will be created when executing a CronJob.', { required: true }),
    successfulJobsHistoryLimit: i32('The number of successful finished jobs to retain. Value must be non-negative integer. Defaults to 3.'),
    failedJobsHistoryLimit: i32('The number of failed finished jobs to retain. Value must be non-negative integer. Defaults to 1.'),
  }), 'Specification of the desired behavior of a cron job, including the schedule.'),
  status: field(struct(`${BATCH}.CronJobStatus`, 'CronJobStatus represents the current state of a cron job.', {
    active: atomicList(OBJECT_REFERENCE, 'A list of pointers to currently running jobs.'),
    lastScheduleTime: time('Information when was the last time the job was successfully scheduled.'),
    lastSuccessfulTime: time('Information when was the last time the job successfully completed.'),
  }), 'Current status of a cron job.'),
});

export const BATCH_KINDS: readonly ObjectSchema[] = [JOB, CRON_JOB];
