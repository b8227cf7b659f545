// A member's data directory: <data-dir>/wal (the Raft log and hard state) and
// <data-dir>/snap (state machine snapshots). Opening it yields everything the Raft core
// and the state machine need to resume: a new cluster is bootstrapped like etcd (initial
// members as committed AddNode entries carrying their peer URLs), a restart loads the
// newest snapshot and the deltas after it (member.ts), and replays the WAL after those.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeConfChange } from '../raft/confchange.js';
import { MemoryStorage } from '../raft/memory-storage.js';
import { ConfChangeType, type Entry, EntryType, type Snapshot } from '../raft/types.js';
import { EMPTY_BYTES } from '../mvcc/bytes.js';
import { type LoadedSnapshot, Snapshotter } from '../snapshot/index.js';
import { WAL, type WalWarning } from '../wal/index.js';
import { MEMBER_EXTEND_AHEAD_BYTES } from '../wal/limits.js';
import { Applier } from './applier.js';
import { computeClusterId, computeMemberId, raftId } from './members.js';
import type { MemberOptions } from './options.js';
import { encodeConfContext } from './request.js';

export interface OpenedDataDir {
  wal: WAL;
  snapshotter: Snapshotter;
  raftStorage: MemoryStorage;
  applier: Applier;
  /** Index the state machine holds (the snapshot's): Raft re-delivers entries after it. */
  applied: number;
  /**
   * The snapshot files loaded, for the member's next delta to chain onto (undefined: none);
   * baseBytes and deltaBytes count the store's image in them (member.ts SnapshotChain).
   */
  snapshotChain?: { index: number; rev: number; baseBytes: number; deltaBytes: number; deltas: number };
  /** Whether raftStorage's snapshot holds the whole state to send a follower (not after a chain of deltas). */
  snapshotSendable: boolean;
  clusterId: bigint;
  memberId: bigint;
  warnings: WalWarning[];
  fresh: boolean;
}

function u64Bytes(v: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return new Uint8Array(b);
}

function bytesU64(b: Uint8Array): bigint {
  return Buffer.from(b).readBigUInt64BE(0);
}

export function initialMembers(o: MemberOptions): { ids: Map<string, bigint>; clusterId: bigint } {
  const ids = new Map<string, bigint>();
  for (const [name, urls] of o.initialCluster) ids.set(name, computeMemberId(urls, o.initialClusterToken));
  return { ids, clusterId: computeClusterId([...ids.values()]) };
}

export async function openDataDir(o: MemberOptions): Promise<OpenedDataDir> {
  const walDir = join(o.dataDir, 'wal');
  const snapshotter = new Snapshotter(join(o.dataDir, 'snap'));
  if (existsSync(walDir) && readdirSync(walDir).some((f) => f.endsWith('.wal'))) return restart(walDir, snapshotter);
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  return bootstrap(o, walDir, snapshotter);
}

/**
 * Restores the applier from a full snapshot and the deltas after it (Applier.restoreChain).
 * A delta that does not fit is refused with the files named: they passed their CRCs, so
 * this is a bug, not a damaged disk.
 */
export function restoreSnapshotChain(applier: Applier, loaded: LoadedSnapshot,
): { baseImageBytes: number; deltaImageBytes: number } {
  try {
    return applier.restoreChain(loaded.snapshot.data, loaded.deltas.map((d) => d.snapshot.data));
  } catch (e) {
    if (loaded.deltas.length === 0) throw e;
    throw new Error(`the snapshot deltas ${loaded.deltas.map((d) => d.file).join(', ')} do not replay onto the ` +
      `snapshot before them: ${(e as Error).message}`, { cause: e });
  }
}

async function restart(walDir: string, snapshotter: Snapshotter): Promise<OpenedDataDir> {
  const loaded = await snapshotter.loadNewest();
  const applier = new Applier();
  let snapshot: Snapshot | undefined;
  let chain: OpenedDataDir['snapshotChain'];
  let snapshotSendable = true;
  if (loaded) {
    const newest = loaded.deltas[loaded.deltas.length - 1]?.snapshot ?? loaded.snapshot;
    const sizes = restoreSnapshotChain(applier, loaded);
    // The Raft storage's snapshot: the newest link's index, term and membership. Its data is
    // the whole state only without deltas; after a chain the state is not encoded as one
    // image at start (that took a second of a 250k-revision restart), and the member takes
    // a full snapshot when a follower needs one sent (member.ts #raftStorageView).
    snapshot = { metadata: newest.metadata, data: loaded.deltas.length === 0 ? loaded.snapshot.data : EMPTY_BYTES };
    snapshotSendable = loaded.deltas.length === 0;
    chain = { index: newest.metadata.index, rev: applier.store.currentRevision,
      baseBytes: sizes.baseImageBytes, deltaBytes: sizes.deltaImageBytes, deltas: loaded.deltas.length };
  }
  const opened = await WAL.open(walDir, {
    extendAheadBytes: MEMBER_EXTEND_AHEAD_BYTES, ...(snapshot ? { fromSnapshot: snapshot.metadata } : {}),
  });
  const raftStorage = new MemoryStorage({
    ...(snapshot ? { snapshot } : {}),
    hardState: opened.hardState,
  });
  raftStorage.append(opened.entries);
  // The commit index is at least the snapshot's: a snapshot holds only committed state.
  const hs = raftStorage.hardState();
  if (snapshot && hs.commit < snapshot.metadata.index) {
    raftStorage.setHardState({ ...hs, commit: snapshot.metadata.index });
  }
  return {
    wal: opened.wal, snapshotter, raftStorage, applier, applied: snapshot?.metadata.index ?? 0,
    ...(chain ? { snapshotChain: chain } : {}), snapshotSendable,
    clusterId: bytesU64(opened.metadata.clusterId), memberId: bytesU64(opened.metadata.memberId),
    warnings: opened.warnings, fresh: false,
  };
}

async function bootstrap(o: MemberOptions, walDir: string, snapshotter: Snapshotter): Promise<OpenedDataDir> {
  const { ids, clusterId } = initialMembers(o);
  const memberId = ids.get(o.name);
  if (memberId === undefined) throw new Error(`--name ${o.name} is not in --initial-cluster (${[...ids.keys()].join(', ')})`);
  const wal = await WAL.create(walDir, {
    metadata: { clusterId: u64Bytes(clusterId), memberId: u64Bytes(memberId) },
    extendAheadBytes: MEMBER_EXTEND_AHEAD_BYTES,
  });
  let raftStorage: MemoryStorage;
  if (o.initialClusterState === 'new') {
    // As etcd: the initial members are committed AddNode entries of term 1.
    const entries: Entry[] = [...o.initialCluster].map(([name, peerUrls], i) => ({
      term: 1, index: i + 1, type: EntryType.ConfChange,
      data: encodeConfChange({
        type: ConfChangeType.AddNode, nodeId: raftId(ids.get(name)!),
        context: encodeConfContext({
          id: '', memberId: ids.get(name)!, name, peerUrls, isLearner: false, clusterToken: o.initialClusterToken,
        }),
      }),
    }));
    const hardState = { term: 1, vote: '', commit: entries.length };
    await wal.save({ entries, hardState });
    raftStorage = new MemoryStorage({
      confState: { voters: [...ids.values()].map(raftId).sort(), learners: [] }, entries, hardState,
    });
  } else {
    // Joining an existing cluster: the log (or a snapshot) from the leader brings membership.
    raftStorage = new MemoryStorage();
  }
  return {
    wal, snapshotter, raftStorage, applier: new Applier(), applied: 0, snapshotSendable: true, clusterId, memberId,
    warnings: [], fresh: true,
  };
}
