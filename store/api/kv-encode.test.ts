import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MethodDefinition } from '@grpc/grpc-js';
import type {
  DeleteRangeResponse, PutResponse, RangeResponse, ResponseOp, TxnResponse,
} from './backend.js';
import {
  encodeDeleteBody, encodeHeader, encodePutBody, encodeRangeBody, encodeTxnBody, type HeaderFields,
} from './codec.js';
import { encodeDeleteRangeResponse, encodePutResponse, encodeRangeResponse, encodeTxnResponse } from './kv-encode.js';
import { serverServiceDefinitions } from './proto.js';
import { headerArb, int64, kvArb } from './testing/wire-arbitraries.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`kv-encode fast-check seed=${seed} (rerun with FC_SEED=${seed})`);

const kvDef = serverServiceDefinitions().KV as unknown as Record<string, MethodDefinition<object, object>>;

/** What the service sent before kv-encode: a plain object for protobufjs (fromObject + encode). */
function viaProtobufjs(method: string, h: HeaderFields, body: object): Buffer {
  return kvDef[method]!.responseSerialize({ header: encodeHeader(h), ...body });
}

function decoded(method: string, b: Buffer): object {
  return kvDef[method]!.responseDeserialize(b);
}

const rangeArb: fc.Arbitrary<RangeResponse> = fc.record({
  revision: int64, kvs: fc.array(kvArb, { maxLength: 4 }), more: fc.boolean(), count: int64,
});
const putArb: fc.Arbitrary<PutResponse> = fc.record({ revision: int64, prevKv: kvArb }, { requiredKeys: ['revision'] });
const deleteArb: fc.Arbitrary<DeleteRangeResponse> = fc.record({
  revision: int64, deleted: int64, prevKvs: fc.array(kvArb, { maxLength: 3 }),
});
const { txn: txnArb } = fc.letrec<{ txn: TxnResponse; op: ResponseOp }>((tie) => ({
  txn: fc.record({
    revision: int64, succeeded: fc.boolean(),
    responses: fc.array(tie('op'), { maxLength: 3 }),
  }),
  op: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ range: rangeArb }), fc.record({ put: putArb }), fc.record({ deleteRange: deleteArb }),
    fc.record({ txn: tie('txn') }),
  ),
}));

test('KV responses as bytes decode to what protobufjs encoding of the same response decodes to', () => {
  const same = (method: string, mine: Buffer, theirs: Buffer): void =>
    assert.deepEqual(decoded(method, mine), decoded(method, theirs));
  fc.assert(fc.property(headerArb, rangeArb, (h, r) =>
    same('Range', encodeRangeResponse(h, r), viaProtobufjs('Range', h, encodeRangeBody(r)))), { seed, numRuns: 200 });
  fc.assert(fc.property(headerArb, putArb, (h, r) =>
    same('Put', encodePutResponse(h, r), viaProtobufjs('Put', h, encodePutBody(r)))), { seed, numRuns: 200 });
  fc.assert(fc.property(headerArb, deleteArb, (h, r) =>
    same('DeleteRange', encodeDeleteRangeResponse(h, r), viaProtobufjs('DeleteRange', h, encodeDeleteBody(r)))),
  { seed, numRuns: 200 });
  fc.assert(fc.property(headerArb, txnArb, (h, r) =>
    same('Txn', encodeTxnResponse(h, r), viaProtobufjs('Txn', h, encodeTxnBody(r)))), { seed, numRuns: 300 });
});

test('KV responses: a put answer at defaults is its header alone; nested txn answers keep their headers', () => {
  const h: HeaderFields = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
  assert.deepEqual([...encodePutResponse(h, { revision: 0n })], [0x0a, 0x00]);
  const txn: TxnResponse = { revision: 7n, succeeded: true, responses: [{ put: { revision: 7n } }] };
  // header {revision 7}, succeeded, responses[0] = { response_put = { header { revision 7 } } }
  assert.deepEqual([...encodeTxnResponse({ ...h, revision: 7n }, txn)],
    [0x0a, 0x02, 0x18, 0x07, 0x10, 0x01, 0x1a, 0x06, 0x12, 0x04, 0x0a, 0x02, 0x18, 0x07]);
  const d = decoded('Txn', encodeTxnResponse(h, txn)) as { responses: { response_put: { header: object } }[] };
  assert.equal((d.responses[0]!.response_put.header as { revision: string }).revision, '7');
});
