// A real 3-member store on loopback (three `flotilla store` processes, real disk with
// fsync), driven by Debian's stock etcdctl and by a gRPC client: replication, linearizable
// reads through followers, watches, leases decided by the leader, and kill -9 of the
// leader under writes with nothing acknowledged lost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connectClients, Etcdctl, type EtcdClients, parseJsonExact, requireEtcdctl, waitUntil } from '../api/testing/harness.js';
import { freePorts, ProcessCluster, type ProcessMember } from './testing/process-cluster.js';

requireEtcdctl();

function unary<T>(client: grpc.Client, method: string, req: object, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method]!;
    fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs },
      (err: grpc.ServiceError | null, v: T) => (err ? reject(err) : resolve(v)));
  });
}

async function leaderOf(c: ProcessCluster, alive: ProcessMember[] = c.members): Promise<ProcessMember> {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const m of alive) {
      const out = await new Etcdctl(c.endpoint(m)).run(['endpoint', 'status', '-w', 'json']);
      if (out.code !== 0) continue;
      const st = (parseJsonExact(out.stdout) as { Status: { header: { member_id: string }; leader: string } }[])[0]!;
      const { leader } = st.Status;
      const self = st.Status.header?.member_id;
      // Both must be present: undefined === undefined would name a follower the leader.
      if (leader !== undefined && self !== undefined && String(leader) === String(self)) return m;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no leader found');
}

describe('a 3-member store driven by stock etcdctl', () => {
  let c: ProcessCluster;
  const ctl = (m: ProcessMember) => new Etcdctl(c.endpoint(m));
  before(async () => {
    c = await ProcessCluster.start({ size: 3, extraFlags: ['--lease-checkpoint-interval', '1000'] });
  });
  after(async () => c?.stopAll());

  test('a write through one follower is read (linearizably) through every member', async () => {
    const [m1, m2, m3] = c.members as [ProcessMember, ProcessMember, ProcessMember];
    await ctl(m2).ok(['put', 'greeting', 'hello']);
    for (const m of [m1, m2, m3]) assert.equal(await ctl(m).ok(['get', 'greeting', '--print-value-only']), 'hello\n');
    const json = parseJsonExact(await ctl(m3).ok(['get', 'greeting', '-w', 'json'])) as { kvs: { version: number }[] };
    assert.equal(json.kvs[0]!.version, 1);
  });

  test('txn compare-and-put through a follower: one success, then the stale compare fails', async () => {
    const m = c.members[2]!;
    await ctl(m).ok(['put', 'cas', 'v1']);
    const first = await ctl(m).ok(['txn'], { stdin: 'value("cas") = "v1"\n\nput cas v2\n\nput cas lost\n\n' });
    assert.match(first, /^SUCCESS/);
    const second = await ctl(m).ok(['txn'], { stdin: 'value("cas") = "v1"\n\nput cas v3\n\nget cas\n\n' });
    assert.match(second, /^FAILURE/);
    assert.equal(await ctl(c.members[0]!).ok(['get', 'cas', '--print-value-only']), 'v2\n');
  });

  test('a watch on one member sees writes made through another, in order', async () => {
    const w = ctl(c.members[0]!).start(['watch', 'w/', '--prefix']);
    await new Promise((r) => setTimeout(r, 300));
    for (const v of ['a', 'b', 'c']) await ctl(c.members[1]!).ok(['put', `w/${v}`, v]);
    const out = await w.waitForOutput((o) => o.includes('w/c'), 5000);
    await w.kill();
    assert.deepEqual(out.split('\n').filter((l) => l.startsWith('w/')), ['w/a', 'w/b', 'w/c']);
  });

  test('leases: keep-alive through a follower, then the leader revokes the expired lease everywhere', async () => {
    const m = c.members[1]!;
    const grant = await ctl(m).ok(['lease', 'grant', '2']);
    const id = /lease ([0-9a-f]+) granted/.exec(grant)![1]!;
    await ctl(m).ok(['put', 'leased', 'x', `--lease=${id}`]);
    assert.match(await ctl(c.members[2]!).ok(['lease', 'keep-alive', '--once', id]), /keepalived with TTL\(2\)/);
    assert.match(await ctl(c.members[0]!).ok(['lease', 'timetolive', id, '--keys']), /attached keys\(\[leased\]\)/);
    const deadline = Date.now() + 8000;
    let value = 'x\n';
    while (value !== '' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      value = await ctl(c.members[2]!).ok(['get', 'leased', '--print-value-only']);
    }
    assert.equal(value, '', 'the key attached to the expired lease is gone');
  });

  test('a lease\'s remaining TTL survives a leader change (checkpointed), neither reset nor lost', async () => {
    const leader = await leaderOf(c);
    const grant = await ctl(leader).ok(['lease', 'grant', '12']);
    const id = /lease ([0-9a-f]+) granted/.exec(grant)![1]!;
    await new Promise((r) => setTimeout(r, 4000)); // several checkpoints (every 1 s here)
    const target = c.members.find((m) => m !== leader)!;
    const statusFields = await ctl(target).ok(['endpoint', 'status', '-w', 'fields']);
    const memberId = BigInt(/"MemberID" : (\d+)/.exec(statusFields)![1]!).toString(16);
    assert.match(await ctl(leader).ok(['move-leader', memberId]), /Leadership transferred/);
    const ttl = Number(/remaining\((-?\d+)s\)/.exec(await ctl(target).ok(['lease', 'timetolive', id]))![1]);
    // 12 s granted, ~4 s elapsed, so ~8 s remain. The new leader continues from the last
    // checkpoint: at most one checkpoint interval (1 s) plus an election timeout (0.5 s)
    // more, never a restart at 12 s, never less than what truly remains.
    assert.ok(ttl >= 7 && ttl <= 10, `remaining TTL after the leader change: ${ttl}s (expected 7-10)`);
  });

  test('member list names all three; endpoint status agrees on one leader and one term', async () => {
    const list = await ctl(c.members[0]!).ok(['member', 'list']);
    for (const m of c.members) assert.ok(list.includes(`${m.name}, http://127.0.0.1:${m.peerPort}, http://127.0.0.1:${m.clientPort}`));
    const status = parseJsonExact(await new Etcdctl(c.endpoints).ok(['endpoint', 'status', '-w', 'json'])) as
      { Status: { leader?: string; raftTerm?: string } }[];
    assert.equal(status.length, 3);
    const leaders = status.map((s) => s.Status.leader);
    const terms = status.map((s) => s.Status.raftTerm);
    // etcdctl prints raftTerm (not raft_term): check the fields exist, so this cannot pass on undefined.
    assert.ok(leaders.every((l) => l !== undefined && String(l) !== '0'), JSON.stringify(status));
    assert.ok(terms.every((t) => t !== undefined && Number(t) > 0), JSON.stringify(status));
    assert.equal(new Set(leaders.map(String)).size, 1);
    assert.equal(new Set(terms.map(String)).size, 1);
  });

  test('compaction is replicated: an old revision is compacted on every member', async () => {
    const rev = (parseJsonExact(await ctl(c.members[0]!).ok(['put', 'compact-me', '1', '-w', 'json'])) as
      { header: { revision: number } }).header.revision;
    await ctl(c.members[0]!).ok(['put', 'compact-me', '2']);
    await ctl(c.members[1]!).ok(['compaction', String(Number(rev) + 1)]);
    for (const m of c.members) {
      const r = await ctl(m).run(['get', 'compact-me', `--rev=${rev}`]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /required revision has been compacted/);
    }
  });

  test('etcdctl snapshot save, then restore into a new 3-member cluster that serves the same data', async () => {
    await ctl(c.members[0]!).ok(['put', 'backed/up', 'yes']);
    const file = join(c.root, 'backup.db');
    await ctl(c.members[1]!).ok(['snapshot', 'save', file]);
    const fresh = await ProcessCluster.start({
      size: 3,
      beforeLaunch: async (n) => {
        for (const m of n.members) {
          const r = await ProcessCluster.runCli(['store', 'snapshot', 'restore', file, '--name', m.name,
            '--data-dir', m.dataDir, '--initial-cluster', n.initialCluster, '--initial-cluster-token', 'flotilla-test',
            '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`]);
          assert.equal(r.code, 0, r.output);
        }
      },
    });
    try {
      for (const m of fresh.members) {
        assert.equal(await new Etcdctl(fresh.endpoint(m)).ok(['get', 'backed/up', '--print-value-only']), 'yes\n');
      }
      const list = await new Etcdctl(fresh.endpoint(fresh.members[0]!)).ok(['member', 'list']);
      for (const m of fresh.members) assert.ok(list.includes(`http://127.0.0.1:${m.peerPort}`), list);
      await new Etcdctl(fresh.endpoint(fresh.members[2]!)).ok(['put', 'after/restore', '1']);
    } finally {
      await fresh.stopAll();
    }
  });

  test('each member serves /metrics, /livez and /readyz', async () => {
    for (const m of c.members) {
      assert.ok(await c.health(m, '/livez'));
      assert.ok(await c.health(m, '/readyz'));
      const text = await (await fetch(`http://127.0.0.1:${m.metricsPort}/metrics`)).text();
      assert.match(text, /flotilla_store_raft_applied_index \d+/);
    }
  });
});

describe('membership changes with stock etcdctl', () => {
  test('add a learner, let it join and catch up, promote it, remove a voter (which then exits)', async () => {
    const c = await ProcessCluster.start({ size: 3 });
    const ctl = new Etcdctl(c.endpoint(c.members[0]!));
    try {
      await ctl.ok(['put', 'before-join', 'here']);
      const m4 = await c.addMember();
      const added = await ctl.ok(['member', 'add', m4.name, '--learner', `--peer-urls=http://127.0.0.1:${m4.peerPort}`]);
      assert.match(added, /added to cluster/);
      c.launch(m4);
      await c.waitReady([m4], 20_000);
      assert.equal(await new Etcdctl(c.endpoint(m4)).ok(['get', 'before-join', '--print-value-only', '--consistency=s']),
        'here\n');
      const id4 = (await ctl.ok(['member', 'list'])).split('\n').find((l) => l.includes(` ${m4.name},`))!.split(',')[0]!;
      assert.match(await ctl.ok(['member', 'list']), new RegExp(`${id4}, started, ${m4.name}, .*, true`));
      assert.match(await ctl.ok(['member', 'promote', id4]), /promoted/);
      const m2 = c.members[1]!;
      const id2 = (await ctl.ok(['member', 'list'])).split('\n').find((l) => l.includes(` ${m2.name},`))!.split(',')[0]!;
      assert.match(await ctl.ok(['member', 'remove', id2]), /removed/);
      await waitUntil(() => c.exited(m2), 10_000, () => 'the removed member did not exit');
      const list = await ctl.ok(['member', 'list']);
      assert.ok(!list.includes(` ${m2.name},`) && list.includes(`${id4}, started, ${m4.name}`), list);
      // The new 3-voter configuration (m1, m3, m4) commits writes.
      await new Etcdctl(c.endpoint(m4)).ok(['put', 'after-change', 'ok']);
      assert.equal(await new Etcdctl(c.endpoint(c.members[2]!)).ok(['get', 'after-change', '--print-value-only']), 'ok\n');
    } finally {
      await c.stopAll();
    }
  });
});

describe('member update with stock etcdctl', () => {
  test('etcdctl member update moves a member to a new peer port; restarted there, it rejoins', async () => {
    const c = await ProcessCluster.start({ size: 3 });
    const ctl = new Etcdctl(c.endpoint(c.members[0]!));
    try {
      const m3 = c.members[2]!;
      const id3 = (await ctl.ok(['member', 'list'])).split('\n').find((l) => l.includes(` ${m3.name},`))!.split(',')[0]!;
      const [newPort] = await freePorts(1);
      const url = `http://127.0.0.1:${newPort!}`;
      assert.match(await ctl.ok(['member', 'update', id3, `--peer-urls=${url}`]), /updated/);
      assert.match(await ctl.ok(['member', 'list']), new RegExp(`${id3}, started, ${m3.name}, ${url},`));
      const m1 = c.members[0]!;
      const id1 = (await ctl.ok(['member', 'list'])).split('\n').find((l) => l.includes(` ${m1.name},`))!.split(',')[0]!;
      const taken = await ctl.run(['member', 'update', id1, `--peer-urls=${url}`]);
      assert.notEqual(taken.code, 0, 'a peer URL another member has is refused');
      await c.kill(m3, 'SIGTERM');
      m3.peerPort = newPort!;
      c.launch(m3);
      await c.waitReady([m3], 20_000);
      await ctl.ok(['put', 'after-move', 'ok']);
      // A linearizable read through m3 needs the leader to reach it at the new URL.
      assert.equal(await new Etcdctl(c.endpoint(m3)).ok(['get', 'after-move', '--print-value-only']), 'ok\n');
    } finally {
      await c.stopAll();
    }
  });
});

describe('quota, corruption and graceful shutdown', () => {
  test('past --quota-backend-bytes: NOSPACE alarm, puts refused, reads and deletes still served', async () => {
    const c = await ProcessCluster.start({ size: 3, extraFlags: ['--quota-backend-bytes', String(64 * 1024)] });
    const ctl = new Etcdctl(c.endpoint(c.members[0]!));
    try {
      const big = 'x'.repeat(8 * 1024);
      let refused = '';
      for (let i = 0; i < 20 && !refused; i++) {
        const r = await ctl.run(['put', `big/${i}`, big]);
        if (r.code !== 0) refused = r.stderr;
      }
      assert.match(refused, /database space exceeded/);
      assert.match(await ctl.ok(['alarm', 'list']), /alarm:NOSPACE/);
      assert.equal((await ctl.ok(['get', 'big/0', '--print-value-only'])).length, big.length + 1);
      assert.match(await ctl.ok(['del', 'big/', '--prefix']), /^\d+/);
      assert.match((await ctl.run(['put', 'small', '1'])).stderr, /database space exceeded/, 'the alarm stays until disarmed');
      await ctl.ok(['alarm', 'disarm']);
      await ctl.ok(['put', 'small', '1']);
    } finally {
      await c.stopAll();
    }
  });

  test('a corrupted WAL record before the tail refuses start, naming the file and offset', async () => {
    const c = await ProcessCluster.start({ size: 3 });
    try {
      const ctl = new Etcdctl(c.endpoint(c.members[0]!));
      for (let i = 0; i < 20; i++) await ctl.ok(['put', `k${i}`, 'value-'.repeat(20)]);
      const m = c.members[2]!;
      await c.kill(m, 'SIGTERM');
      const walDir = join(m.dataDir, 'wal');
      const seg = join(walDir, readdirSync(walDir).filter((f) => f.endsWith('.wal')).sort()[0]!);
      const bytes = readFileSync(seg);
      const at = bytes.indexOf(Buffer.from('value-value-')); // inside an early entries record
      bytes[at] = bytes[at]! ^ 0xff;
      writeFileSync(seg, bytes);
      c.launch(m);
      await waitUntil(() => c.exited(m), 10_000, () => 'the member started on a corrupted WAL');
      assert.equal(m.child!.exitCode, 1);
      const log = readFileSync(m.logFile, 'utf8');
      assert.match(log, /FLOTILLA_ERR_WAL_CORRUPT/);
      assert.ok(log.includes(seg.split('/').pop()!), 'the error names the segment file');
      assert.match(log, /offset/);
    } finally {
      await c.stopAll();
    }
  });

  test('SIGTERM to the leader hands leadership over before it exits', async () => {
    const c = await ProcessCluster.start({ size: 3 });
    try {
      const leader = await leaderOf(c);
      await c.kill(leader, 'SIGTERM');
      assert.match(readFileSync(leader.logFile, 'utf8'), /"done":true,"msg":"leadership transfer on shutdown"/);
      const rest = c.members.filter((m) => m !== leader);
      const next = await leaderOf(c, rest);
      assert.ok(rest.includes(next));
      await new Etcdctl(c.endpoint(next)).ok(['put', 'after-handover', '1']);
    } finally {
      await c.stopAll();
    }
  });
});

describe('snapshots under load', () => {
  const put = (cl: EtcdClients, key: string) =>
    unary(cl.kv, 'Put', { key: Buffer.from(key), value: Buffer.from('v') }, 20_000);

  test('members snapshot in the background with no leader change; a member that was down catches up ' +
    'from a snapshot taken while writes go on, to exactly the same state', async () => {
    const c = await ProcessCluster.start({ size: 3, snapshotCount: 200 });
    const leader = await leaderOf(c);
    const lagging = c.members.find((m) => m !== leader)!;
    const leaderLogAtStart = readFileSync(leader.logFile, 'utf8').length; // the first election is logged before
    const clients = new Map(c.members.map((m) => [m, connectClients(c.endpoint(m))]));
    try {
      await c.kill(lagging, 'SIGKILL');
      // More than snapshotCatchUpEntries (5000) past the member's log: the leader compacts
      // what it lacks, so it can only catch up from a snapshot.
      for (let round = 0; round < 60; round++) {
        await Promise.all(Array.from({ length: 100 }, (_, i) => put(clients.get(leader)!, `s/${round * 100 + i}`)));
      }
      let writing = true;
      let extra = 0;
      const writer = (async () => {
        for (; writing; extra++) await put(clients.get(leader)!, `s/extra/${extra}`);
      })();
      c.launch(lagging);
      await c.waitReady([lagging], 30_000);
      await waitUntil(() => readFileSync(lagging.logFile, 'utf8').includes('installed snapshot from leader'), 30_000,
        () => `${lagging.name} did not install a snapshot`);
      await new Promise((r) => setTimeout(r, 500));
      writing = false;
      await writer;
      const head = await unary<{ header: { revision: string } }>(clients.get(leader)!.kv, 'Range',
        { key: Buffer.from('s/'), range_end: Buffer.from('s0'), count_only: true }, 10_000);
      const revision = head.header.revision;
      const hashes: number[] = [];
      for (const [m, cl] of clients) {
        const r = await unary<{ count: string }>(cl.kv, 'Range',
          { key: Buffer.from('s/'), range_end: Buffer.from('s0'), count_only: true }, 10_000);
        assert.equal(Number(r.count), 6000 + extra, `${m.name} holds every write`);
        hashes.push((await unary<{ hash: number }>(cl.maintenance, 'HashKV', { revision }, 10_000)).hash);
      }
      assert.deepEqual(hashes, [hashes[0], hashes[0], hashes[0]], `HashKV at ${revision} differs between members`);
      for (const m of c.members.filter((x) => x !== lagging)) {
        const log = readFileSync(m.logFile, 'utf8');
        assert.match(log, /"kind":"full".*"msg":"saved snapshot"/, `${m.name} never took a full snapshot`);
        assert.match(log, /"kind":"delta".*"msg":"saved snapshot"/, `${m.name} never took a delta snapshot`);
      }
      // A delta cannot be sent: if the leader's newest snapshot was one when the follower needed one, it
      // took a full one for it. (Its newest may already be full: a 'chain heavy' one, in a state this small.)
      const records = (log: string): Record<string, unknown>[] =>
        log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const installedAt = Number(records(readFileSync(lagging.logFile, 'utf8'))
        .find((r) => r.msg === 'installed snapshot from leader')!.time);
      const leaderLog = readFileSync(leader.logFile, 'utf8');
      const newestBefore = records(leaderLog).filter((r) => r.msg === 'saved snapshot' && Number(r.time) < installedAt)
        .at(-1);
      if (newestBefore?.kind !== 'full') assert.match(leaderLog, /a follower needs a snapshot: taking a full one/);
      assert.equal(await leaderOf(c), leader, 'snapshots moved leadership');
      assert.doesNotMatch(readFileSync(leader.logFile, 'utf8').slice(leaderLogAtStart), /"term changed"/);
      // A restart replays its full snapshot, the deltas after it and the WAL to the same state.
      const follower = c.members.find((m) => m !== leader && m !== lagging)!;
      assert.ok(readdirSync(join(follower.dataDir, 'snap')).some((f) => f.endsWith('.delta')), 'no delta files');
      clients.get(follower)!.close();
      await c.kill(follower, 'SIGKILL');
      c.launch(follower);
      await c.waitReady([follower], 30_000);
      const cl = connectClients(c.endpoint(follower));
      clients.set(follower, cl);
      const after = await unary<{ hash: number }>(cl.maintenance, 'HashKV', { revision }, 10_000);
      assert.equal(after.hash, hashes[0], `${follower.name} replayed its snapshot chain to another state`);
      // The restarted member extends the chain it loaded, and the next restart replays that too. It
      // takes a full image instead only when the chain got heavy: each delta carries the dedup
      // window's request ids whole, which in a state this small is most of a delta.
      const logFrom = readFileSync(follower.logFile, 'utf8').length;
      const snapshotsSince = (): string[] => readFileSync(follower.logFile, 'utf8').slice(logFrom).split('\n')
        .filter((l) => l.includes('"msg":"saved snapshot"'));
      for (let round = 0; round < 20 && !/"kind":"delta"/.test(snapshotsSince().at(-1) ?? ''); round++) {
        await Promise.all(Array.from({ length: 100 }, (_, i) => put(clients.get(leader)!, `s/more/${round * 100 + i}`)));
        await new Promise((r) => setTimeout(r, 100));
      }
      await waitUntil(() => /"kind":"delta"/.test(snapshotsSince().at(-1) ?? ''), 10_000,
        () => `${follower.name} took no delta after its restart; its snapshots since: ${snapshotsSince().join('\n')}`);
      for (const full of snapshotsSince().filter((l) => l.includes('"kind":"full"'))) {
        assert.match(full, /"because":"chain heavy"/, `${follower.name} did not extend the chain it loaded`);
      }
      const head2 = await unary<{ header: { revision: string } }>(clients.get(leader)!.kv, 'Range',
        { key: Buffer.from('s/'), count_only: true }, 10_000);
      const want = await unary<{ hash: number }>(clients.get(leader)!.maintenance, 'HashKV',
        { revision: head2.header.revision }, 10_000);
      cl.close();
      await c.kill(follower, 'SIGKILL');
      c.launch(follower);
      await c.waitReady([follower], 30_000);
      const cl2 = connectClients(c.endpoint(follower));
      clients.set(follower, cl2);
      for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 50))) {
        const r = await unary<{ header: { revision: string } }>(cl2.kv, 'Range', { key: Buffer.from('s/'),
          count_only: true }, 10_000);
        if (Number(r.header.revision) >= Number(head2.header.revision)) break;
        assert.ok(Date.now() < deadline, `${follower.name} did not catch up after its second restart`);
      }
      const again = await unary<{ hash: number }>(cl2.maintenance, 'HashKV', { revision: head2.header.revision }, 10_000);
      assert.equal(again.hash, want.hash, `${follower.name} replayed its extended chain to another state`);
      // A damaged delta refuses start, naming the file (never a silent start from an older state).
      cl2.close();
      clients.delete(follower);
      await c.kill(follower, 'SIGKILL');
      const snapDir = join(follower.dataDir, 'snap');
      const newest = join(snapDir, readdirSync(snapDir).filter((f) => f.endsWith('.delta')).sort().pop()!);
      const bytes = readFileSync(newest);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
      writeFileSync(newest, bytes);
      const logFrom2 = readFileSync(follower.logFile, 'utf8').length;
      c.launch(follower);
      await waitUntil(() => c.exited(follower), 10_000, () => 'the member started on a corrupted snapshot delta');
      const log = readFileSync(follower.logFile, 'utf8').slice(logFrom2);
      assert.match(log, /FLOTILLA_ERR_SNAPSHOT_CORRUPT/);
      assert.ok(log.includes(newest), `the error names ${newest}`);
    } finally {
      for (const cl of clients.values()) cl.close();
      await c.stopAll();
    }
  });
});

describe('requests that cannot complete', () => {
  test('a write and a linearizable read on a member cut off from its quorum fail with etcd\'s error ' +
    'after the request timeout, instead of hanging', async () => {
    const c = await ProcessCluster.start({ size: 3 });
    const [alone, ...others] = c.members as [ProcessMember, ...ProcessMember[]];
    const client = connectClients(c.endpoint(alone));
    try {
      for (const m of others) await c.kill(m, 'SIGKILL');
      const started = Date.now();
      const results = await Promise.allSettled([
        unary(client.kv, 'Put', { key: Buffer.from('cut-off'), value: Buffer.from('v') }, 30_000),
        unary(client.kv, 'Range', { key: Buffer.from('cut-off') }, 30_000),
      ]);
      const elapsedMs = Date.now() - started;
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        const e = (r as PromiseRejectedResult).reason as grpc.ServiceError;
        assert.match(e.details, /etcdserver: (no leader|request timed out)/);
      }
      // 5 s + 2 election timeouts (500 ms here), checked every 100 ms; well before the 30 s deadline.
      assert.ok(elapsedMs < 15_000, `the requests failed only after ${elapsedMs} ms`);
    } finally {
      client.close();
      await c.stopAll();
    }
  });
});

describe('kill -9 the leader under writes', () => {
  test('nothing acknowledged is lost, writes resume, and the restarted member catches up', async () => {
    const c = await ProcessCluster.start({ size: 3, snapshotCount: 500 });
    const clients: EtcdClients[] = c.members.map((m) => connectClients(c.endpoint(m)));
    try {
      const acked: string[] = [];
      let lastAckMs = Date.now();
      let maxGapMs = 0;
      let stop = false;
      const dead = new Set<number>();
      const writer = async (w: number) => {
        for (let n = 0, target = w; !stop; n++) {
          const key = `k/${w}/${n}`;
          for (;;) {
            if (stop) return;
            target = (target + 1) % clients.length;
            if (dead.has(target)) continue;
            try {
              await unary(clients[target]!.kv, 'Put', { key: Buffer.from(key), value: Buffer.from('v') }, 3000);
              const now = Date.now();
              maxGapMs = Math.max(maxGapMs, now - lastAckMs);
              lastAckMs = now;
              acked.push(key);
              break;
            } catch {
              await new Promise((r) => setTimeout(r, 20)); // retry elsewhere, same key
            }
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      await new Promise((r) => setTimeout(r, 1500));
      const leader = await leaderOf(c);
      const leaderIndex = c.members.indexOf(leader);
      dead.add(leaderIndex);
      const killedAt = Date.now();
      await c.kill(leader, 'SIGKILL');
      const ackedAtKill = acked.length;
      await waitUntil(() => acked.length > ackedAtKill + 50, 10_000, () => `writes did not resume after the kill (${acked.length})`);
      const resumedMs = Date.now() - killedAt;
      c.launch(leader);
      await c.waitReady([leader], 20_000);
      dead.delete(leaderIndex);
      await new Promise((r) => setTimeout(r, 1000));
      stop = true;
      await Promise.all(writers);
      console.log(`kill -9 leader: ${acked.length} writes acknowledged, longest gap between acks ${maxGapMs} ms, ` +
        `>50 more acks ${resumedMs} ms after the kill`);
      // Every acknowledged key is on every member, including the restarted one.
      for (const [i, cl] of clients.entries()) {
        const r = await unary<{ count: string }>(cl.kv, 'Range',
          { key: Buffer.from('k/'), range_end: Buffer.from('k0'), count_only: true }, 10_000);
        assert.equal(Number(r.count), new Set(acked).size, `member ${c.members[i]!.name} has every acknowledged write`);
      }
      const log = readFileSync(join(c.root, `${leader.name}.log`), 'utf8');
      assert.match(log, /store member started/);
    } finally {
      for (const cl of clients) cl.close();
      await c.stopAll();
    }
  });
});
