// The pieces of `bench grpc-floor` that its numbers rest on: the floor server answers a real
// etcd client correctly (and refuses a call with no message), it never outlives its parent,
// and the budget arithmetic is what the README says it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, constants } from 'node:http2';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadEtcdPackage } from '../../store/api/proto.js';
import { floorBudget, type FloorSystemSummary } from './grpc-floor.js';

const FLOOR_SERVER = fileURLToPath(new URL('./grpc-floor-server.js', import.meta.url));

function startFloor(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [FLOOR_SERVER], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`floor server exited ${code}`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve({ child, port: (JSON.parse(out) as { port: number }).port });
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // gone already
  }
}

test('the floor server answers an etcd Put with a header, refuses an empty call, and exits when stdin closes', async () => {
  const { child, port } = await startFloor();
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

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.stdin!.end();
    const timer = setTimeout(() => killGroup(child), 5000);
    assert.equal(await exited, 0, 'exits on its own, cleanly, once its parent closes stdin');
    clearTimeout(timer);
  } finally {
    killGroup(child);
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
