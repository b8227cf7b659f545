// The netns lab against the real kernel: hosts reach each other and the root namespace over
// the bridge, a blocked link really drops packets (and only on that link), delay really
// delays, heal restores, and destroy/sweep leave nothing behind. Skipped without root/iproute2.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { LinkTable } from '../run/fault-proxy.js';
import { NetnsLab, netnsUnavailable, sweepStaleLabs } from './lab.js';

const why = netnsUnavailable();

/** Connects from `ns` (or the root namespace) to host:port; resolves to the elapsed ms or 'fail'. */
function connectFrom(ns: string | undefined, host: string, port: number): number | 'fail' {
  const script = `const t=Date.now();const s=require('net').connect(${port},'${host}',()=>{` +
    `console.log(Date.now()-t);process.exit(0)});s.on('error',()=>{console.log('fail');process.exit(0)});` +
    `setTimeout(()=>{console.log('fail');process.exit(0)},1500)`;
  const cmd = ns ? ['ip', ['netns', 'exec', ns, process.execPath, '-e', script]] as const
    : [process.execPath, ['-e', script]] as const;
  const out = spawnSync(cmd[0], [...cmd[1]], { encoding: 'utf8', timeout: 10_000 }).stdout.trim();
  return out === 'fail' ? 'fail' : Number(out);
}

describe('netns lab', { skip: why ?? false }, () => {
  const lab = NetnsLab.create(['a', 'b', 'c']);
  const links = new LinkTable();
  lab.enforce(links);
  const servers = ['b', 'c'].map((n) => {
    const [cmd, args] = lab.wrap(n, process.execPath,
      ['-e', `require('net').createServer((s)=>s.end()).listen(7000,'${lab.ipOf(n)}')`]);
    return spawn(cmd, args, { detached: true, stdio: 'ignore' });
  });
  after(() => {
    for (const s of servers) if (s.pid !== undefined) process.kill(-s.pid, 'SIGKILL');
    lab.destroy();
  });

  test('hosts reach each other and the root namespace reaches them', async () => {
    for (let i = 0; i < 50 && connectFrom(undefined, lab.ipOf('c'), 7000) === 'fail'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.notEqual(connectFrom(undefined, lab.ipOf('b'), 7000), 'fail');
    assert.notEqual(connectFrom(lab.nsOf('a'), lab.ipOf('b'), 7000), 'fail');
    assert.notEqual(connectFrom(lab.nsOf('a'), lab.ipOf('c'), 7000), 'fail');
  });

  test('a blocked link drops a→b only; heal restores it', async () => {
    links.cut(['a'], ['b']);
    await lab.settled();
    assert.equal(connectFrom(lab.nsOf('a'), lab.ipOf('b'), 7000), 'fail');
    assert.notEqual(connectFrom(lab.nsOf('a'), lab.ipOf('c'), 7000), 'fail', 'a→c untouched');
    assert.notEqual(connectFrom(undefined, lab.ipOf('b'), 7000), 'fail', 'clients still reach b');
    links.heal();
    await lab.settled();
    assert.notEqual(connectFrom(lab.nsOf('a'), lab.ipOf('b'), 7000), 'fail');
  });

  test('delay on a→c delays the handshake by at least that much (or is refused without netem)', async (t) => {
    links.set('a', 'c', { delayMs: 300 });
    if (!lab.canDelay) {
      await assert.rejects(lab.settled(), /needs the kernel's prio and netem qdiscs/);
      t.diagnostic('this kernel has no netem: delay is refused loudly, as it must be');
      return;
    }
    await lab.settled();
    const slow = connectFrom(lab.nsOf('a'), lab.ipOf('c'), 7000);
    assert.ok(slow !== 'fail' && slow >= 250, `connect took ${slow} ms with 300 ms of netem delay`);
    links.heal();
    await lab.settled();
  });

  test('destroy leaves no namespace or bridge; a dead run\'s lab is swept', () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout.trim());
    assert.equal(spawnSync('ip', ['netns', 'add', `flx${deadPid}q-left`]).status, 0);
    assert.ok(sweepStaleLabs() >= 1);
    const names = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(names(), new RegExp(`flx${deadPid}q-`));
    assert.match(names(), new RegExp(lab.nsOf('a')), 'a live lab of ours is not swept');
    const other = NetnsLab.create(['x']);
    assert.match(names(), new RegExp(other.nsOf('x')));
    other.destroy();
    assert.doesNotMatch(names(), new RegExp(other.nsOf('x')));
    assert.notEqual(spawnSync('ip', ['link', 'show', other.bridge]).status, 0, 'its bridge is gone');
  });
});
