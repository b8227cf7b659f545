// `flotilla store snapshot restore FILE`: build a member's data directory from a snapshot
// saved with `etcdctl snapshot save`, for a NEW cluster (as `etcdutl snapshot restore`):
// the key-value data, leases and revisions come from the file; the membership is replaced
// by --initial-cluster, so every member of the new cluster restores the same file with its
// own --name and they start identical.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSnapshotFile } from '../api/snapshot-file.js';
import { MvccStore } from '../mvcc/index.js';
import { Snapshotter } from '../snapshot/index.js';
import { WAL } from '../wal/index.js';
import { Applier } from './applier.js';
import { initialMembers } from './data-dir.js';
import { raftId } from './members.js';
import type { MemberOptions } from './options.js';
import { unpackState } from './request.js';

/** A member snapshot holds the MVCC image plus membership and alarms (raft-backend.ts writes it). */
export const MEMBER_SNAPSHOT_VERSION = 'flotilla-member/1';

export type RestoreOptions = Pick<MemberOptions,
  'name' | 'dataDir' | 'initialCluster' | 'initialClusterToken' | 'initialAdvertisePeerUrls'>;

function u64(v: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return new Uint8Array(b);
}

/** The state machine in a saved snapshot: a member's full state, or a bare MVCC image. */
function stateFrom(file: Uint8Array): Applier {
  const { version, payload } = readSnapshotFile(file);
  const applier = new Applier();
  if (version === MEMBER_SNAPSHOT_VERSION) {
    const state = unpackState<{ mvcc: Uint8Array }>(payload);
    applier.store = MvccStore.fromSnapshot(state.mvcc);
  } else if (version.startsWith('flotilla-mvcc/')) {
    applier.store = MvccStore.fromSnapshot(payload);
  } else {
    throw new Error(`snapshot version "${version}" is not one Flotilla can restore`);
  }
  return applier;
}

export async function restoreSnapshot(file: string, o: RestoreOptions): Promise<{ memberId: bigint; index: number }> {
  if (existsSync(o.dataDir) && readdirSync(o.dataDir).length > 0) {
    throw new Error(`--data-dir ${o.dataDir} exists and is not empty: restore only into a new directory`);
  }
  const applier = stateFrom(new Uint8Array(readFileSync(file)));
  const { ids, clusterId } = initialMembers({ ...o, initialClusterState: 'new' } as MemberOptions);
  const memberId = ids.get(o.name);
  if (memberId === undefined) throw new Error(`--name ${o.name} is not in --initial-cluster`);
  // The new cluster's membership; alarms and request history stay with the old cluster.
  for (const [name, peerUrls] of o.initialCluster) {
    applier.members.upsert({ id: ids.get(name)!, name, peerUrls, clientUrls: [], isLearner: false });
  }
  applier.clusterToken = o.initialClusterToken;
  // As etcd: the restored state sits at an index one per member, term 1, all committed.
  const index = o.initialCluster.size;
  const confState = { voters: [...ids.values()].map(raftId).sort(), learners: [] };
  const snapshot = { metadata: { index, term: 1, confState }, data: applier.snapshot() };
  await new Snapshotter(join(o.dataDir, 'snap')).save(snapshot);
  const wal = await WAL.create(join(o.dataDir, 'wal'), { metadata: { clusterId: u64(clusterId), memberId: u64(memberId) } });
  await wal.save({ snapshotMarker: { index, term: 1 }, hardState: { term: 1, vote: '', commit: index } });
  await wal.close();
  return { memberId, index };
}
