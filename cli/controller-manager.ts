// `flotilla controller-manager`: the controllers, active/standby (see control-plane/controllers/README.md).
// Flag names are kube-controller-manager's where one exists.
import type { Command } from 'commander';
import { ControllerConfigError } from '../control-plane/controllers/errors.js';
import { runControllerManager } from '../control-plane/controllers/manager.js';
import {
  CONTROLLER_NAMES, FLAG_DEFAULTS as D, type ControllerManagerFlags, resolveControllerManagerOptions,
} from '../control-plane/controllers/options.js';

export function registerControllerManager(program: Command): void {
  program
    .command('controller-manager')
    .description('the controllers (replicaset, deployment, garbage collector, namespace, endpoints, ...), active/standby')
    .option('--kubeconfig <file>', 'kubeconfig naming the apiserver and the user (default: $KUBECONFIG, ~/.kube/config)')
    .option('--leader-elect [bool]', 'run controllers only while holding the Lease (true|false)', 'true')
    .option('--leader-elect-lease-duration <d>', 'how long a standby waits before taking over', D.leaderElectLeaseDuration)
    .option('--leader-elect-renew-deadline <d>', 'the leader stops acting if it cannot renew within this', D.leaderElectRenewDeadline)
    .option('--leader-elect-retry-period <d>', 'time between acquire/renew attempts', D.leaderElectRetryPeriod)
    .option('--leader-elect-resource-namespace <ns>', 'namespace of the Lease', D.leaderElectResourceNamespace)
    .option('--leader-elect-resource-name <name>', 'name of the Lease', D.leaderElectResourceName)
    .option('--controllers <list>', `'*' for all, 'name' to enable, '-name' to disable; known: ${CONTROLLER_NAMES.join(', ')}`,
      D.controllers)
    .option('--node-monitor-period <d>', 'how often node health is checked (default 5s; 500ms with --fast-node-lifecycle)')
    .option('--node-monitor-grace-period <d>', 'unresponsive time before Ready=Unknown (default 40s; 4s fast)')
    .option('--pod-eviction-timeout <d>', 'default tolerationSeconds for not-ready/unreachable (default 300s; 2s fast)')
    .option('--fast-node-lifecycle', 'Flotilla\'s fast profile: 500ms period, 4s grace, 2s eviction timeout')
    .option('--node-eviction-rate <n>', 'nodes per second tainted NoExecute in a healthy zone', D.nodeEvictionRate)
    .option('--secondary-node-eviction-rate <n>', 'the same in an unhealthy zone of a large cluster', D.secondaryNodeEvictionRate)
    .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before the oldest are deleted', D.terminatedPodGcThreshold)
    .option('--concurrent-deployment-syncs <n>', 'deployment workers', D.concurrentDeploymentSyncs)
    .option('--concurrent-replicaset-syncs <n>', 'replicaset workers', D.concurrentReplicasetSyncs)
    .option('--concurrent-rc-syncs <n>', 'replicationcontroller workers', D.concurrentRcSyncs)
    .option('--concurrent-gc-syncs <n>', 'garbage collector workers', D.concurrentGcSyncs)
    .option('--concurrent-namespace-syncs <n>', 'namespace workers', D.concurrentNamespaceSyncs)
    .option('--concurrent-endpoint-syncs <n>', 'endpoints workers', D.concurrentEndpointSyncs)
    .option('--kube-api-qps <n>', 'client-side request rate', D.kubeApiQps)
    .option('--kube-api-burst <n>', 'client-side burst', D.kubeApiBurst)
    .option('--bind-address <ip>', 'address of /metrics, /livez, /readyz', D.bindAddress)
    .option('--secure-port <port>', 'port of /metrics, /livez, /readyz (plain HTTP here; 0: any free port)', D.securePort)
    .action(async function (this: Command, flags: ControllerManagerFlags) {
      try {
        await runControllerManager(resolveControllerManagerOptions(flags));
      } catch (e) {
        if (e instanceof ControllerConfigError) this.error(`error: ${e.message}`, { code: e.code, exitCode: 2 });
        throw e;
      }
    });
}
