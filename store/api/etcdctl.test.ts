// Stock etcdctl (Debian's etcd-client) against our API server over the local backend:
// every command runs as a real process on 127.0.0.1 and its output is checked as etcdctl
// prints it for real etcd. Debian ships etcdctl 3.4, which has no `get --count-only`; the
// count is checked through -w json here and count_only through gRPC in grpc-client.test.ts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcdctl, parseJsonExact, requireEtcdctl, startLocalServer, TEST_CLUSTER_ID, TEST_MEMBER_ID, waitUntil,
  type LocalServer } from './testing/harness.js';
import { readSnapshotFile } from './snapshot-file.js';
import { MvccStore } from '../mvcc/index.js';
import { MAX_REQUEST_BYTES } from './limits.js';

interface JsonKv { key: string; value?: string; create_revision: number; mod_revision: number; version: number;
  lease?: string | number }
interface JsonRange { header: { revision: number | string }; kvs?: JsonKv[]; more?: boolean; count?: number }

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('etcdctl against the Flotilla etcd API', () => {
  let srv: LocalServer;
  let ctl: Etcdctl;
  let dir: string;
  const clock = { ms: Date.now() };

  before(async () => {
    requireEtcdctl();
    srv = await startLocalServer({ now: () => clock.ms });
    ctl = new Etcdctl(srv.endpoint);
    dir = mkdtempSync(join(tmpdir(), 'flotilla-etcdctl-'));
  });

  after(async () => {
    ctl?.killAll();
    await srv?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const getJson = async (args: string[]): Promise<JsonRange> =>
    parseJsonExact(await ctl.ok(['get', '-w', 'json', ...args])) as JsonRange;

  test('put and get: single key, prefix, limit, keys-only, revisions, sort', async () => {
    assert.equal(await ctl.ok(['put', 'pg/a', 'alpha']), 'OK\n');
    assert.equal(await ctl.ok(['put', 'pg/b', 'beta']), 'OK\n');
    assert.equal(await ctl.ok(['put', 'pg/a', 'alpha2']), 'OK\n');
    assert.equal(await ctl.ok(['get', 'pg/a']), 'pg/a\nalpha2\n');
    assert.equal(await ctl.ok(['get', '--prefix', 'pg/']), 'pg/a\nalpha2\npg/b\nbeta\n');
    assert.equal(await ctl.ok(['get', '--prefix', '--keys-only', 'pg/']), 'pg/a\n\npg/b\n\n');
    assert.equal(await ctl.ok(['get', '--prefix', '--print-value-only', 'pg/']), 'alpha2\nbeta\n');
    assert.equal(await ctl.ok(['get', '--prefix', '--sort-by=MODIFY', '--order=DESCEND', '--keys-only', 'pg/']),
      'pg/a\n\npg/b\n\n');
    assert.equal(await ctl.ok(['get', '--from-key', 'pg/b', '--keys-only']), 'pg/b\n\n');

    const limited = await getJson(['--prefix', '--limit=1', 'pg/']);
    assert.equal(limited.more, true);
    assert.equal(limited.count, 2);
    assert.equal(limited.kvs?.length, 1);

    const a = await getJson(['pg/a']);
    const kv = a.kvs?.[0] as JsonKv;
    assert.equal(kv.key, b64('pg/a'));
    assert.equal(kv.value, b64('alpha2'));
    assert.equal(kv.version, 2);
    assert.equal(Number(a.header.revision), kv.mod_revision);
    assert.equal(kv.create_revision, kv.mod_revision - 2);
    // The first value is still readable at its revision.
    assert.equal(await ctl.ok(['get', `--rev=${kv.create_revision}`, 'pg/a']), 'pg/a\nalpha\n');
    assert.equal(await ctl.ok(['get', `--rev=${kv.create_revision}`, '--prefix', '--keys-only', 'pg/']), 'pg/a\n\n');
  });

  test('del: single key, prefix, --prev-kv', async () => {
    for (const k of ['d/1', 'd/2', 'd/3']) await ctl.ok(['put', k, `v${k}`]);
    assert.equal(await ctl.ok(['del', 'd/1']), '1\n');
    assert.equal(await ctl.ok(['del', 'd/1']), '0\n');
    assert.equal(await ctl.ok(['del', '--prev-kv', '--prefix', 'd/']), '2\nd/2\nvd/2\nd/3\nvd/3\n');
    assert.equal(await ctl.ok(['get', '--prefix', 'd/']), '');
  });

  test('txn from stdin: compares on value, version, create and mod revisions', async () => {
    await ctl.ok(['put', 'tx/a', '1']);
    const a = (await getJson(['tx/a'])).kvs?.[0] as JsonKv;
    const success = [
      'value("tx/a") = "1"', 'version("tx/a") = "1"', `create("tx/a") = "${a.create_revision}"`,
      `mod("tx/a") < "${a.mod_revision + 1}"`, '', 'put tx/b yes', 'get tx/a', '', 'put tx/c no', '', '',
    ].join('\n');
    const out = await ctl.ok(['txn', '-i'], { stdin: success });
    assert.match(out, /SUCCESS\n\nOK\n\ntx\/a\n1\n$/);
    assert.equal(await ctl.ok(['get', 'tx/b', '--print-value-only']), 'yes\n');

    const failure = ['value("tx/a") = "2"', 'mod("tx/a") > "1"', '', 'put tx/b again', '', 'put tx/c no', 'del tx/b', '',
      ''].join('\n');
    assert.match(await ctl.ok(['txn', '-i'], { stdin: failure }), /FAILURE\n\nOK\n\n1\n$/);
    assert.equal(await ctl.ok(['get', 'tx/c', '--print-value-only']), 'no\n');
    assert.equal(await ctl.ok(['get', 'tx/b']), '');

    // -i prints its prompts before the JSON.
    const text = await ctl.ok(['txn', '-i', '-w', 'json'], { stdin: 'version("tx/a") != "0"\n\nget tx/a\n\n\n' });
    const json = parseJsonExact(text.slice(text.indexOf('{'))) as { succeeded: boolean; responses: unknown[] };
    assert.equal(json.succeeded, true);
    assert.equal(json.responses.length, 1);
  });

  test('watch: a running etcdctl watch sees puts and deletes; --rev replays history', async () => {
    const before = srv.backend.store.watchStats().watchers;
    const w = ctl.start(['watch', '--prefix', 'wa/']);
    try {
      await waitUntil(() => srv.backend.store.watchStats().watchers > before, 10_000,
        () => `watch never registered: ${w.output()}`);
      await ctl.ok(['put', 'wa/k', 'v1']);
      await ctl.ok(['del', 'wa/k']);
      const out = await w.waitForOutput((o) => o.includes('DELETE'), 10_000);
      assert.match(out, /^PUT\nwa\/k\nv1\nDELETE\nwa\/k\n/);
    } finally {
      await w.kill();
    }
    const putRev = Number((await getJson(['wa/none'])).header.revision) - 1; // the delete came last
    const replay = ctl.start(['watch', `--rev=${putRev}`, '--prefix', 'wa/']);
    try {
      const out = await replay.waitForOutput((o) => o.includes('DELETE'), 10_000);
      assert.match(out, /^PUT\nwa\/k\nv1\nDELETE\nwa\/k\n/);
    } finally {
      await replay.kill();
    }
  });

  test('lease: grant, put --lease, timetolive --keys, keep-alive --once, list, revoke, expiry', async () => {
    const granted = await ctl.ok(['lease', 'grant', '60']);
    const m = /^lease ([0-9a-f]+) granted with TTL\(60s\)\n$/.exec(granted);
    assert.ok(m, granted);
    const id = m[1] as string;
    assert.equal(await ctl.ok(['put', '--lease', id, 'ls/k', 'v']), 'OK\n');
    assert.match(await ctl.ok(['lease', 'timetolive', '--keys', id]),
      new RegExp(`^lease ${id} granted with TTL\\(60s\\), remaining\\((59|60)s\\), attached keys\\(\\[ls/k\\]\\)\\n$`));
    assert.equal(await ctl.ok(['lease', 'keep-alive', '--once', id]), `lease ${id} keepalived with TTL(60)\n`);
    assert.match(await ctl.ok(['lease', 'list']), new RegExp(`^found \\d+ leases\\n(.*\\n)*${id}\\n`));
    const kv = (await getJson(['ls/k'])).kvs?.[0] as JsonKv;
    assert.equal(BigInt(kv.lease as string | number), BigInt(`0x${id}`));

    assert.equal(await ctl.ok(['lease', 'revoke', id]), `lease ${id} revoked\n`);
    assert.equal(await ctl.ok(['get', 'ls/k']), '');
    assert.equal(await ctl.ok(['lease', 'timetolive', id]), `lease ${id} already expired\n`);
    const again = await ctl.run(['lease', 'revoke', id]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /Error: failed to revoke lease \(etcdserver: requested lease not found\)/);

    // Expiry runs on the backend's lease clock (a fake one here).
    const short = /^lease ([0-9a-f]+) granted/.exec(await ctl.ok(['lease', 'grant', '5']))?.[1] as string;
    await ctl.ok(['put', '--lease', short, 'ls/short', 'v']);
    clock.ms += 6_000;
    assert.equal(srv.backend.expireLeases(), 1);
    assert.equal(await ctl.ok(['get', 'ls/short']), '');
    // The server answers TTL 0; etcd's client turns that into "lease not found".
    const ka = await ctl.run(['lease', 'keep-alive', '--once', short]);
    assert.notEqual(ka.code, 0);
    assert.match(ka.stderr, /Error: etcdserver: requested lease not found\n$/);
  });

  test('compaction: old revisions refused with the exact etcd error, future ones too', async () => {
    await ctl.ok(['put', 'cp/k', 'one']);
    const rev1 = Number((await getJson(['cp/k'])).header.revision);
    await ctl.ok(['put', 'cp/k', 'two']);
    await ctl.ok(['put', 'cp/k', 'three']);
    const rev3 = rev1 + 2;
    assert.equal(await ctl.ok(['compaction', String(rev3)]), `compacted revision ${rev3}\n`);
    const old = await ctl.run(['get', `--rev=${rev1}`, 'cp/k']);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /Error: etcdserver: mvcc: required revision has been compacted\n$/);
    const future = await ctl.run(['get', `--rev=${rev3 + 1000}`, 'cp/k']);
    assert.match(future.stderr, /Error: etcdserver: mvcc: required revision is a future revision\n$/);
    assert.equal(await ctl.ok(['get', `--rev=${rev3}`, 'cp/k', '--print-value-only']), 'three\n');
    const again = await ctl.run(['compaction', String(rev1)]);
    assert.match(again.stderr, /Error: etcdserver: mvcc: required revision has been compacted\n$/);
    // A watch from a compacted revision is canceled by the server (compact_revision set).
    const w = await ctl.run(['watch', `--rev=${rev1}`, 'cp/k'], { timeoutMs: 10_000 });
    assert.notEqual(w.code, 0);
    assert.equal(w.stderr, 'watch was canceled (etcdserver: mvcc: required revision has been compacted)\n' +
      'Error: watch is canceled by the server\n');
  });

  test('member list, endpoint status, endpoint health, hashkv, alarm list, defrag', async () => {
    const id = TEST_MEMBER_ID.toString(16);
    assert.equal(await ctl.ok(['member', 'list']),
      `${id}, started, flotilla-test, http://127.0.0.1:2380, http://${srv.endpoint}, false\n`);
    const members = parseJsonExact(await ctl.ok(['member', 'list', '-w', 'json'])) as {
      header: { cluster_id: string; member_id: string }; members: { ID: string; name: string }[] };
    assert.equal(members.header.cluster_id, TEST_CLUSTER_ID.toString());
    assert.equal(members.members[0]?.ID, TEST_MEMBER_ID.toString());

    const status = parseJsonExact(await ctl.ok(['endpoint', 'status', '-w', 'json'])) as {
      Endpoint: string; Status: { header: Record<string, string | number>; leader: string; version: string;
        raftTerm: number; dbSize: number } }[];
    const s = status[0]?.Status;
    assert.ok(s);
    assert.equal(status[0]?.Endpoint, srv.endpoint);
    assert.equal(s.header['cluster_id'], TEST_CLUSTER_ID.toString());
    assert.equal(s.header['member_id'], TEST_MEMBER_ID.toString());
    assert.equal(s.leader, TEST_MEMBER_ID.toString());
    assert.equal(s.version, '3.5.0');
    assert.equal(s.raftTerm, 1);
    assert.ok(s.dbSize > 0);
    assert.match(await ctl.ok(['endpoint', 'status']), new RegExp(`^${srv.endpoint}, ${id}, 3\\.5\\.0, .*, true, false, 1, `));
    const health = await ctl.run(['endpoint', 'health']); // etcdctl 3.4 prints it on stderr
    assert.equal(health.code, 0);
    assert.match(health.stdout + health.stderr, new RegExp(`${srv.endpoint} is healthy: successfully committed proposal`));
    assert.match(await ctl.ok(['endpoint', 'hashkv']), new RegExp(`^${srv.endpoint}, \\d+\\n$`));
    assert.equal(await ctl.ok(['alarm', 'list']), '');
    assert.equal(await ctl.ok(['defrag']), `Finished defragmenting etcd member[${srv.endpoint}]\n`);
    assert.equal(await ctl.ok(['user', 'list']), '');
    assert.equal(await ctl.ok(['role', 'list']), '');
    assert.equal(await ctl.ok(['auth', 'disable']), 'Authentication Disabled\n');
    const add = await ctl.run(['member', 'add', 'm2', '--peer-urls=http://127.0.0.1:2390']);
    assert.match(add.stderr, /Error: etcdserver: not capable/);
  });

  test('snapshot save writes a checksummed file holding the whole key space', async () => {
    await ctl.ok(['put', 'snap/k', 'snapshot-value']);
    const path = join(dir, 'snap.db');
    const r = await ctl.run(['snapshot', 'save', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Snapshot saved at ${path}\n`);
    const size = statSync(path).size;
    assert.ok(size > 512);
    assert.equal(size % 512, 32);
    const file = readSnapshotFile(readFileSync(path));
    const restored = MvccStore.fromSnapshot(file.payload);
    const got = restored.range({ key: Buffer.from('snap/k') });
    assert.ok(got.ok);
    assert.equal(Buffer.from(got.value.kvs[0]?.value ?? []).toString(), 'snapshot-value');
  });

  test('lock: etcdctl lock runs a command holding the lock (leases, txn, watch together)', async () => {
    assert.equal(await ctl.ok(['lock', 'lk', 'echo', 'held']), 'held\n');
  });

  test('a put over the request size bound is refused with etcd\'s error', async () => {
    const big = Buffer.alloc(MAX_REQUEST_BYTES + 1024, 'x');
    const r = await ctl.run(['put', 'big/k'], { stdin: big });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error: etcdserver: request is too large\n$/);
    assert.equal(await ctl.ok(['get', 'big/k']), '');
  });
});
