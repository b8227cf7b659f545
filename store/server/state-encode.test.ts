import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packState, unpackState } from './request.js';
import { stateHeadSteps, stateImagePrefix } from './state-encode.js';

function run<T>(steps: Generator<void, T, void>): { value: T; yields: number } {
  let yields = 0;
  let r = steps.next();
  for (; r.done !== true; r = steps.next()) yields++;
  return { value: r.value, yields };
}

test('state head in steps: the small fields as packState packs them, a long array split between yields', () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  console.log(`state-encode property seed=${seed} (FC_SEED=${seed} replays)`);
  const id = fc.bigInt({ min: 0n, max: 2n ** 63n });
  const fields = fc.record({
    members: fc.array(fc.record({ name: fc.string(), id }), { maxLength: 5 }),
    alarms: fc.array(fc.record({ memberId: id, alarm: fc.nat(3) }), { maxLength: 3 }),
    // Request ids across the array header's forms (fixarray, array 16, array 32 needs 65,536: below).
    recentIds: fc.array(fc.string({ maxLength: 40 }), { maxLength: 300 }),
    clusterToken: fc.string(),
  });
  fc.assert(fc.property(fields, fc.integer({ min: 1, max: 64 }), fc.nat(1 << 20), (f, stepItems, size) => {
    const { value: head, yields } = run(stateHeadSteps(f, stepItems));
    // packState's own bytes of each entry, behind the map header (which now counts `mvcc` too).
    const whole = Buffer.from(packState(f));
    const entries = whole.subarray(whole[0] === 0xde ? 3 : 1); // msgpackr writes a map 16 header for large objects
    const mvccKey = Buffer.from(packState('mvcc'));
    assert.equal(head[0], 0x80 | 5);
    assert.deepEqual(Buffer.from(head.subarray(1)), Buffer.concat([entries, mvccKey]));
    const expectedYields = [f.members, f.alarms, f.recentIds]
      .reduce((n, a) => n + (a.length > stepItems ? Math.ceil(a.length / stepItems) - 1 : 0), 0);
    assert.equal(yields, expectedYields);
    // With a store image behind the prefix the map decodes to the fields plus `mvcc`.
    const image = Buffer.alloc(size % 300, 7);
    const decoded = unpackState<Record<string, unknown>>(Buffer.concat([stateImagePrefix(head, image.length), image]));
    assert.deepEqual(decoded, { ...unpackState<Record<string, unknown>>(whole), mvcc: image });
  }), { seed, numRuns: 200 });
});

test('state head in steps: the dedup window itself (65,536 ids, an array 32) packs as packState does', () => {
  const ids = Array.from({ length: 65_536 }, (_, i) => `9f3a1c2b7d4e5f60.${(1e6 + i).toString(36)}.${i}`);
  const f = { members: [], alarms: [], recentIds: ids, clusterToken: 't' };
  const { value: head, yields } = run(stateHeadSteps(f));
  assert.ok(yields >= 15, `${yields} yields`);
  const whole = Buffer.from(packState(f));
  const entries = whole.subarray(whole[0] === 0xde ? 3 : 1); // msgpackr writes a map 16 header for large objects
  assert.deepEqual(Buffer.from(head.subarray(1)), Buffer.concat([entries, Buffer.from(packState('mvcc'))]));
  const decoded = unpackState<{ recentIds: string[] }>(Buffer.concat([stateImagePrefix(head, 0)]));
  assert.deepEqual(decoded.recentIds, ids);
});

test('state head: a field named mvcc is refused (the store image goes there)', () => {
  assert.throws(() => run(stateHeadSteps({ mvcc: 1 })), /not a small field/);
});
