// The kinds served for `kubectl apply --prune`'s default allowlist: defaults, validation messages
// with field paths, and the Table columns kubectl prints, for StatefulSet, Job, CronJob,
// PersistentVolumeClaim, PersistentVolume and Ingress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from './defaults/index.js';
import { findResource } from './registry.js';
import type { GroupVersionKind } from './schema/dsl.js';
import { toTable } from './table/index.js';
import type { StatefulSet } from './types/apps.js';
import type { CronJob, Job } from './types/batch.js';
import type { Ingress } from './types/networking.js';
import type { PersistentVolume, PersistentVolumeClaim } from './types/storage.js';
import { errorString } from './validation/field-errors.js';
import { validateFields } from './validation/index.js';

const gvk = (group: string, kind: string): GroupVersionKind => ({ group, version: 'v1', kind });
const JOB = gvk('batch', 'Job');
const CRONJOB = gvk('batch', 'CronJob');
const STS = gvk('apps', 'StatefulSet');
const PVC = gvk('', 'PersistentVolumeClaim');
const PV = gvk('', 'PersistentVolume');
const ING = gvk('networking.k8s.io', 'Ingress');
const NOW = Date.parse('2024-01-01T01:00:00Z');
const msgs = (g: GroupVersionKind, obj: unknown, op: 'create' | 'update' = 'create', old?: unknown): string[] =>
  validateFields(g, op, obj, old).map(errorString);

const podTemplate = (restartPolicy: string, labels: Record<string, string> = { app: 'x' }) =>
  ({ metadata: { labels }, spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }] } });

function job(): Job {
  return applyDefaults(JOB, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'u1' },
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
      template: podTemplate('Never', { 'batch.kubernetes.io/controller-uid': 'u1' }) } } as Job);
}

function cronJob(): CronJob {
  return applyDefaults(CRONJOB, { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } } } } as CronJob);
}

function sts(): StatefulSet {
  return applyDefaults(STS, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate('Always'),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } } } }] } } as StatefulSet);
}

const pvc = (): PersistentVolumeClaim => applyDefaults(PVC, { apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name: 'claim', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });

const pv = (): PersistentVolume => applyDefaults(PV, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'vol' },
  spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], hostPath: { path: '/data' } } });

const ingress = (): Ingress => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ing', namespace: 'default' },
  spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix',
    backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } });

test('defaults: Job, CronJob, StatefulSet (and its claim templates), PVC, PV', () => {
  const j = job();
  assert.deepEqual([j.spec?.completions, j.spec?.parallelism, j.spec?.backoffLimit, j.spec?.completionMode,
    j.spec?.suspend,
    j.spec?.podReplacementPolicy], [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed']);
  assert.equal(j.spec?.template.spec?.dnsPolicy, 'ClusterFirst', 'pod template defaults');
  assert.deepEqual(j.metadata?.labels, { 'batch.kubernetes.io/controller-uid': 'u1' }, 'labels from the template');
  const workQueue = applyDefaults(JOB, { spec: { parallelism: 3, template: {} } } as Job);
  assert.equal(workQueue.spec?.completions, undefined, 'a work queue keeps completions unset');
  const cj = cronJob();
  assert.deepEqual([cj.spec?.concurrencyPolicy, cj.spec?.suspend, cj.spec?.successfulJobsHistoryLimit,
    cj.spec?.failedJobsHistoryLimit],
    ['Allow', false, 3, 1]);
  assert.equal(cj.spec?.jobTemplate.spec?.backoffLimit, undefined, 'the job template is not a Job: no Job defaults');
  const s = sts();
  assert.deepEqual([s.spec?.replicas, s.spec?.podManagementPolicy, s.spec?.updateStrategy, s.spec?.revisionHistoryLimit,
    s.spec?.persistentVolumeClaimRetentionPolicy], [1, 'OrderedReady', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, 10,
    { whenDeleted: 'Retain', whenScaled: 'Retain' }]);
  assert.equal(s.spec?.volumeClaimTemplates?.[0]?.spec?.volumeMode, 'Filesystem');
  assert.deepEqual([pvc().spec?.volumeMode, pvc().status?.phase], ['Filesystem', 'Pending']);
  const v = pv();
  assert.deepEqual([v.spec?.persistentVolumeReclaimPolicy, v.spec?.volumeMode, v.status?.phase, v.spec?.hostPath?.type],
    ['Retain', 'Filesystem', 'Pending', '']);
});

test('the defaulted objects are valid', () => {
  const all = [[JOB, job()], [CRONJOB, cronJob()], [STS, sts()], [PVC, pvc()], [PV, pv()], [ING, ingress()]] as const;
  for (const [g, o] of all) {
    assert.deepEqual(msgs(g, o), [], g.kind);
  }
});

test('Job validation: restartPolicy, selector, generated selector, immutable template', () => {
  const j = job();
  j.spec!.template.spec!.restartPolicy = 'Always';
  j.spec!.backoffLimit = -1;
  j.spec!.activeDeadlineSeconds = 0;
  assert.deepEqual(msgs(JOB, j), [
    'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
    'spec.activeDeadlineSeconds: Invalid value: 0: must be greater than 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
  const other = job();
  other.spec!.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'someone-else' } };
  assert.ok(msgs(JOB, other).some((m) => m.startsWith('spec.selector: Invalid value') && m.endsWith('`selector` not auto-generated')));
  const noSel = job();
  delete noSel.spec!.selector;
  assert.ok(msgs(JOB, noSel).includes('spec.selector: Required value'));
  const changed = job();
  changed.metadata!.resourceVersion = '2';
  changed.spec!.template.spec!.containers[0]!.image = 'busybox:2';
  const old = { ...job(), metadata: { ...job().metadata, resourceVersion: '1' } };
  assert.ok(msgs(JOB, changed, 'update', old).some((m) => m.startsWith('spec.template: Invalid value') && m.endsWith('field is immutable')));
});

test('CronJob validation: schedule (robfig wording), timeZone, concurrencyPolicy, name length, job template selector', () => {
  const bad = cronJob();
  bad.spec!.schedule = '61 * * * *';
  bad.spec!.timeZone = 'Mars/Olympus';
  bad.spec!.concurrencyPolicy = 'Sometimes';
  bad.metadata!.name = 'x'.repeat(53);
  assert.deepEqual(msgs(CRONJOB, bad), [
    `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
    'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  const tz = cronJob();
  tz.spec!.schedule = 'TZ=UTC 0 * * * *';
  assert.deepEqual(msgs(CRONJOB, tz), ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  const few = cronJob();
  few.spec!.schedule = '* *';
  assert.deepEqual(msgs(CRONJOB, few), ['spec.schedule: Invalid value: "* *": expected exactly 5 fields, found 2: [* *]']);
  const sel = cronJob();
  sel.spec!.jobTemplate.spec!.selector = { matchLabels: { a: 'b' } };
  assert.ok(msgs(CRONJOB, sel)[0]?.endsWith('`selector` will be auto-generated'));
});

test('StatefulSet validation: policy, selector/template, restartPolicy, claim templates, forbidden spec updates', () => {
  const s = sts();
  s.spec!.podManagementPolicy = 'Random';
  s.spec!.template.metadata!.labels = { app: 'y' };
  s.spec!.volumeClaimTemplates![0]!.spec!.accessModes = [];
  assert.deepEqual(msgs(STS, s), [
    'spec.podManagementPolicy: Unsupported value: "Random": supported values: "OrderedReady", "Parallel"',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    'spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required',
  ]);
  const next = sts();
  next.metadata!.resourceVersion = '2';
  next.spec!.serviceName = 'other';
  next.spec!.replicas = 5;
  const old = { ...sts(), metadata: { ...sts().metadata, resourceVersion: '1' } };
  assert.deepEqual(msgs(STS, next, 'update', old), ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', " +
    "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]);
});

test('PVC / PV validation: access modes, storage, volume source, immutable claim spec', () => {
  const c = pvc();
  c.spec!.accessModes = ['ReadWriteSometimes'];
  c.spec!.resources = { requests: { storage: '0' } };
  assert.deepEqual(msgs(PVC, c), [
    'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.resources[storage]: Invalid value: "0": must be greater than zero',
  ]);
  const grown = pvc();
  grown.metadata!.resourceVersion = '2';
  grown.spec!.resources = { requests: { storage: '2Gi' } };
  const old = { ...pvc(), metadata: { ...pvc().metadata, resourceVersion: '1' } };
  assert.deepEqual(msgs(PVC, grown, 'update', old), [], 'requests may grow');
  grown.spec!.storageClassName = 'fast';
  assert.deepEqual(msgs(PVC, grown, 'update', old),
    ['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
  const v = pv();
  delete v.spec!.hostPath;
  v.spec!.capacity = {};
  assert.deepEqual(msgs(PV, v), ['spec.capacity: Required value', 'spec: Required value: must specify a volume type']);
  const ns = { ...pv(), metadata: { name: 'vol', namespace: 'default' } };
  assert.deepEqual(msgs(PV, ns), ['metadata.namespace: Forbidden: not allowed on this type']);
});

test('Ingress validation: rules or backend, pathType, absolute paths, backend port, host not an IP', () => {
  const i = ingress();
  const path = i.spec!.rules![0]!.http!.paths[0]!;
  path.pathType = '';
  i.spec!.rules![0]!.host = '10.0.0.1';
  path.backend = { service: { name: 'web', port: {} } };
  assert.deepEqual(msgs(ING, i), [
    'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    'spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required',
  ]);
  const rel = ingress();
  rel.spec!.rules![0]!.http!.paths[0]!.path = 'api';
  assert.deepEqual(msgs(ING, rel), ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']);
  assert.deepEqual(msgs(ING, { ...ingress(), spec: {} }),
    ['spec: Invalid value: networking.IngressSpec{...}: either `defaultBackend` or `rules` must be specified']);
});

const table = (group: string, plural: string, obj: unknown) => {
  const r = findResource(group, plural)!;
  const t = toTable(r, [obj], { nowMs: NOW });
  return { columns: t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), cells: t.rows[0]!.cells };
};

test('Table columns and cells as kubectl prints them', () => {
  const j = job();
  j.metadata!.creationTimestamp = '2024-01-01T00:59:00Z';
  j.status = { startTime: '2024-01-01T00:59:00Z', completionTime: '2024-01-01T00:59:05Z', succeeded: 1,
    conditions: [{ type: 'Complete', status: 'True' }] };
  const jt = table('batch', 'jobs', j);
  assert.deepEqual(jt.columns, ['Name', 'Status', 'Completions', 'Duration', 'Age']);
  assert.deepEqual(jt.cells.slice(0, 5), ['pi', 'Complete', '1/1', '5s', '60s']);
  const cj = cronJob();
  cj.metadata!.creationTimestamp = '2024-01-01T00:00:00Z';
  const ct = table('batch', 'cronjobs', cj);
  assert.deepEqual(ct.columns, ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
  assert.deepEqual(ct.cells.slice(0, 7), ['tick', '*/5 * * * *', '<none>', 'False', 0, '<none>', '60m']);
  const s = sts();
  s.status = { replicas: 2, readyReplicas: 1 };
  const st = table('apps', 'statefulsets', s);
  assert.deepEqual(st.columns, ['Name', 'Ready', 'Age']);
  assert.equal(st.cells[1], '1/1');
  const pt = table('', 'persistentvolumeclaims', pvc());
  assert.deepEqual(pt.columns, ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age']);
  assert.deepEqual(pt.cells.slice(0, 7), ['claim', 'Pending', '', '', '', '', '<unset>']);
  const vt = table('', 'persistentvolumes', pv());
  assert.deepEqual(vt.columns, ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass',
    'VolumeAttributesClass', 'Reason', 'Age']);
  assert.deepEqual(vt.cells.slice(0, 5), ['vol', '5Gi', 'RWO,ROX', 'Retain', 'Pending']);
  const it = table('networking.k8s.io', 'ingresses', ingress());
  assert.deepEqual(it.columns, ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  assert.deepEqual(it.cells.slice(0, 5), ['ing', 'nginx', 'a.example.com', '', '80']);
});
