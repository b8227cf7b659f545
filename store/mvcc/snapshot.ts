// The whole replicated state as one byte string, for Raft snapshots. msgpack via msgpackr
// with records off (record structures are stateful across calls; a snapshot must decode
// on its own) and 64-bit integers as bigint (lease IDs). The layout is canonical — keys in
// byte order, a key's revisions in order, leases by ID — so equal states give equal bytes.
//
// [FORMAT, currentRev, compactRev, keys, leases]
//   keys:   [[key, main, sub, tombstone(0/1), createRev, version, value, lease, main, ...], ...]
//   leases: [id, grantedTtl, remainingTtl, id, ...]
// Watchers are connection state, not replicated state: they are not in a snapshot.
//
// A delta (snapshot-encode.ts, `sinceRev`): what changed after the state at fromRev.
// [DELTA_FORMAT, fromRev, currentRev, compactRev, changes, leases]
//   changes: [key, main, sub, tombstone(0/1), createRev, version, value, lease, key, ...]
//            every revision in (fromRev, currentRev], in revision order
//   leases:  all of them, as above (few and mutable: cheaper whole than as changes)
// decodeSnapshotChain replays changes through the same write path the store uses, checks
// each result against the recorded fields, and compacts to compactRev: compaction keeps
// for each key what revisions up to compactRev alone decide, so compacting after the later
// revisions are in gives the state the member reached by compacting before them.

import { Packr } from 'msgpackr';
import { KvState } from './kv-state.js';
import { Lessor } from './lessor.js';
import type { KeyHistory, Revision, RevisionLog } from './history.js';
import type { KeyValue } from './types.js';
import { NO_LEASE, sharedLease } from './types.js';
import { bytesToKey, EMPTY_BYTES } from './bytes.js';
import { invariant } from './errors.js';
import { DEFAULT_MVCC_LIMITS, SNAPSHOT_FORMAT_VERSION } from './limits.js';
import { encodeSnapshotSteps, SNAPSHOT_DELTA_FORMAT_VERSION } from './snapshot-encode.js';

const packr = new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: false });

const FIELDS_PER_REVISION = 7;
const FIELDS_PER_LEASE = 3;

/**
 * The replicated state as of one revision, captured in O(keys) without copying a revision,
 * so a member can encode it a step at a time while it keeps applying writes. Sound because
 * revisions are frozen and a key's `revs` array only ever grows by push or is replaced whole
 * by compaction (history.ts): the array and its length at capture pin exactly the revisions
 * that existed then. Leases are few and mutable, so they are copied.
 */
export interface SnapshotImage {
  readonly currentRev: number;
  readonly compactRev: number;
  readonly keys: readonly Uint8Array[];
  readonly revs: readonly (readonly Revision[])[];
  readonly counts: readonly number[];
  /** Flattened [id, grantedTtl, remainingTtl, ...], by lease id. */
  readonly leases: readonly unknown[];
  /** The live revision log, for a delta (its records up to currentRev are frozen; compaction drops old ones). */
  readonly log: RevisionLog;
}

export function captureSnapshot(kv: KvState, lessor: Lessor): SnapshotImage {
  invariant(!kv.writing, 'snapshot captured inside a write batch');
  const keys: Uint8Array[] = [];
  const revs: Revision[][] = [];
  const counts: number[] = [];
  kv.tree.scan('', '', (_id, h: KeyHistory) => {
    invariant(h.revs.length > 0, `key ${h.id} in the index without revisions`);
    keys.push(h.key);
    revs.push(h.revs);
    counts.push(h.revs.length);
    return true;
  });
  const leases: unknown[] = [];
  for (const l of lessor.list()) leases.push(l.id, l.grantedTtlSeconds, l.remainingTtlSeconds);
  return { currentRev: kv.currentRev, compactRev: kv.compactRev, keys, revs, counts, leases, log: kv.log };
}

/** Runs a step generator to the end at once (tests, small states, one-shot callers). */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

export function encodeSnapshot(kv: KvState, lessor: Lessor): Uint8Array {
  return runSteps(encodeSnapshotSteps(captureSnapshot(kv, lessor)));
}

function corrupt(what: string): never {
  invariant(false, `snapshot corrupt: ${what}`);
}

function int(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) corrupt(`${what} is not an integer`);
  return x;
}

function big(x: unknown, what: string): bigint {
  if (typeof x !== 'bigint') corrupt(`${what} is not a 64-bit integer`);
  return x;
}

/** Decoded binaries may be Buffers viewing the snapshot; copy so the snapshot can be freed. */
function bytes(x: unknown, what: string): Uint8Array {
  if (!(x instanceof Uint8Array)) corrupt(`${what} is not bytes`);
  return x.length === 0 ? EMPTY_BYTES : new Uint8Array(x);
}

interface Decoded {
  kv: KvState;
  lessor: Lessor;
}

function* decodeRevisions(keys: unknown[]): Generator<{
  id: string; key: Uint8Array; main: number; sub: number; kv: KeyValue; tombstone: boolean;
}> {
  for (const row of keys) {
    if (!Array.isArray(row) || row.length < 1 + FIELDS_PER_REVISION || (row.length - 1) % FIELDS_PER_REVISION !== 0) {
      corrupt('key row shape');
    }
    const key = bytes(row[0], 'key');
    if (key.length === 0) corrupt('empty key');
    const id = bytesToKey(key);
    for (let i = 1; i < row.length; i += FIELDS_PER_REVISION) {
      const main = int(row[i], 'main revision');
      const sub = int(row[i + 1], 'sub revision');
      const tombstone = int(row[i + 2], 'tombstone flag') === 1;
      const createRevision = int(row[i + 3], 'create revision');
      const version = int(row[i + 4], 'version');
      const value = bytes(row[i + 5], 'value');
      const lease = sharedLease(big(row[i + 6], 'lease'));
      if (tombstone && (createRevision !== 0 || version !== 0 || value.length !== 0 || lease !== NO_LEASE)) {
        corrupt('tombstone with a value');
      }
      if (!tombstone && (version < 1 || createRevision < 2 || createRevision > main)) corrupt('put revision fields');
      const kv: KeyValue = Object.freeze({ key, createRevision, modRevision: main, version, value, lease });
      yield { id, key, main, sub, kv, tombstone };
    }
  }
}

function unpackTop(data: Uint8Array): unknown {
  try {
    // A fresh view: msgpackr caches a DataView as a property on the array it decodes.
    return packr.unpack(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    corrupt(`undecodable (${(e as Error).message})`);
  }
}

function decodeLeases(leases: unknown[]): Lessor {
  const lessor = new Lessor();
  for (let i = 0; i < leases.length; i += FIELDS_PER_LEASE) {
    const id = big(leases[i], 'lease id');
    if (id === NO_LEASE || lessor.get(id) !== undefined) corrupt('lease id');
    lessor.grant(id, int(leases[i + 1], 'lease ttl'), int(leases[i + 2], 'lease remaining ttl'));
  }
  return lessor;
}

export function decodeSnapshot(data: Uint8Array, kvOverheadBytes: number): Decoded {
  const top = unpackTop(data);
  if (!Array.isArray(top) || top.length !== 5) corrupt('top-level shape');
  if (top[0] !== SNAPSHOT_FORMAT_VERSION) corrupt(`format ${String(top[0])}, expected ${SNAPSHOT_FORMAT_VERSION}`);
  const currentRev = int(top[1], 'current revision');
  const compactRev = int(top[2], 'compact revision');
  if (currentRev < 1 || compactRev < -1 || compactRev > currentRev) corrupt('revisions out of range');
  const keys = top[3];
  const leases = top[4];
  if (!Array.isArray(keys) || !Array.isArray(leases) || leases.length % FIELDS_PER_LEASE !== 0) corrupt('sections');

  const kv = KvState.restore(kvOverheadBytes, currentRev, compactRev, decodeRevisions(keys));
  const lessor = decodeLeases(leases);
  attachLeases(kv, lessor);
  return { kv, lessor };
}

/** Attachments are derived, as etcd rebuilds them from the key space on restore: each live key to its lease. */
function attachLeases(kv: KvState, lessor: Lessor): void {
  kv.tree.scan('', '', (id, h) => {
    const last = h.latest();
    if (last !== undefined && !last.tombstone && last.kv.lease !== NO_LEASE) {
      if (lessor.get(last.kv.lease) === undefined) corrupt(`key attached to missing lease ${last.kv.lease}`);
      lessor.attach(last.kv.lease, id);
    }
    return true;
  });
}

const FIELDS_PER_DELTA_REVISION = 8;

/** Replays one delta's change of `main`, starting at changes[from]; returns where the next revision starts. */
function replayRevision(kv: KvState, changes: unknown[], from: number, main: number): number {
  const batch = kv.beginWrite();
  if (batch.main !== main) invariant(false, `snapshot delta revision ${main} does not follow ${kv.currentRev}`);
  let i = from;
  for (; i < changes.length && int(changes[i + 1], 'main revision') === main; i += FIELDS_PER_DELTA_REVISION) {
    const key = bytes(changes[i], 'key');
    if (key.length === 0) corrupt('empty key');
    const id = bytesToKey(key);
    if (int(changes[i + 2], 'sub revision') !== batch.changes.length) corrupt(`sub revisions of ${main}`);
    const tombstone = int(changes[i + 3], 'tombstone flag') === 1;
    if (tombstone) {
      const hist = kv.tree.get(id);
      if (hist === undefined || kv.delete(batch, hist) === undefined) corrupt(`delete of a key not live at ${main}`);
    } else {
      kv.put(batch, id, key, bytes(changes[i + 6], 'value'), big(changes[i + 7], 'lease'));
    }
    const r = batch.changes[batch.changes.length - 1]!;
    if (r.kv.createRevision !== int(changes[i + 4], 'create revision') || r.kv.version !== int(changes[i + 5], 'version')) {
      corrupt(`revision ${main} replays to other create revision or version than recorded`);
    }
  }
  if (i === from) corrupt(`delta revisions out of order at ${main}`);
  kv.commit(batch);
  return i;
}

/** Applies one delta to `kv` (at the delta's fromRev); returns the delta's leases. */
function applyDelta(kv: KvState, data: Uint8Array): Lessor {
  const top = unpackTop(data);
  if (!Array.isArray(top) || top.length !== 6) corrupt('delta top-level shape');
  if (top[0] !== SNAPSHOT_DELTA_FORMAT_VERSION) corrupt(`delta format ${String(top[0])}`);
  const fromRev = int(top[1], 'delta base revision');
  const currentRev = int(top[2], 'delta revision');
  const compactRev = int(top[3], 'delta compact revision');
  const changes = top[4];
  const leases = top[5];
  if (fromRev !== kv.currentRev) corrupt(`delta applies on top of revision ${fromRev}, the state is at ${kv.currentRev}`);
  if (currentRev < fromRev || compactRev < kv.compactRev || compactRev > currentRev) corrupt('delta revisions');
  if (!Array.isArray(changes) || changes.length % FIELDS_PER_DELTA_REVISION !== 0) corrupt('delta changes');
  if (!Array.isArray(leases) || leases.length % FIELDS_PER_LEASE !== 0) corrupt('delta leases');
  for (let i = 0; i < changes.length;) i = replayRevision(kv, changes, i, kv.currentRev + 1);
  if (kv.currentRev !== currentRev) corrupt(`delta ends at revision ${kv.currentRev}, not ${currentRev}`);
  if (compactRev > kv.compactRev) kv.compact(compactRev);
  return decodeLeases(leases);
}

/**
 * A full snapshot (encodeSnapshot's bytes) with deltas replayed on top of it in order: the
 * state a restart that loaded a chain of files restores, decoded once and never encoded
 * again. Throws MvccInvariantError ("snapshot corrupt: ...") if a delta does not fit it.
 */
export function decodeSnapshotChain(full: Uint8Array, deltas: readonly Uint8Array[], kvOverheadBytes: number): Decoded {
  const decoded = decodeSnapshot(full, kvOverheadBytes);
  if (deltas.length === 0) return decoded;
  let lessor = decoded.lessor;
  for (const d of deltas) lessor = applyDelta(decoded.kv, d);
  attachLeases(decoded.kv, lessor);
  return { kv: decoded.kv, lessor };
}

/** decodeSnapshotChain as full snapshot bytes again (what the chain amounts to, to compare or to send). */
export function applySnapshotDeltas(full: Uint8Array, deltas: readonly Uint8Array[]): Uint8Array {
  if (deltas.length === 0) return full;
  const { kv, lessor } = decodeSnapshotChain(full, deltas, DEFAULT_MVCC_LIMITS.kvOverheadBytes);
  return encodeSnapshot(kv, lessor);
}
