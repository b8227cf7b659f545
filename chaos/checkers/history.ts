// The recorded history of a chaos run: every client operation with its invocation and
// completion time (monotonic ms since the run began), input and output; an operation whose
// outcome is unknown (timeout, dropped connection) has `ret: null` — it may or may not have
// taken effect. Watchers record every response they received, in order.

/** What a read saw for one key; an absent key is `value: null, modRev: 0`. */
export interface KvRead {
  value: string | null;
  modRev: number;
  /** Lease attached (decimal id); '0' or absent: none. */
  lease?: string;
}

export type KvInput =
  | { kind: 'get'; key: string }
  | { kind: 'list'; prefix: string }
  | { kind: 'put'; key: string; value: string; lease?: string }
  | { kind: 'delete'; key: string }
  /** Txn(If(ModRevision(key) = expectModRev), Then(Put(key, value)), Else(Get(key))). */
  | { kind: 'cas'; key: string; expectModRev: number; value: string }
  | { kind: 'leaseGrant'; ttlSeconds: number }
  /** `keys`: the keys this client attached to the lease (what a revoke may delete). */
  | { kind: 'leaseRevoke'; lease: string; keys: string[] };

export type KvOutput =
  | { kind: 'get'; kv: KvRead; revision: number }
  | { kind: 'list'; kvs: Record<string, KvRead>; revision: number }
  | { kind: 'put'; revision: number }
  | { kind: 'delete'; deleted: number; revision: number }
  | { kind: 'cas'; succeeded: boolean; revision: number; current?: KvRead }
  | { kind: 'leaseGrant'; lease: string }
  | { kind: 'leaseRevoke'; revision: number };

export interface Operation {
  id: number;
  client: number;
  input: KvInput;
  /** Invocation, ms since the run began (monotonic). */
  call: number;
  /** Completion; null when the outcome is unknown. */
  ret: number | null;
  output?: KvOutput;
  /** Why the outcome is unknown (or the definite error). */
  error?: string;
}

export interface WatchEventRec {
  type: 'PUT' | 'DELETE';
  key: string;
  value: string | null;
  modRev: number;
}

export type WatchResponseRec =
  | { at: number; kind: 'events'; headerRevision: number; events: WatchEventRec[] }
  | { at: number; kind: 'progress'; revision: number };

export interface WatcherHistory {
  id: number;
  /** Watched prefix. */
  prefix: string;
  /** First revision asked for (always explicit, so what it must see is known). */
  startRevision: number;
  /** True when the watcher was started from a past revision (the "resumable" property). */
  resumed: boolean;
  responses: WatchResponseRec[];
  /** Revision up to which the watcher is known complete (caught up at the end), 0 if never. */
  caughtUpRevision: number;
  error?: string;
}

/** The store's own record of every change (a watch from revision 1 after healing). */
export interface ReferenceHistory {
  events: WatchEventRec[];
  /** Revision of the final read; every event up to it is in `events`. */
  finalRevision: number;
}

/** A final linearizable read of every key after healing. */
export interface FinalRead {
  at: number;
  revision: number;
  kvs: Record<string, KvRead>;
}

export function describeInput(i: KvInput): string {
  switch (i.kind) {
    case 'get': return `get(${i.key})`;
    case 'list': return `list(${i.prefix}*)`;
    case 'put': return `put(${i.key}, ${i.value}${i.lease !== undefined ? `, lease ${i.lease}` : ''})`;
    case 'delete': return `delete(${i.key})`;
    case 'cas': return `cas(${i.key}, if mod=${i.expectModRev}, ${i.value})`;
    case 'leaseGrant': return `leaseGrant(${i.ttlSeconds}s)`;
    case 'leaseRevoke': return `leaseRevoke(${i.lease})`;
  }
}

export function describeRead(r: KvRead): string {
  return r.value === null ? 'absent' : `${r.value}@${r.modRev}`;
}

export function describeOutput(op: Operation): string {
  const o = op.output;
  if (op.ret === null || o === undefined) return `unknown${op.error !== undefined ? ` (${op.error})` : ''}`;
  switch (o.kind) {
    case 'get': return `${describeRead(o.kv)} rev ${o.revision}`;
    case 'list': return `${Object.keys(o.kvs).length} keys rev ${o.revision}`;
    case 'put': return `ok rev ${o.revision}`;
    case 'delete': return `deleted ${o.deleted} rev ${o.revision}`;
    case 'cas': return o.succeeded ? `ok rev ${o.revision}` : `failed, saw ${o.current ? describeRead(o.current) : '?'}`;
    case 'leaseGrant': return `lease ${o.lease}`;
    case 'leaseRevoke': return `ok rev ${o.revision}`;
  }
}
