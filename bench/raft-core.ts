// The ceiling the real store can approach: proposals committed per second by the pure
// Raft core in a 3-member in-memory cluster — no disk, no network, no encoding. Each
// round proposes a batch on the leader and runs every member's Ready loop until the
// batch is committed and applied everywhere; the time is ours alone.
import { TestCluster } from '../store/raft/testing/cluster.js';
import { cpuSeconds, machineFacts } from './report.js';

export interface RaftCoreBenchOptions {
  seconds: number;
  batch: number;
  valueBytes: number;
  members: number;
}

export interface RaftCoreBenchResult {
  name: 'raft-core';
  options: RaftCoreBenchOptions;
  committed: number;
  elapsedSeconds: number;
  commitsPerSecond: number;
  cpuSeconds: number;
  machine: ReturnType<typeof machineFacts>;
}

export function runRaftCoreBench(options: RaftCoreBenchOptions): RaftCoreBenchResult {
  const ids = Array.from({ length: options.members }, (_, i) => String(i + 1));
  const cluster = new TestCluster(ids, { config: { limits: { maxInflightMessages: 1024 } } });
  cluster.campaign('1');
  const leader = cluster.member('1').node;
  const value = new Uint8Array(options.valueBytes).fill(120);
  const batch = Array.from({ length: options.batch }, () => value);
  // Warm-up: let the JIT settle before measuring.
  for (let i = 0; i < 200; i++) {
    leader.proposeBatch(batch);
    cluster.stabilize();
  }
  for (const m of cluster.members.values()) m.applied.length = 0;
  cluster.sent.length = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const endAt = start + options.seconds * 1000;
  let committed = 0;
  while (performance.now() < endAt) {
    const accepted = leader.proposeBatch(batch);
    if (!accepted.ok) throw new Error(`proposal refused: ${JSON.stringify(accepted.reason)}`);
    cluster.stabilize();
    committed += options.batch;
    // Keep memory flat: the bench measures the core, not array growth.
    for (const m of cluster.members.values()) m.applied.length = 0;
    cluster.sent.length = 0;
    compactAll(cluster);
  }
  const elapsedSeconds = (performance.now() - start) / 1000;
  for (const id of ids) {
    const st = cluster.member(id).node.status();
    if (st.applied !== st.commit) throw new Error(`member ${id} applied ${st.applied} of ${st.commit}`);
  }
  return {
    name: 'raft-core', options, committed, elapsedSeconds,
    commitsPerSecond: committed / elapsedSeconds, cpuSeconds: cpuSeconds(cpu), machine: machineFacts(),
  };
}

/** Compact every member's log behind what it applied, as the store does after snapshots. */
function compactAll(cluster: TestCluster): void {
  for (const m of cluster.members.values()) {
    const applied = m.node.status().applied;
    if (applied - m.storage.firstIndex() > 10_000) {
      m.storage.createSnapshot(applied, m.confState, new Uint8Array(0));
      m.storage.compact(applied);
    }
  }
}
