// `flotilla store`: one member process. Serves the etcd v3 gRPC API on each
// --listen-client-urls, Raft peer traffic on --listen-peer-urls, and /metrics, /livez,
// /readyz and /health (etcd's) on --listen-metrics-urls. Logs JSON (pino). On SIGTERM it
// hands leadership over, stops serving, and closes its WAL.
import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { type EtcdApiServer, startEtcdApiServer } from '../api/server.js';
import { openDataDir } from './data-dir.js';
import { Member } from './member.js';
import { type MemberOptions, hostPort } from './options.js';
import { RaftBackend } from './raft-backend.js';

export interface RunningMember {
  member: Member;
  clientPorts: number[];
  stop(): Promise<void>;
  /** Settles once the member has stopped, for whatever reason (signal, removal, fatal error). */
  stopped: Promise<void>;
}

function metricsRegistry(member: Member): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'flotilla_store_' });
  const status = () => member.node.status();
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(value()); } });
  gauge('flotilla_store_is_leader', '1 if this member is the Raft leader', () => (member.isLeader ? 1 : 0));
  gauge('flotilla_store_has_leader', '1 if a leader is known', () => (member.leader !== 0n ? 1 : 0));
  gauge('flotilla_store_raft_term', 'current Raft term', () => status().term);
  gauge('flotilla_store_raft_committed_index', 'Raft commit index', () => status().commit);
  gauge('flotilla_store_raft_applied_index', 'index applied to the state machine', () => status().applied);
  gauge('flotilla_store_mvcc_revision', 'current store revision', () => member.applier.store.currentRevision);
  gauge('flotilla_store_db_size_bytes', 'logical size of the data set', () => member.applier.store.sizeBytes);
  const peerCounter = (name: string, help: string, field: 'messagesSent' | 'framesSent') => new Counter({
    name, help, registers: [registry],
    collect() {
      let n = 0;
      for (const p of Object.values(member.transport.metrics().peers)) n += p[field];
      this.reset();
      this.inc(n);
    },
  });
  gauge('flotilla_store_wal_fsyncs_total', 'WAL fsyncs (and O_DSYNC writes)', () => member.walStats().fsyncs);
  gauge('flotilla_store_wal_saves_total', 'WAL saves (Readys written)', () => member.walStats().savesCommitted);
  gauge('flotilla_store_wal_fsync_seconds_total', 'time in WAL fsyncs and O_DSYNC writes',
    () => member.walStats().fsyncSecondsTotal);
  peerCounter('flotilla_store_peer_messages_sent_total', 'Raft messages sent to peers', 'messagesSent');
  // Frames are socket writes: per operation, they say how well the Ready loop batches.
  peerCounter('flotilla_store_peer_frames_sent_total', 'transport frames (socket writes) sent to peers', 'framesSent');
  return registry;
}

function serveHealth(member: Member, registry: Registry, url: string): Promise<Server> {
  const { host, port } = hostPort(url, '--listen-metrics-urls');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    const ok = path === '/livez' ? true : member.ready;
    if (path === '/livez' || path === '/readyz') {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'ok\n' : 'not ready: no leader or still catching up\n');
      return;
    }
    if (path === '/health') {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ health: String(ok), reason: ok ? '' : 'RAFT NO LEADER' }));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Publish our name and client URLs through Raft once a leader exists (etcd's publish). */
function publishAttributes(member: Member, o: MemberOptions, log: Logger): void {
  const attempt = () => {
    const rec = member.applier.members.get(member.id);
    if (rec && rec.name === o.name && rec.clientUrls.join(',') === o.advertiseClientUrls.join(',')) return;
    member.propose({ op: 'memberAttributes', req: { memberId: member.id, name: o.name, clientUrls: o.advertiseClientUrls } })
      .then(() => log.info('published member attributes'))
      .catch(() => setTimeout(attempt, 500).unref());
  };
  attempt();
}

export async function runMember(
  o: MemberOptions, log: Logger = pino({ base: { member: o.name } }),
): Promise<RunningMember> {
  const opened = await openDataDir(o);
  for (const w of opened.warnings) log.warn({ warning: w }, 'WAL repaired at open');
  const ref: { running?: RunningMember } = {};
  const member = new Member(o, opened, log, {
    onRemoved: () => void ref.running?.stop(),
    onFatal: () => {
      process.exitCode = 1;
      void ref.running?.stop();
    },
  });
  await member.start();
  const backend = new RaftBackend(member);
  const apiServers: EtcdApiServer[] = [];
  for (const url of o.listenClientUrls) {
    const { host, port } = hostPort(url, '--listen-client-urls');
    apiServers.push(await startEtcdApiServer({
      host, port, backend, clusterId: member.clusterId, memberId: member.id, logger: log.child({ component: 'api' }),
    }));
  }
  const registry = metricsRegistry(member);
  const health = await Promise.all(o.listenMetricsUrls.map((u) => serveHealth(member, registry, u)));
  publishAttributes(member, o, log);
  log.info({ memberId: member.id.toString(16), clusterId: member.clusterId.toString(16),
    clientUrls: o.listenClientUrls, peerUrls: o.listenPeerUrls, fresh: opened.fresh }, 'store member started');
  let stopping: Promise<void> | undefined;
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => (markStopped = r));
  const running: RunningMember = {
    member,
    clientPorts: apiServers.map((s) => s.port),
    stopped,
    stop: () => (stopping ??= (async () => {
      log.info('stopping');
      await member.stop();
      await Promise.all(apiServers.map((s) => s.close()));
      backend.close();
      await Promise.all(health.map((h) => new Promise((r) => h.close(r))));
      log.info('stopped');
      markStopped();
    })()),
  };
  ref.running = running;
  return running;
}
