// Behaviour of the core, each test tied to the sentence of the Raft paper or thesis it checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from './memory-storage.js';
import { RaftNode } from './node.js';
import { ConfChangeType, MessageType, Role } from './types.js';
import { seededRng, TestCluster, text, untext } from './testing/cluster.js';

const roleOf = (c: TestCluster, id: string) => c.member(id).node.status().role;

test('§5.2: a member that campaigns wins a pre-vote then an election and leads term 2 (bootstrap is term 1)', () => {
  const c = new TestCluster(['1', '2', '3']);
  const msgs = c.campaign('1');
  assert.equal(c.leader(), '1');
  assert.equal(c.member('1').node.status().term, 2);
  // PreVote (thesis §9.6) ran first and did not bump anyone's term.
  assert.ok(msgs.some((m) => m.type === MessageType.PreVote && m.term === 2));
  for (const id of ['2', '3']) assert.equal(c.member(id).node.status().leader, '1');
});

test('§5.2: election timeouts alone elect exactly one leader', () => {
  const c = new TestCluster(['1', '2', '3', '4', '5'], { seed: 3 });
  c.tick(undefined, 40);
  const leaders = [...c.members.values()].filter((m) => m.node.status().role === Role.Leader);
  assert.equal(leaders.length, 1);
});

test('§5.3: a committed entry is applied by every member, in order', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  for (let i = 0; i < 10; i++) assert.deepEqual(c.member('1').node.propose(text(`v${i}`)), { ok: true });
  c.stabilize();
  for (const id of ['1', '2', '3']) assert.deepEqual(c.appliedData(id), Array.from({ length: 10 }, (_, i) => `v${i}`));
});

test('a follower forwards proposals to the leader; without a leader it says so', () => {
  const c = new TestCluster(['1', '2', '3']);
  assert.deepEqual(c.member('2').node.propose(text('x')), { ok: false, reason: { code: 'no-leader' } });
  c.campaign('1');
  assert.deepEqual(c.member('2').node.propose(text('y')), { ok: true });
  c.stabilize();
  assert.deepEqual(c.appliedData('3'), ['y']);
  const strict = new TestCluster(['1', '2', '3'], { config: { forwardProposals: false } });
  strict.campaign('1');
  assert.deepEqual(strict.member('2').node.propose(text('z')), { ok: false, reason: { code: 'not-leader', leader: '1' } });
});

test('§5.4.1: a member with a shorter log cannot win: voters refuse it', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.isolate('3');
  c.member('1').node.propose(text('a'));
  c.stabilize();
  c.heal();
  c.isolate('1');
  // 3 lacks "a"; 2 has it and must refuse 3 even in a new term.
  c.campaign('3');
  assert.notEqual(roleOf(c, '3'), Role.Leader);
  c.campaign('2');
  assert.equal(roleOf(c, '2'), Role.Leader);
});

test('thesis §6.2 CheckQuorum: a leader cut off from the majority steps down', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.isolate('1');
  // Activity is judged per election timeout; the first one still counts the election.
  c.tick(['1'], 19);
  assert.equal(roleOf(c, '1'), Role.Leader);
  c.tick(['1'], 2);
  assert.equal(roleOf(c, '1'), Role.Follower);
});

test('thesis §9.6 PreVote: a partitioned member does not inflate its term, and rejoining disrupts nothing', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.isolate('3');
  c.tick(['3'], 100);
  assert.equal(c.member('3').node.status().term, 2, 'pre-votes failed, so the term stayed');
  c.heal();
  c.tick(undefined, 5);
  assert.equal(c.leader(), '1');
  assert.equal(c.member('1').node.status().term, 2);
});

test('§6.4 ReadIndex: concurrent reads are confirmed by one heartbeat round', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.member('1').node.propose(text('a'));
  c.stabilize();
  const before = c.sent.length;
  for (let i = 0; i < 100; i++) c.member('1').node.readIndex(text(`r${i}`));
  c.stabilize();
  const rounds = c.sent.slice(before).filter((m) => m.type === MessageType.Heartbeat);
  assert.equal(rounds.length, 2, 'one heartbeat to each follower for all 100 reads');
  const states = c.member('1').readStates;
  assert.equal(states.length, 100);
  assert.ok(states.every((s) => s.index === c.member('1').node.status().commit));
});

test('§6.4 ReadIndex from a follower is answered through the leader', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.member('1').node.propose(text('a'));
  c.stabilize();
  c.member('3').node.readIndex(text('q'));
  c.stabilize();
  assert.deepEqual(c.member('3').readStates.map((s) => [s.index, untext(s.context)]), [[5, 'q']]);
});

test('§6.4: a leader cut off from the majority never answers a read', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.isolate('1');
  c.member('1').node.readIndex(text('stale?'));
  c.tick(['1'], 3);
  assert.equal(c.member('1').readStates.length, 0);
});

test('thesis §3.10: leadership transfer catches the target up, then it wins at once', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.isolate('3');
  c.member('1').node.propose(text('a'));
  c.stabilize();
  c.heal();
  assert.deepEqual(c.member('1').node.transferLeadership('3'), { ok: true });
  c.stabilize();
  assert.equal(c.leader(), '3');
  assert.equal(c.member('3').node.status().term, 3);
  assert.deepEqual(c.appliedData('3'), ['a']);
});

test('§7: a follower behind the compacted log is caught up by snapshot', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.isolate('3');
  for (let i = 0; i < 20; i++) c.member('1').node.propose(text(`v${i}`));
  c.stabilize();
  const leader = c.member('1');
  const applied = leader.node.status().applied;
  leader.storage.createSnapshot(applied, leader.confState, text(JSON.stringify(c.appliedData('1'))));
  leader.storage.compact(applied);
  c.heal();
  c.tick(['1'], 2);
  const s3 = c.member('3');
  assert.ok(c.sent.some((m) => m.type === MessageType.Snap && m.to === '3'));
  assert.equal(s3.storage.snapshot().metadata.index, applied);
  assert.equal(s3.node.status().commit, leader.node.status().commit);
  leader.node.propose(text('after'));
  c.stabilize();
  assert.deepEqual(c.appliedData('3'), ['after']);
});

test('§4.1 membership: add a learner, let it catch up, promote it, then remove a voter', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.member('1').node.propose(text('before'));
  c.stabilize();
  c.add('4', new MemoryStorage());
  assert.deepEqual(c.member('1').node.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: '4' }), { ok: true });
  c.stabilize();
  c.tick(['1'], 2);
  assert.deepEqual(c.member('1').node.status().confState, { voters: ['1', '2', '3'], learners: ['4'] });
  assert.deepEqual(c.appliedData('4'), ['before']);
  // A learner is not counted: with 2 and 3 cut off, nothing commits.
  c.cut('1', '2');
  c.cut('1', '3');
  c.member('1').node.propose(text('needs-a-voter'));
  c.stabilize();
  assert.ok(!c.appliedData('1').includes('needs-a-voter'));
  c.heal();
  c.tick(['1'], 2);
  assert.deepEqual(c.member('1').node.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: '4' }), { ok: true });
  c.stabilize();
  assert.deepEqual(c.member('4').node.status().confState, { voters: ['1', '2', '3', '4'], learners: [] });
  assert.deepEqual(c.member('1').node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: '2' }), { ok: true });
  c.stabilize();
  assert.deepEqual(c.member('1').node.status().confState, { voters: ['1', '3', '4'], learners: [] });
});

test('one membership change at a time; invalid changes are refused with a reason', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  const n = c.member('1').node;
  assert.deepEqual(n.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: '4' }), { ok: true });
  assert.deepEqual(n.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: '5' }),
    { ok: false, reason: { code: 'conf-change-pending' } });
  c.stabilize();
  assert.deepEqual(n.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: '2' }),
    { ok: false, reason: { code: 'invalid-conf-change', why: '2 is already a voter' } });
});

test('a removed leader steps down and the rest elect a new one', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.member('1').node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: '1' });
  c.stabilize();
  assert.notEqual(roleOf(c, '1'), Role.Leader);
  c.tick(['2', '3'], 30);
  assert.ok(['2', '3'].includes(c.leader() ?? ''));
});

test('the uncommitted-bytes limit pushes back on proposals', () => {
  const c = new TestCluster(['1', '2', '3'], { config: { limits: { maxUncommittedBytes: 100 } } });
  c.campaign('1');
  c.isolate('1');
  const n = c.member('1').node;
  assert.deepEqual(n.propose(new Uint8Array(60)), { ok: true });
  assert.deepEqual(n.propose(new Uint8Array(60)), { ok: false, reason: { code: 'uncommitted-limit' } });
});

test('pipelining is bounded by maxInflightMessages', () => {
  const c = new TestCluster(['1', '2'], { config: { limits: { maxInflightMessages: 4, maxMessageBytes: 1 } } });
  c.campaign('1');
  c.cut('2', '1'); // acknowledgements are lost: the window must fill and stop
  const before = c.sent.length;
  for (let i = 0; i < 20; i++) c.member('1').node.propose(text(`v${i}`));
  c.stabilize();
  const apps = c.sent.slice(before).filter((m) => m.type === MessageType.App && m.from === '1' && m.entries.length > 0);
  assert.equal(apps.length, 4);
});

test('a restarted member recovers term, vote and log from storage and rejoins', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  for (let i = 0; i < 5; i++) c.member('1').node.propose(text(`v${i}`));
  c.stabilize();
  const old = c.member('2');
  const applied = old.node.status().applied;
  const restarted = c.add('2', old.storage, applied);
  restarted.applied = [];
  assert.equal(restarted.node.status().term, 2);
  assert.equal(restarted.node.status().commit, old.storage.hardState().commit);
  c.member('1').node.propose(text('later'));
  c.stabilize();
  assert.deepEqual(c.appliedData('2'), ['later']);
});

test('a single-member cluster commits once its own write is durable', () => {
  const storage = new MemoryStorage({ confState: { voters: ['1'], learners: [] } });
  const node = new RaftNode({ id: '1', storage, rng: seededRng(1), electionTicks: 10, heartbeatTicks: 1 });
  node.campaign();
  let rd = node.ready();
  assert.equal(rd.softState?.role, Role.Leader);
  assert.equal(rd.committedEntries.length, 0, 'nothing commits before the no-op is persisted');
  storage.append(rd.entries);
  storage.setHardState(rd.hardState!);
  node.advance(rd);
  node.propose(text('x'));
  rd = node.ready();
  assert.deepEqual(rd.committedEntries.map((e) => e.index), [1]);
});

test('MemoryStorage: setting the restart membership never changes the stored snapshot', () => {
  const snapshot = { metadata: { index: 10, term: 2, confState: { voters: ['a', 'b', 'c'], learners: [] } }, data: new Uint8Array() };
  const s = new MemoryStorage({ snapshot });
  s.setConfState({ voters: ['a', 'b', 'c'], learners: ['d'] });
  assert.deepEqual(s.snapshot().metadata.confState, { voters: ['a', 'b', 'c'], learners: [] });
  assert.deepEqual(s.initialState().confState, { voters: ['a', 'b', 'c'], learners: ['d'] });
});

test('campaignOnLeaderLoss: followers told the leader is unreachable elect a new one within a few ticks', () => {
  const ticksToNewLeader = (fast: boolean): number => {
    const c = new TestCluster(['1', '2', '3'], { seed: 5, config: { campaignOnLeaderLoss: fast } });
    c.campaign('1');
    c.isolate('1');
    for (const id of ['2', '3']) c.member(id).node.reportUnreachable('1');
    for (let t = 1; t <= 40; t++) {
      c.tick(['2', '3']);
      if (['2', '3'].some((id) => roleOf(c, id) === Role.Leader)) return t;
    }
    return Infinity;
  };
  assert.ok(ticksToNewLeader(true) <= 8, `fast: ${ticksToNewLeader(true)} ticks`);
  assert.ok(ticksToNewLeader(false) >= 10, 'without it, a whole election timeout passes first');
});

test('campaignOnLeaderLoss: one follower losing its link does not depose a leader the other still hears', () => {
  const c = new TestCluster(['1', '2', '3'], { config: { campaignOnLeaderLoss: true } });
  c.campaign('1');
  c.cut('1', '3');
  c.member('3').node.reportUnreachable('1');
  c.tick(undefined, 8);
  assert.equal(c.leader(), '1');
  assert.equal(c.member('1').node.status().term, 2, 'no new term: 2 refused 3\'s pre-vote while it heard 1');
});

test('thesis §10.2.1: entries a quorum of followers holds apply while the leader\'s own write is outstanding', () => {
  const c = new TestCluster(['1', '2', '3']);
  c.campaign('1');
  c.stabilize();
  const leader = c.member('1');
  leader.node.propose(text('early'));
  const rd = leader.node.ready(); // the leader's write of 'early' is "on disk" from here on
  assert.equal(rd.entries.length, 1);
  const index = rd.entries[0]!.index;
  for (const m of rd.messages) c.member(m.to).node.step(m);
  for (const id of ['2', '3']) c.processReady(id); // followers persist and acknowledge
  for (const m of c.pending().filter((x) => x.to === '1')) leader.node.step(m);
  const early = leader.node.takeCommittedEntries();
  assert.deepEqual(early.map((e) => [e.index, untext(e.data)]), [[index, 'early']]);
  assert.deepEqual(leader.node.takeCommittedEntries(), [], 'handed out once');
  leader.node.appliedTo(early);
  assert.equal(leader.node.applied, index);
  leader.storage.append(rd.entries);
  leader.node.advance(rd);
  assert.equal(leader.node.applied, index, 'advance of the older Ready does not move applied back');
  const next = leader.node.hasReady() ? leader.node.ready() : undefined;
  assert.ok(!next?.committedEntries.some((e) => e.index === index), 'the next Ready does not hand it out again');
});
