import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimEvent } from '../events.js';
import { check } from './linearizability.js';

const put = (index: number, key: string, value: string): SimEvent => ({ kind: 'put-applied', index, key, value });
const ack = (index: number, key: string, value: string): SimEvent =>
  ({ kind: 'write-ack', client: 'w1', key, value, index });
const invoke = (readId: string, key: string): SimEvent => ({ kind: 'read-invoke', readId, key });
const done = (readId: string, key: string, value: string | null, index: number): SimEvent =>
  ({ kind: 'read-done', readId, key, value, index });

test('linearizability rejects a read that misses a write acknowledged before it began (stale read, §6.4)', () => {
  const v = check([put(3, 'k', 'v1'), ack(3, 'k', 'v1'), put(5, 'k', 'v2'), ack(5, 'k', 'v2'),
    invoke('r1', 'k'), done('r1', 'k', 'v1', 3)]);
  assert.ok(v);
  assert.equal(v.checker, 'linearizability');
  assert.match(v.message, /stale read r1 of k: saw the write at 3, but the write at 5/);
});

test('linearizability rejects reading nothing after an acknowledged write, and going back after a read', () => {
  assert.match(check([put(3, 'k', 'v1'), ack(3, 'k', 'v1'), invoke('r1', 'k'), done('r1', 'k', null, 0)])?.message ?? '',
    /stale read r1 of k: saw nothing/);
  assert.match(check([put(3, 'k', 'v1'), put(4, 'k', 'v2'), invoke('r1', 'k'), done('r1', 'k', 'v2', 4),
    invoke('r2', 'k'), done('r2', 'k', 'v1', 3)])?.message ?? '', /stale read r2/);
});

test('linearizability rejects reads and acks of data that was never committed', () => {
  assert.match(check([put(3, 'k', 'v1'), invoke('r1', 'k'), done('r1', 'k', 'ghost', 3)])?.message ?? '',
    /never committed/);
  assert.match(check([invoke('r1', 'k'), done('r1', 'k', 'v9', 7)])?.message ?? '', /nothing was committed there/);
  assert.match(check([put(3, 'k', 'v1'), ack(3, 'k', 'v2')])?.message ?? '', /told k=v2 committed at 3/);
  assert.match(check([put(3, 'k', 'v1'), put(6, 'k', 'v1')])?.message ?? '', /took effect twice/);
});

test('linearizability accepts concurrent reads seeing either side, and reads after acks seeing them', () => {
  assert.equal(check([
    invoke('r0', 'k'), put(3, 'k', 'v1'), done('r0', 'k', null, 0), // concurrent with the write: either is fine
    invoke('r1', 'k'), put(4, 'k', 'v2'), ack(3, 'k', 'v1'), done('r1', 'k', 'v2', 4),
    invoke('r2', 'k'), ack(4, 'k', 'v2'), done('r2', 'k', 'v2', 4),
    invoke('r3', 'j'), done('r3', 'j', null, 0), // other keys are independent
  ]), undefined);
});
