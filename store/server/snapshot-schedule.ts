// When a member takes its next snapshot (§7). Every member snapshots every --snapshot-count
// applied entries, each at its own phase in that cycle — its rank among the members ×
// count / members — so no two members of a cluster snapshot at once: a snapshot costs its
// member CPU for a while (on shared cores), and the leader commits on a quorum of acks,
// which a follower in the middle of one is slow to give. (Measured with the earlier random
// per-member offsets: two followers snapshotting together stalled put-512 for a quarter of
// a second.) The next one is at least half a cycle after the last, so a restart or an
// installed snapshot does not bring one at once.

export interface SnapshotSchedule {
  /** Index of this member's last snapshot (or of the state it started from). */
  lastIndex: number;
  /** --snapshot-count. */
  count: number;
  /** Raft ids of the members, voters and learners (any order). */
  members: readonly string[];
  self: string;
}

/** The applied index at which the next snapshot is due. */
export function nextSnapshotIndex(s: SnapshotSchedule): number {
  const count = Math.max(1, s.count);
  const sorted = [...s.members].sort();
  const rank = Math.max(0, sorted.indexOf(s.self));
  const phase = Math.floor((count * rank) / Math.max(1, sorted.length));
  const earliest = s.lastIndex + Math.ceil(count / 2);
  return earliest + ((((phase - earliest) % count) + count) % count);
}
