// For tests that need a whole cluster: `flotilla up` on a free port range (`--base-port auto`)
// in a fresh state directory, and `flotilla down` plus removal afterwards — through the real
// CLI, as a user would run it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FLOTILLA_BIN = fileURLToPath(new URL('../../bin/flotilla.js', import.meta.url));

export interface TestCluster {
  stateDir: string;
  /** The environment with KUBECONFIG set to the cluster's admin kubeconfig. */
  env: NodeJS.ProcessEnv;
  /** The output of `flotilla up`. */
  upOutput: string;
}

/** Boots a cluster with `flotilla up ARGS --base-port auto --port auto`; fails the test if it does not come up. */
export function upForTest(args: string[]): TestCluster {
  const stateDir = mkdtempSync(join(tmpdir(), 'flotilla-test-cluster-'));
  const r = spawnSync(process.execPath, [FLOTILLA_BIN, 'up', ...args, '--state-dir', stateDir,
    '--base-port', 'auto', '--port', 'auto', '--timeout', '120'], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) {
    spawnSync(process.execPath, [FLOTILLA_BIN, 'down', '--state-dir', stateDir], { timeout: 120_000 });
    rmSync(stateDir, { recursive: true, force: true });
  }
  assert.equal(r.status, 0, `flotilla up failed: ${r.stdout}${r.stderr}`);
  return { stateDir, env: { ...process.env, KUBECONFIG: join(stateDir, 'kubeconfig') }, upOutput: r.stdout };
}

/** `flotilla down`, then removes the state directory; fails the test if down failed. */
export function downForTest(c: TestCluster | undefined): void {
  if (!c) return;
  const r = spawnSync(process.execPath, [FLOTILLA_BIN, 'down', '--state-dir', c.stateDir],
    { encoding: 'utf8', timeout: 120_000 });
  rmSync(c.stateDir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
}
