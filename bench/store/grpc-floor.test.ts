// The pieces of `bench grpc-floor` that its numbers rest on: the floor server answers a real
// etcd client correctly (and refuses a call with no message), it never outlives its parent,
// and the budget arithmetic is what the README says it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, constants } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { loadEtcdPackage } from '../../store/api/proto.js';
import { floorBudget, FloorServers, type FloorSystemSummary } from './grpc-floor.js';

test('the floor server answers an etcd Put with a header, refuses an empty call, and exits when stdin closes', async () => {
  // The bench's own start and stop: three servers, each printing its port.
  const servers = await FloorServers.start();
  const port = Number(servers.endpoints[0]!.split(':')[1]);
  try {
    const pkg = grpc.loadPackageDefinition(loadEtcdPackage()) as unknown as
      { etcdserverpb: { KV: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client } };
    const kv = new pkg.etcdserverpb.KV(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const resp = await new Promise<{ header: { revision: string; member_id: string } }>((resolve, reject) => {
      (kv as unknown as { Put: (r: object, cb: (e: Error | null, v: never) => void) => void })
        .Put({ key: Buffer.from('k'), value: Buffer.from('v') }, (e, v) => (e ? reject(e) : resolve(v)));
    });
    assert.equal(String(resp.header.revision), '5');
    assert.equal(String(resp.header.member_id), '2');
    kv.close();

    // A call with no gRPC message at all is answered INTERNAL, not with a response.
    const session = connect(`http://127.0.0.1:${port}`);
    const status = await new Promise<string | undefined>((resolve, reject) => {
      const req = session.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: '/etcdserverpb.KV/Put',
        [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc' });
      let body = 0;
      req.on('data', (d: Buffer) => (body += d.length));
      req.on('trailers', (t) => resolve(body === 0 ? String(t['grpc-status']) : `body of ${body} bytes`));
      req.on('error', reject);
      req.end();
    });
    session.close();
    assert.equal(status, '13');

    // stop() closes stdin and SIGKILLs only after a grace period: a clean exit code means
    // each server left on its own.
    await servers.stop();
    assert.deepEqual(servers.children.map((c) => [c.exitCode, c.signalCode]), [[0, null], [0, null], [0, null]],
      'every server exits on its own, cleanly, once its parent closes stdin');
  } finally {
    await servers.stop();
  }
});

const system = (opsPerSecond: number, serverUs: number, loadgenUs: number): FloorSystemSummary => ({
  runs: 1, opsPerSecondMedian: opsPerSecond, p50MsMedian: 1, p99MsMedian: 2, errors: 0,
  serverCoresUsedMedian: (opsPerSecond * serverUs) / 1e6, serverCpuUsPerOpMedian: serverUs,
  loadgenCpuUsPerOpMedian: loadgenUs,
});

test('floorBudget: what the cores leave per put at the target, after the generator and call termination', () => {
  const floor = system(40_000, 25, 20);
  const b = floorBudget({ floor, etcd: system(10_000, 80, 24), flotilla: system(9_000, 95, 26) }, 2, 1.5);
  assert.ok(b !== undefined);
  assert.equal(b.targetOpsPerSecond, 15_000);
  // The generator's CPU per call is taken from the floor run (its cheapest), not from etcd's.
  assert.equal(b.loadgenCpuUsPerOp, 20);
  assert.ok(Math.abs(b.coresForCallsAtTarget - 15_000 * 45 / 1e6) < 1e-9);
  assert.ok(Math.abs(b.restBudgetUsPerOp - (2 - 0.675) * 1e6 / 15_000) < 1e-9);
  assert.equal(b.flotillaRestUsPerOp, 70);
  assert.equal(b.etcdServerCpuUsPerOp, 80);
  // Out of reach shows as a negative budget, not as zero or a clamp.
  assert.ok(floorBudget({ floor, etcd: system(40_000, 80, 24) }, 2, 1.5)!.restBudgetUsPerOp < 0);
  // No etcd run (or no floor run): no budget at all.
  assert.equal(floorBudget({ floor }, 2, 1.5), undefined);
  assert.equal(floorBudget({ etcd: system(10_000, 80, 24) }, 2, 1.5), undefined);
});
