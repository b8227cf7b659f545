// `flotilla up | down | status | stop | start`: a whole HA cluster on loopback (see cluster/).
import type { Command } from 'commander';
import { down, loadState, select, startTargets, status, stopTargets } from '../cluster/manage.js';
import { upOnFreePorts } from '../cluster/free-ports.js';
import { up } from '../cluster/up.js';
import { freePort } from '../lib/free-port.js';

const DEFAULT_STATE_DIR = '.flotilla';

interface UpFlags {
  masters: number;
  workers: number;
  simulatedNodes: number;
  stateDir: string;
  basePort: number | 'auto';
  port: number | 'auto';
  fastNodeLifecycle?: boolean;
  timeout: number;
}

function portOrAuto(name: string, min: number, max: number) {
  const parse = int(name, min, max);
  return (v: string): number | 'auto' => (v === 'auto' ? 'auto' : parse(v));
}

function int(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
    return n;
  };
}

function fail(_cmd: Command, e: unknown): void {
  // Not cmd.error(): that would print the whole help after a runtime failure.
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}

export function registerCluster(program: Command): void {
  program
    .command('up')
    .description('boot an HA cluster on loopback: N masters (store member + apiserver + scheduler + controller-manager ' +
      'each), a load balancer, and worker node agents; waits until everything is healthy and every node Ready')
    .option('--masters <n>', '1, 3 or 5 masters', int('masters', 1, 5), 3)
    .option('--workers <n>', 'worker nodes running pods as local processes', int('workers', 0, 40), 3)
    .option('--simulated-nodes <n>', 'simulated nodes hosted by one extra node agent', int('simulated-nodes', 0, 20_000), 0)
    .option('--state-dir <dir>', 'where data, logs, certificates and the kubeconfig live', DEFAULT_STATE_DIR)
    .option('--base-port <port>', 'first of the 1000 ports the cluster uses on 127.0.0.1, or `auto`: a free range ' +
      'below the ephemeral ports (retried on a clash; for a new state dir)', portOrAuto('base-port', 1024, 64_000),
    16_000)
    .option('--port <port>', 'the load balancer (the cluster\'s API endpoint) port, or `auto`',
      portOrAuto('port', 1, 65_535), 6443)
    .option('--fast-node-lifecycle', 'notice dead nodes in ~4 s and evict their pods after ~2 s (chaos experiments)')
    .option('--timeout <seconds>', 'give up booting after this long', int('timeout', 1, 3600), 120)
    .action(async function (this: Command, o: UpFlags) {
      try {
        const common = { masters: o.masters, workers: o.workers, simulatedNodes: o.simulatedNodes, stateDir: o.stateDir,
          fastNodeLifecycle: o.fastNodeLifecycle === true, timeoutMs: o.timeout * 1000 };
        const say = (s: string) => process.stdout.write(`${s}\n`);
        if (o.basePort === 'auto') {
          await upOnFreePorts({ ...common, ...(o.port === 'auto' ? {} : { lbPort: o.port }) }, say);
        } else {
          const lbPort = o.port === 'auto' ? await freePort() : o.port;
          await up({ ...common, basePort: o.basePort, lbPort }, say);
        }
      } catch (e) {
        fail(this, e);
      }
    });
  program
    .command('down')
    .description('stop every process of the cluster (SIGTERM, SIGKILL after a grace period); data is kept')
    .option('--state-dir <dir>', 'the cluster\'s state directory', DEFAULT_STATE_DIR)
    .action(async function (this: Command, o: { stateDir: string }) {
      try {
        await down(o.stateDir, (s) => process.stdout.write(`${s}\n`));
      } catch (e) {
        fail(this, e);
      }
    });
  program
    .command('status')
    .description('processes and their health, store members (leader, term, revision), scheduler and controller-manager ' +
      'leaders, nodes')
    .option('--state-dir <dir>', 'the cluster\'s state directory', DEFAULT_STATE_DIR)
    .action(async function (this: Command, o: { stateDir: string }) {
      try {
        process.stdout.write(await status(o.stateDir));
      } catch (e) {
        fail(this, e);
      }
    });
  for (const verb of ['stop', 'start'] as const) {
    program
      .command(`${verb} <target>`)
      .description(`${verb} every process of a machine (master-2, worker-1, lb) or one process (master-2/apiserver)`)
      .option('--state-dir <dir>', 'the cluster\'s state directory', DEFAULT_STATE_DIR)
      .action(async function (this: Command, target: string, o: { stateDir: string }) {
        try {
          const s = loadState(o.stateDir);
          const recs = select(s, target);
          if (verb === 'stop') await stopTargets(s, recs);
          else startTargets(s, recs);
          process.stdout.write(`${verb === 'stop' ? 'stopped' : 'started'}: ${recs.map((r) => r.id).join(', ')}\n`);
        } catch (e) {
          fail(this, e);
        }
      });
  }
}
