// Row printers for StatefulSet, Job, CronJob, PersistentVolumeClaim, PersistentVolume and Ingress
// (printStatefulSet, printJob, printCronJob, printPersistentVolumeClaim, printPersistentVolume,
// printIngress in pkg/printers/internalversion/printers.go), with the server's Wide columns.
import { formatLabelSelector } from '../selectors/label-selector.js';
import type { StatefulSet } from '../types/apps.js';
import type { CronJob, Job } from '../types/batch.js';
import type { ObjectMeta } from '../types/meta.js';
import type { Ingress } from '../types/networking.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../types/storage.js';
import { age, humanDuration } from './age.js';
import { ageCol, col, containersImages, nameCol, type Printer, type PrintedRow, type RowPrinter } from './printers.js';

const nameOf = (m: ObjectMeta | undefined): string => m?.name ?? '';
const ageOf = (m: ObjectMeta | undefined, now: number): string => age(m?.creationTimestamp, now);
const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);

/** helper.GetAccessModesAsString: deduplicated, in the order RWO, ROX, RWX, RWOP. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  return [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']]
    .filter(([m]) => set.has(m!)).map(([, s]) => s).join(',');
}

const STATEFUL_SET: Printer = {
  columns: [nameCol, col('Ready', 'string', 'Number of the pod with ready state'), ageCol, CONTAINERS, IMAGES],
  row: ((s: StatefulSet, now: number): PrintedRow => {
    const [c, i] = containersImages(s.spec?.template);
    return { cells: [nameOf(s.metadata), `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, ageOf(s.metadata, now), c, i] };
  }) as RowPrinter,
};

const hasCondition = (j: Job, type: string): boolean => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** printJob's STATUS column. */
export function jobStatus(j: Job): string {
  if (hasCondition(j, 'Complete')) return 'Complete';
  if (hasCondition(j, 'Failed')) return 'Failed';
  if (j.metadata?.deletionTimestamp !== undefined) return 'Terminating';
  if (hasCondition(j, 'Suspended')) return 'Suspended';
  if (hasCondition(j, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(j, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** printJob's COMPLETIONS column: "1/3", or for a work queue "0/1 of 4". */
export function jobCompletions(j: Job): string {
  const succeeded = j.status?.succeeded ?? 0;
  if (j.spec?.completions !== undefined) return `${succeeded}/${j.spec.completions}`;
  const parallelism = j.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(j: Job, now: number): string {
  const start = Date.parse(j.status?.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(j.status?.completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

const JOB: Printer = {
  columns: [nameCol,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The completion status of the job.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol, CONTAINERS, IMAGES,
    col('Selector', 'string', 'A label query over pods that should match the pod count.', 1)],
  row: ((j: Job, now: number): PrintedRow => {
    const [c, i] = containersImages(j.spec?.template);
    return { cells: [nameOf(j.metadata), jobStatus(j), jobCompletions(j), jobDuration(j, now), ageOf(j.metadata, now),
      c, i,
      formatLabelSelector(j.spec?.selector)] };
  }) as RowPrinter,
};

const CRON_JOB: Printer = {
  columns: [nameCol,
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageCol, CONTAINERS, IMAGES,
    col('Selector', 'string', 'A label query over pods that should match the pod count.', 1)],
  row: ((cj: CronJob, now: number): PrintedRow => {
    const t = cj.spec?.jobTemplate?.spec?.template;
    const [c, i] = containersImages(t);
    const suspend = cj.spec?.suspend === undefined ? '<unset>' : cj.spec.suspend ? 'True' : 'False';
    const last = cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : '<none>';
    return { cells: [nameOf(cj.metadata), cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>', suspend,
      (cj.status?.active ?? []).length, last, ageOf(cj.metadata, now), c, i,
      formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector)] };
  }) as RowPrinter,
};

const storageClassOf = (m: ObjectMeta | undefined, cls: string | undefined): string =>
  m?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? cls ?? '';

const PVC: Printer = {
  columns: [nameCol,
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageCol,
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1)],
  row: ((pvc: PersistentVolumeClaim, now: number): PrintedRow => {
    const phase = pvc.metadata?.deletionTimestamp !== undefined ? 'Terminating' : pvc.status?.phase ?? '';
    const volume = pvc.spec?.volumeName ?? '';
    const bound = volume !== '';
    return { cells: [nameOf(pvc.metadata), phase, volume, bound ? String(pvc.status?.capacity?.['storage'] ?? '0') : '',
      bound ? accessModesString(pvc.status?.accessModes) : '', storageClassOf(pvc.metadata, pvc.spec?.storageClassName),
      pvc.spec?.volumeAttributesClassName || '<unset>', ageOf(pvc.metadata, now), pvc.spec?.volumeMode ?? '<unset>'] };
  }) as RowPrinter,
};

const PV: Printer = {
  columns: [nameCol,
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure.'),
    ageCol,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem.', 1)],
  row: ((pv: PersistentVolume, now: number): PrintedRow => {
    const ref = pv.spec?.claimRef;
    const claim = ref === undefined ? '' : `${ref.namespace ?? ''}/${ref.name ?? ''}`;
    const phase = pv.metadata?.deletionTimestamp !== undefined ? 'Terminating' : pv.status?.phase ?? '';
    return { cells: [nameOf(pv.metadata), String(pv.spec?.capacity?.['storage'] ?? '0'), accessModesString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '', phase, claim, storageClassOf(pv.metadata, pv.spec?.storageClassName),
      pv.spec?.volumeAttributesClassName || '<unset>', pv.status?.reason ?? '', ageOf(pv.metadata, now), pv.spec?.volumeMode ?? '<unset>'] };
  }) as RowPrinter,
};

/** formatHosts: at most 3 hosts, then "+ N more..."; "*" when no rule names a host. */
export function ingressHosts(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === 3) more = true;
    if (!more && (r.host ?? '') !== '') list.push(r.host ?? '');
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - 3} more...` : list.join(',');
}

const INGRESS: Printer = {
  columns: [nameCol,
    col('Class', 'string', 'The name of the IngressClass resource.'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageCol],
  row: ((ing: Ingress, now: number): PrintedRow => {
    const address = (ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((x) => x !== '').join(',');
    return { cells: [nameOf(ing.metadata), ing.spec?.ingressClassName ?? '<none>', ingressHosts(ing), address,
      (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80', ageOf(ing.metadata, now)] };
  }) as RowPrinter,
};

/** Printers by "group/plural". */
export const WORKLOAD_PRINTERS: Readonly<Record<string, Printer>> = {
  'apps/statefulsets': STATEFUL_SET,
  'batch/jobs': JOB,
  'batch/cronjobs': CRON_JOB,
  '/persistentvolumeclaims': PVC,
  '/persistentvolumes': PV,
  'networking.k8s.io/ingresses': INGRESS,
};
