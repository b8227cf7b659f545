// A store member's settings, named after etcd's flags (`flotilla store --help` lists them),
// and every bound of the member process in one place.

export interface MemberOptions {
  name: string;
  dataDir: string;
  listenClientUrls: string[];
  advertiseClientUrls: string[];
  listenPeerUrls: string[];
  initialAdvertisePeerUrls: string[];
  /** name → peer URLs, from --initial-cluster "a=http://...,b=http://...". */
  initialCluster: Map<string, string[]>;
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  snapshotCount: number;
  quotaBackendBytes: number;
  /** Hours of history to keep (etcd's periodic mode); 0 disables auto compaction. */
  autoCompactionRetentionHours: number;
  /** Where /metrics, /livez, /readyz and /health are served. */
  listenMetricsUrls: string[];
  /**
   * How often the leader replicates remaining lease TTLs. After a leader change a lease
   * has at most this much (plus an election timeout) more time than it should.
   */
  leaseCheckpointIntervalMs: number;
}

export const MEMBER_LIMITS = Object.freeze({
  /** etcd's request timeout: 5 s plus two election timeouts (added at use). */
  requestTimeoutBaseMs: 5000,
  /** Proposals waiting to be handed to Raft; beyond this clients get "too many requests". */
  maxQueuedProposals: 16384,
  /** Proposals (applied or not) a member tracks for answers; same bound. */
  maxPendingProposals: 65536,
  /** Linearizable reads waiting for a ReadIndex round. */
  maxPendingReads: 65536,
  /** How often requests past their timeout are failed (the timeout is this late at most). */
  requestExpiryCheckMs: 100,
  /** A ReadIndex round not answered within this is retried (etcd: 500 ms). */
  readIndexRetryMs: 500,
  /** Lease revocations proposed per expiry check (etcd: 500 per second). */
  maxLeaseRevokesPerCheck: 250,
  leaseExpiryCheckMs: 500,
  /** Default of --lease-checkpoint-interval. */
  leaseCheckpointIntervalMs: 5000,
  maxLeaseCheckpointsPerEntry: 1000,
  /** Entries kept behind a snapshot for slow followers (etcd: 5000). */
  snapshotCatchUpEntries: 5000,
  watchSyncIntervalMs: 100,
  watchProgressNotifyMs: 10 * 60 * 1000,
  /** A heartbeat tick this late (the event loop was blocked) is logged as a stall. */
  tickLateWarnMs: 200,
  /** A stall is logged this long after it ended, once the GC pauses inside it are reported. */
  stallReportDelayMs: 50,
  /** Recent GC pauses remembered to explain a stall. */
  gcPausesKept: 64,
  /** A member that left the membership stays connected this long, so what was sent it arrives. */
  removedPeerLingerMs: 1000,
  /** Graceful shutdown: time to hand leadership over. */
  leaderTransferTimeoutMs: 3000,
});

export function requestTimeoutMs(o: Pick<MemberOptions, 'electionTimeoutMs'>): number {
  return MEMBER_LIMITS.requestTimeoutBaseMs + 2 * o.electionTimeoutMs;
}

export function hostPort(url: string, what: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${what}: "${url}" is not a URL (expected http://host:port)`);
  }
  if (u.protocol !== 'http:') throw new Error(`${what}: "${url}" must be http:// (TLS is not built yet)`);
  const port = Number(u.port || 80);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/** Parse etcd's --initial-cluster: "name=url,name=url2,other=url3". */
export function parseInitialCluster(s: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--initial-cluster: "${part}" is not name=url`);
    const name = part.slice(0, eq);
    const url = part.slice(eq + 1);
    hostPort(url, `--initial-cluster member ${name}`);
    m.set(name, [...(m.get(name) ?? []), url]);
  }
  if (m.size === 0) throw new Error('--initial-cluster is empty');
  return m;
}
