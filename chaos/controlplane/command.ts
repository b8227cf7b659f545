// `flotilla chaos run FILE.yaml` for `kind: control-plane`: run, print the verdicts and the
// unavailability per fault, write the report. Exit status as for KV experiments: 0 every
// checker passed, 1 a checker failed, 3 inconclusive, 4 the run itself broke.
import type { ApiAvailabilityResult } from '../checkers/api-availability.js';
import type { CpExperiment } from './experiment.js';
import { writeCpReport } from './report.js';
import { runControlPlane } from './runner.js';

export interface CpCommandFlags {
  system?: string;
  duration?: number;
  out: string;
  json?: boolean;
  /** A running cluster's state directory (`--cluster`): run against it instead of booting one. */
  cluster?: string;
  log: (line: string) => void;
}

export async function runCpCommand(exp: CpExperiment, flags: CpCommandFlags): Promise<number> {
  if (flags.system !== undefined) flags.log('--system is ignored: a control-plane experiment runs Flotilla\'s cluster');
  try {
    const run = await runControlPlane(exp, { ...(flags.duration ? { durationMs: flags.duration } : {}),
      ...(flags.cluster !== undefined ? { clusterStateDir: flags.cluster } : {}), log: flags.log });
    const report = writeCpReport(exp, run, flags.out, process.argv.slice(1).join(' '));
    const checkers = Object.fromEntries(run.checkers.map((c) => [c.checker, c.verdict]));
    const av = run.checkers.find((c): c is ApiAvailabilityResult => c.checker === 'availability');
    const conv = run.checkers.find((c) => c.checker === 'convergence');
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ experiment: exp.name, verdict: run.verdict, checkers,
        unavailability: av?.faults, convergenceMs: conv?.checker === 'convergence' ? conv.convergenceMs : undefined,
        report }, null, 2)}\n`);
    } else {
      process.stdout.write(`${exp.name} ${run.verdict.toUpperCase()} ${Object.entries(checkers).map(([k, v]) =>
        `${k}=${v}`).join(' ')}\n`);
      for (const f of av?.faults ?? []) {
        process.stdout.write(`  ${f.label} @ ${(f.start / 1000).toFixed(1)} s: no write ${f.writeGapMs} ms, no read ` +
          `${f.readGapMs} ms, heal→write ${f.healToFirstWriteMs ?? '-'} ms` +
          `${f.kubectlGapMs !== undefined ? `, kubectl gap ${f.kubectlGapMs} ms (${f.kubectlFailures} failed)` : ''}\n`);
      }
      if (conv?.checker === 'convergence') process.stdout.write(`  convergence: ${conv.convergenceMs ?? 'never'} ms\n`);
      process.stdout.write(`report: ${report.html}\n        ${report.json}\n`);
    }
    return run.verdict === 'fail' ? 1 : run.verdict === 'unknown' ? 3 : 0;
  } catch (e) {
    process.stderr.write(`flotilla chaos run: ${(e as Error).message}\n`);
    return 4;
  }
}
