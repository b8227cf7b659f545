// End to end: chaos/experiments/ci-smoke.yaml (a leader kill -9 and a partition, ~15 s of
// traffic) against Flotilla's store, and against etcd when it is installed — the same
// harness on the reference implementation shows the harness itself is sound. Every
// checker must pass. The runner stops every process it started (process groups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdVersion } from '../../bench/store/systems.js';
import { loadExperiment } from './experiment.js';
import { runSystem, type SystemRun } from './runner.js';
import { experimentsDir } from './testing.js';

const exp = loadExperiment(`${experimentsDir()}ci-smoke.yaml`);

/**
 * etcd before 3.4.24 (and 3.5.8) answers a progress request with its current revision even
 * while the watcher is still replaying older events (etcd-io/etcd#15220). Our watch checker
 * reports that as a `progress` violation; on those versions it is etcd's known bug, not the
 * harness's, so the etcd run tolerates exactly that and says so.
 */
function knownEtcdProgressBug(r: SystemRun, c: SystemRun['checkers'][number]): boolean {
  const v = /^(\d+)\.(\d+)\.(\d+)/.exec(etcdVersion() ?? '');
  const [major, minor, patch] = v ? [Number(v[1]), Number(v[2]), Number(v[3])] : [0, 0, 0];
  const buggy = major === 3 && ((minor === 4 && patch < 24) || (minor === 5 && patch < 8));
  if (r.system !== 'etcd' || !buggy || c.checker !== 'watch' || c.verdict !== 'fail') return false;
  if (!c.violations.every((x) => x.property === 'progress')) return false;
  process.stdout.write(`# etcd ${etcdVersion()}: progress notification ahead of events (etcd-io/etcd#15220), ` +
    `tolerated: ${c.violations[0]!.message}\n`);
  return true;
}

function assertGreen(r: SystemRun): void {
  const summary = r.checkers.map((c) => `${c.checker}=${c.verdict}`).join(' ');
  process.stdout.write(`# ${r.system}: ${summary}; ops ${r.ops.length}, faults ` +
    `${r.faultEvents.filter((e) => e.phase === 'inject').map((e) => e.label).join('; ')}\n`);
  assert.equal(r.checkers.length, 4);
  for (const c of r.checkers) {
    if (knownEtcdProgressBug(r, c)) continue;
    assert.equal(c.verdict, 'pass', `${r.system} ${c.checker}: ${JSON.stringify(c).slice(0, 2000)}`);
  }
  const injected = r.faultEvents.filter((e) => e.phase === 'inject');
  assert.equal(injected.length, 2, 'the leader kill and the partition both happened');
  assert.ok(r.ops.filter((o) => o.ret !== null).length > 300, 'traffic flowed');
  assert.ok(r.watchers.some((w) => w.resumed), 'a watcher resumed from a past revision');
}

test('ci-smoke against Flotilla: every checker passes', { timeout: 120_000 }, async () => {
  assertGreen(await runSystem(exp, 'flotilla'));
});

test('ci-smoke against etcd (validates the harness)', { timeout: 120_000, skip: etcdVersion() === undefined
  ? 'etcd not installed (Debian etcd-server)' : false }, async () => {
  assertGreen(await runSystem(exp, 'etcd'));
});

test('the harness catches a real violation: serializable reads from a partitioned follower', { timeout: 240_000 },
  async () => {
    const bad = loadExperiment(`${experimentsDir()}known-bad-stale-reads.yaml`);
    // A stale read needs a client's serializable read to land on the cut-off follower after a newer write
    // was acknowledged: likely in a run, not certain (CI once saw a run without one). Up to 3 runs; the
    // checker must convict one of them, and a run it passes is printed.
    let lin: Extract<SystemRun['checkers'][number], { checker: 'linearizability' }> | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const r = await runSystem(bad, 'flotilla');
      const c = r.checkers.find((x) => x.checker === 'linearizability');
      assert.ok(c && c.checker === 'linearizability');
      lin = c;
      if (c.verdict === 'fail') break;
      process.stdout.write(`# attempt ${attempt}: no stale read happened (${r.ops.length} ops); running again\n`);
    }
    assert.ok(lin);
    assert.equal(lin.verdict, 'fail', 'stale reads must be caught');
    const f = lin.failures[0]!;
    process.stdout.write(`# caught on key ${f.key}; smallest failing sub-history (${f.minimal!.length} ops):\n` +
      `${f.timeline!.split('\n').map((l) => `#   ${l}`).join('\n')}\n`);
    assert.ok(f.minimal!.length < f.ops, 'shrunk');
    assert.ok(f.minimal!.length >= 2, 'the evidence keeps the write the stale read contradicts');
    assert.ok(f.minimal!.some((o) => o.input.kind === 'get' || o.input.kind === 'list'));
  });
