// `flotilla up`: boots the whole cluster on loopback, in dependency order, showing progress,
// and waits until every member is healthy and every node is Ready. Processes outlive this
// command (they are detached, in their own process groups); `flotilla down` stops them.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiClient } from '../control-plane/client/index.js';
import { findResource, type Node } from '../control-plane/api/index.js';
import { argsFor, type CommandContext } from './commands.js';
import { ensureCredentials, identities } from './credentials.js';
import { checkPorts } from './preflight.js';
import { alive, launch, probe, stopProcess } from './processes.js';
import { type ClusterState, type ProcessRecord, readState, writeState } from './state.js';
import { processSpecs, type Role, type TopologyOptions, validateTopology } from './topology.js';

export interface UpOptions extends TopologyOptions {
  stateDir: string;
  fastNodeLifecycle: boolean;
  timeoutMs: number;
}

const BOOT_ORDER: Role[][] = [['store'], ['apiserver'], ['lb'], ['scheduler', 'controller-manager'], ['node-agent']];

async function waitHealthy(s: ClusterState, recs: ProcessRecord[], caPem: string, deadline: number): Promise<void> {
  for (const r of recs) {
    for (;;) {
      if (await probe(r.healthUrl, caPem)) break;
      if (!alive(r, s)) throw new Error(`${r.id} exited during boot; see ${r.logFile}`);
      if (Date.now() > deadline) throw new Error(`${r.id} not healthy at ${r.healthUrl}; see ${r.logFile}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

function nodeReady(n: Node): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function waitNodes(client: ApiClient, want: number, deadline: number, say: (s: string) => void): Promise<void> {
  const nodes = findResource('', 'nodes')!;
  let last = -1;
  for (;;) {
    const list = await client.list<Node>(nodes).catch(() => undefined);
    const ready = list?.items.filter(nodeReady).length ?? 0;
    if (ready !== last) say(`  nodes Ready: ${ready}/${want}`);
    last = ready;
    if (ready >= want) return;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${want} nodes became Ready`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function boot(s: ClusterState, o: UpOptions, caPem: string, deadline: number,
  say: (s: string) => void): Promise<void> {
  for (const roles of BOOT_ORDER) {
    const recs = s.processes.filter((r) => roles.includes(r.role));
    if (recs.length === 0) continue;
    for (const r of recs) launch(r);
    writeState(s);
    await waitHealthy(s, recs, caPem, deadline);
    say(`  ${roles.join(' + ')}: ${recs.length} healthy`);
  }
  const want = o.workers + o.simulatedNodes;
  if (want === 0) return;
  const client = new ApiClient({ server: s.server, caPem, token: tokenOf(s.kubeconfig) });
  try {
    await waitNodes(client, want, deadline, say);
  } finally {
    client.close();
  }
}

/**
 * Under --fast-node-lifecycle a node's 4 s lease is renewed every second; the simulated agent
 * renews at most --simulated-heartbeat-qps (200) leases per second, so more nodes than this
 * would be declared dead by the lifecycle controller for want of renewals.
 */
const FAST_LIFECYCLE_SIMULATED_NODES_MAX = 150;

export async function up(o: UpOptions, say: (s: string) => void): Promise<ClusterState> {
  validateTopology(o);
  if (o.fastNodeLifecycle && o.simulatedNodes > FAST_LIFECYCLE_SIMULATED_NODES_MAX) {
    throw new Error(`--fast-node-lifecycle supports at most ${FAST_LIFECYCLE_SIMULATED_NODES_MAX} simulated nodes ` +
      `(their 4 s leases must be renewed every second); got --simulated-nodes ${o.simulatedNodes}`);
  }
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const stateDir = resolve(o.stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const previous = readState(stateDir);
  if (previous?.processes.some((r) => alive(r, previous))) {
    throw new Error(`a cluster is already running from ${stateDir}: see \`flotilla status --state-dir ${o.stateDir}\`, ` +
      'or stop it with `flotilla down`');
  }
  const server = `https://127.0.0.1:${o.lbPort}`;
  const credentials = await ensureCredentials(stateDir, server, identities(o.workers, o.simulatedNodes > 0));
  const ctx: CommandContext = { stateDir, topology: o, credentials, fastNodeLifecycle: o.fastNodeLifecycle };
  const s: ClusterState = { version: 1, stateDir, topology: { masters: o.masters, workers: o.workers,
    simulatedNodes: o.simulatedNodes, basePort: o.basePort, lbPort: o.lbPort }, fastNodeLifecycle: o.fastNodeLifecycle,
  kubeconfig: credentials.kubeconfigs['admin']!, server,
  processes: processSpecs(o).map((spec) => ({ ...spec, args: argsFor(ctx, spec),
    logFile: join(stateDir, 'logs', `${spec.id.replace('/', '-')}.log`), pid: undefined, startedAt: undefined })) };
  const caPem = readFileSync(credentials.caFile, 'utf8');
  await checkPorts(o, s.processes);
  say(`flotilla up: ${o.masters} masters, ${o.workers} workers${o.simulatedNodes ? `, ${o.simulatedNodes} simulated nodes` : ''}` +
    ` (state in ${stateDir})`);
  try {
    await boot(s, o, caPem, Date.now() + o.timeoutMs, (m) => say(`${m} (${elapsed()})`));
  } catch (e) {
    // A half-booted cluster is worse than none: stop what this boot started (logs and data stay).
    const started = s.processes.filter((r) => alive(r, s));
    await Promise.all(started.map((r) => stopProcess(r, s, 3000)));
    writeState(s);
    throw new Error(`${(e as Error).message} (stopped the ${started.length} processes this boot had started; ` +
      `logs are in ${join(stateDir, 'logs')})`);
  }
  say(`cluster ready in ${elapsed()}`);
  say(`export KUBECONFIG=${s.kubeconfig}`);
  return s;
}

/** The bearer token of a kubeconfig this package wrote. */
export function tokenOf(kubeconfigPath: string): string {
  const m = /token: (\S+)/.exec(readFileSync(kubeconfigPath, 'utf8'));
  if (!m) throw new Error(`${kubeconfigPath} has no token`);
  return m[1]!.replace(/^"|"$/g, '');
}
