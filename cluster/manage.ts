// `flotilla down`, `flotilla stop TARGET`, `flotilla start TARGET` and `flotilla status` on a
// cluster started by `flotilla up` (found through its state directory).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EtcdClient } from '../store/client/client.js';
import { ApiClient } from '../control-plane/client/index.js';
import { findResource, type Lease, type Node, type Pod } from '../control-plane/api/index.js';
import { nodeRootDirs, stopContainers } from './containers.js';
import { alive, launch, probe, stopProcess } from './processes.js';
import { type ClusterState, type ProcessRecord, readState, writeState } from './state.js';
import { masterPorts } from './topology.js';
import { tokenOf } from './up.js';

const STOP_ORDER = ['node-agent', 'scheduler', 'controller-manager', 'lb', 'apiserver', 'store'];

export function loadState(stateDir: string): ClusterState {
  const s = readState(resolve(stateDir));
  if (!s) throw new Error(`no cluster state in ${resolve(stateDir)} (start one with \`flotilla up\`)`);
  return s;
}

/** Process records matching "master-2", "worker-1", "lb", "sim" or one process "master-2/apiserver". */
export function select(s: ClusterState, target: string): ProcessRecord[] {
  const recs = s.processes.filter((r) => r.id === target || r.machine === target);
  if (recs.length === 0) {
    const machines = [...new Set(s.processes.map((r) => r.machine))];
    throw new Error(`no machine or process "${target}"; machines: ${machines.join(', ')} ` +
      '(or MACHINE/ROLE for one process)');
  }
  return recs;
}

export async function stopTargets(s: ClusterState, recs: ProcessRecord[]): Promise<void> {
  const ordered = [...recs].sort((a, b) => STOP_ORDER.indexOf(a.role) - STOP_ORDER.indexOf(b.role));
  for (const role of STOP_ORDER) {
    await Promise.all(ordered.filter((r) => r.role === role).map((r) => stopProcess(r, s)));
  }
  // A stopped machine's pods stop with it (an agent that died hard could not stop them itself).
  const machines = [...new Set(recs.filter((r) => r.role === 'node-agent').map((r) => r.machine))];
  if (machines.length > 0) await stopContainers(nodeRootDirs(s.stateDir, machines));
}

export function startTargets(s: ClusterState, recs: ProcessRecord[]): ProcessRecord[] {
  const started = recs.filter((r) => !alive(r, s));
  for (const r of started) launch(r);
  writeState(s);
  return started;
}

export async function down(stateDir: string, say: (s: string) => void): Promise<void> {
  const s = loadState(stateDir);
  const running = s.processes.filter((r) => alive(r, s));
  await stopTargets(s, s.processes);
  const left = s.processes.filter((r) => alive(r, s));
  if (left.length > 0) throw new Error(`still running after down: ${left.map((r) => `${r.id} (pid ${r.pid})`).join(', ')}`);
  say(`stopped ${running.length} processes; data kept in ${s.stateDir} (remove it to start afresh)`);
}

async function storeRows(s: ClusterState): Promise<string[]> {
  const rows: string[] = [];
  for (let i = 1; i <= s.topology.masters; i++) {
    const ep = `127.0.0.1:${masterPorts(s.topology, i).storeClient}`;
    const c = new EtcdClient({ endpoints: [ep], requestTimeoutMs: 1500 });
    try {
      const st = await c.status(ep);
      rows.push(`  m${i} ${ep}  ${st.leader === st.memberId ? 'leader  ' : 'follower'}  term ${st.raftTerm}  revision ${st.revision}`);
    } catch (e) {
      rows.push(`  m${i} ${ep}  unreachable (${(e as Error).message.split('\n')[0]})`);
    } finally {
      c.close();
    }
  }
  return rows;
}

async function apiRows(s: ClusterState): Promise<string[]> {
  const caPem = readFileSync(`${s.stateDir}/pki/ca.crt`, 'utf8');
  const client = new ApiClient({ server: s.server, caPem, token: tokenOf(s.kubeconfig), requestTimeoutMs: 3000 });
  const rows: string[] = [];
  try {
    const leases = findResource('coordination.k8s.io', 'leases')!;
    for (const name of ['kube-scheduler', 'kube-controller-manager']) {
      const l = await client.get<Lease>(leases, 'kube-system', name).catch(() => undefined);
      rows.push(`  ${name.padEnd(24)} leader: ${l?.spec?.holderIdentity || '(none)'}`);
    }
    const nodes = await client.list<Node>(findResource('', 'nodes')!);
    const pods = await client.list<Pod>(findResource('', 'pods')!);
    for (const n of nodes.items.slice(0, 20)) {
      const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      const count = pods.items.filter((p) => p.spec?.nodeName === n.metadata?.name).length;
      rows.push(`  node ${String(n.metadata?.name).padEnd(20)} Ready=${ready.padEnd(7)} pods ${count}`);
    }
    if (nodes.items.length > 20) rows.push(`  ... and ${nodes.items.length - 20} more nodes`);
  } catch (e) {
    rows.push(`  the API is unreachable through ${s.server}: ${(e as Error).message}`);
  } finally {
    client.close();
  }
  return rows;
}

export async function status(stateDir: string): Promise<string> {
  const s = loadState(stateDir);
  const caPem = readFileSync(`${s.stateDir}/pki/ca.crt`, 'utf8');
  const lines = [`cluster in ${s.stateDir} (KUBECONFIG=${s.kubeconfig})`, 'processes:'];
  for (const r of s.processes) {
    const up = alive(r, s);
    const healthy = up && (await probe(r.healthUrl, caPem));
    lines.push(`  ${r.id.padEnd(30)} ${up ? `pid ${String(r.pid).padEnd(8)}` : 'stopped     '} ${up ? (healthy ? 'healthy' : 'UNHEALTHY') : ''}`);
  }
  lines.push('store members:', ...(await storeRows(s)));
  lines.push('control plane:', ...(await apiRows(s)));
  return lines.join('\n') + '\n';
}
