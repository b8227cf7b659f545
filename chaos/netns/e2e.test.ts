// Chaos experiments with every member in its own network namespace and kernel-level
// partitions (blackhole routes) instead of the fault proxy. The known-bad experiment is the
// proof that the partitions are real: a follower cut off by the kernel serves serializable
// reads that are stale, and the linearizability checker must catch them. Skipped without
// root/iproute2 (the reason is printed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { loadExperiment } from '../run/experiment.js';
import { runSystem } from '../run/runner.js';
import { experimentsDir } from '../run/testing.js';
import { netnsUnavailable } from './lab.js';

const why = netnsUnavailable();

describe('chaos experiments in network namespaces', { skip: why ?? false }, () => {
  test('ci-smoke (leader kill, then a kernel partition of one member) keeps every checker green', { timeout: 120_000 },
    async () => {
      const r = await runSystem(loadExperiment(`${experimentsDir()}ci-smoke.yaml`, { network: 'netns' }), 'flotilla');
      process.stdout.write(`# ${r.checkers.map((c) => `${c.checker}=${c.verdict}`).join(' ')}\n`);
      for (const c of r.checkers) assert.equal(c.verdict, 'pass', `${c.checker}: ${JSON.stringify(c).slice(0, 1500)}`);
      assert.equal(r.faultEvents.filter((e) => e.phase === 'inject').length, 2);
      assert.ok(r.ops.filter((o) => o.ret !== null).length > 300, 'traffic flowed');
    });

  test('a follower partitioned by the kernel serves stale serializable reads, and they are caught',
    { timeout: 120_000 }, async () => {
      const bad = loadExperiment(`${experimentsDir()}known-bad-stale-reads.yaml`, { network: 'netns' });
      const r = await runSystem(bad, 'flotilla');
      const lin = r.checkers.find((c) => c.checker === 'linearizability');
      assert.ok(lin && lin.checker === 'linearizability');
      assert.equal(lin.verdict, 'fail', 'stale reads from behind a real partition must be caught');
    });

  test('nothing of the lab is left behind', () => {
    assert.doesNotMatch(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout, new RegExp(`flx${process.pid}`));
  });
});
