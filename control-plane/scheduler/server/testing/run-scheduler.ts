// A `flotilla scheduler` process for tests, until cli/main.ts registers the command: the same
// registerScheduler, parsed from this script's argv (`node run-scheduler.js scheduler --kubeconfig ...`).
import { Command } from 'commander';
import { registerScheduler } from '../../../../cli/scheduler.js';

const program = new Command().name('flotilla');
registerScheduler(program);
await program.parseAsync(process.argv);
