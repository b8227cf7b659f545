// An experiment against one or both systems, one after the other (never both at once: they
// would share the machine's two cores), then the report.
import { etcdVersion } from '../../bench/store/systems.js';
import type { SystemName } from './cluster.js';
import { ChaosRunError } from './errors.js';
import type { Experiment, SystemChoice } from './experiment.js';
import { writeReport, type ReportFiles } from './report.js';
import { runSystem, type SystemRun } from './runner.js';

export interface ExperimentOptions {
  system?: SystemChoice;
  durationMs?: number;
  outDir?: string;
  command?: string;
  log?: (line: string) => void;
}

export interface ExperimentOutcome {
  runs: SystemRun[];
  skipped: { system: SystemName; reason: string }[];
  report?: ReportFiles;
}

export async function runExperiment(exp: Experiment, o: ExperimentOptions = {}): Promise<ExperimentOutcome> {
  const log = o.log ?? (() => {});
  const choice = o.system ?? exp.system;
  const wanted: SystemName[] = choice === 'both' ? ['flotilla', 'etcd'] : [choice];
  const skipped: ExperimentOutcome['skipped'] = [];
  const runs: SystemRun[] = [];
  for (const system of wanted) {
    if (system === 'etcd' && etcdVersion() === undefined) {
      const reason = 'etcd is not on PATH (Debian package etcd-server)';
      if (choice === 'etcd') throw new ChaosRunError(`${reason}: cannot run --system etcd`);
      skipped.push({ system, reason });
      log(`skipping etcd: ${reason}`);
      continue;
    }
    const duration = o.durationMs !== undefined ? { durationMs: o.durationMs } : {};
    runs.push(await runSystem(exp, system, { ...duration, log }));
  }
  const report = o.outDir === undefined ? undefined : writeReport(exp, runs, o.outDir, o.command ?? '');
  return { runs, skipped, ...(report ? { report } : {}) };
}
