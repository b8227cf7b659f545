import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logOf, type SimEvent } from '../events.js';
import { check } from './protocol-rules.js';

type Reply = Extract<SimEvent, { kind: 'reply' }>;
const reply = (r: Partial<Reply> & Pick<Reply, 'member' | 'type' | 'to' | 'term'>): SimEvent => ({
  kind: 'reply', index: 0, reject: false, durableTerm: r.term, durableVote: '', indexDurable: true, ...r,
});
const leader = (member: string, term: number): SimEvent => ({ kind: 'leader', member, term, log: logOf([]) });
const apply = (index: number, commit: number): SimEvent =>
  ({ kind: 'apply', member: 'a', index, term: 1, dataHash: 0, chainHash: 0, memberTerm: 1, commit });

test('protocol rules reject a vote granted before it is durable (Figure 2)', () => {
  const v = check([reply({ member: 'b', type: 'VoteResp', to: 'a', term: 5, durableTerm: 4, durableVote: '' })]);
  assert.ok(v);
  assert.equal(v.checker, 'protocol-rules');
  assert.match(v.message, /b granted its term-5 vote to a before persisting it/);
});

test('protocol rules reject a vote request before the self-vote is durable', () => {
  assert.match(check([reply({ member: 'a', type: 'Vote', to: 'b', term: 5, durableTerm: 5, durableVote: '' })])?.message
    ?? '', /asked b for a vote in term 5 before persisting its own vote/);
});

test('protocol rules reject an append acknowledged before the entries are durable', () => {
  const v = check([leader('a', 3),
    reply({ member: 'b', type: 'AppResp', to: 'a', term: 3, index: 9, indexDurable: false })]);
  assert.match(v?.message ?? '', /b acknowledged entries up to 9 to a before persisting them/);
});

test('protocol rules reject acknowledging a stale leader (§5.1)', () => {
  const v = check([leader('a', 3), leader('c', 4),
    reply({ member: 'b', type: 'AppResp', to: 'a', term: 4, index: 9 })]);
  assert.match(v?.message ?? '', /b in term 4 acknowledged an append from a, but c leads term 4/);
});

test('protocol rules reject applying past the commit index', () => {
  assert.match(check([apply(4, 4), apply(5, 4)])?.message ?? '', /applied entry 5 beyond its commit index 4/);
});

test('protocol rules accept durable replies, rejections, term-only answers and committed applies', () => {
  assert.equal(check([
    reply({ member: 'a', type: 'Vote', to: 'b', term: 5, durableVote: 'a' }),
    reply({ member: 'b', type: 'VoteResp', to: 'a', term: 5, durableVote: 'a' }),
    reply({ member: 'c', type: 'VoteResp', to: 'a', term: 5, reject: true, durableTerm: 5, durableVote: 'c' }),
    leader('a', 5),
    reply({ member: 'b', type: 'AppResp', to: 'a', term: 5, index: 7 }),
    reply({ member: 'b', type: 'AppResp', to: 'a', term: 5, index: 8, reject: true, indexDurable: false }),
    reply({ member: 'b', type: 'AppResp', to: 'z', term: 6, index: 0 }), // "my term is 6" to a stale leader
    apply(3, 7), apply(4, 7),
  ]), undefined);
});
