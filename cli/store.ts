// `flotilla store`: a Raft store member with etcd's flag names, so a 3-member cluster
// starts exactly like etcd's documented local cluster.
import type { Command } from 'commander';
import { MEMBER_LIMITS, type MemberOptions, parseInitialCluster } from '../store/server/options.js';
import { runMember } from '../store/server/process.js';
import { restoreSnapshot } from '../store/server/restore.js';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
}

interface StoreFlags {
  name: string;
  dataDir?: string;
  listenClientUrls: string;
  advertiseClientUrls?: string;
  listenPeerUrls: string;
  initialAdvertisePeerUrls?: string;
  initialCluster?: string;
  initialClusterState: string;
  initialClusterToken: string;
  heartbeatInterval: number;
  electionTimeout: number;
  snapshotCount: number;
  quotaBackendBytes: number;
  autoCompactionRetention: string;
  listenMetricsUrls?: string;
  leaseCheckpointInterval: number;
}

export function toMemberOptions(f: StoreFlags): MemberOptions {
  const listenClientUrls = list(f.listenClientUrls);
  const listenPeerUrls = list(f.listenPeerUrls);
  const initialAdvertisePeerUrls = list(f.initialAdvertisePeerUrls ?? f.listenPeerUrls);
  if (f.initialClusterState !== 'new' && f.initialClusterState !== 'existing') {
    throw new Error(`--initial-cluster-state must be "new" or "existing", got "${f.initialClusterState}"`);
  }
  if (f.electionTimeout < 5 * f.heartbeatInterval) {
    throw new Error(`--election-timeout (${f.electionTimeout} ms) must be at least 5x --heartbeat-interval (${f.heartbeatInterval} ms)`);
  }
  const firstClient = new URL(listenClientUrls[0] ?? 'http://127.0.0.1:2379');
  const metricsDefault = `http://${firstClient.hostname}:${Number(firstClient.port || 2379) + 2}`;
  return {
    name: f.name,
    dataDir: f.dataDir ?? `${f.name}.flotilla`,
    listenClientUrls,
    advertiseClientUrls: list(f.advertiseClientUrls ?? f.listenClientUrls),
    listenPeerUrls,
    initialAdvertisePeerUrls,
    initialCluster: parseInitialCluster(f.initialCluster ?? `${f.name}=${initialAdvertisePeerUrls[0]}`),
    initialClusterState: f.initialClusterState,
    initialClusterToken: f.initialClusterToken,
    heartbeatIntervalMs: f.heartbeatInterval,
    electionTimeoutMs: f.electionTimeout,
    snapshotCount: f.snapshotCount,
    quotaBackendBytes: f.quotaBackendBytes,
    autoCompactionRetentionHours: Number(f.autoCompactionRetention) || 0,
    listenMetricsUrls: list(f.listenMetricsUrls ?? metricsDefault),
    leaseCheckpointIntervalMs: f.leaseCheckpointInterval,
  };
}

function registerRestore(store: Command): void {
  store
    .command('snapshot')
    .description('snapshot tools')
    .command('restore <file>')
    .description('build a new member data dir from an `etcdctl snapshot save` file (for a new cluster)')
    .requiredOption('--data-dir <dir>', 'the new (empty) data directory')
    .option('--name <name>', 'this member\'s name in --initial-cluster', 'default')
    .option('--initial-cluster <list>', 'name=peerURL,... of the new cluster')
    .option('--initial-cluster-token <token>', 'the new cluster\'s token', 'etcd-cluster')
    .option('--initial-advertise-peer-urls <urls>', 'this member\'s peer URLs', 'http://127.0.0.1:2380')
    .action(async (file: string, f: { dataDir: string; name: string; initialCluster?: string;
      initialClusterToken: string; initialAdvertisePeerUrls: string }) => {
      const peers = list(f.initialAdvertisePeerUrls);
      const r = await restoreSnapshot(file, {
        name: f.name, dataDir: f.dataDir, initialClusterToken: f.initialClusterToken, initialAdvertisePeerUrls: peers,
        initialCluster: parseInitialCluster(f.initialCluster ?? `${f.name}=${peers[0]}`),
      });
      process.stdout.write(`restored ${file} into ${f.dataDir}: member ${r.memberId.toString(16)}, index ${r.index}\n`);
    });
}

export function registerStore(program: Command): void {
  const store = program
    .command('store')
    .description('run a Raft store member that speaks the etcd v3 API (etcd flag names)')
    .option('--name <name>', 'human-readable member name', 'default')
    .option('--data-dir <dir>', 'data directory (default: <name>.flotilla)')
    .option('--listen-client-urls <urls>', 'URLs to serve the etcd v3 API on', 'http://127.0.0.1:2379')
    .option('--advertise-client-urls <urls>', 'client URLs to publish (default: the listen URLs)')
    .option('--listen-peer-urls <urls>', 'URLs to serve Raft peer traffic on', 'http://127.0.0.1:2380')
    .option('--initial-advertise-peer-urls <urls>', 'peer URLs to advertise (default: the listen URLs)')
    .option('--initial-cluster <list>', 'name=peerURL,... of the initial members (default: this member alone)')
    .option('--initial-cluster-state <state>', 'new or existing', 'new')
    .option('--initial-cluster-token <token>', 'cluster token; every member of a cluster uses the same', 'etcd-cluster')
    .option('--heartbeat-interval <ms>', 'heartbeat interval (ms)', int('heartbeat-interval'), 100)
    .option('--election-timeout <ms>', 'election timeout (ms)', int('election-timeout'), 1000)
    .option('--snapshot-count <n>', 'applied entries between snapshots', int('snapshot-count'), 100000)
    .option('--quota-backend-bytes <n>', 'NOSPACE alarm threshold (bytes)', int('quota-backend-bytes'), 2 * 1024 ** 3)
    .option('--auto-compaction-retention <hours>', 'hours of history to keep (0: off)', '0')
    .option('--listen-metrics-urls <urls>', 'URLs for /metrics, /livez, /readyz, /health (default: client port + 2)')
    .option('--lease-checkpoint-interval <ms>', 'how often the leader replicates remaining lease TTLs (ms)',
      int('lease-checkpoint-interval'), MEMBER_LIMITS.leaseCheckpointIntervalMs)
    .action(async (flags: StoreFlags) => {
      let running: Awaited<ReturnType<typeof runMember>>;
      try {
        running = await runMember(toMemberOptions(flags));
      } catch (e) {
        // Refuse loudly (a damaged WAL, a bad flag, a port in use) — never serve from a broken state.
        const err = e as Error & { code?: string };
        process.stderr.write(JSON.stringify({ level: 60, msg: 'flotilla store failed to start', code: err.code,
          error: err.message }) + '\n');
        process.exit(1);
      }
      let signals = 0;
      const onSignal = (sig: string) => {
        if (++signals > 1) process.exit(1);
        running.member.log.info({ signal: sig }, 'shutting down');
        const force = setTimeout(() => process.exit(1), MEMBER_LIMITS.leaderTransferTimeoutMs + 5000);
        force.unref();
        void running.stop().then(() => process.exit(process.exitCode ?? 0));
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      // Removed from the cluster, or failed: the member stopped itself; so does the process.
      void running.stopped.then(() => process.exit(process.exitCode ?? 0));
    });
  registerRestore(store);
}
