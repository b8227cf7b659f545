import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MethodDefinition } from '@grpc/grpc-js';
import { EventType, type Event, type KeyValue, type WatchResponse } from './backend.js';
import { encodeEvent, encodeHeader, str, type HeaderFields } from './codec.js';
import { serverServiceDefinitions } from './proto.js';
import { headerArb, int64, kvArb } from './testing/wire-arbitraries.js';
import { encodeWatchResponse } from './watch-encode.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`watch-encode fast-check seed=${seed} (rerun with FC_SEED=${seed})`);

const method = serverServiceDefinitions().Watch.Watch as unknown as MethodDefinition<object, object>;

/** What the service sent before watch-encode: a plain object for protobufjs (fromObject + encode). */
function viaProtobufjs(h: HeaderFields, r: WatchResponse, events: Event[], fragment: boolean): Buffer {
  return method.responseSerialize({
    header: encodeHeader(h), watch_id: str(r.watchId), created: r.created, canceled: r.canceled,
    compact_revision: str(r.compactRevision), cancel_reason: r.cancelReason, fragment,
    events: events.map(encodeEvent),
  });
}

const eventArb: fc.Arbitrary<Event> = fc.record(
  { type: fc.constantFrom(EventType.PUT, EventType.DELETE), kv: kvArb, prevKv: kvArb },
  { requiredKeys: ['type', 'kv'] },
);
const responseArb: fc.Arbitrary<WatchResponse> = fc.record({
  revision: int64, watchId: int64, created: fc.boolean(), canceled: fc.boolean(), compactRevision: int64,
  cancelReason: fc.oneof(fc.constant(''), fc.string(), fc.string({ unit: 'grapheme' })),
  events: fc.array(eventArb, { maxLength: 5 }),
});

test('encodeWatchResponse decodes to what protobufjs encoding of the same response decodes to', () => {
  fc.assert(fc.property(headerArb, responseArb, fc.boolean(), (h, r, fragment) => {
    const mine = encodeWatchResponse(h, r, r.events, fragment);
    const theirs = viaProtobufjs(h, r, r.events, fragment);
    assert.deepEqual(method.responseDeserialize(mine), method.responseDeserialize(theirs));
  }), { seed, numRuns: 400 });
});

test('encodeWatchResponse: a response at defaults is its header alone; a fragment carries only its events', () => {
  const h: HeaderFields = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
  const r: WatchResponse = {
    revision: 0n, watchId: 0n, created: false, canceled: false, compactRevision: 0n, cancelReason: '', events: [],
  };
  assert.deepEqual([...encodeWatchResponse(h, r, [], false)], [0x0a, 0x00]); // header = 1, empty
  const kv: KeyValue = { key: Uint8Array.of(1), createRevision: 2n, modRevision: 3n, version: 1n,
    value: Uint8Array.of(9), lease: 0n };
  const e: Event = { type: EventType.PUT, kv };
  const both = { ...r, events: [e, { ...e, type: EventType.DELETE }] };
  const decoded = method.responseDeserialize(encodeWatchResponse(h, both, [e], true)) as
    { fragment: boolean; events: { type: string; kv: { key: Buffer; mod_revision: string } }[] };
  assert.equal(decoded.fragment, true);
  assert.equal(decoded.events.length, 1);
  assert.deepEqual([...decoded.events[0]!.kv.key], [1]);
  assert.equal(decoded.events[0]!.kv.mod_revision, '3');
});

test('the Watch method serializer passes pre-encoded bytes through and still encodes objects', () => {
  const b = Buffer.from([0x0a, 0x00]);
  assert.equal(method.responseSerialize(b), b);
  assert.deepEqual([...method.responseSerialize({ header: { revision: 5 } })], [0x0a, 0x02, 0x18, 0x05]);
});
