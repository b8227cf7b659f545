// Entry point of the `flotilla` command. Each role registers its own subcommand in
// the file next to its code; this file only wires them together, so adding a role is
// one import and one line here.
import { Command } from 'commander';
import { registerChaos } from './chaos.js';
import { registerBench } from './bench.js';
import { registerStore } from './store.js';
import { registerLb } from './lb.js';
import { registerApiServer } from './apiserver.js';
import { registerScheduler } from './scheduler.js';
import { registerCluster } from './cluster.js';
import { registerNodeAgent } from './node-agent.js';
import { registerControllerManager } from './controller-manager.js';

const program = new Command();
program
  .name('flotilla')
  .description('The Kubernetes architecture in TypeScript, highly available on its own Raft store.')
  .showHelpAfterError()
  .enablePositionalOptions();

registerStore(program);
registerLb(program);
registerApiServer(program);
registerScheduler(program);
registerNodeAgent(program);
registerControllerManager(program);
registerCluster(program);
registerChaos(program);
registerBench(program);

await program.parseAsync(process.argv);
