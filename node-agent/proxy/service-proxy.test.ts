import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Endpoints, Service } from '../../control-plane/api/index.js';
import { ServiceProxy, type ProxyUpdateResult } from './service-proxy.js';

interface Backend { ip: string; port: number; server: net.Server }

/** An echo server that first says who it is. It ends its side when the client ends (half-close). */
async function echoBackend(ip: string, id: string): Promise<Backend> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.write(`${id}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, ip, r));
  return { ip, port: (server.address() as net.AddressInfo).port, server };
}

function service(name: string, clusterIP: string, port: number, extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return { metadata: { name, namespace: 'default' }, spec: { clusterIP, ports: [{ name: 'http', port, targetPort: 'web' }],
    ...extra } };
}

function endpoints(name: string, backends: Backend[]): Endpoints {
  // One subset per backend because each listens on its own ephemeral port.
  return { metadata: { name, namespace: 'default' },
    subsets: backends.map((b) => ({ addresses: [{ ip: b.ip }], ports: [{ name: 'http', port: b.port }] })) };
}

/** Connects, sends `send`, half-closes, returns everything read, or 'RESET'/'CLOSED' when refused. */
function roundTrip(host: string, port: number, send = 'ping', localAddress?: string): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect({ host, port, allowHalfOpen: true, ...(localAddress === undefined ? {} : { localAddress }) });
    let data = '';
    c.on('connect', () => c.end(send));
    c.on('data', (d) => (data += d.toString()));
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNRESET' ? 'RESET' : `ERR ${e.code}`));
    c.on('close', () => resolve(data === '' ? 'CLOSED' : data));
  });
}

/** Port 80 as the brief's example when we may bind it; otherwise an unprivileged one. */
async function updateWithPort(proxy: ServiceProxy, svcs: (port: number) => Service[], eps: Endpoints[]):
  Promise<{ port: number; result: ProxyUpdateResult }> {
  let result = await proxy.update(svcs(80), eps);
  if (result.errors.length === 0) return { port: 80, result };
  console.log(`cannot bind port 80 (${result.errors[0]?.message}); using 18080`);
  result = await proxy.update(svcs(18080), eps);
  return { port: 18080, result };
}

test('ClusterIP: round robin over ready endpoints, removal, no endpoints → reset, half-close', async () => {
  const a = await echoBackend('127.10.0.2', 'a');
  const b = await echoBackend('127.10.0.3', 'b');
  const proxy = new ServiceProxy();
  try {
    const { port, result } = await updateWithPort(proxy, (p) => [service('web', '127.20.0.1', p)],
      [endpoints('web', [a, b])]);
    assert.deepEqual(result, { listening: [`127.20.0.1:${port}`], errors: [] });
    const firsts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const got = await roundTrip('127.20.0.1', port, `hello ${i}`);
      assert.match(got, new RegExp(`^[ab]\\nhello ${i}$`), 'the echo came back after our half-close');
      firsts.push(got[0] ?? '');
    }
    assert.deepEqual(firsts, ['a', 'b', 'a', 'b']);

    await proxy.update([service('web', '127.20.0.1', port)], [endpoints('web', [b])]);
    for (let i = 0; i < 3; i++) assert.match(await roundTrip('127.20.0.1', port), /^b\n/);

    await proxy.update([service('web', '127.20.0.1', port)], [endpoints('web', [])]);
    assert.equal(await roundTrip('127.20.0.1', port), 'RESET');

    const stats = proxy.stats()['default/web:http'];
    assert.equal(stats?.connectionsTotal, 8);
    assert.equal(stats?.connectionsRejected, 1);
    assert.equal(stats?.connectionsActive, 0);
    assert.ok((stats?.bytesToClients ?? 0) > 0);

    const removed = await proxy.update([], []);
    assert.deepEqual(removed.listening, []);
    assert.match(await roundTrip('127.20.0.1', port), /RESET|ECONNREFUSED/);
  } finally {
    await proxy.close();
    a.server.close();
    b.server.close();
  }
});

test('sessionAffinity ClientIP sticks a client to one endpoint until the timeout', async () => {
  const a = await echoBackend('127.10.0.2', 'a');
  const b = await echoBackend('127.10.0.3', 'b');
  let nowMs = 0;
  const proxy = new ServiceProxy({ now: () => nowMs });
  try {
    const svc = service('sticky', '127.20.0.2', 18081,
      { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    const r = await proxy.update([svc], [endpoints('sticky', [a, b])]);
    assert.deepEqual(r.errors, []);
    const c1 = (await roundTrip('127.20.0.2', 18081, 'x', '127.30.0.1'))[0];
    for (let i = 0; i < 3; i++) assert.equal((await roundTrip('127.20.0.2', 18081, 'x', '127.30.0.1'))[0], c1);
    const c2 = (await roundTrip('127.20.0.2', 18081, 'x', '127.30.0.2'))[0];
    assert.notEqual(c2, c1, 'a second client gets the next endpoint in round robin');
    assert.equal(c1, 'a');
    nowMs += 61_000;
    assert.equal((await roundTrip('127.20.0.2', 18081, 'x', '127.30.0.3'))[0], 'a', 'round robin: a is next');
    const after = (await roundTrip('127.20.0.2', 18081, 'x', '127.30.0.1'))[0];
    assert.equal(after, 'b', 'affinity expired: the first client was not sent back to a');
  } finally {
    await proxy.close();
    a.server.close();
    b.server.close();
  }
});

test('NodePort listens on the node address too; dial failures fall through to a live endpoint', async () => {
  const a = await echoBackend('127.10.0.2', 'a');
  const proxy = new ServiceProxy({ nodeAddress: '127.10.0.1' });
  try {
    const dead = { ip: '127.10.0.9', port: 1, server: a.server };
    const svc = service('np', '127.20.0.3', 18082, { type: 'NodePort' });
    svc.spec?.ports?.forEach((p) => (p.nodePort = 30080));
    const r = await proxy.update([svc], [endpoints('np', [dead, a])]);
    assert.deepEqual(r, { listening: ['127.10.0.1:30080', '127.20.0.3:18082'], errors: [] });
    assert.match(await roundTrip('127.10.0.1', 30080), /^a\n/);
    assert.match(await roundTrip('127.20.0.3', 18082), /^a\n/);
    assert.ok((proxy.stats()['default/np:http']?.dialFailures ?? 0) >= 1);
  } finally {
    await proxy.close();
    a.server.close();
  }
});

test('bounded connections per service port', async () => {
  const a = await echoBackend('127.10.0.2', 'a');
  const proxy = new ServiceProxy({ connectionsPerServicePortMax: 1 });
  try {
    await proxy.update([service('one', '127.20.0.4', 18083)], [endpoints('one', [a])]);
    const held = net.connect({ host: '127.20.0.4', port: 18083 });
    await new Promise((r) => held.once('data', r));
    assert.equal(await roundTrip('127.20.0.4', 18083), 'RESET');
    held.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.match(await roundTrip('127.20.0.4', 18083), /^a\n/);
  } finally {
    await proxy.close();
    a.server.close();
  }
});
