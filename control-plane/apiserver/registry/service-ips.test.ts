import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyValue } from '../../../store/client/client.js';
import { AllocationError, cidrRange, portRange, RangeAllocator } from './service-ips.js';

function kvOf(write: { key: string; value: Buffer | null }, modRevision: number): KeyValue {
  return { key: Buffer.from(write.key), value: write.value!, createRevision: 1, modRevision, version: 1, lease: 0n };
}

test('a /29 hands out its 6 usable addresses once each, then is full; release makes room', () => {
  const a = new RangeAllocator('/r/ranges/ips', cidrRange('127.96.0.0/29'), () => 0.5);
  let kv: KeyValue | undefined;
  const got = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const r = a.allocate(kv);
    assert.equal(r.write.expectModRevision, kv?.modRevision ?? 0, 'every write is guarded by the bitmap revision it read');
    got.add(r.value);
    kv = kvOf(r.write, i + 2);
  }
  assert.deepEqual([...got].sort(), ['127.96.0.1', '127.96.0.2', '127.96.0.3', '127.96.0.4', '127.96.0.5', '127.96.0.6']);
  assert.throws(() => a.allocate(kv), (e: unknown) => e instanceof AllocationError && e.kind === 'full');
  assert.throws(() => a.allocate(kv, '127.96.0.3'), /already allocated/);
  assert.throws(() => a.allocate(kv, '127.96.0.7'), /not in the valid range/);
  kv = kvOf(a.release(kv, ['127.96.0.3'])!, 10);
  assert.equal(a.allocate(kv).value, '127.96.0.3');
});

test('ranges refuse nonsense; a bitmap stored for another range is refused loudly', () => {
  assert.throws(() => cidrRange('10.0.0.0/33'), /must be an IPv4 CIDR/);
  assert.throws(() => portRange('9-3'), /must look like 30000-32767/);
  const a = new RangeAllocator('/r/x', cidrRange('127.96.0.0/24'));
  const b = new RangeAllocator('/r/x', cidrRange('127.97.0.0/24'));
  const kv = kvOf(a.allocate(undefined).write, 2);
  assert.throws(() => b.allocate(kv), /every apiserver of a cluster must use the same range/);
});
