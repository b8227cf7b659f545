// Runs `flotilla bench store|failover` without the main CLI (same code, same flags):
//
//   node dist/bench/store/main.js store --quick
//   node dist/bench/store/main.js failover --kills 30
import { Command } from 'commander';
import { registerBenchStore } from '../../cli/bench-store.js';

const bench = new Command('flotilla-bench').showHelpAfterError();
registerBenchStore(bench);
await bench.parseAsync(process.argv);
