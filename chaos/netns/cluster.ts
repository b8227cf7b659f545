// The system under test with each member on its own "host": a network namespace of the lab
// (lab.ts) with its own address, the same well-known ports on every host (2379 client, 2380
// peer, 2381 metrics, as etcd's defaults), and peers talking directly — no proxy in between.
// Link faults set on `links` become kernel routes. Flotilla's `store` and etcd take the same
// flags, so one launcher serves both systems.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../../bench/store/systems.js';
import type { ChaosCluster, ChaosMember, ClusterTiming, SystemName } from '../run/cluster.js';
import { type FaultProxy, LinkTable } from '../run/fault-proxy.js';
import { type MemberProcess, MemberProcessCluster } from '../run/member-processes.js';
import { NetnsLab } from './lab.js';

const BIN = fileURLToPath(new URL('../../../bin/flotilla.js', import.meta.url));
const PORTS = { client: 2379, peer: 2380, metrics: 2381 } as const;

interface LabMember extends ChaosMember, MemberProcess {
  args: string[];
}

export class NetnsChaosCluster extends MemberProcessCluster<LabMember> implements ChaosCluster {
  readonly links = new LinkTable();
  readonly proxies = new Map<string, FaultProxy>();
  readonly root = mkdtempSync(join(tmpdir(), 'flotilla-chaos-netns-'));

  private constructor(readonly system: SystemName, readonly lab: NetnsLab) {
    super((m) => {
      const [cmd, args] = system === 'etcd' ? lab.wrap(m.name, 'etcd', m.args)
        : lab.wrap(m.name, process.execPath, [BIN, 'store', ...m.args]);
      const log = openSync(m.logFile, 'a');
      return spawn(cmd, args, { detached: true, stdio: ['ignore', log, log], env: cleanEnv() });
    });
    lab.enforce(this.links);
  }

  static start(system: SystemName, size: number, t: ClusterTiming): NetnsChaosCluster {
    const names = Array.from({ length: size }, (_, i) => `${system === 'etcd' ? 'e' : 'm'}${i + 1}`);
    const c = new NetnsChaosCluster(system, NetnsLab.create(names));
    const peerUrl = (n: string) => `http://${c.lab.ipOf(n)}:${PORTS.peer}`;
    const initial = names.map((n) => `${n}=${peerUrl(n)}`).join(',');
    for (const name of names) {
      const at = c.lab.ipOf(name);
      const client = `http://${at}:${PORTS.client}`;
      const metrics = `http://${at}:${PORTS.metrics}`;
      const args = ['--name', name, '--data-dir', join(c.root, name),
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peerUrl(name), '--initial-advertise-peer-urls', peerUrl(name),
        '--listen-metrics-urls', metrics, '--initial-cluster', initial, '--initial-cluster-token', 'flotilla-chaos-netns',
        '--initial-cluster-state', 'new', '--heartbeat-interval', String(t.heartbeatMs),
        '--election-timeout', String(t.electionMs), '--snapshot-count', '100000',
        ...(system === 'etcd' ? ['--logger', 'zap', '--log-outputs', 'stderr'] : [])];
      c.members.push({ name, clientEndpoint: `${at}:${PORTS.client}`, metricsUrl: metrics, args,
        logFile: join(c.root, `${name}.log`) });
    }
    for (const m of c.members) c.restart(m.name);
    return c;
  }

  async stop(): Promise<void> {
    await this.procs.stopAll();
    const applied = this.lab.settled();
    this.lab.destroy();
    rmSync(this.root, { recursive: true, force: true });
    await applied; // a fault the kernel refused breaks the run loudly
  }
}
