// `flotilla bench ...`: benchmarks that print numbers and write JSON; they never pass or fail.
import type { Command } from 'commander';
import { runRaftCoreBench } from '../bench/raft-core.js';
import { writeResult } from '../bench/report.js';
import { registerBenchStore } from './bench-store.js';
import { benchApiServerCommand } from '../bench/apiserver/apiserver-bench.js';
import { benchCompare, benchSched, type SchedFlags } from '../bench/sched/command.js';
import { benchFailoverCommand } from '../bench/failover-cp/failover-cp.js';
import { benchUpCommand } from '../bench/cluster/up-bench.js';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks that print numbers and write JSON');
  registerBenchStore(bench);
  bench
    .command('sched <workload>')
    .description('scheduling throughput end to end (scheduler_perf style): SchedulingBasic, NodeAffinity, PodAntiAffinity, ' +
      'TopologySpreading, Unschedulable, Preemption, MixedChurn, Smoke, or a workload .yaml')
    .option('--param <name=value...>', 'override a workload parameter, e.g. --param nodes=5000 --param measurePods=10000')
    .option('--kubeconfig <file>', 'run against this running cluster instead of booting one')
    .option('--clients <n>', 'concurrent pod-creating clients', positiveInt('clients'), 64)
    .option('--barrier-timeout <seconds>', 'fail when pods are still unscheduled after this long', positiveInt('barrier-timeout'),
      300)
    .option('--pods-running', 'act as the nodes\' kubelet: set every bound pod Running (one status write per pod) ' +
      'and report created → Running latency')
    .option('--json', 'print the JSON result instead of a table')
    .option('--report', 'also write an HTML report with charts next to the JSON')
    .action(async (workload: string, f: SchedFlags) => {
      // Ctrl-C or SIGTERM (a timeout): exit at once; the harnesses' 'exit' hooks kill the store members,
      // apiserver and scheduler they started (without this they were left running).
      for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(sig, () => process.exit(code));
      await benchSched(workload, f);
    });
  bench
    .command('up')
    .description('`flotilla up` to all-ready time, idle memory/CPU of every process, and write unavailability after ' +
      'stopping the master that holds the store leader')
    .option('--masters <n>', '3 or 5', positiveInt('masters'), 3)
    .option('--workers <n>', 'worker nodes', positiveInt('workers'), 3)
    .option('--idle-seconds <n>', 'how long to sample idle cost', positiveInt('idle-seconds'), 10)
    .option('--json', 'print the JSON result instead of a table')
    .action(async (o: { masters: number; workers: number; idleSeconds: number; json?: boolean }) => {
      await benchUpCommand(o);
    });
  bench
    .command('compare <a> <b>')
    .description('the ratio B/A between two `bench sched` JSON results')
    .action((a: string, b: string) => benchCompare(a, b));
  bench
    .command('apiserver')
    .description('the apiserver through lb with 2 replicas: creates/s, gets/s, LIST of 10,000 pods, watch fan-out')
    .option('--backend <name>', 'flotilla or etcd (Debian etcd-server)', 'flotilla')
    .option('--clients <n>', 'concurrent clients', positiveInt('clients'), 64)
    .option('--seconds <n>', 'duration of the create and get phases', positiveInt('seconds'), 10)
    .option('--list-pods <n>', 'pods stored before the LIST phase', positiveInt('list-pods'), 10_000)
    .option('--watchers <n>', 'watchers of one pod in the fan-out phase', positiveInt('watchers'), 1000)
    .option('--watch-updates <n>', 'updates the watchers must all see', positiveInt('watch-updates'), 20)
    .option('--quick', 'a small run (smoke test): 2 s phases, 500 pods, 50 watchers')
    .option('--json', 'print the JSON result instead of a table')
    .action(async (o: { backend: string; clients: number; seconds: number; listPods: number; watchers: number;
      watchUpdates: number; quick?: boolean; json?: boolean }) => {
      if (o.backend !== 'flotilla' && o.backend !== 'etcd') throw new Error('--backend must be flotilla or etcd');
      const quick = o.quick === true;
      await benchApiServerCommand({ backend: o.backend, clients: o.clients, seconds: quick ? 2 : o.seconds,
        listPods: quick ? 500 : o.listPods, watchers: quick ? 50 : o.watchers, watchUpdates: quick ? 5 : o.watchUpdates,
        json: o.json });
    });
  bench
    .command('raft')
    .description('commits/s of the pure Raft core: 3 members in memory, no I/O (the ceiling for the store)')
    .option('--seconds <n>', 'measured duration', positiveInt('seconds'), 5)
    .option('--batch <n>', 'proposals per round', positiveInt('batch'), 64)
    .option('--value-bytes <n>', 'bytes per proposal', positiveInt('value-bytes'), 256)
    .option('--members <n>', 'cluster size', positiveInt('members'), 3)
    .option('--json', 'print the JSON result instead of a table')
    .action((opts: { seconds: number; batch: number; valueBytes: number; members: number; json?: boolean }) => {
      const result = runRaftCoreBench(opts);
      const path = writeResult('raft-core', result);
      if (opts.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const rows = [
        ['members', String(opts.members)],
        ['batch', `${opts.batch} x ${opts.valueBytes} B`],
        ['committed', String(result.committed)],
        ['elapsed', `${result.elapsedSeconds.toFixed(2)} s`],
        ['commits/s', result.commitsPerSecond.toFixed(0)],
        ['cpu', `${result.cpuSeconds.toFixed(2)} s (${((result.cpuSeconds / result.elapsedSeconds) * 100).toFixed(0)}% of a core)`],
        ['json', path],
      ];
      for (const [k, v] of rows) process.stdout.write(`${k!.padEnd(12)} ${v}\n`);
    });
  bench
    .command('failover-cp')
    .description('kill -9 the active scheduler / controller-manager repeatedly: time until bindings / pod creations resume')
    .option('--kills <n>', 'kills per component', positiveInt('kills'), 20)
    .option('--component <name>', 'scheduler, controller-manager or both', 'both')
    .option('--store-members <n>', 'store members: 1 or 3', positiveInt('store-members'), 1)
    .option('--nodes <n>', 'simulated nodes', positiveInt('nodes'), 20)
    .option('--quick', 'a small run (smoke test): 3 kills per component')
    .option('--json', 'print the JSON result instead of a table')
    .action(async (o: { kills: number; component: string; storeMembers: number; nodes: number; quick?: boolean;
      json?: boolean }) => {
      await benchFailoverCommand(o);
    });
}
