// `chaos run --cluster DIR` only attaches to a cluster that is fully running and big enough for
// the experiment: a stopped one is refused with the processes named, never half-used.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FLOTILLA_BIN } from '../../cluster/testing.js';
import { CpCluster } from './cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-attach-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('attaching to a cluster that is not running is refused, naming what is stopped', () => {
  // A boot that times out leaves a state file whose processes were all stopped.
  const r = spawnSync(process.execPath, [FLOTILLA_BIN, 'up', '--masters', '1', '--workers', '1', '--state-dir', dir,
    '--base-port', 'auto', '--port', 'auto', '--timeout', '1'], { encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(r.status, 0);
  assert.throws(() => CpCluster.attach(dir, { masters: 1, workers: 1 }),
    /the cluster in .* is not fully running \(master-1\/store, .*stopped\): `flotilla start` them first/);
});
