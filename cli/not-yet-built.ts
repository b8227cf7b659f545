// Roles that the architecture names but that are not built yet. They are listed so
// that `flotilla --help` shows the whole shape and `npm start` says plainly what is
// missing, instead of failing with an unknown-command error.
import type { Command } from 'commander';

export interface PlannedRole {
  name: string;
  summary: string;
  issue: string;
}

export const PLANNED_ROLES: readonly PlannedRole[] = [
  { name: 'scheduler', summary: 'the scheduler, active/standby', issue: 'scheduler and controller-manager' },
  { name: 'controller-manager', summary: 'controllers, active/standby', issue: 'scheduler and controller-manager' },
  { name: 'node-agent', summary: 'kubelet + kube-proxy', issue: 'node-agent and flotilla up' },
  { name: 'down', summary: 'stop a cluster started by `up`', issue: 'node-agent and flotilla up' },
  { name: 'status', summary: 'health of a cluster started by `up`', issue: 'node-agent and flotilla up' },
];

export function registerNotYetBuilt(program: Command): void {
  for (const role of PLANNED_ROLES) {
    program
      .command(role.name)
      .description(`${role.summary} (not built yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        process.stderr.write(`flotilla ${role.name}: not built yet (tracked in the "${role.issue}" issue).\n`);
        process.exitCode = 2;
      });
  }
  program
    .command('up')
    .description('boot an HA cluster on loopback (not built yet: prints what exists today)')
    .allowUnknownOption()
    .action(() => {
      const lines = [
        'flotilla up: the HA cluster is not built yet.',
        '',
        'What works today (see README.md for a 3-member store walk-through with etcdctl):',
        '  flotilla store ...                 a Raft store member speaking the etcd v3 API (etcd flag names)',
        '  flotilla store snapshot restore    rebuild a member of a new cluster from `etcdctl snapshot save`',
        '  flotilla apiserver ...             the Kubernetes API on the store (or etcd); run several behind lb',
        '  flotilla lb ...                    TCP load balancer with /readyz health checks',
        '  flotilla chaos sim --seeds 200     deterministic simulation of the Raft core, with safety checkers',
        '  flotilla bench raft|store|failover benchmarks (the store against etcd when it is installed)',
        '',
        'Not built yet:',
        ...PLANNED_ROLES.map((r) => `  flotilla ${r.name.padEnd(20)} ${r.summary}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
