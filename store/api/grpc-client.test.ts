// A JS client (@grpc/grpc-js, loading the same .proto files) against the server: 64-bit
// values survive exactly, and every refusal carries etcd's status code and message.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { call, connectClients, startLocalServer, type EtcdClients, type LocalServer } from './testing/harness.js';
import { MAX_TXN_OPS } from './limits.js';

const U64_MAX = 18446744073709551615n;
const I64_MAX = 9223372036854775807n;
const key = (s: string): Buffer => Buffer.from(s);

type Msg = Record<string, unknown>;

async function refused(p: Promise<unknown>, code: status, message: string): Promise<void> {
  await assert.rejects(p, (err: ServiceError) => {
    assert.equal(err.code, code, `code ${status[err.code]}: ${err.details}`);
    assert.equal(err.details, message);
    return true;
  });
}

describe('gRPC client: exact 64-bit values', () => {
  let srv: LocalServer;
  let c: EtcdClients;

  before(async () => {
    srv = await startLocalServer({ clusterId: U64_MAX, memberId: U64_MAX - 1n });
    c = connectClients(srv.endpoint);
  });

  after(async () => {
    c?.close();
    await srv?.close();
  });

  test('cluster and member IDs above 2^63 come back digit for digit', async () => {
    const r = await call(c.kv, 'Range', { key: key('nothing') });
    const h = r['header'] as Msg;
    assert.equal(h['cluster_id'], U64_MAX.toString());
    assert.equal(h['member_id'], (U64_MAX - 1n).toString());
    assert.equal(h['raft_term'], '1');
    const m = await call(c.cluster, 'MemberList', { linearizable: true });
    assert.equal(((m['members'] as Msg[])[0] as Msg)['ID'], (U64_MAX - 1n).toString());
    const s = await call(c.maintenance, 'Status', {});
    assert.equal(s['leader'], (U64_MAX - 1n).toString());
  });

  test('a lease ID of 2^63-1 is granted, attached, listed and reported exactly', async () => {
    const g = await call(c.lease, 'LeaseGrant', { ID: I64_MAX.toString(), TTL: '100' });
    assert.equal(g['ID'], I64_MAX.toString());
    assert.equal(g['TTL'], '100');
    await call(c.kv, 'Put', { key: key('leased'), value: key('v'), lease: I64_MAX.toString() });
    const r = await call(c.kv, 'Range', { key: key('leased') });
    const kv = (r['kvs'] as Msg[])[0] as Msg;
    assert.equal(kv['lease'], I64_MAX.toString());
    const ttl = await call(c.lease, 'LeaseTimeToLive', { ID: I64_MAX.toString(), keys: true });
    assert.equal(ttl['ID'], I64_MAX.toString());
    assert.equal(ttl['grantedTTL'], '100');
    assert.deepEqual((ttl['keys'] as Buffer[]).map(String), ['leased']);
    const list = await call(c.lease, 'LeaseLeases', {});
    assert.ok((list['leases'] as Msg[]).some((l) => l['ID'] === I64_MAX.toString()));
    // A server-chosen ID is positive and below 2^63.
    const auto = await call(c.lease, 'LeaseGrant', { TTL: '10' });
    const id = BigInt(auto['ID'] as string);
    assert.ok(id > 0n && id <= I64_MAX);
  });

  test('revisions, versions and counts are int64 strings; count_only and limits', async () => {
    for (let i = 0; i < 3; i++) await call(c.kv, 'Put', { key: key(`cnt/${i}`), value: key('x') });
    const r = await call(c.kv, 'Range', { key: key('cnt/'), range_end: key('cnt0'), count_only: true });
    assert.equal(r['count'], '3');
    assert.deepEqual(r['kvs'], []);
    const lim = await call(c.kv, 'Range', { key: key('cnt/'), range_end: key('cnt0'), limit: '2' });
    assert.equal((lim['kvs'] as Msg[]).length, 2);
    assert.equal(lim['more'], true);
    const kv = (lim['kvs'] as Msg[])[0] as Msg;
    assert.equal(typeof kv['mod_revision'], 'string');
    assert.equal(kv['version'], '1');
  });
});

describe('gRPC client: etcd status codes and messages', () => {
  let srv: LocalServer;
  let c: EtcdClients;

  before(async () => {
    srv = await startLocalServer({ quotaBytes: 64 * 1024 });
    c = connectClients(srv.endpoint);
  });

  after(async () => {
    c?.close();
    await srv?.close();
  });

  test('KV request checks', async () => {
    const E = status.INVALID_ARGUMENT;
    await refused(call(c.kv, 'Range', { key: key('') }), E, 'etcdserver: key is not provided');
    await refused(call(c.kv, 'Range', { key: key('k'), sort_order: 7 }), E, 'etcdserver: invalid sort option');
    await refused(call(c.kv, 'Put', { key: key('') }), E, 'etcdserver: key is not provided');
    await refused(call(c.kv, 'Put', { key: key('k'), value: key('v'), ignore_value: true }), E,
      'etcdserver: value is provided');
    await refused(call(c.kv, 'Put', { key: key('k'), lease: '5', ignore_lease: true }), E, 'etcdserver: lease is provided');
    await refused(call(c.kv, 'Put', { key: key('missing'), ignore_value: true }), E, 'etcdserver: key not found');
    await refused(call(c.kv, 'DeleteRange', { key: key('') }), E, 'etcdserver: key is not provided');
    await refused(call(c.kv, 'Put', { key: key('k'), lease: '12345' }), status.NOT_FOUND,
      'etcdserver: requested lease not found');
  });

  test('txn checks: op budget, duplicate keys, empty ops', async () => {
    const put = (k: string): Msg => ({ request_put: { key: key(k) } });
    const many = Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => put(`many/${i}`));
    await refused(call(c.kv, 'Txn', { success: many }), status.INVALID_ARGUMENT,
      'etcdserver: too many operations in txn request');
    await call(c.kv, 'Txn', { success: many.slice(0, MAX_TXN_OPS) }); // exactly the budget is fine
    await refused(call(c.kv, 'Txn', { success: [put('dup'), put('dup')] }), status.INVALID_ARGUMENT,
      'etcdserver: duplicate key given in txn request');
    await refused(call(c.kv, 'Txn', {
      success: [{ request_delete_range: { key: key('a'), range_end: key('z') } }, put('m')],
    }), status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request');
    await refused(call(c.kv, 'Txn', { success: [{}] }), status.INVALID_ARGUMENT, 'etcdserver: key not found');
    await refused(call(c.kv, 'Txn', { compare: [{ key: key('') }] }), status.INVALID_ARGUMENT,
      'etcdserver: key is not provided');
    // Then and else of one nested txn may put the same key.
    const nested = { request_txn: { success: [put('n')], failure: [put('n')] } };
    const r = await call(c.kv, 'Txn', { success: [nested] });
    assert.equal(r['succeeded'], true);
  });

  test('revisions: compacted and future', async () => {
    await call(c.kv, 'Put', { key: key('rev'), value: key('1') });
    const p = await call(c.kv, 'Put', { key: key('rev'), value: key('2') });
    const rev = BigInt((p['header'] as Msg)['revision'] as string);
    const OOR = status.OUT_OF_RANGE;
    await refused(call(c.kv, 'Range', { key: key('rev'), revision: (rev + 10n).toString() }), OOR,
      'etcdserver: mvcc: required revision is a future revision');
    await refused(call(c.kv, 'Compact', { revision: (rev + 10n).toString() }), OOR,
      'etcdserver: mvcc: required revision is a future revision');
    await call(c.kv, 'Compact', { revision: rev.toString(), physical: true });
    await refused(call(c.kv, 'Range', { key: key('rev'), revision: (rev - 1n).toString() }), OOR,
      'etcdserver: mvcc: required revision has been compacted');
    await refused(call(c.kv, 'Compact', { revision: rev.toString() }), OOR,
      'etcdserver: mvcc: required revision has been compacted');
    await refused(call(c.maintenance, 'HashKV', { revision: (rev - 1n).toString() }), OOR,
      'etcdserver: mvcc: required revision has been compacted');
  });

  test('leases: not found, already exists, TTL too large, TimeToLive -1', async () => {
    await refused(call(c.lease, 'LeaseRevoke', { ID: '777' }), status.NOT_FOUND, 'etcdserver: requested lease not found');
    await call(c.lease, 'LeaseGrant', { ID: '778', TTL: '30' });
    await refused(call(c.lease, 'LeaseGrant', { ID: '778', TTL: '30' }), status.FAILED_PRECONDITION,
      'etcdserver: lease already exists');
    await refused(call(c.lease, 'LeaseGrant', { ID: '779', TTL: '9000000001' }), status.OUT_OF_RANGE,
      'etcdserver: too large lease TTL');
    const ttl = await call(c.lease, 'LeaseTimeToLive', { ID: '777' });
    assert.equal(ttl['TTL'], '-1');
    assert.equal(ttl['ID'], '777');
    const min = await call(c.lease, 'LeaseGrant', { ID: '780', TTL: '1' });
    assert.equal(min['TTL'], '2'); // raised to the minimum TTL, as etcd does
  });

  test('cluster: a lone member refuses membership changes with etcd errors', async () => {
    await refused(call(c.cluster, 'MemberAdd', { peerURLs: ['http://127.0.0.1:2390'] }), status.UNAVAILABLE,
      'etcdserver: not capable');
    await refused(call(c.cluster, 'MemberRemove', { ID: '42' }), status.NOT_FOUND, 'etcdserver: member not found');
    await refused(call(c.cluster, 'MemberPromote', { ID: '42' }), status.NOT_FOUND, 'etcdserver: member not found');
    const self = ((await call(c.cluster, 'MemberList', {}))['members'] as Msg[])[0] as Msg;
    await refused(call(c.cluster, 'MemberPromote', { ID: self['ID'] }), status.FAILED_PRECONDITION,
      'etcdserver: can only promote a learner member');
    const upd = await call(c.cluster, 'MemberUpdate', { ID: self['ID'], peerURLs: ['http://127.0.0.1:2999'] });
    assert.deepEqual(((upd['members'] as Msg[])[0] as Msg)['peerURLs'], ['http://127.0.0.1:2999']);
  });

  test('auth is reported disabled', async () => {
    const s = await call(c.auth, 'AuthStatus', {});
    assert.equal(s['enabled'], false);
    assert.equal(s['authRevision'], '1');
    await refused(call(c.auth, 'Authenticate', { name: 'root', password: 'x' }), status.FAILED_PRECONDITION,
      'etcdserver: authentication is not enabled');
    await refused(call(c.auth, 'AuthEnable', {}), status.FAILED_PRECONDITION, 'etcdserver: root user does not exist');
    await call(c.auth, 'AuthDisable', {});
    assert.deepEqual((await call(c.auth, 'UserList', {}))['users'], []);
    assert.deepEqual((await call(c.auth, 'RoleList', {}))['roles'], []);
    await refused(call(c.auth, 'UserGet', { name: 'bob' }), status.FAILED_PRECONDITION, 'etcdserver: user name not found');
    await refused(call(c.auth, 'RoleGet', { role: 'r' }), status.FAILED_PRECONDITION, 'etcdserver: role name not found');
    await assert.rejects(call(c.auth, 'UserAdd', { name: 'bob' }), (e: ServiceError) => e.code === status.UNIMPLEMENTED);
  });

  test('space quota: NOSPACE alarm, RESOURCE_EXHAUSTED, deletes still allowed, disarm', async () => {
    const value = Buffer.alloc(8 * 1024, 'q');
    let err: ServiceError | undefined;
    for (let i = 0; i < 20 && err === undefined; i++) {
      await call(c.kv, 'Put', { key: key(`quota/${i}`), value }).catch((e: ServiceError) => (err = e));
    }
    assert.ok(err, 'the quota was never reached');
    assert.equal(err.code, status.RESOURCE_EXHAUSTED);
    assert.equal(err.details, 'etcdserver: mvcc: database space exceeded');
    const alarms = await call(c.maintenance, 'Alarm', { action: 0 });
    assert.deepEqual(alarms['alarms'], [{ memberID: (await memberId(c)), alarm: 1 }]);
    const st = await call(c.maintenance, 'Status', {});
    assert.deepEqual(st['errors'], [`memberID:${BigInt(await memberId(c))} alarm:NOSPACE `]);
    // While raised, even a small put is refused; a delete is not.
    await refused(call(c.kv, 'Put', { key: key('tiny'), value: key('t') }), status.RESOURCE_EXHAUSTED,
      'etcdserver: mvcc: database space exceeded');
    await refused(call(c.lease, 'LeaseGrant', { TTL: '10' }), status.RESOURCE_EXHAUSTED,
      'etcdserver: mvcc: database space exceeded');
    await call(c.kv, 'DeleteRange', { key: key('quota/'), range_end: key('quota0') });
    const cur = (await call(c.kv, 'Range', { key: key('x') }))['header'] as Msg;
    await call(c.kv, 'Compact', { revision: cur['revision'] });
    await call(c.maintenance, 'Defragment', {});
    await call(c.maintenance, 'Alarm', { action: 2, memberID: await memberId(c), alarm: 1 });
    await call(c.kv, 'Put', { key: key('tiny'), value: key('t') });
  });
});

async function memberId(c: EtcdClients): Promise<string> {
  const m = await call(c.cluster, 'MemberList', {});
  return ((m['members'] as Msg[])[0] as Msg)['ID'] as string;
}
