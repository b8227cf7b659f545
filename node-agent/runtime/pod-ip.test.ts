import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { params, seed } from '../../control-plane/api/testing/fc.js';
import { nodePodRange, PodIpAllocator } from './pod-ip.js';
import { MAX_NODE_INDEX } from './limits.js';

console.log(`pod-ip property tests: FC_SEED=${seed}`);

test('nodePodRange: documented examples and bounds', () => {
  assert.deepEqual(nodePodRange(0), { cidr: '127.10.0.0/24', prefix: '127.10.0.', nodeIP: '127.10.0.1' });
  assert.equal(nodePodRange(1).cidr, '127.10.1.0/24');
  assert.equal(nodePodRange(256).cidr, '127.11.0.0/24');
  assert.equal(nodePodRange(MAX_NODE_INDEX).cidr, '127.95.255.0/24');
  for (const bad of [-1, MAX_NODE_INDEX + 1, 1.5, Number.NaN]) {
    assert.throws(() => nodePodRange(bad), { code: 'FLOTILLA_ERR_NODE_INDEX' });
  }
});

test('nodePodRange: distinct nodes get disjoint ranges, never the service range 127.96/16', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: MAX_NODE_INDEX }), fc.integer({ min: 0, max: MAX_NODE_INDEX }),
    (a, b) => {
      const ra = nodePodRange(a);
      assert.equal(ra.prefix === nodePodRange(b).prefix, a === b);
      const second = Number(ra.prefix.split('.')[1]);
      assert.ok(second >= 10 && second <= 95);
    }), params(500));
});

test('PodIpAllocator: .2–.254, release and reuse, exhaustion', () => {
  const a = new PodIpAllocator(0);
  const ips = Array.from({ length: a.capacity }, () => a.allocate());
  assert.equal(ips[0], '127.10.0.2');
  assert.equal(ips.at(-1), '127.10.0.254');
  assert.equal(new Set(ips).size, 253);
  assert.throws(() => a.allocate(), { code: 'FLOTILLA_ERR_POD_IP_EXHAUSTED', message: /remove pod sandboxes/ });
  a.release('127.10.0.7');
  a.release('127.10.0.7');
  assert.equal(a.allocated, 252);
  assert.equal(a.allocate(), '127.10.0.7');
  assert.throws(() => a.release('127.10.1.7'), { code: 'FLOTILLA_ERR_POD_IP_FOREIGN' });
  assert.throws(() => a.release('127.10.0.255'), { code: 'FLOTILLA_ERR_POD_IP_FOREIGN' });
  assert.throws(() => a.claim('127.10.0.7'), { code: 'FLOTILLA_ERR_POD_IP_CONFLICT' });
});

test('a process binds a pod IP such as 127.10.0.5 without root (Linux routes 127/8 to lo)', async () => {
  const server = net.createServer((s) => s.end('hi'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.10.0.5', resolve);
  });
  try {
    const { port } = server.address() as net.AddressInfo;
    const got = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ host: '127.10.0.5', port }, () => undefined);
      let data = '';
      c.on('data', (d) => (data += d.toString()));
      c.on('end', () => resolve(data));
      c.on('error', reject);
    });
    assert.equal(got, 'hi');
  } finally {
    await new Promise((r) => server.close(r));
  }
});
