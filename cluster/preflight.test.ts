// `flotilla up` refuses a port clash before starting anything, and a boot that fails half way
// stops every process it had started (no half-cluster left running behind an error message).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { freePorts } from '../store/server/testing/process-cluster.js';
import { candidateBases } from './free-ports.js';
import { isOurs, readState } from './state.js';

const BIN = fileURLToPath(new URL('../../bin/flotilla.js', import.meta.url));

function upCli(stateDir: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'up', '--masters', '1', '--workers', '0', '--state-dir', stateDir, ...args],
    { encoding: 'utf8', timeout: 120_000 });
}

describe('flotilla up preflight and cleanup', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'flotilla-preflight-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) {
      spawnSync(process.execPath, [BIN, 'down', '--state-dir', d], { encoding: 'utf8', timeout: 60_000 });
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('--port inside the --base-port range is refused before anything starts', async () => {
    const base = candidateBases()[0]!;
    const dir = tmp();
    const r = upCli(dir, '--base-port', String(base), '--port', String(base + 999));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`--port ${base + 999} lies inside the range --base-port ${base} reserves`));
    assert.equal(readState(dir), undefined, 'no process was started, so no state was written');
  });

  test('a port already taken is named with the process that needed it', async () => {
    // A range below the ephemeral ports (20000 + p % 20000 reached into them, where any outgoing connection
    // may hold one of the range's ports: CI once failed on another port than the one held here).
    const base = candidateBases()[0]!;
    let lbPort: number;
    do [lbPort] = await freePorts(1) as [number]; while (lbPort >= base && lbPort < base + 1000);
    const holder: Server = createServer();
    await new Promise<void>((res) => holder.listen(base + 10 + 4, '127.0.0.1', res)); // master-1's apiserver port
    try {
      const dir = tmp();
      const r = upCli(dir, '--base-port', String(base), '--port', String(lbPort));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, new RegExp(`port ${base + 14} \\(master-1/apiserver https\\) is not available`));
      assert.equal(readState(dir), undefined);
    } finally {
      holder.close();
    }
  });

  test('a boot that times out stops the processes it started', async () => {
    const dir = tmp();
    // auto: a free range below the ephemeral ports and an LB port outside it (two random picks once collided).
    const r = upCli(dir, '--base-port', 'auto', '--port', 'auto', '--timeout', '1',
      '--workers', '1'); // a store election alone takes longer than 1 s, a node's registration more
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, /not healthy[\s\S]*stopped the \d+ processes this boot had started/);
    const s = readState(dir);
    assert.ok(s, 'the boot had started processes and recorded them');
    const launched = s.processes.filter((x) => x.pid !== undefined);
    assert.ok(launched.length > 0);
    assert.deepEqual(launched.filter((x) => isOurs(x, s.stateDir)).map((x) => x.id), [], 'nothing left running');
  });
  test('--base-port auto tries other ranges below the ephemeral ports when one clashes', async () => {
    const bases = candidateBases();
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    assert.ok(bases.length >= 5 && bases.every((b) => b % 1000 === 0 && b + 1000 <= low), bases.join(','));
    // Hold master-1's store client port (base + 11) of every candidate range: each attempt must clash.
    const holders = await Promise.all(bases.map((b) => new Promise<Server>((res) => {
      const srv = createServer();
      srv.once('error', () => res(srv)); // taken already: it clashes anyway
      srv.listen(b + 11, '127.0.0.1', () => res(srv));
    })));
    try {
      const dir = tmp();
      const r = upCli(dir, '--base-port', 'auto', '--port', 'auto');
      assert.notEqual(r.status, 0);
      assert.equal((r.stdout.match(/clashed with another process; trying another range/g) ?? []).length, 4, r.stdout);
      assert.match(r.stderr, /master-1\/store client\) is not available/);
    } finally {
      for (const h of holders) h.close();
    }
  });
});
