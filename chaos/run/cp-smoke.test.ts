// End to end, control plane: chaos/experiments/control-plane-smoke.yaml boots a 3-master,
// 2-worker cluster with `flotilla up`, runs the Deployment workload, kills an apiserver, the
// active scheduler and the active controller-manager in turn, and every control-plane checker
// must pass; the report must be written. The library's control-plane experiments must parse,
// and bad files must name the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCpExperiment, loadAnyExperiment, parseAnyExperiment } from '../controlplane/experiment.js';
import { writeCpReport } from '../controlplane/report.js';
import { runControlPlane } from '../controlplane/runner.js';
import { ExperimentError } from './errors.js';
import { experimentsDir } from './testing.js';

test('every control-plane experiment of the library parses', () => {
  const files = readdirSync(experimentsDir()).filter((f) => f.endsWith('.yaml'));
  const cp = files.map((f) => loadAnyExperiment(join(experimentsDir(), f))).filter(isCpExperiment);
  assert.deepEqual(cp.map((e) => e.name).sort(), ['apiserver-kill-under-kubectl-load', 'control-plane-smoke',
    'node-agent-death', 'scheduler-kill-during-scale-up']);
});

test('a bad control-plane experiment names the field', () => {
  const bad = (yaml: string, path: RegExp) => assert.throws(() => parseAnyExperiment(yaml, 'x.yaml'),
    (e: unknown) => e instanceof ExperimentError && path.test(e.message));
  bad('kind: control-plane\nname: a\nfaults: [{kill: etcd, at: 1s, restartAfter: 1s}]', /faults\[0\]\.kill: expected one of/);
  bad('kind: control-plane\nname: a\nfaults: [{kill: scheduler:2, at: 1s, restartAfter: 1s}]', /faults\[0\]\.kill: scheduler is chosen/);
  bad('kind: control-plane\nname: a\ntopology: {workers: 2}\nfaults: [{kill: "worker:3", at: 1s, restartAfter: 1s}]',
    /faults\[0\]\.kill: must be between 1 and 2/);
  bad('kind: control-plane\nname: a\nworkload: {maxSurge: 0, maxUnavailable: 0}', /workload\.maxSurge: .*both be 0/);
  bad('kind: control-plane\nname: a\nworkload: {kubectl: {rate: 50}}', /workload\.kubectl\.rate: must be between/);
  bad('kind: control-plane\nname: a\nfaults: [{kill: apiserver, at: 1s}]', /faults\[0\]\.restartAfter: required/);
  bad('kind: cp\nname: a', /kind: expected kv or control-plane/);
});

test('control-plane-smoke: apiserver, scheduler and controller-manager kills; every checker passes',
  { timeout: 420_000 }, async () => {
    const exp = loadAnyExperiment(join(experimentsDir(), 'control-plane-smoke.yaml'));
    assert.ok(isCpExperiment(exp));
    const run = await runControlPlane(exp, { log: (l) => process.stdout.write(`# ${l}\n`) });
    const out = mkdtempSync(join(tmpdir(), 'cp-smoke-report-'));
    try {
      const files = writeCpReport(exp, run, out, 'cp-smoke.test');
      assert.ok(existsSync(files.html) && readFileSync(files.html, 'utf8').includes('Unavailability per fault'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    for (const c of run.checkers) {
      process.stdout.write(`# ${c.checker}: ${c.verdict}\n`);
      // Any failing checker fails the test, with its evidence.
      assert.equal(c.verdict, 'pass', `${c.checker}: ${JSON.stringify(c).slice(0, 3000)}`);
    }
    assert.deepEqual(run.checkers.map((c) => c.checker), ['bindings', 'surge', 'convergence', 'availability']);
    const injected = run.faultEvents.filter((e) => e.phase === 'inject').map((e) => e.label);
    process.stdout.write(`# faults: ${injected.join('; ')}\n`);
    assert.equal(injected.length, 3, `all three faults fired: ${JSON.stringify(run.faultEvents)}`);
    assert.ok(run.faultEvents.filter((e) => e.phase === 'heal').length === 3, 'and healed');
    assert.ok(run.ops.filter((o) => o.ret !== null && o.kind === 'scale').length > 3, 'Deployments were scaled');
    assert.ok(run.pods.length > 10, 'pods were recorded');
  });
