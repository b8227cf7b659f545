// The store client against a real 3-member Flotilla store (processes): reads and writes
// fail over when the member they use dies, and a watch resumes on another member from
// the next revision — no event lost, none repeated.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessCluster } from '../server/testing/process-cluster.js';
import { CompactedError, EtcdClient, prefixEnd, type WatchEvent } from './client.js';

describe('EtcdClient against a 3-member store', () => {
  let c: ProcessCluster;
  before(async () => {
    c = await ProcessCluster.start({ size: 3 });
  });
  after(async () => c?.stopAll());

  test('prefixEnd is etcd\'s prefix range end', () => {
    assert.deepEqual(prefixEnd(Buffer.from('a/')), Buffer.from('a0'));
    assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
    assert.deepEqual(prefixEnd(Buffer.from([0xff])), Buffer.from([0]));
  });

  test('put, get with prefix, txn compare-and-put, delete, leases', async () => {
    const client = new EtcdClient({ endpoints: [c.endpoint(c.members[0]!)] });
    try {
      const { revision } = await client.put('/registry/pods/default/a', 'v1');
      await client.put('/registry/pods/default/b', 'v1');
      const got = await client.get('/registry/pods/default/', { prefix: true });
      assert.deepEqual(got.kvs.map((k) => k.key.toString()), ['/registry/pods/default/a', '/registry/pods/default/b']);
      const key = Buffer.from('/registry/pods/default/a');
      const ok = await client.txn({
        compare: [{ target: 'MOD', result: 'EQUAL', key, mod_revision: revision }],
        success: [{ request_put: { key, value: Buffer.from('v2') } }], failure: [{ request_range: { key } }],
      });
      assert.equal(ok.succeeded, true);
      const stale = await client.txn({
        compare: [{ target: 'MOD', result: 'EQUAL', key, mod_revision: revision }],
        success: [{ request_put: { key, value: Buffer.from('v3') } }], failure: [{ request_range: { key } }],
      });
      assert.equal(stale.succeeded, false, 'a stale resourceVersion must conflict');
      assert.equal((await client.delete('/registry/pods/default/', { prefix: true })).deleted, 2);
      const lease = await client.leaseGrant(5);
      assert.ok(lease.id > 0n);
      assert.equal(await client.leaseKeepAliveOnce(lease.id), 5);
      await client.leaseRevoke(lease.id);
      assert.equal(await client.leaseTimeToLive(lease.id), -1);
    } finally {
      client.close();
    }
  });

  test('a watch from a compacted revision fails with CompactedError (the apiserver answers 410 Gone)', async () => {
    const client = new EtcdClient({ endpoints: [c.endpoint(c.members[1]!)] });
    try {
      const { revision } = await client.put('compact/x', '1');
      await client.put('compact/x', '2');
      await client.compact(revision + 1);
      const err = await new Promise<Error>((resolve) => {
        client.watch('compact/', { prefix: true, startRevision: revision }, { onEvents: () => {}, onError: resolve });
      });
      assert.ok(err instanceof CompactedError);
    } finally {
      client.close();
    }
  });

  test('failover: kill -9 the member in use; writes continue and a watch resumes with no gap or repeat', async () => {
    const client = new EtcdClient({ endpoints: c.members.map((m) => c.endpoint(m)) });
    const seen: WatchEvent[] = [];
    try {
      const watcher = client.watch('fo/', { prefix: true }, { onEvents: (evs) => seen.push(...evs), onError: (e) => {
        throw e;
      } });
      await new Promise((r) => setTimeout(r, 200));
      const used = c.members.find((m) => c.endpoint(m) === client.currentEndpoint)!;
      for (let i = 0; i < 20; i++) await client.put(`fo/${i}`, 'x');
      await c.kill(used, 'SIGKILL');
      for (let i = 20; i < 40; i++) await client.put(`fo/${i}`, 'x');
      const deadline = Date.now() + 10_000;
      while (seen.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      watcher.cancel();
      assert.deepEqual(seen.map((e) => e.kv.key.toString()), Array.from({ length: 40 }, (_, i) => `fo/${i}`));
      const revs = seen.map((e) => e.kv.modRevision);
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b), 'events in revision order');
      c.launch(used);
      await c.waitReady([used], 20_000);
    } finally {
      client.close();
    }
  });
});
