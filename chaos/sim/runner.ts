// Runs many seeds: the bug-free sweep (every violation is a real finding) and the seeded-bug
// hunt (each classic bug switched on in turn, seeds tried in order until a checker catches
// it). Shared by `flotilla chaos sim` and the tests.
import { SeededBug } from '../../store/raft/types.js';
import type { CheckerSet } from './checkers/index.js';
import { runSeed, type SimResult } from './sim.js';

export const ALL_BUGS: readonly SeededBug[] = Object.values(SeededBug);

/** Violations raised by the core's own assertions or a crash, not by one of our checkers. */
const NOT_A_CHECKER = new Set(['core-invariant', 'exception']);

export function replayCommand(seed: number, steps: number, bug?: SeededBug, checkers: CheckerSet = 'all'): string {
  const parts = ['npx flotilla chaos sim', `--seed ${seed}`, `--steps ${steps}`];
  if (bug) parts.push(`--bug ${bug}`);
  if (checkers === 'end-to-end') parts.push('--end-to-end');
  return parts.join(' ');
}

export interface SweepOptions {
  seeds: readonly number[];
  steps: number;
  bug?: SeededBug;
  checkers?: CheckerSet;
  /** Called after each seed (progress output). */
  onSeed?: (r: SimResult) => void;
}

export interface SweepSummary {
  seedsRun: number;
  steps: number;
  livenessSteps: number;
  elapsedMs: number;
  stepsPerSecond: number;
  /** The slowest healed cluster: most ticks any seed needed to become live (vs livenessTicksMax). */
  livenessTicksWorst: number;
  failures: { result: SimResult; replay: string }[];
}

export function sweep(opts: SweepOptions): SweepSummary {
  const t0 = performance.now();
  let steps = 0;
  let livenessSteps = 0;
  let livenessTicksWorst = 0;
  const failures: SweepSummary['failures'] = [];
  for (const seed of opts.seeds) {
    const r = runSeed({ seed, steps: opts.steps, bug: opts.bug, checkers: opts.checkers ?? 'all' });
    steps += r.steps;
    livenessSteps += r.livenessSteps;
    livenessTicksWorst = Math.max(livenessTicksWorst, r.livenessTicks ?? 0);
    if (r.violation) failures.push({ result: r, replay: replayCommand(seed, opts.steps, opts.bug, opts.checkers) });
    opts.onSeed?.(r);
  }
  const elapsedMs = performance.now() - t0;
  return {
    seedsRun: opts.seeds.length, steps, livenessSteps, livenessTicksWorst, elapsedMs,
    stepsPerSecond: Math.round(steps / Math.max(elapsedMs, 1) * 1000), failures,
  };
}

export interface BugHunt {
  bug: SeededBug;
  caught: boolean;
  /** The first seed on which one of the simulator's checkers caught the bug. */
  seed: number | undefined;
  checker: string | undefined;
  message: string | undefined;
  step: number | undefined;
  replay: string | undefined;
  seedsTried: number;
  steps: number;
  elapsedMs: number;
  /** Seeds stopped earlier by the core's own invariant checks (not counted as a checker catch). */
  coreAssertionSeeds: number[];
}

/** Runs `bug` over `seeds` in order until a checker reports a violation (bounded by the seed list). */
export function huntBug(bug: SeededBug, seeds: readonly number[], steps: number, checkers: CheckerSet = 'all'): BugHunt {
  const t0 = performance.now();
  const hunt: BugHunt = {
    bug, caught: false, seed: undefined, checker: undefined, message: undefined, step: undefined, replay: undefined,
    seedsTried: 0, steps: 0, elapsedMs: 0, coreAssertionSeeds: [],
  };
  for (const seed of seeds) {
    const r = runSeed({ seed, steps, bug, checkers });
    hunt.seedsTried++;
    hunt.steps += r.steps;
    const v = r.violation;
    if (!v) continue;
    if (NOT_A_CHECKER.has(v.checker)) {
      hunt.coreAssertionSeeds.push(seed);
      continue;
    }
    Object.assign(hunt, {
      caught: true, seed, checker: v.checker, message: v.message, step: v.step,
      replay: replayCommand(seed, steps, bug, checkers),
    });
    break;
  }
  hunt.elapsedMs = performance.now() - t0;
  return hunt;
}

export function parseBug(name: string): SeededBug | undefined {
  return ALL_BUGS.find((b) => b === name);
}

/** Seeds first..first+count-1. */
export function seedRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}
