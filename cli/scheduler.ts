// `flotilla scheduler`: kube-scheduler's role (see control-plane/scheduler/README.md, "The process").
// Flag names are kube-scheduler's; --kube-api-qps/--kube-api-burst are its deprecated
// clientConnection flags; --events is Flotilla's.
import type { Command } from 'commander';
import { SchedulerConfigError } from '../control-plane/scheduler/errors.js';
import { SchedulerFlagError } from '../control-plane/scheduler/server/errors.js';
import {
  DEFAULT_BIND_ADDRESS, DEFAULT_KUBE_API_BURST, DEFAULT_KUBE_API_QPS, DEFAULT_LEASE_NAME, DEFAULT_LEASE_NAMESPACE,
  DEFAULT_SECURE_PORT,
} from '../control-plane/scheduler/server/limits.js';
import { resolveSchedulerOptions, type SchedulerFlags } from '../control-plane/scheduler/server/options.js';
import { runScheduler } from '../control-plane/scheduler/server/process.js';

export function registerScheduler(program: Command): void {
  program
    .command('scheduler')
    .description('assigns pending pods to nodes (kube-scheduler); run two or more: one leads, the others stand by')
    .option('--kubeconfig <file>', 'kubeconfig of the apiserver (or clientConnection.kubeconfig in --config)')
    .option('--config <file>', 'a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) YAML file')
    .option('--leader-elect [bool]', 'elect a leader through a Lease before scheduling (default true)')
    .option('--leader-elect-lease-duration <duration>', 'how long a standby waits before taking an unrenewed lease '
      + '(default 1.3s)')
    .option('--leader-elect-renew-deadline <duration>', 'the leader stops scheduling if it cannot renew for this '
      + 'long (default 900ms)')
    .option('--leader-elect-retry-period <duration>', 'how often candidates try the lease (default 150ms)')
    .option('--leader-elect-resource-namespace <ns>', `namespace of the Lease (default ${DEFAULT_LEASE_NAMESPACE})`)
    .option('--leader-elect-resource-name <name>', `name of the Lease (default ${DEFAULT_LEASE_NAME})`)
    .option('--bind-address <ip>', `address of /metrics, /livez, /readyz (default ${DEFAULT_BIND_ADDRESS})`)
    .option('--secure-port <port>', `port of /metrics, /livez, /readyz — plain HTTP in Flotilla; 0: any free port `
      + `(default ${DEFAULT_SECURE_PORT})`)
    .option('--kube-api-qps <n>', `client-side QPS to the apiserver (default ${DEFAULT_KUBE_API_QPS})`)
    .option('--kube-api-burst <n>', `client-side burst to the apiserver (default ${DEFAULT_KUBE_API_BURST})`)
    .option('--events <mode>', 'pod events to write: all (FailedScheduling, Scheduled, Preempted), failures (no '
      + 'Scheduled), none (default all)')
    .action(async function (this: Command, flags: SchedulerFlags) {
      try {
        await runScheduler(resolveSchedulerOptions(flags));
      } catch (e) {
        if (e instanceof SchedulerFlagError || e instanceof SchedulerConfigError) {
          this.error(`error: ${e.message}`, { code: e.code, exitCode: 2 });
        }
        throw e;
      }
    });
}
