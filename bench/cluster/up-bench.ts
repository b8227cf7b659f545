// `flotilla bench up`: how long `flotilla up` takes to all-ready, what each process costs at
// idle (RSS, CPU), and how long the cluster refuses writes after `flotilla stop master-N` of
// the master holding the store leader (kill of a whole machine: store member, apiserver,
// scheduler, controller-manager at once).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findResource } from '../../control-plane/api/index.js';
import { ApiClient } from '../../control-plane/client/index.js';
import { down, select, startTargets, stopTargets } from '../../cluster/manage.js';
import { readState } from '../../cluster/state.js';
import { masterPorts } from '../../cluster/topology.js';
import { tokenOf } from '../../cluster/up.js';
import { EtcdClient } from '../../store/client/client.js';
import { upOnFreePorts } from '../../cluster/free-ports.js';
import { sampleProcess } from '../sched/process-stats.js';
import { machineFacts, writeResult } from '../report.js';

export interface UpBenchOptions { masters: number; workers: number; idleSeconds: number; stateDir?: string }

async function leaderMaster(masters: number, topology: Parameters<typeof masterPorts>[0]): Promise<number> {
  for (let i = 1; i <= masters; i++) {
    const ep = `127.0.0.1:${masterPorts(topology, i).storeClient}`;
    const c = new EtcdClient({ endpoints: [ep], requestTimeoutMs: 2000 });
    try {
      const s = await c.status(ep);
      if (s.leader === s.memberId) return i;
    } catch {
      // try the next
    } finally {
      c.close();
    }
  }
  throw new Error('no store member reports itself leader');
}

export async function runUpBench(o: UpBenchOptions, say: (s: string) => void): Promise<Record<string, unknown>> {
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'flotilla-bench-up-'));
  const t0 = performance.now();
  const s = await upOnFreePorts({ masters: o.masters, workers: o.workers, simulatedNodes: 0, stateDir,
    fastNodeLifecycle: false, timeoutMs: 180_000 }, say);
  const bootSeconds = (performance.now() - t0) / 1000;
  try {
    say(`idle for ${o.idleSeconds} s, sampling every process ...`);
    const before = new Map(s.processes.map((r) => [r.id, r.pid ? sampleProcess(r.pid) : undefined]));
    await new Promise((r) => setTimeout(r, o.idleSeconds * 1000));
    const idle = s.processes.map((r) => {
      const a = before.get(r.id);
      const b = r.pid ? sampleProcess(r.pid) : undefined;
      return { id: r.id, rssMiB: (b?.rssBytes ?? 0) / 2 ** 20,
        cpuPercent: a && b ? (100 * (b.cpuSeconds - a.cpuSeconds)) / o.idleSeconds : 0 };
    });
    const leader = await leaderMaster(o.masters, s.topology);
    const client = new ApiClient({ server: s.server, caPem: readFileSync(join(stateDir, 'pki', 'ca.crt'), 'utf8'),
      token: tokenOf(s.kubeconfig), requestTimeoutMs: 2000 });
    const cms = findResource('', 'configmaps')!;
    say(`stopping master-${leader} (it holds the store leader) ...`);
    const state = readState(stateDir)!;
    const stopAt = performance.now();
    const stopping = stopTargets(state, select(state, `master-${leader}`));
    let attempts = 0;
    let writesBackMs = -1;
    for (let i = 0; performance.now() - stopAt < 60_000; i++) {
      attempts++;
      const ok = await client.create(cms, 'default', { apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: `after-stop-${i}` } }).then(() => true, () => false);
      if (ok && performance.now() - stopAt > 50) {
        writesBackMs = performance.now() - stopAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await stopping;
    client.close();
    startTargets(state, select(state, `master-${leader}`));
    return { bench: 'up', machine: machineFacts(), masters: o.masters, workers: o.workers, bootSeconds, idle,
      stopLeaderMaster: { master: leader, writesAcceptedAgainMs: writesBackMs, attempts } };
  } finally {
    await down(stateDir, () => undefined).catch(() => undefined);
    if (!o.stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
}

export function printUpBench(r: Record<string, unknown>, path: string): string {
  const idle = r['idle'] as { id: string; rssMiB: number; cpuPercent: number }[];
  const stop = r['stopLeaderMaster'] as { master: number; writesAcceptedAgainMs: number };
  const lines = [
    `boot to all-ready   ${(r['bootSeconds'] as number).toFixed(1)} s (${String(r['masters'])} masters, ${String(r['workers'])} workers)`,
    ...idle.map((p) => `  ${p.id.padEnd(30)} rss ${p.rssMiB.toFixed(0).padStart(4)} MiB   cpu ${p.cpuPercent.toFixed(1)}% at idle`),
    `stop master-${stop.master} (store leader): writes accepted again after ${stop.writesAcceptedAgainMs.toFixed(0)} ms`,
    `json                ${path}`,
  ];
  return lines.join('\n') + '\n';
}

export async function benchUpCommand(o: UpBenchOptions & { json?: boolean }): Promise<void> {
  const r = await runUpBench(o, (s) => process.stderr.write(`${s}\n`));
  const path = writeResult('up', r);
  process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : printUpBench(r, path));
}
