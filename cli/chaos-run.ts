// `flotilla chaos run FILE.yaml`: a chaos experiment against real store members (Flotilla's,
// etcd's, or both one after the other): KV traffic recorded as a history, faults from the
// file (kill -9, SIGSTOP, partitions and delay/loss through peer-link proxies), then the
// checkers (linearizability, watch guarantees, lost writes, availability) and a report.
// Exit status: 0 every checker passed; 1 a checker failed; 2 bad arguments or experiment
// file; 3 inconclusive (a checker's search hit its bound); 4 the run itself broke.
import { InvalidArgumentError, type Command } from 'commander';
import { ExperimentError } from '../chaos/run/errors.js';
import { isCpExperiment, loadAnyExperiment } from '../chaos/controlplane/experiment.js';
import { runCpCommand } from '../chaos/controlplane/command.js';
import { parseDuration, type SystemChoice } from '../chaos/run/experiment.js';
import { runExperiment } from '../chaos/run/run-experiment.js';

interface RunFlags {
  system?: SystemChoice;
  duration?: number;
  network?: 'proxy' | 'netns';
  cluster?: string;
  out: string;
  json?: boolean;
}

function systemChoice(v: string): SystemChoice {
  if (v !== 'flotilla' && v !== 'etcd' && v !== 'both') throw new InvalidArgumentError('expected flotilla, etcd or both');
  return v;
}

function networkMode(v: string): 'proxy' | 'netns' {
  if (v !== 'proxy' && v !== 'netns') throw new InvalidArgumentError('expected proxy or netns');
  return v;
}

function duration(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 1000) throw new InvalidArgumentError('expected a duration of at least 1s, such as 60s or 2m');
  return ms;
}

export function registerChaosRun(chaos: Command): void {
  chaos
    .command('run <file>')
    .description('run a chaos experiment (YAML, see chaos/experiments/) against real store members and check the ' +
      'history.\nExit status: 0 all checkers passed; 1 a checker failed; 2 bad arguments or experiment; ' +
      '3 inconclusive; 4 the run broke.')
    .option('--system <system>', 'flotilla, etcd or both (default: the experiment\'s `system`)', systemChoice)
    .option('--duration <d>', 'override the experiment\'s duration (e.g. 60s, 2m)', duration)
    .option('--network <mode>', 'override topology.network: proxy (fault proxies, no root) or netns (a network ' +
      'namespace per member, kernel-level partitions; needs root)', networkMode)
    .option('--cluster <state-dir>', 'kind: control-plane only: run against the cluster already running from this ' +
      '`flotilla up --state-dir` (left running, faults healed, the workload namespace deleted)')
    .option('--out <dir>', 'where the JSON and HTML reports go', 'chaos/reports')
    .option('--json', 'print the verdicts as JSON on stdout')
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags);
    });
}

/**
 * Ctrl-C or SIGTERM during a run: exit at once with 128+signal. The clusters' 'exit' hooks then
 * SIGKILL every member, restarted ones included, and remove network namespaces (without this a
 * signal would end the harness and leave its members running).
 */
function exitOnSignals(): void {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      process.stderr.write(`flotilla chaos run: ${sig}: stopping every process of the experiment\n`);
      process.exit(code);
    });
  }
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  exitOnSignals();
  let exp;
  try {
    exp = loadAnyExperiment(file, {
      ...(flags.duration ? { durationMs: flags.duration } : {}),
      ...(flags.network ? { network: flags.network } : {}),
    });
  } catch (e) {
    if (e instanceof ExperimentError) {
      process.stderr.write(`flotilla chaos run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (isCpExperiment(exp)) return runCpCommand(exp, { ...flags, log });
  if (flags.cluster !== undefined) {
    process.stderr.write('flotilla chaos run: --cluster is for kind: control-plane experiments; KV experiments ' +
      'start their own store members\n');
    return 2;
  }
  try {
    const out = await runExperiment(exp, {
      ...(flags.system ? { system: flags.system } : {}), ...(flags.duration ? { durationMs: flags.duration } : {}),
      outDir: flags.out, command: process.argv.slice(1).join(' '), log,
    });
    const summary = out.runs.map((r) => ({ system: r.system, verdict: r.verdict,
      checkers: Object.fromEntries(r.checkers.map((c) => [c.checker, c.verdict])) }));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ experiment: exp.name, runs: summary, skipped: out.skipped,
        report: out.report }, null, 2)}\n`);
    } else {
      for (const s of summary) {
        process.stdout.write(`${s.system.padEnd(9)} ${s.verdict.toUpperCase().padEnd(8)} ` +
          `${Object.entries(s.checkers).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
      }
      for (const s of out.skipped) process.stdout.write(`${s.system.padEnd(9)} SKIPPED  ${s.reason}\n`);
      if (out.report) process.stdout.write(`report: ${out.report.html}\n        ${out.report.json}\n`);
    }
    const verdicts = out.runs.map((r) => r.verdict);
    return verdicts.includes('fail') ? 1 : verdicts.includes('unknown') ? 3 : 0;
  } catch (e) {
    process.stderr.write(`flotilla chaos run: ${(e as Error).message}\n`);
    return 4;
  }
}
