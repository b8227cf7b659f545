// What every controller is given: a narrow client (only the calls controllers make, so a test can
// record them), informers (a cache + handlers), an event recorder, a clock and a logger. The real
// implementations are in informers.ts and manager.ts; testing/fake.ts implements the same
// interfaces in memory.
import type { Namespace, ResourceInfo, Status } from '../api/index.js';
import { findResource } from '../api/index.js';
import type {
  DeleteCallOptions, EventHandler, Indexer, IndexFunc, KubeObject, ListOptions, PatchType, RequestOptions, WriteOptions,
} from '../client/index.js';
import { ControllerError } from './errors.js';

export interface ControllerClient {
  get<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string, o?: RequestOptions): Promise<T>;
  listAll<T extends KubeObject>(r: ResourceInfo, o?: ListOptions): Promise<{ items: T[]; resourceVersion: string }>;
  create<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, o?: WriteOptions): Promise<T>;
  update<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, o?: WriteOptions): Promise<T>;
  updateStatus<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, o?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string, type: PatchType, patch: unknown,
    o?: WriteOptions & { subresource?: 'status' | 'scale' }): Promise<T>;
  delete<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string, o?: DeleteCallOptions):
    Promise<T | Status>;
  /** PUT /api/v1/namespaces/NAME/finalize (client-go Namespaces().Finalize). */
  finalizeNamespace(ns: Namespace, o?: RequestOptions): Promise<Namespace>;
}

/** The part of a SharedInformer a controller uses. */
export interface Informer<T extends KubeObject> {
  readonly store: Indexer<T>;
  addEventHandler(h: EventHandler<T>): void;
  hasSynced(): boolean;
}

/** One shared informer per resource (client-go's SharedInformerFactory). */
export interface InformerSource {
  informer<T extends KubeObject>(r: ResourceInfo): Informer<T>;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch (for timestamps written to objects and compared with them). */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export interface Log {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EventSink {
  /** Records a core/v1 Event about `obj` (never throws; failures are logged). */
  event(r: ResourceInfo, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Where sync durations and outcomes go (prom-client in the manager; nothing in unit tests). */
export interface SyncObserver {
  observeSync(controller: string, seconds: number, outcome: 'ok' | 'error' | 'requeue'): void;
}

export interface ControllerContext {
  client: ControllerClient;
  informers: InformerSource;
  events: (component: string) => EventSink;
  clock: Clock;
  log: Log;
  metrics?: SyncObserver;
}

function must(group: string, plural: string): ResourceInfo {
  const r = findResource(group, plural);
  if (r === undefined) throw new ControllerError(`the API registry has no ${group}/${plural}`);
  return r;
}

export const R = {
  pods: must('', 'pods'),
  nodes: must('', 'nodes'),
  namespaces: must('', 'namespaces'),
  services: must('', 'services'),
  endpoints: must('', 'endpoints'),
  events: must('', 'events'),
  serviceAccounts: must('', 'serviceaccounts'),
  replicationControllers: must('', 'replicationcontrollers'),
  replicaSets: must('apps', 'replicasets'),
  deployments: must('apps', 'deployments'),
  daemonSets: must('apps', 'daemonsets'),
  statefulSets: must('apps', 'statefulsets'),
  jobs: must('batch', 'jobs'),
  cronJobs: must('batch', 'cronjobs'),
  persistentVolumeClaims: must('', 'persistentvolumeclaims'),
  leases: must('coordination.k8s.io', 'leases'),
} as const;

export const UID_INDEX = 'uid';
export const OWNER_UID_INDEX = 'ownerUid';
export const NODE_NAME_INDEX = 'nodeName';

/** Indexers every informer gets (they must exist before it starts): by uid and by owner uid, pods by node. */
export function standardIndexers(r: ResourceInfo): Record<string, IndexFunc<KubeObject>> {
  const idx: Record<string, IndexFunc<KubeObject>> = {
    [UID_INDEX]: (o) => (o.metadata?.uid ? [o.metadata.uid] : []),
    [OWNER_UID_INDEX]: (o) => (o.metadata?.ownerReferences ?? []).map((ref) => ref.uid),
  };
  if (r.group === '' && r.plural === 'pods') {
    idx[NODE_NAME_INDEX] = (o) => {
      const node = (o as { spec?: { nodeName?: string } }).spec?.nodeName;
      return node ? [node] : [];
    };
  }
  return idx;
}
