// Entry point of the `flotilla` command. Each role registers its own subcommand in
// the file next to its code; this file only wires them together, so adding a role is
// one line in ROLES.
//
// Only the module of the subcommand being run is loaded: `flotilla store` does not load the
// apiserver, scheduler, controllers or benches. A restarted store member is then back (and
// able to vote) sooner — the chaos leader-kill loop restarts members every few seconds, and
// on a busy machine loading every module cost about half a second per start. Help, and
// anything unrecognised, loads them all so commander can list and explain every command.
import { Command } from 'commander';

type Register = (program: Command) => void;

/** Top-level command names → the module that registers them. */
const ROLES: { names: string[]; load: () => Promise<Register> }[] = [
  { names: ['store'], load: async () => (await import('./store.js')).registerStore },
  { names: ['lb'], load: async () => (await import('./lb.js')).registerLb },
  { names: ['apiserver'], load: async () => (await import('./apiserver.js')).registerApiServer },
  { names: ['scheduler'], load: async () => (await import('./scheduler.js')).registerScheduler },
  { names: ['node-agent'], load: async () => (await import('./node-agent.js')).registerNodeAgent },
  { names: ['controller-manager'], load: async () => (await import('./controller-manager.js')).registerControllerManager },
  { names: ['up', 'down', 'status', 'stop', 'start'], load: async () => (await import('./cluster.js')).registerCluster },
  { names: ['chaos'], load: async () => (await import('./chaos.js')).registerChaos },
  { names: ['bench'], load: async () => (await import('./bench.js')).registerBench },
];

const program = new Command();
program
  .name('flotilla')
  .description('The Kubernetes architecture in TypeScript, highly available on its own Raft store.')
  .showHelpAfterError()
  .enablePositionalOptions();

const sub = process.argv[2];
const only = ROLES.find((r) => sub !== undefined && r.names.includes(sub));
for (const r of only ? [only] : ROLES) (await r.load())(program);

await program.parseAsync(process.argv);
