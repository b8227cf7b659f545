// Each classic Raft bug the core can re-introduce (SeededBug) must be caught by the default
// fault mix within the default run (seeds 1..200, default steps per seed): with all checkers,
// and again with only the end-to-end checkers (no per-member Figure 2 rules), which proves the
// faults turn the bug into user-visible damage. Seeds are tried in order until the first catch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STEPS_PER_SEED } from './limits.js';
import { ALL_BUGS, huntBug, seedRange } from './runner.js';
import { runSeed } from './sim.js';
import type { CheckerSet } from './checkers/index.js';

/** The default CLI run: `flotilla chaos sim --seeds 200`. */
const SEEDS = seedRange(1, 200);

for (const checkers of ['all', 'end-to-end'] as CheckerSet[]) {
  for (const bug of ALL_BUGS) {
    test(`seeded bug ${bug} is caught (${checkers} checkers)`, () => {
      const h = huntBug(bug, SEEDS, DEFAULT_STEPS_PER_SEED, checkers);
      console.log(`${bug} [${checkers}]: ${h.caught ? `caught on seed ${h.seed} by ${h.checker} at step ${h.step}` : 'NOT caught'}` +
        ` after ${h.seedsTried} seed(s), ${h.steps} steps, ${(h.elapsedMs / 1000).toFixed(1)} s` +
        `${h.coreAssertionSeeds.length ? `; core invariant stopped seeds ${h.coreAssertionSeeds.join(',')}` : ''}` +
        `\n  ${h.message ?? ''}\n  replay: ${h.replay ?? '-'}`);
      assert.ok(h.caught, `${bug} was not caught in ${SEEDS.length} seeds`);
      // The same seed without the bug is clean: the violation is the bug's doing.
      const clean = runSeed({ seed: h.seed as number, steps: DEFAULT_STEPS_PER_SEED, checkers });
      assert.equal(clean.violation, undefined, `seed ${h.seed} fails even without ${bug}`);
    });
  }
}
