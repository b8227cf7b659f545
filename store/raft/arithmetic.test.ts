// Property tests of the core's arithmetic against brute-force models (fast-check; the
// seed is printed on failure and replays with FC_SEED).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Inflights } from './progress.js';
import { committedIndex, tallyVotes, VoteResult } from './quorum.js';
import { ReadIndexQueue } from './read-index.js';

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;
const params = { seed, numRuns: 500 };
test.after(() => console.log(`arithmetic properties ran with FC_SEED=${seed}`));

test('committedIndex is the largest index that a majority of voters has reached', () => {
  fc.assert(fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 7 }), (matches) => {
    const voters = matches.map((_, i) => String(i));
    const got = committedIndex(voters, (id) => matches[Number(id)]!);
    const majority = Math.floor(voters.length / 2) + 1;
    const reached = (i: number) => matches.filter((m) => m >= i).length >= majority;
    assert.ok(reached(got), `${got} is not on a majority of ${matches}`);
    assert.ok(!reached(got + 1), `${got + 1} is also on a majority of ${matches}`);
  }), params);
});

test('tallyVotes: won iff a majority granted, lost iff a majority can no longer be reached', () => {
  const vote = fc.constantFrom<boolean | undefined>(true, false, undefined);
  fc.assert(fc.property(fc.array(vote, { minLength: 1, maxLength: 7 }), (votes) => {
    const voters = votes.map((_, i) => String(i));
    const map = new Map<string, boolean>();
    votes.forEach((v, i) => v !== undefined && map.set(String(i), v));
    const majority = Math.floor(voters.length / 2) + 1;
    const granted = votes.filter((v) => v === true).length;
    const possible = votes.filter((v) => v !== false).length;
    const expected = granted >= majority ? VoteResult.Won : possible < majority ? VoteResult.Lost : VoteResult.Pending;
    assert.equal(tallyVotes(voters, map), expected);
  }), params);
});

test('Inflights never exceeds its bounds and frees exactly the acknowledged messages', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), bytes: fc.nat(100) }),
    fc.record({ kind: fc.constant('free' as const), upTo: fc.nat(200) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
    const inf = new Inflights(8, 300);
    let model: { index: number; bytes: number }[] = [];
    let next = 1;
    for (const o of ops) {
      if (o.kind === 'add') {
        const full = model.length >= 8 || model.reduce((n, m) => n + m.bytes, 0) >= 300;
        assert.equal(inf.full(), full);
        if (full) continue;
        inf.add(next, o.bytes);
        model.push({ index: next, bytes: o.bytes });
        next += 1 + (o.bytes % 3);
      } else {
        inf.freeLE(o.upTo);
        model = model.filter((m) => m.index > o.upTo);
      }
      assert.equal(inf.count, model.length);
    }
  }), params);
});

test('ReadIndexQueue releases a read only after a round that started after it arrived', () => {
  const op = fc.oneof(fc.constant('add' as const), fc.constant('start' as const), fc.nat(10));
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    const q = new ReadIndexQueue(1000);
    const arrivedBeforeRound = new Map<string, number>(); // read -> rounds started before it arrived
    let started = 0;
    let n = 0;
    for (const o of ops) {
      if (o === 'add') {
        const ctx = String(n++);
        arrivedBeforeRound.set(ctx, started);
        q.add({ context: new TextEncoder().encode(ctx), from: '1', index: 0 });
      } else if (o === 'start') {
        if (q.needsRound()) started = q.startRound();
      } else if (o <= started) {
        for (const r of q.confirm(o)) {
          const ctx = new TextDecoder().decode(r.context);
          assert.ok(arrivedBeforeRound.get(ctx)! < o, `read ${ctx} released by round ${o} that began before it`);
        }
      }
    }
  }), params);
});
