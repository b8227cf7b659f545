import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MethodDefinition } from '@grpc/grpc-js';
import { encodeHeader, id64 } from './codec.js';
import { ID_BITS_MEMO_ENTRIES } from './limits.js';
import { serverServiceDefinitions } from './proto.js';

const put = serverServiceDefinitions().KV.Put as unknown as MethodDefinition<object, object>;

/** The header a client decodes from a PutResponse carrying encodeHeader's output. */
function roundTrip(clusterId: bigint, memberId: bigint): Record<string, string> {
  const h = encodeHeader({ clusterId, memberId, revision: 7n, raftTerm: 3n });
  const decoded = put.responseDeserialize(put.responseSerialize({ header: h })) as { header: Record<string, string> };
  return decoded.header;
}

test('header IDs reach the wire exactly, small or 64-bit, and again from the memo', () => {
  const ids = [0n, 5n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 63n + 12345n, 2n ** 64n - 2n, 2n ** 64n - 1n,
    0xcdef12345678abcdn];
  for (let pass = 0; pass < 2; pass++) {
    for (const v of ids) {
      const h = roundTrip(v, ids[ids.length - 1 - ids.indexOf(v)]!);
      assert.equal(h['cluster_id'], v.toString());
      assert.equal(h['member_id'], ids[ids.length - 1 - ids.indexOf(v)]!.toString());
      assert.equal(h['revision'], '7');
      assert.equal(h['raft_term'], '3');
    }
  }
});

test('id64: numbers when exact, the same frozen bits object for a repeated ID, and a bounded memo', () => {
  assert.equal(id64(42n), 42);
  const a = id64(2n ** 64n - 1n);
  assert.deepEqual(a, { low: -1, high: -1, unsigned: true });
  assert.equal(id64(2n ** 64n - 1n), a);
  assert.ok(Object.isFrozen(a));
  for (let i = 0; i < ID_BITS_MEMO_ENTRIES * 3; i++) {
    const v = 2n ** 60n + BigInt(i);
    assert.equal(roundTrip(v, v)['cluster_id'], v.toString());
  }
});
