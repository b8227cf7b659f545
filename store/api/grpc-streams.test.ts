// Streams and lifecycle over gRPC: Watch (create/cancel/progress, filters, prev_kv,
// fragments, refusals), LeaseKeepAlive, Snapshot, error mapping of backend failures, and
// graceful close.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { status, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { call, connectClients, startLocalServer, waitUntil, type EtcdClients, type LocalServer } from './testing/harness.js';
import { LocalBackend } from './local-backend.js';
import { startEtcdApiServer } from './server.js';
import { etcdError } from './errors.js';
import type * as api from './backend.js';
import { readSnapshotFile } from './snapshot-file.js';
import { SNAPSHOT_CHUNK_BYTES, WATCH_FRAGMENT_BYTES } from './limits.js';
import { MvccStore } from '../mvcc/index.js';

type Msg = Record<string, unknown>;
const key = (s: string): Buffer => Buffer.from(s);

/** Responses of one bidirectional stream, taken in order. */
class StreamReader {
  readonly #queue: Msg[] = [];
  #error: ServiceError | undefined;

  constructor(readonly stream: ClientDuplexStream<object, Msg> | ClientReadableStream<Msg>) {
    stream.on('data', (m: Msg) => this.#queue.push(m));
    stream.on('error', (e: ServiceError) => (this.#error = e));
  }

  async next(timeoutMs = 5_000): Promise<Msg> {
    await waitUntil(() => this.#queue.length > 0 || this.#error !== undefined, timeoutMs, () => 'no response');
    if (this.#queue.length === 0) throw this.#error;
    return this.#queue.shift() as Msg;
  }

  async error(timeoutMs = 5_000): Promise<ServiceError> {
    await waitUntil(() => this.#error !== undefined, timeoutMs, () => 'stream did not fail');
    return this.#error as ServiceError;
  }

  get pending(): number {
    return this.#queue.length;
  }
}

function watchStream(c: EtcdClients): { w: StreamReader; send: (m: object) => void; end: () => void } {
  const s = (c.watch as unknown as { Watch(): ClientDuplexStream<object, Msg> }).Watch();
  return { w: new StreamReader(s), send: (m) => s.write(m), end: () => s.cancel() };
}

describe('gRPC streams', () => {
  let srv: LocalServer;
  let c: EtcdClients;

  before(async () => {
    srv = await startLocalServer();
    c = connectClients(srv.endpoint);
  });

  after(async () => {
    c?.close();
    await srv?.close();
  });

  test('watch: create, events with prev_kv, NOPUT filter, progress, cancel', async () => {
    const { w, send, end } = watchStream(c);
    try {
      send({ create_request: { key: key('w/'), range_end: key('w0'), prev_kv: true } });
      const created = await w.next();
      assert.equal(created['created'], true);
      const id = created['watch_id'] as string;
      send({ create_request: { key: key('w/'), range_end: key('w0'), filters: [0] } }); // NOPUT
      const id2 = (await w.next())['watch_id'] as string;
      assert.notEqual(id, id2);

      await call(c.kv, 'Put', { key: key('w/a'), value: key('1') });
      await call(c.kv, 'Put', { key: key('w/a'), value: key('2') });
      const d = await call(c.kv, 'DeleteRange', { key: key('w/a') });
      const e1 = await w.next();
      assert.equal(e1['watch_id'], id);
      const ev1 = (e1['events'] as Msg[])[0] as Msg;
      assert.equal(ev1['type'], 0);
      assert.equal(ev1['prev_kv'], null);
      const ev2 = ((await w.next())['events'] as Msg[])[0] as Msg;
      assert.equal(String((ev2['prev_kv'] as Msg)['value']), '1');
      const del = await w.next();
      const del2 = await w.next();
      const byId = new Map([[del['watch_id'], del], [del2['watch_id'], del2]]);
      const noPut = byId.get(id2) as Msg;
      assert.equal(((noPut['events'] as Msg[])[0] as Msg)['type'], 1);
      assert.equal((noPut['header'] as Msg)['revision'], (d['header'] as Msg)['revision']);
      assert.equal(String(((byId.get(id) as Msg)['events'] as Msg[]).map((e) => (e['prev_kv'] as Msg)['value'])), '2');

      send({ progress_request: {} });
      const prog = await w.next();
      assert.equal(prog['watch_id'], '-1');
      assert.deepEqual(prog['events'], []);
      assert.equal((prog['header'] as Msg)['revision'], (d['header'] as Msg)['revision']);

      send({ cancel_request: { watch_id: '999' } }); // unknown: no answer
      send({ cancel_request: { watch_id: id } });
      const canceled = await w.next();
      assert.equal(canceled['watch_id'], id);
      assert.equal(canceled['canceled'], true);
      assert.equal(w.pending, 0);
    } finally {
      end();
    }
  });

  test('watch: refusals (negative start, duplicate ID), replay from the past, compacted start', async () => {
    const { w, send, end } = watchStream(c);
    try {
      send({ create_request: { key: key('r'), start_revision: '-1' } });
      const neg = await w.next();
      assert.deepEqual([neg['created'], neg['canceled'], neg['watch_id'], neg['cancel_reason']],
        [true, true, '-1', 'etcdserver: mvcc: required revision has been compacted']);
      send({ create_request: { key: key('r'), watch_id: '7' } });
      assert.equal((await w.next())['watch_id'], '7');
      send({ create_request: { key: key('r'), watch_id: '7' } });
      const dup = await w.next();
      assert.deepEqual([dup['created'], dup['canceled'], dup['watch_id'], dup['cancel_reason']],
        [true, true, '-1', 'mvcc: duplicate watch ID provided on the WatchStream']);

      const p1 = await call(c.kv, 'Put', { key: key('r/x'), value: key('a') });
      await call(c.kv, 'Put', { key: key('r/x'), value: key('b') });
      send({ create_request: { key: key('r/x'), start_revision: (p1['header'] as Msg)['revision'] } });
      await w.next(); // created
      const replay = await w.next();
      assert.deepEqual((replay['events'] as Msg[]).map((e) => String((e['kv'] as Msg)['value'])), ['a', 'b']);

      await call(c.kv, 'Compact', { revision: (p1['header'] as Msg)['revision'] });
      send({ create_request: { key: key('r/x'), start_revision: '2' } });
      const created = await w.next();
      const compacted = await w.next();
      assert.equal(compacted['watch_id'], created['watch_id']);
      assert.equal(compacted['canceled'], true);
      assert.equal(compacted['compact_revision'], (p1['header'] as Msg)['revision']);
    } finally {
      end();
    }
  });

  test('watch: a fragment watcher gets a large revision split; others get it whole', async () => {
    const half = Math.floor(WATCH_FRAGMENT_BYTES * 0.3);
    const big = (ch: string): Buffer => Buffer.alloc(half, ch);
    const put = (k: string, v: Buffer): Msg => ({ request_put: { key: key(k), value: v } });
    await call(c.kv, 'Txn', { success: [put('fr/1', big('a')), put('fr/2', big('b'))] });
    const { w, send, end } = watchStream(c);
    try {
      send({ create_request: { key: key('fr/'), range_end: key('fr0'), prev_kv: true, fragment: true } });
      send({ create_request: { key: key('fr/'), range_end: key('fr0'), prev_kv: true } });
      const idFrag = (await w.next())['watch_id'];
      const idWhole = (await w.next())['watch_id'];
      // Two events with prev_kv: about 1.2 × the fragment bound in one revision.
      await call(c.kv, 'Txn', { success: [put('fr/1', big('c')), put('fr/2', big('d'))] });
      const got = [await w.next(10_000), await w.next(10_000), await w.next(10_000)];
      const frag = got.filter((m) => m['watch_id'] === idFrag);
      const whole = got.filter((m) => m['watch_id'] === idWhole);
      assert.deepEqual(frag.map((m) => [m['fragment'], (m['events'] as Msg[]).length]), [[true, 1], [false, 1]]);
      assert.deepEqual(whole.map((m) => [m['fragment'], (m['events'] as Msg[]).length]), [[false, 2]]);
    } finally {
      end();
    }
  });

  test('lease keep-alive stream: TTLs, unknown lease answers TTL 0', async () => {
    const g = await call(c.lease, 'LeaseGrant', { TTL: '40' });
    const s = (c.lease as unknown as { LeaseKeepAlive(): ClientDuplexStream<object, Msg> }).LeaseKeepAlive();
    const r = new StreamReader(s);
    try {
      s.write({ ID: g['ID'] });
      s.write({ ID: '31337' });
      s.write({ ID: g['ID'] });
      const [a, b, c2] = [await r.next(), await r.next(), await r.next()];
      assert.deepEqual([a['ID'], a['TTL']], [g['ID'], '40']);
      assert.deepEqual([b['ID'], b['TTL']], ['31337', '0']);
      assert.deepEqual([c2['ID'], c2['TTL']], [g['ID'], '40']);
      assert.equal(typeof (a['header'] as Msg)['revision'], 'string');
    } finally {
      s.cancel();
    }
  });

  test('snapshot: 32 KiB blobs, remaining_bytes down to 0, then the SHA-256 of the rest', async () => {
    for (let i = 0; i < 10; i++) await call(c.kv, 'Put', { key: key(`sn/${i}`), value: Buffer.alloc(10_000, i) });
    const s = (c.maintenance as unknown as { Snapshot(r: object): ClientReadableStream<Msg> }).Snapshot({});
    const msgs: Msg[] = [];
    await new Promise<void>((resolve, reject) => {
      s.on('data', (m: Msg) => msgs.push(m));
      s.on('end', resolve);
      s.on('error', reject);
    });
    assert.ok(msgs.length >= 5);
    assert.ok(msgs[0]?.['header'] !== null);
    const body = msgs.slice(0, -1);
    const blobs = body.map((m) => m['blob'] as Buffer);
    assert.ok(blobs.every((b, i) => b.length === SNAPSHOT_CHUNK_BYTES || i === blobs.length - 1));
    const data = Buffer.concat(blobs);
    let left = BigInt(data.length);
    for (const m of body) {
      left -= BigInt((m['blob'] as Buffer).length);
      assert.equal(m['remaining_bytes'], left.toString());
    }
    const last = msgs[msgs.length - 1] as Msg;
    assert.equal(last['remaining_bytes'], '0');
    assert.deepEqual(last['blob'], createHash('sha256').update(data).digest());
    const file = readSnapshotFile(Buffer.concat([data, last['blob'] as Buffer]));
    const store = MvccStore.fromSnapshot(file.payload);
    assert.equal(store.range({ key: key('sn/'), rangeEnd: key('sn0'), countOnly: true }).ok, true);
  });
});

/** A backend whose reads can be made slow or failing, to test error mapping and close(). */
class StubBackend extends LocalBackend {
  rangeDelayMs = 0;
  rangeError: Error | undefined;
  noLeader = false;

  override async range(req: api.RangeRequest): Promise<api.RangeResponse> {
    if (this.rangeDelayMs > 0) await new Promise((r) => setTimeout(r, this.rangeDelayMs));
    if (this.rangeError !== undefined) throw this.rangeError;
    return super.range(req);
  }

  override async status(): Promise<api.StatusResponse> {
    const s = await super.status();
    return this.noLeader ? { ...s, leader: 0n } : s;
  }
}

describe('backend failures and graceful close', () => {
  test('backend errors map to etcd statuses; a non-etcd error is UNKNOWN', async () => {
    const backend = new StubBackend({ memberId: 5n, name: 'stub', peerUrls: [] });
    const server = await startEtcdApiServer({ host: '127.0.0.1', port: 0, backend, clusterId: 9n, memberId: 5n });
    const c = connectClients(`127.0.0.1:${server.port}`);
    try {
      backend.rangeError = etcdError('noLeader');
      await assert.rejects(call(c.kv, 'Range', { key: key('k') }),
        (e: ServiceError) => e.code === status.UNAVAILABLE && e.details === 'etcdserver: no leader');
      backend.rangeError = etcdError('timeout');
      await assert.rejects(call(c.kv, 'Range', { key: key('k') }),
        (e: ServiceError) => e.code === status.UNAVAILABLE && e.details === 'etcdserver: request timed out');
      backend.rangeError = new Error('boom');
      await assert.rejects(call(c.kv, 'Range', { key: key('k') }),
        (e: ServiceError) => e.code === status.UNKNOWN && e.details === 'boom');
      backend.noLeader = true;
      assert.deepEqual((await call(c.maintenance, 'Status', {}))['errors'], ['etcdserver: no leader']);
    } finally {
      c.close();
      await server.close();
      backend.close();
    }
  });

  test('close() finishes in-flight calls, ends streams with "server stopped", refuses new calls', async () => {
    const backend = new StubBackend({ memberId: 5n, name: 'stub', peerUrls: [] });
    const server = await startEtcdApiServer({ host: '127.0.0.1', port: 0, backend, clusterId: 9n, memberId: 5n });
    const c = connectClients(`127.0.0.1:${server.port}`);
    try {
      const { w, send } = watchStream(c);
      send({ create_request: { key: key('k') } });
      await w.next();
      backend.rangeDelayMs = 300;
      const inflight = call(c.kv, 'Range', { key: key('k') });
      await new Promise((r) => setTimeout(r, 50));
      const closing = server.close();
      const err = await w.error();
      assert.equal(err.code, status.UNAVAILABLE);
      assert.equal(err.details, 'etcdserver: server stopped');
      await assert.rejects(call(c.kv, 'Put', { key: key('k') }), (e: ServiceError) => e.code === status.UNAVAILABLE);
      const r = await inflight;
      assert.equal((r['header'] as Msg)['member_id'], '5');
      await closing;
    } finally {
      c.close();
      await server.close();
      backend.close();
    }
  });
});
