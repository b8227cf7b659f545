import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedRuntime } from './simulated-runtime.js';
import { ImageCatalogue } from './images.js';
import type { ContainerStatusInfo } from './types.js';

async function text(it: AsyncIterable<Buffer>): Promise<string> {
  let s = '';
  for await (const b of it) s += b.toString();
  return s;
}

test('simulated: running at once, stop → exit 0, crash drives exits, one log line', async () => {
  const rt = new SimulatedRuntime({ nodeIndex: 7, now: () => 1000 });
  const sb = await rt.startPodSandbox({ uid: 'u', namespace: 'default', name: 'p' });
  assert.equal(sb.ip, '127.10.7.2');
  const exits: ContainerStatusInfo[] = [];
  rt.onContainerExit((s) => exits.push(s));
  const a = await rt.startContainer(sb, { name: 'app', image: 'nginx:1.27' });
  assert.equal(rt.containerStatus(a.id)?.state, 'running');
  await assert.rejects(rt.startContainer(sb, { name: 'app', image: 'x' }), { code: 'FLOTILLA_ERR_CONTAINER_RUNNING' });
  assert.match(await text(rt.readLogs(a.id)), /^1970-01-01T00:00:01\.000000000Z stdout F container app is simulated/);
  assert.deepEqual(rt.crash(a.id, 2), { exitCode: 2, reason: 'Error', finishedAtMs: 1000 });
  const b = await rt.startContainer(sb, { name: 'app', image: 'nginx' });
  assert.equal(rt.containerStatus(b.id)?.attempt, 1);
  assert.equal((await rt.stopContainer(b.id, 30)).exitCode, 0);
  assert.deepEqual(exits.map((e) => [e.exitCode, e.reason]), [[2, 'Error'], [0, 'Completed']]);
  await rt.removePodSandbox(sb.id);
  assert.equal(rt.ips.allocated, 0);
  assert.deepEqual(rt.listContainers(), []);
});

test('simulated: an image catalogue, if given, is enforced', async () => {
  const rt = new SimulatedRuntime({ nodeIndex: 0, images: new ImageCatalogue() });
  const sb = await rt.startPodSandbox({ uid: 'u', namespace: 'default', name: 'p' });
  await assert.rejects(rt.startContainer(sb, { name: 'c', image: 'nginx' }), { code: 'FLOTILLA_ERR_IMAGE_PULL' });
  await rt.startContainer(sb, { name: 'c', image: 'busybox', command: ['sleep', '1'] });
});

test('simulated: 2000 nodes × 50 pods stay cheap', async () => {
  const t0 = Date.now();
  const before = process.memoryUsage().heapUsed;
  const nodes = Array.from({ length: 2000 }, (_, i) => new SimulatedRuntime({ nodeIndex: i }));
  for (const rt of nodes) {
    for (let p = 0; p < 50; p++) {
      const sb = await rt.startPodSandbox({ uid: `u${p}`, namespace: 'default', name: `p${p}` });
      await rt.startContainer(sb, { name: 'app', image: 'flotilla/hello' });
    }
  }
  const ms = Date.now() - t0;
  const mb = (process.memoryUsage().heapUsed - before) / 1e6;
  console.log(`100000 simulated pods on 2000 nodes: ${ms} ms, ~${mb.toFixed(0)} MB heap`);
  assert.ok(ms < 20_000);
  assert.equal(nodes[1999]?.listContainers().length, 50);
});
