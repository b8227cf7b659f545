import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dialerIdFromHead, FaultProxy, LinkTable } from './fault-proxy.js';

const HEAD = (id: string) => `GET /raft/stream HTTP/1.1\r\nHost: x\r\nflotilla-member-id: ${id}\r\n\r\n`;

/** A destination member "B": records what it receives, and can write back. */
async function destination(): Promise<{ server: Server; port: number; got: () => string; peer: Promise<Socket> }> {
  let data = '';
  let resolvePeer!: (s: Socket) => void;
  const peer = new Promise<Socket>((r) => (resolvePeer = r));
  const server = createServer((s) => {
    s.on('data', (d) => (data += d.toString()));
    s.on('error', () => {}); // the loss test resets it
    resolvePeer(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, got: () => data, peer };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function dial(port: number, id: string): Promise<{ s: Socket; got: () => string }> {
  const s = createConnection({ host: '127.0.0.1', port });
  let data = '';
  s.on('data', (d) => (data += d.toString()));
  s.on('error', () => {}); // the loss test resets it
  await new Promise((r) => s.once('connect', r));
  s.write(HEAD(id));
  return { s, got: () => data };
}

test('the dialer is named by Flotilla\'s or etcd\'s peer header', () => {
  assert.equal(dialerIdFromHead(HEAD('00000000000000aa')), 0xaan);
  assert.equal(dialerIdFromHead('POST /raft HTTP/1.1\r\nX-Server-From: 1f\r\n\r\n'), 0x1fn);
  assert.equal(dialerIdFromHead('GET /version HTTP/1.1\r\n\r\n'), undefined);
});

test('a one-way cut stops A→B bytes while B→A flows, and the heal delivers what waited', async () => {
  const b = await destination();
  const links = new LinkTable();
  const proxy = await FaultProxy.start({ name: 'B', upstreamPort: b.port, links,
    identify: (h) => (dialerIdFromHead(h) === 0xan ? 'A' : undefined) });
  try {
    const a = await dial(proxy.port, 'a');
    const bSide = await b.peer;
    await sleep(100);
    assert.match(b.got(), /flotilla-member-id: a/);
    assert.equal(proxy.stats.identified, 1);
    links.cut(['A'], ['B']);
    a.s.write('lost-while-cut');
    bSide.write('reply-flows');
    await sleep(300);
    assert.equal(b.got().includes('lost-while-cut'), false, 'A→B must be blocked');
    assert.equal(a.got(), 'reply-flows', 'B→A must flow');
    links.cut(['A'], ['B'], false);
    await sleep(200);
    assert.ok(b.got().includes('lost-while-cut'), 'after the heal the bytes arrive (TCP would retransmit them)');
    a.s.destroy();
  } finally {
    await proxy.close();
    b.server.close();
  }
});

test('a new connection across a cut is held until the heal', async () => {
  const b = await destination();
  const links = new LinkTable();
  const proxy = await FaultProxy.start({ name: 'B', upstreamPort: b.port, links, identify: () => 'A' });
  try {
    links.cut(['B'], ['A']);
    const a = await dial(proxy.port, 'a');
    await sleep(300);
    assert.equal(b.got(), '', 'the SYN-ACK direction is cut: nothing reaches B');
    links.heal();
    await sleep(200);
    assert.match(b.got(), /GET \/raft\/stream/);
    a.s.destroy();
  } finally {
    await proxy.close();
    b.server.close();
  }
});

test('delay holds bytes in order; loss stalls then resets the connection', async () => {
  const b = await destination();
  const links = new LinkTable();
  const proxy = await FaultProxy.start({ name: 'B', upstreamPort: b.port, links, identify: () => 'A' });
  try {
    const a = await dial(proxy.port, 'a');
    await b.peer;
    await sleep(100);
    links.set('A', 'B', { delayMs: 300 });
    a.s.write('one');
    await sleep(20);
    a.s.write('two');
    await sleep(150);
    assert.equal(b.got().includes('one'), false, 'still delayed');
    await sleep(400);
    assert.ok(b.got().endsWith('onetwo'), `in order: ${b.got()}`);
    links.set('A', 'B', { delayMs: 0, lossPct: 100 });
    const closed = new Promise((r) => a.s.once('close', r));
    a.s.write('doomed');
    await closed;
    assert.equal(proxy.stats.resets, 1);
    assert.equal(b.got().includes('doomed'), false);
  } finally {
    await proxy.close();
    b.server.close();
  }
});

test('unknown dialers get no faults', async () => {
  const b = await destination();
  const links = new LinkTable();
  const proxy = await FaultProxy.start({ name: 'B', upstreamPort: b.port, links, identify: () => undefined });
  try {
    links.cut(['A'], ['B']);
    const a = await dial(proxy.port, 'zz');
    await sleep(200);
    assert.match(b.got(), /GET/);
    assert.equal(proxy.stats.unknown, 1);
    a.s.destroy();
  } finally {
    await proxy.close();
    b.server.close();
  }
});
