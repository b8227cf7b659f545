// What a control-plane chaos run records, in the shapes the checkers read. Everything is
// plain data (ms since the run began, object summaries) so that the checkers are pure
// functions and their known-bad tests can write histories by hand.

/** The part of a Pod the checkers look at. `deployment` is the value of the workload's label. */
export interface PodView {
  name: string;
  uid: string;
  deployment: string;
  nodeName: string;
  /** deletionTimestamp set, or phase Succeeded/Failed: no longer counts against replicas + maxSurge. */
  terminated: boolean;
  ready: boolean;
}

export interface DeploymentView {
  name: string;
  uid: string;
  generation: number;
  replicas: number;
  observedGeneration: number;
  statusReplicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
}

export interface ReplicaSetView {
  name: string;
  uid: string;
  deployment: string;
  replicas: number;
  statusReplicas: number;
}

/**
 * One step of a recorded list+watch: a full list (a consistent snapshot: the state is replaced
 * as a whole, so no intermediate state of a re-list is ever judged) or one watch event.
 */
export type Observation<T> =
  | { t: number; kind: 'list'; items: T[] }
  | { t: number; kind: 'event'; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T };

/** Replays observations into the state they describe; `visit` sees the state after each step. */
export function replay<T>(obs: readonly Observation<T>[], key: (o: T) => string,
  visit: (state: ReadonlyMap<string, T>, step: Observation<T>, removed: readonly T[]) => void): Map<string, T> {
  const state = new Map<string, T>();
  for (const o of obs) {
    const removed: T[] = [];
    if (o.kind === 'list') {
      const next = new Map(o.items.map((i) => [key(i), i] as const));
      for (const [k, v] of state) if (!next.has(k)) removed.push(v);
      state.clear();
      for (const [k, v] of next) state.set(k, v);
    } else if (o.type === 'DELETED') {
      const old = state.get(key(o.object));
      state.delete(key(o.object));
      removed.push(old ?? o.object);
    } else {
      state.set(key(o.object), o.object);
    }
    visit(state, o, removed);
  }
  return state;
}

export type ApiOpKind = 'create' | 'scale' | 'update' | 'delete' | 'write' | 'read' | 'kubectl-get' | 'kubectl-apply';

/** One request of the workload: one attempt, no retry; ret null = failed or timed out. */
export interface ApiOp {
  id: number;
  kind: ApiOpKind;
  via: 'api' | 'kubectl';
  /** The Deployment (or ConfigMap) it touched. */
  target: string;
  call: number;
  ret: number | null;
  error?: string;
  /** A failure that certainly did not apply the write (refused connection, an API error status). */
  notApplied?: boolean;
  /** create / scale: the replicas written; delete: 0. */
  replicas?: number;
  maxSurge?: number | string;
}

export const isWriteOp = (o: ApiOp): boolean => o.kind !== 'read' && o.kind !== 'kubectl-get';
