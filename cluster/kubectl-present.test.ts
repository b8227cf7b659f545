// The kubectl suites skip themselves without kubectl; this test makes that loud: a machine
// without the stock kubectl (1.32 here) fails CI with a clear message instead of passing
// silently with half the compatibility tests not run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('the stock kubectl is installed (the compatibility suites need it)', () => {
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'kubectl is not on PATH: install the Kubernetes client (v1.32) to run the kubectl suites');
  const minor = Number((JSON.parse(r.stdout) as { clientVersion: { minor: string } }).clientVersion.minor.replace(/\D/g, ''));
  assert.ok(minor >= 30, `kubectl 1.${minor} is older than the 1.30+ these suites were written against`);
});
