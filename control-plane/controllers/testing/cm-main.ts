// Stand-in for `flotilla controller-manager` while cli/main.ts does not wire it yet: the same
// command registration, run as its own process. Tests prefer bin/flotilla.js when it has the command.
import { Command } from 'commander';
import { registerControllerManager } from '../../../cli/controller-manager.js';

const program = new Command().name('flotilla').enablePositionalOptions();
registerControllerManager(program);
const [node = 'node', script = 'cm-main'] = process.argv;
await program.parseAsync([node, script, 'controller-manager', ...process.argv.slice(2)]);
