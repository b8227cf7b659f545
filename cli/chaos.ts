// `flotilla chaos sim`: the deterministic simulator of the Raft core (chaos/sim). Runs a
// bug-free sweep over seeds (any violation is a finding, with the one command that replays
// it), then hunts each seeded bug over the same seeds to show the checkers still bite.
// Exit codes: 0 clean; 1 violations in a bug-free run; 2 a seeded bug went uncaught.
import { InvalidArgumentError, type Command } from 'commander';
import type { SeededBug } from '../store/raft/types.js';
import type { CheckerSet } from '../chaos/sim/checkers/index.js';
import { DEFAULT_SIM_LIMITS, DEFAULT_STEPS_PER_SEED } from '../chaos/sim/limits.js';
import {
  ALL_BUGS, huntBug, parseBug, replayCommand, seedRange, sweep, type BugHunt, type SweepSummary,
} from '../chaos/sim/runner.js';
import { runSeed, type SimResult } from '../chaos/sim/sim.js';
import { registerChaosRun } from './chaos-run.js';

/** Seeds run when neither --seeds nor --seed is given. */
const DEFAULT_SEEDS = 200;
/** Violations printed in full; the rest are counted. */
const MAX_VIOLATIONS_SHOWN = 10;

interface SimCliOptions {
  seeds?: number;
  seed?: number;
  steps: number;
  bug?: string;
  endToEnd?: boolean;
  bugs: boolean;
  trace?: boolean;
  traceMessages?: boolean;
  json?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function anyInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

export function registerChaos(program: Command): void {
  const chaos = program.command('chaos').description('fault injection against the store');
  registerChaosRun(chaos);
  chaos
    .command('sim')
    .description('deterministic simulation of the Raft core: faults, safety checkers, liveness, seeded bugs.\n' +
      'Exit status: 0 clean; 1 a violation in a bug-free run; 2 a seeded bug was not caught (or bad arguments).')
    .option('--seeds <n>', `how many seeds to run (default ${DEFAULT_SEEDS}, or 1 with --seed)`, positiveInt)
    .option('--seed <s>', 'first seed; alone, replays exactly this seed', anyInt)
    .option('--steps <k>', 'fault-phase steps per seed (the liveness phase adds its own)', positiveInt,
      DEFAULT_STEPS_PER_SEED)
    .option('--bug <name>', `switch on one seeded bug: ${ALL_BUGS.join(', ')}`)
    .option('--end-to-end', 'run only the end-to-end checkers (Figure 3, applied index, linearizability)')
    .option('--no-bugs', 'skip the seeded-bug hunt after a bug-free run (always skipped for a lone --seed)')
    .option('--trace', 'print what happens (one line per fault, crash, election), for replaying one seed')
    .option('--trace-messages', 'like --trace, plus every delivered message')
    .option('--json', 'print the outcome as JSON')
    .action((opts: SimCliOptions) => {
      process.exitCode = runSimCommand(opts);
    });
}

function runSimCommand(opts: SimCliOptions): number {
  const bug = opts.bug === undefined ? undefined : parseBug(opts.bug);
  if (opts.bug !== undefined && bug === undefined) {
    process.stderr.write(`flotilla chaos sim: unknown bug "${opts.bug}"; known: ${ALL_BUGS.join(', ')}\n`);
    return 2;
  }
  const count = opts.seeds ?? (opts.seed !== undefined ? 1 : DEFAULT_SEEDS);
  const seeds = seedRange(opts.seed ?? 1, count);
  const checkers: CheckerSet = opts.endToEnd ? 'end-to-end' : 'all';
  if (opts.trace || opts.traceMessages) {
    const level = opts.traceMessages ? 2 : 1;
    const r = runSeed({
      seed: seeds[0] as number, steps: opts.steps, bug, checkers, traceLevel: level,
      trace: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`${r.profile}\n${r.violation ? `VIOLATION ${JSON.stringify(r.violation)}` : 'no violation'}\n`);
    return r.violation && !bug ? 1 : 0;
  }
  const progress = process.stderr.isTTY && !opts.json;
  const summary = sweep({
    seeds, steps: opts.steps, bug, checkers,
    onSeed: progress ? (r) => process.stderr.write(r.violation ? 'x' : '.') : undefined,
  });
  if (progress) process.stderr.write('\n');
  // A lone --seed is a replay: hunting six bugs on one seed would only add noise.
  const replaying = opts.seed !== undefined && opts.seeds === undefined;
  const hunts = bug || !opts.bugs || replaying ? [] : ALL_BUGS.map((b) => huntBug(b, seeds, opts.steps, checkers));
  const out = { seeds, steps: opts.steps, bug, checkers, summary, hunts };
  process.stdout.write(opts.json ? `${JSON.stringify(toJson(out), null, 2)}\n` : report(out));
  if (bug) return summary.failures.length > 0 ? 0 : 2;
  if (summary.failures.length > 0) return 1;
  return hunts.every((h) => h.caught) ? 0 : 2;
}

interface Outcome {
  seeds: number[];
  steps: number;
  bug: SeededBug | undefined;
  checkers: CheckerSet;
  summary: SweepSummary;
  hunts: BugHunt[];
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function seedsLabel(seeds: number[]): string {
  return seeds.length === 1 ? `seed ${seeds[0]}` : `${seeds.length} seeds (${seeds[0]}..${seeds[seeds.length - 1]})`;
}

function report(o: Outcome): string {
  const s = o.summary;
  const lines = [
    `flotilla chaos sim: ${seedsLabel(o.seeds)}, ${fmt(o.steps)} fault-phase steps each` +
      `${o.bug ? `, seeded bug ${o.bug}` : ''}, checkers: ${o.checkers}`,
    `  seeds run         ${fmt(s.seedsRun)}`,
    `  steps simulated   ${fmt(s.steps)} (liveness phases: ${fmt(s.livenessSteps)}; slowest recovery ` +
      `${fmt(s.livenessTicksWorst)} ticks, bound livenessTicksMax=${DEFAULT_SIM_LIMITS.livenessTicksMax})`,
    `  steps per second  ${fmt(s.stepsPerSecond)} (${(s.elapsedMs / 1000).toFixed(1)} s)`,
    `  violations        ${s.failures.length}${o.bug ? ' (expected: the bug is switched on)' : ''}`,
  ];
  for (const f of s.failures.slice(0, MAX_VIOLATIONS_SHOWN)) lines.push(describeFailure(f.result, f.replay));
  if (s.failures.length > MAX_VIOLATIONS_SHOWN) lines.push(`    ... and ${s.failures.length - MAX_VIOLATIONS_SHOWN} more`);
  const first = s.failures[0];
  if (first) lines.push(`  replay the first: ${first.replay}`);
  if (o.bug) lines.push(`  seeded bug ${o.bug}: ${first ? 'caught' : `NOT caught in ${s.seedsRun} seeds`}`);
  if (o.hunts.length > 0) {
    const caught = o.hunts.filter((h) => h.caught).length;
    lines.push(`seeded bugs caught ${caught}/${o.hunts.length}`);
    for (const h of o.hunts) lines.push(describeHunt(h, o.steps));
  }
  return `${lines.join('\n')}\n`;
}

function describeFailure(r: SimResult, replay: string): string {
  const v = r.violation;
  if (!v) return '';
  return `    seed ${r.seed}: [${v.checker}] at step ${fmt(v.step)} (tick ${fmt(v.tick)}, ${v.phase} phase): ${v.message}\n` +
    `      replay: ${replay}`;
}

function describeHunt(h: BugHunt, steps: number): string {
  const core = h.coreAssertionSeeds.length > 0
    ? ` (before that, ${h.coreAssertionSeeds.length} seed(s) stopped on the core's own invariant checks)` : '';
  if (!h.caught) {
    return `  ${h.bug.padEnd(26)} NOT caught in ${h.seedsTried} seeds x ${fmt(steps)} steps${core}`;
  }
  return `  ${h.bug.padEnd(26)} seed ${String(h.seed).padEnd(5)} ${String(h.checker).padEnd(22)} ` +
    `(${h.seedsTried} seed(s), ${(h.elapsedMs / 1000).toFixed(1)} s)${core}\n` +
    `  ${''.padEnd(26)} ${h.message}\n  ${''.padEnd(26)} replay: ${h.replay}`;
}

function toJson(o: Outcome): unknown {
  const s = o.summary;
  return {
    seeds: { first: o.seeds[0], count: o.seeds.length },
    stepsPerSeed: o.steps,
    bug: o.bug ?? null,
    checkers: o.checkers,
    stepsSimulated: s.steps,
    livenessSteps: s.livenessSteps,
    livenessTicksWorst: s.livenessTicksWorst,
    livenessTicksMax: DEFAULT_SIM_LIMITS.livenessTicksMax,
    elapsedMs: Math.round(s.elapsedMs),
    stepsPerSecond: s.stepsPerSecond,
    violations: s.failures.map((f) => ({ seed: f.result.seed, ...f.result.violation, replay: f.replay })),
    replayFirst: s.failures[0]?.replay ?? null,
    seededBugs: o.hunts.length === 0 ? null : {
      caught: o.hunts.filter((h) => h.caught).length,
      total: o.hunts.length,
      hunts: o.hunts.map((h) => ({ ...h, elapsedMs: Math.round(h.elapsedMs) })),
    },
    replayCommandFormat: replayCommand(1, o.steps, o.bug, o.checkers).replace('--seed 1', '--seed <seed>'),
  };
}
