// The API client's pool (undici underneath) against a raw TCP server answering with scripted
// bytes: keep-alive reuse across framings, the answer bounds, cancelling queued and sent
// requests, reconnecting after the server closed an idle socket, and idle sockets not holding
// the process open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HttpPool, type HttpPoolRequest, ResponseTooLargeError } from './http-pool.js';

type Script = Buffer | 'hang' | 'close';

/** A server that answers each request (head + content-length body) with the next script entry. */
async function withRawServer(next: () => Script,
  fn: (port: number, connections: () => number) => Promise<void>): Promise<void> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /content-length: (\d+)/i.exec(buf.toString('latin1', 0, end));
        const total = end + 4 + (m === null ? 0 : Number(m[1]));
        if (buf.length < total) return;
        buf = buf.subarray(total);
        const what = next();
        if (what === 'hang') return;
        if (what === 'close') { s.destroy(); return; }
        s.write(what);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as net.AddressInfo).port, () => connections);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const req = (o: Partial<HttpPoolRequest> = {}): HttpPoolRequest => ({
  method: 'POST', path: '/x', headers: { 'content-type': 'application/json' }, body: '{"a":1}',
  maxBytes: 1 << 20, maxErrorBytes: 1 << 10, ...o,
});

const answer = (head: string, body = ''): Buffer => Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');

test('http pool: content-length, chunked and empty answers all travel on one keep-alive socket', async () => {
  const script: Script[] = [
    answer('HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2', 'hello'),
    answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked', '3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n'),
    answer('HTTP/1.1 204 No Content'),
    answer('HTTP/1.1 404 Not Found\r\nContent-Length: 2', '{}'),
  ];
  let i = 0;
  await withRawServer(() => script[i++] ?? 'hang', async (port, connections) => {
    const pool = new HttpPool({ origin: `http://127.0.0.1:${port}` }, 4);
    const a = await pool.request(req()).answer;
    assert.equal(a.statusCode, 201);
    assert.equal(a.body.toString(), 'hello');
    assert.deepEqual(a.headers['x-a'], ['1', '2']);
    assert.equal((await pool.request(req()).answer).body.toString(), 'abcde');
    assert.equal((await pool.request(req({ method: 'DELETE', body: undefined })).answer).statusCode, 204);
    const nf = await pool.request(req({ method: 'GET', body: undefined })).answer;
    assert.deepEqual([nf.statusCode, nf.body.toString()], [404, '{}']);
    // undici frees a socket just after the answer's last callback, so a request sent from that
    // answer's continuation may open a second one; either way sockets are reused, not one per request.
    assert.ok(connections() <= 2, `sequential requests reuse keep-alive sockets (${connections()} opened for 4)`);
    pool.close();
  });
});

test('http pool: bounds, hang-ups, and cancelling queued and sent requests', async () => {
  const big = 'a'.repeat(5000);
  const script: Script[] = [
    answer(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}`, big),
    answer(`HTTP/1.1 500 Oops\r\nContent-Length: ${big.length}`, big),
    answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked', 'zz\r\n'),
    'close',
    'hang',
  ];
  let i = 0;
  await withRawServer(() => script[i++] ?? 'hang', async (port) => {
    const pool = new HttpPool({ origin: `http://127.0.0.1:${port}` }, 1);
    await assert.rejects(pool.request(req({ maxBytes: 4096 })).answer, ResponseTooLargeError);
    const err = await pool.request(req({ maxErrorBytes: 1024 })).answer;
    assert.equal(err.statusCode, 500);
    assert.equal(err.body.length, 0, 'an error body past its bound is dropped');
    await assert.rejects(pool.request(req()).answer, /chunk/i);
    await assert.rejects(pool.request(req()).answer, /closed|socket/i);
    const sent = pool.request(req());
    const queued = pool.request(req());
    await new Promise((r) => setTimeout(r, 20));
    queued.pending.cancel(new Error('gave up queued'));
    await assert.rejects(queued.answer, /gave up queued/);
    sent.pending.cancel(new Error('gave up sent'));
    await assert.rejects(sent.answer, /gave up sent/);
    pool.close();
  });
});

test('http pool: refused connections reject; a new socket replaces an idle one the server closed', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const dead = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const refused = new HttpPool({ origin: `http://127.0.0.1:${dead}` }, 1);
  await assert.rejects(refused.request(req()).answer, /ECONNREFUSED/);
  await assert.rejects(refused.request(req()).answer, /ECONNREFUSED/);
  refused.close();

  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const pool = new HttpPool({ origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` }, 1);
  assert.equal((await pool.request(req({ method: 'GET', body: undefined })).answer).body.toString(), 'k');
  sockets[0]!.destroy();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await pool.request(req({ method: 'GET', body: undefined })).answer).body.toString(), 'k');
  assert.equal(sockets.length, 2);
  pool.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

test('http pool: an idle keep-alive socket does not keep the process alive', async () => {
  const server = net.createServer((s) => {
    s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=600\r\n\r\nhi'));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const mod = fileURLToPath(new URL('./http-pool.js', import.meta.url));
  const child = spawn(process.execPath, ['--input-type=module', '-e',
    `const { HttpPool } = await import(${JSON.stringify(mod)});
     const p = new HttpPool({ origin: 'http://127.0.0.1:${port}' }, 2);
     const r = await p.request({ method: 'GET', path: '/', headers: {}, body: undefined, maxBytes: 100,
       maxErrorBytes: 100 }).answer;
     console.log(r.body.toString());`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    new Promise<number | null>((r) => child.once('exit', r)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('child still running')), 5000); }),
  ]).finally(() => { clearTimeout(timer); child.kill('SIGKILL'); });
  assert.equal(code, 0);
  assert.equal(out.trim(), 'hi');
  await new Promise<void>((r) => server.close(() => r()));
});
