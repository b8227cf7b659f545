// The bug-free simulation: at least a million steps across seeds, zero violations. Every
// failure prints the one command that replays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runSeed } from './sim.js';
import { seedRange, sweep, replayCommand } from './runner.js';

/** Steps per seed in the fixed sweep; 48 seeds x 25,000 >= 1,000,000 steps. */
const SWEEP_STEPS_PER_SEED = 25_000;
const SWEEP_SEEDS = seedRange(1001, 48);

test('bug-free sweep: >= 1,000,000 simulated steps across seeds, no violation', () => {
  const s = sweep({ seeds: SWEEP_SEEDS, steps: SWEEP_STEPS_PER_SEED });
  console.log(`seeds ${SWEEP_SEEDS[0]}..${SWEEP_SEEDS[SWEEP_SEEDS.length - 1]}: ${s.steps} steps ` +
    `(${s.livenessSteps} in liveness phases), ${s.stepsPerSecond} steps/s, ${(s.elapsedMs / 1000).toFixed(1)} s`);
  const why = s.failures.map((f) => `seed ${f.result.seed} [${f.result.violation?.checker}] ${f.result.violation?.message}\n` +
    `  replay: ${f.replay}`);
  assert.deepEqual(why, []);
  assert.ok(s.steps >= 1_000_000, `only ${s.steps} steps`);
});

test('bug-free runs on random seeds (fast-check picks them; its seed is printed)', () => {
  const fcSeed = Date.now() % 1_000_000;
  const steps = 10_000;
  console.log(`fast-check seed ${fcSeed} (replay: fc.assert(..., { seed: ${fcSeed} }))`);
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
    const r = runSeed({ seed, steps });
    assert.equal(r.violation, undefined, `${JSON.stringify(r.violation)}; replay: ${replayCommand(seed, steps)}`);
  }), { seed: fcSeed, numRuns: 20 });
});

test('a seed replays exactly: same steps, same statistics, same outcome', () => {
  const a = runSeed({ seed: 77, steps: 8_000 });
  const b = runSeed({ seed: 77, steps: 8_000 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(runSeed({ seed: 78, steps: 8_000 }).stats, a.stats);
});

test('the liveness phase rejects a cluster that cannot finish within its bound (known-bad: zero ticks)', () => {
  const r = runSeed({ seed: 5, steps: 5_000, limits: { livenessTicksMax: 0 } });
  assert.equal(r.violation?.checker, 'liveness');
  assert.match(r.violation?.message ?? '', /no progress within livenessTicksMax=0 ticks/);
  assert.equal(runSeed({ seed: 5, steps: 5_000 }).violation, undefined);
});

test('the fault schedule actually exercises the hard paths', () => {
  const totals = {
    crashes: 0, snapshots: 0, conf: 0, reads: 0, writes: 0, elections: 0, crashAtReady: 0, partitions: 0,
  };
  for (const seed of seedRange(1, 10)) {
    const { stats } = runSeed({ seed, steps: 20_000 });
    totals.crashes += stats.crashes;
    totals.snapshots += stats.snapshotsInstalled;
    totals.conf += stats.confChanges;
    totals.reads += stats.readsDone;
    totals.writes += stats.writesAcked;
    totals.elections += stats.elections;
    totals.crashAtReady += stats.faults['crash-at-ready'] ?? 0;
    totals.partitions += (stats.faults.partition ?? 0) + (stats.faults['isolate-leader'] ?? 0) + (stats.faults['one-way'] ?? 0);
  }
  console.log(JSON.stringify(totals));
  for (const [k, v] of Object.entries(totals)) assert.ok(v > 10, `${k}: only ${v} in 10 seeds`);
});
