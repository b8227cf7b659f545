// Row printers for the familiar kubectl columns (pkg/printers/internalversion/printers.go).
// Every printer yields all columns, wide ones included; toTable drops priority>0 columns
// unless asked for them (the apiserver always asks: kubectl filters by priority itself).
import { formatLabelSelector } from '../selectors/label-selector.js';
import { formatLabels } from '../selectors/labels.js';
import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.js';
import type {
  ConfigMap, Container, Endpoints, Event, Namespace, Node, Pod, PodTemplateSpec, ReplicationController, Secret, Service,
  ServiceAccount,
} from '../types/core.js';
import type { ObjectMeta, TableCell, TableColumnDefinition, TableRowCondition } from '../types/meta.js';
import type { ClusterRoleBinding, Lease, RoleBinding } from '../types/other.js';
import { MAX_ENDPOINTS_SHOWN } from '../limits.js';
import { age } from './age.js';

export interface PrintedRow { cells: TableCell[]; conditions?: TableRowCondition[] }
export type RowPrinter = (obj: never, nowMs: number) => PrintedRow;
export interface Printer { columns: TableColumnDefinition[]; row: RowPrinter }

const NAME_DESC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const col = (name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition =>
  ({ name, type, format, description, priority });
export const nameCol = col('Name', 'string', NAME_DESC, 0, 'name');
export const ageCol = col('Age', 'string', AGE_DESC);
const nameOf = (m: ObjectMeta | undefined): string => m?.name ?? '';
const ageOf = (m: ObjectMeta | undefined, now: number): string => age(m?.creationTimestamp, now);

export function containersImages(t: PodTemplateSpec | undefined): [string, string] {
  const cs: Container[] = t?.spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')];
}

// ---- pods --------------------------------------------------------------------------------

const POD_COMPLETED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const POD_FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

interface PodTally {
  reason: string; restarts: number; ready: number; lastRestart: number;
  sidecarRestarts: number; sidecarLastRestart: number;
}

function podInitStatus(pod: Pod, st: PodTally): boolean {
  const inits = pod.spec?.initContainers ?? [];
  const sidecar = new Set(inits.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let initializing = false;
  const statuses = pod.status?.initContainerStatuses ?? [];
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i]!;
    st.restarts += c.restartCount ?? 0;
    const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(finished)) st.lastRestart = Math.max(st.lastRestart, finished);
    if (sidecar.has(c.name)) {
      st.sidecarRestarts += c.restartCount ?? 0;
      if (!Number.isNaN(finished)) st.sidecarLastRestart = Math.max(st.sidecarLastRestart, finished);
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term !== undefined && term.exitCode === 0) continue;
    if (sidecar.has(c.name) && c.started === true) { if (c.ready) st.ready++; continue; }
    if (term !== undefined) {
      st.reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      st.reason = `Init:${waiting.reason}`;
    } else {
      st.reason = `Init:${i}/${inits.length}`;
    }
    initializing = true;
    break;
  }
  return initializing;
}

/** The READY, STATUS and RESTARTS columns, as kubectl's printPod computes them. */
export function podStatusColumns(pod: Pod, now: number): { ready: string; status: string; restarts: string } {
  const phase = pod.status?.phase ?? '';
  const st: PodTally = {
    reason: pod.status?.reason || phase, restarts: 0, ready: 0, lastRestart: 0,
    sidecarRestarts: 0, sidecarLastRestart: 0,
  };
  if ((pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) st.reason = 'SchedulingGated';
  const total = (pod.spec?.containers ?? []).length + (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').length;
  const initializing = podInitStatus(pod, st);
  const initialized = (pod.status?.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    st.restarts = st.sidecarRestarts;
    st.lastRestart = st.sidecarLastRestart;
    let hasRunning = false;
    const statuses = pod.status?.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      st.restarts += c.restartCount ?? 0;
      const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
      if (!Number.isNaN(finished)) st.lastRestart = Math.max(st.lastRestart, finished);
      const term = c.state?.terminated;
      if (c.state?.waiting?.reason) st.reason = c.state.waiting.reason;
      else if (term?.reason) st.reason = term.reason;
      else if (term !== undefined) st.reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running !== undefined) { hasRunning = true; st.ready++; }
    }
    if (st.reason === 'Completed' && hasRunning) {
      st.reason = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp && pod.status?.reason === 'NodeLost') st.reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') st.reason = 'Terminating';
  const restarts = st.restarts !== 0 && st.lastRestart > 0
    ? `${st.restarts} (${age(new Date(st.lastRestart).toISOString(), now)} ago)` : String(st.restarts);
  return { ready: `${st.ready}/${total}`, status: st.reason, restarts };
}

const POD: Printer = {
  columns: [
    nameCol,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageCol,
    col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'string', "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 1),
  ],
  row: ((pod: Pod, now: number): PrintedRow => {
    const s = podStatusColumns(pod, now);
    const gates = pod.spec?.readinessGates ?? [];
    const conds = pod.status?.conditions ?? [];
    const trueGates = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === 'True').length;
    const row: PrintedRow = { cells: [nameOf(pod.metadata), s.ready, s.status, s.restarts, ageOf(pod.metadata, now),
      pod.status?.podIPs?.[0]?.ip || '<none>', pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>',
      gates.length > 0 ? `${trueGates}/${gates.length}` : '<none>'] };
    if (pod.status?.phase === 'Succeeded') row.conditions = POD_COMPLETED;
    if (pod.status?.phase === 'Failed') row.conditions = POD_FAILED;
    return row;
  }) as RowPrinter,
};

// ---- workloads -----------------------------------------------------------------------------

const containersCols = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
  col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
];

const DEPLOYMENT: Printer = {
  columns: [nameCol,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageCol, ...containersCols],
  row: ((d: Deployment, now: number): PrintedRow => {
    const [c, i] = containersImages(d.spec?.template);
    return { cells: [nameOf(d.metadata), `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0, ageOf(d.metadata, now), c, i, formatLabelSelector(d.spec?.selector)] };
  }) as RowPrinter,
};

const replicaCols = [nameCol,
  col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
  col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
  col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
  ageCol, ...containersCols];

const REPLICA_SET: Printer = {
  columns: replicaCols,
  row: ((rs: ReplicaSet, now: number): PrintedRow => {
    const [c, i] = containersImages(rs.spec?.template);
    return { cells: [nameOf(rs.metadata), rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0, ageOf(rs.metadata, now), c, i, formatLabelSelector(rs.spec?.selector)] };
  }) as RowPrinter,
};

const REPLICATION_CONTROLLER: Printer = {
  columns: replicaCols,
  row: ((rc: ReplicationController, now: number): PrintedRow => {
    const [c, i] = containersImages(rc.spec?.template);
    return { cells: [nameOf(rc.metadata), rc.spec?.replicas ?? 0, rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0, ageOf(rc.metadata, now), c, i, formatLabels(rc.spec?.selector)] };
  }) as RowPrinter,
};

const DAEMON_SET: Printer = {
  columns: [nameCol,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    ageCol, ...containersCols],
  row: ((ds: DaemonSet, now: number): PrintedRow => {
    const [c, i] = containersImages(ds.spec?.template);
    const s = ds.status;
    return { cells: [nameOf(ds.metadata), s?.desiredNumberScheduled ?? 0, s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0, s?.updatedNumberScheduled ?? 0, s?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageOf(ds.metadata, now), c, i, formatLabelSelector(ds.spec?.selector)] };
  }) as RowPrinter,
};

// ---- nodes, services, endpoints ------------------------------------------------------------

function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

const NODE: Printer = {
  columns: [nameCol,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1)],
  row: ((node: Node, now: number): PrintedRow => {
    const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
    const status = ready === undefined ? ['Unknown'] : [ready.status === 'True' ? 'Ready' : 'NotReady'];
    if (node.spec?.unschedulable) status.push('SchedulingDisabled');
    const addr = (t: string) => (node.status?.addresses ?? []).find((a) => a.type === t)?.address || '<none>';
    const info = node.status?.nodeInfo;
    return { cells: [nameOf(node.metadata), status.join(','), nodeRoles(node), ageOf(node.metadata, now), info?.kubeletVersion ?? '',
      addr('InternalIP'), addr('ExternalIP'), info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>'] };
  }) as RowPrinter,
};

function serviceExternalIp(svc: Service): string {
  const spec = svc.spec ?? {};
  const ext = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP': case 'NodePort':
      return ext.length > 0 ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((x) => x !== '');
      const all = [...lb, ...ext];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

const SERVICE: Printer = {
  columns: [nameCol,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageCol,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1)],
  row: ((svc: Service, now: number): PrintedRow => {
    const spec = svc.spec ?? {};
    const ports = (spec.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`));
    return { cells: [nameOf(svc.metadata), spec.type ?? '', spec.clusterIPs?.[0] ?? '<none>', serviceExternalIp(svc),
      ports.length > 0 ? ports.join(',') : '<none>', ageOf(svc.metadata, now), formatLabels(spec.selector)] };
  }) as RowPrinter,
};

/** formatEndpoints: "ip:port,..." with at most MAX_ENDPOINTS_SHOWN shown, then "+ N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  const hostPort = (ip = '', port = 0) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) { if (list.length === MAX_ENDPOINTS_SHOWN) { more = true; break; } list.push(a.ip ?? ''); }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === MAX_ENDPOINTS_SHOWN) { more = true; break; }
        list.push(hostPort(a.ip, p.port));
      }
    }
  }
  const ret = list.join(',');
  if (more) return `${ret} + ${count - MAX_ENDPOINTS_SHOWN} more...`;
  return ret === '' ? '<none>' : ret;
}

const ENDPOINTS: Printer = {
  columns: [nameCol, col('Endpoints', 'string', 'Endpoints is the list of endpoints in the service.'), ageCol],
  row: ((ep: Endpoints, now: number): PrintedRow => ({
    cells: [nameOf(ep.metadata), formatEndpoints(ep), ageOf(ep.metadata, now)],
  })) as RowPrinter,
};

// ---- events, namespaces, config, rbac, leases -----------------------------------------------

const EVENT: Printer = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for this event being generated."),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'The subobject (container within a pod, usually) that this event is about.', 1),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', NAME_DESC, 1, 'name'),
  ],
  row: ((e: Event, now: number): PrintedRow => {
    const first = e.firstTimestamp ? age(e.firstTimestamp, now) : age(e.eventTime, now);
    let last = e.lastTimestamp ? age(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    if (e.series) {
      last = age(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) count = 1;
    const io = e.involvedObject ?? {};
    const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
    const component = e.source?.component || e.reportingComponent || '';
    const instance = e.source?.host || e.reportingInstance || '';
    const source = component === '' && instance === '' ? '' : instance === '' ? component : `${component}, ${instance}`;
    return { cells: [last, e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', source, (e.message ?? '').trim(), first, count,
      nameOf(e.metadata)] };
  }) as RowPrinter,
};

const NAMESPACE: Printer = {
  columns: [nameCol, col('Status', 'string', 'The status of the namespace'), ageCol],
  row: ((ns: Namespace, now: number): PrintedRow => ({ cells: [nameOf(ns.metadata), ns.status?.phase ?? '', ageOf(ns.metadata, now)] })) as RowPrinter,
};

const CONFIG_MAP: Printer = {
  columns: [nameCol, col('Data', 'string', 'Data contains the configuration data.'), ageCol],
  row: ((cm: ConfigMap, now: number): PrintedRow => ({
    cells: [nameOf(cm.metadata), Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
      ageOf(cm.metadata, now)],
  })) as RowPrinter,
};

const SECRET: Printer = {
  columns: [nameCol, col('Type', 'string', 'The type of the secret'), col('Data', 'string', 'The number of entries in the secret data'), ageCol],
  row: ((s: Secret, now: number): PrintedRow => ({
    cells: [nameOf(s.metadata), s.type ?? '', Object.keys(s.data ?? {}).length, ageOf(s.metadata, now)],
  })) as RowPrinter,
};

const SERVICE_ACCOUNT: Printer = {
  columns: [nameCol, col('Secrets', 'string', 'Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount.'), ageCol],
  row: ((sa: ServiceAccount, now: number): PrintedRow => ({
    cells: [nameOf(sa.metadata), (sa.secrets ?? []).length, ageOf(sa.metadata, now)],
  })) as RowPrinter,
};

const LEASE: Printer = {
  columns: [nameCol, col('Holder', 'string', 'The holder of the lease'), ageCol],
  row: ((l: Lease, now: number): PrintedRow => ({ cells: [nameOf(l.metadata), l.spec?.holderIdentity ?? '', ageOf(l.metadata, now)] })) as RowPrinter,
};

const BINDING: Printer = {
  columns: [nameCol, col('Role', 'string', 'Role referenced by this binding'), ageCol,
    col('Users', 'string', 'Users in the binding', 1), col('Groups', 'string', 'Groups in the binding', 1),
    col('ServiceAccounts', 'string', 'ServiceAccounts in the binding', 1)],
  row: ((b: RoleBinding | ClusterRoleBinding, now: number): PrintedRow => {
    const subjects = b.subjects ?? [];
    const of = (kind: string) => subjects.filter((s) => s.kind === kind);
    return { cells: [nameOf(b.metadata), `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, ageOf(b.metadata, now),
      of('User').map((s) => s.name).join(', '), of('Group').map((s) => s.name).join(', '),
      of('ServiceAccount').map((s) => `${s.namespace ?? ''}:${s.name}`).join(', ')] };
  }) as RowPrinter,
};

export const GENERIC: Printer = {
  columns: [nameCol, ageCol],
  row: ((o: { metadata?: ObjectMeta }, now: number): PrintedRow => ({
    cells: [nameOf(o.metadata), ageOf(o.metadata, now)],
  })) as RowPrinter,
};

/** Printers by "group/plural". */
export const PRINTERS: Readonly<Record<string, Printer>> = {
  '/pods': POD,
  '/nodes': NODE,
  '/services': SERVICE,
  '/endpoints': ENDPOINTS,
  '/events': EVENT,
  '/namespaces': NAMESPACE,
  '/configmaps': CONFIG_MAP,
  '/secrets': SECRET,
  '/serviceaccounts': SERVICE_ACCOUNT,
  '/replicationcontrollers': REPLICATION_CONTROLLER,
  'apps/deployments': DEPLOYMENT,
  'apps/replicasets': REPLICA_SET,
  'apps/daemonsets': DAEMON_SET,
  'coordination.k8s.io/leases': LEASE,
  'rbac.authorization.k8s.io/rolebindings': BINDING,
  'rbac.authorization.k8s.io/clusterrolebindings': BINDING,
};
