// A `flotilla` program with only the `lb` command, for the process-level test until
// cli/main.ts registers it (then the test runs bin/flotilla.js). Not used in production.
import { Command } from 'commander';
import { registerLb } from '../../../cli/lb.js';

const program = new Command().name('flotilla').showHelpAfterError().enablePositionalOptions();
registerLb(program);
await program.parseAsync(process.argv);
