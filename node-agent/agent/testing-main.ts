// Test support: the `flotilla` command with only `node-agent` registered, so tests can run the
// real agent process from the compiled tree (cli/main.ts is wired by hand elsewhere).
import { Command } from 'commander';
import { registerNodeAgent } from '../../cli/node-agent.js';

const program = new Command().name('flotilla');
registerNodeAgent(program);
await program.parseAsync(process.argv);
