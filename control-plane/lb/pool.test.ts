import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendPool } from './pool.js';

const addrs = (...ports: number[]) => ports.map((port) => ({ host: '127.0.0.1', port }));
const ids = (pool: BackendPool, n: number, exclude?: ReadonlySet<string>) =>
  Array.from({ length: n }, () => pool.pick(exclude)?.id.split(':')[1] ?? '-').join(' ');

function poolWith(statuses: string): BackendPool {
  const pool = new BackendPool(addrs(...[...statuses].map((_, i) => 1001 + i)), { fall: 1, rise: 1 });
  [...statuses].forEach((s, i) => pool.report(`127.0.0.1:${1001 + i}`,
    s === 'U' ? { kind: 'probe-ok' } : { kind: 'probe-fail', reason: 'test' }));
  return pool;
}

test('round robin: every healthy backend in turn, in order', () => {
  assert.equal(ids(poolWith('UUU'), 7), '1001 1002 1003 1001 1002 1003 1001');
});

test('round robin: backends out of rotation are skipped', () => {
  assert.equal(ids(poolWith('UDU'), 6), '1001 1003 1001 1003 1001 1003');
  assert.equal(ids(poolWith('DDU'), 3), '1003 1003 1003');
});

test('round robin: nothing healthy, nothing picked (not even an unknown backend)', () => {
  assert.equal(ids(poolWith('DDD'), 2), '- -');
  const fresh = new BackendPool(addrs(1, 2), { fall: 2, rise: 2 });
  assert.equal(fresh.pick(), undefined);
  assert.equal(fresh.healthyCount, 0);
});

test('round robin: a backend that rejoins takes its turn from where the rotation is', () => {
  const pool = poolWith('UDU');
  assert.equal(ids(pool, 2), '1001 1003');
  pool.report('127.0.0.1:1002', { kind: 'probe-ok' });
  assert.equal(ids(pool, 4), '1001 1002 1003 1001');
});

test('round robin: excluded backends (already failed for this connection) are skipped', () => {
  const pool = poolWith('UUU');
  assert.equal(ids(pool, 3, new Set(['127.0.0.1:1002'])), '1001 1003 1001');
  assert.equal(pool.pick(new Set(['127.0.0.1:1001', '127.0.0.1:1002', '127.0.0.1:1003'])), undefined);
});

test('pool: health is tracked per backend; unknown ids are ignored', () => {
  const pool = poolWith('UDU');
  assert.equal(pool.healthyCount, 2);
  assert.equal(pool.isHealthy('127.0.0.1:1002'), false);
  assert.equal(pool.report('127.0.0.1:9', { kind: 'probe-ok' }), null);
  const t = pool.report('127.0.0.1:1001', { kind: 'connect-error', reason: 'ECONNREFUSED' });
  assert.equal(t?.to, 'down');
  assert.equal(pool.healthyCount, 1);
});
