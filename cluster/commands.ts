// The command line of every process of the cluster (the flags each role takes, with the
// names of the Kubernetes/etcd components they mirror).
import { join } from 'node:path';
import type { Credentials } from './credentials.js';
import { lbMetricsPort, masterPorts, type ProcessSpec, type TopologyOptions, workerPorts } from './topology.js';

export interface CommandContext {
  stateDir: string;
  topology: TopologyOptions;
  credentials: Credentials;
  fastNodeLifecycle: boolean;
}

function storeArgs(c: CommandContext, i: number): string[] {
  const p = masterPorts(c.topology, i);
  const initial = Array.from({ length: c.topology.masters }, (_, k) =>
    `m${k + 1}=http://127.0.0.1:${masterPorts(c.topology, k + 1).storePeer}`).join(',');
  const client = `http://127.0.0.1:${p.storeClient}`;
  const peer = `http://127.0.0.1:${p.storePeer}`;
  return ['store', '--name', `m${i}`, '--data-dir', join(c.stateDir, 'data', `m${i}`),
    '--listen-client-urls', client, '--advertise-client-urls', client, '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer, '--listen-metrics-urls', `http://127.0.0.1:${p.storeMetrics}`,
    '--initial-cluster', initial, '--initial-cluster-token', 'flotilla', '--initial-cluster-state', 'new',
    '--heartbeat-interval', '100', '--election-timeout', '1000'];
}

function etcdServers(c: CommandContext): string {
  return Array.from({ length: c.topology.masters }, (_, k) =>
    `http://127.0.0.1:${masterPorts(c.topology, k + 1).storeClient}`).join(',');
}

export function argsFor(c: CommandContext, s: ProcessSpec): string[] {
  const cr = c.credentials;
  const i = Number(/^master-(\d+)$/.exec(s.machine)?.[1] ?? /^worker-(\d+)$/.exec(s.machine)?.[1] ?? 0);
  const leader = ['--leader-elect', '--bind-address', '127.0.0.1'];
  switch (s.role) {
    case 'store': return storeArgs(c, i);
    case 'apiserver': return ['apiserver', '--etcd-servers', etcdServers(c), '--bind-address', '127.0.0.1',
      '--secure-port', String(masterPorts(c.topology, i).apiserver), '--tls-cert-file', cr.servingCertFile,
      '--tls-private-key-file', cr.servingKeyFile, '--client-ca-file', cr.caFile, '--token-auth-file', cr.tokenFile,
      '--cert-dir', join(c.stateDir, 'pki')];
    case 'scheduler': return ['scheduler', '--kubeconfig', cr.kubeconfigs['scheduler']!, ...leader,
      '--secure-port', String(masterPorts(c.topology, i).scheduler)];
    case 'controller-manager': return ['controller-manager', '--kubeconfig', cr.kubeconfigs['controller-manager']!,
      ...leader, '--secure-port', String(masterPorts(c.topology, i).controllerManager),
      ...(c.fastNodeLifecycle ? ['--fast-node-lifecycle'] : [])];
    case 'lb': return ['lb', '--listen', `127.0.0.1:${c.topology.lbPort}`, '--backends',
      Array.from({ length: c.topology.masters }, (_, k) => `127.0.0.1:${masterPorts(c.topology, k + 1).apiserver}`).join(','),
      '--health-scheme', 'https', '--health-ca', cr.caFile, '--passive-check',
      '--metrics-listen', `127.0.0.1:${lbMetricsPort(c.topology)}`];
    case 'node-agent': {
      if (s.machine === 'sim') {
        return ['node-agent', '--kubeconfig', cr.kubeconfigs['sim']!, '--node-name', 'sim', '--node-index', '200',
          '--runtime', 'simulated', '--simulated-nodes', String(c.topology.simulatedNodes),
          '--root-dir', join(c.stateDir, 'nodes', 'sim'), '--metrics-port', String(workerPorts(c.topology, 0).metrics),
          ...(c.fastNodeLifecycle ? ['--fast-heartbeat'] : [])];
      }
      const p = workerPorts(c.topology, i);
      return ['node-agent', '--kubeconfig', cr.kubeconfigs[s.machine]!, '--node-name', s.machine, '--node-index', String(i),
        '--runtime', 'process', '--root-dir', join(c.stateDir, 'nodes', s.machine), '--metrics-port', String(p.metrics),
        '--kubelet-port', String(p.kubelet), ...(i === 1 ? ['--kube-proxy'] : []), '--cleanup-on-exit',
        ...(c.fastNodeLifecycle ? ['--fast-heartbeat'] : [])];
    }
  }
}
