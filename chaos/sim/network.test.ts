import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type Message } from '../../store/raft/types.js';
import { DEFAULT_SIM_LIMITS } from './limits.js';
import { Network } from './network.js';
import { SimRng } from './rng.js';

const msg = (from: string, to: string): Message => ({
  type: MessageType.Heartbeat, from, to, term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false,
  rejectHint: 0,
});

function net(): { n: Network; queued: [number, Message][] } {
  const queued: [number, Message][] = [];
  const n = new Network(new SimRng(1), DEFAULT_SIM_LIMITS, (d, m) => queued.push([d, m]));
  return { n, queued };
}

test('network: a partition blocks both ways between groups, and in-flight messages too; heal restores', () => {
  const { n, queued } = net();
  n.send(msg('a', 'c'));
  n.partition([['a', 'b'], ['c']]);
  assert.equal(n.arrive((queued[0] as [number, Message])[1]), false, 'cut while in flight');
  n.send(msg('c', 'a'));
  n.send(msg('a', 'b'));
  assert.equal(queued.length, 2);
  assert.equal(n.isBlocked('b', 'c'), true);
  assert.equal(n.isBlocked('a', 'b'), false);
  n.heal();
  n.send(msg('c', 'a'));
  assert.equal(queued.length, 3);
});

test('network: a one-way cut blocks one direction only; a member outside all groups bridges', () => {
  const { n } = net();
  n.cut('a', 'b');
  assert.equal(n.isBlocked('a', 'b'), true);
  assert.equal(n.isBlocked('b', 'a'), false);
  n.heal();
  n.partition([['a'], ['b']]);
  assert.equal(n.isBlocked('a', 'b'), true);
  assert.equal(n.isBlocked('c', 'a') || n.isBlocked('b', 'c'), false);
});

test('network: weather drops and duplicates, delays stay within bounds, reordering happens', () => {
  const { n, queued } = net();
  n.weather = { dropRate: 0.2, dupRate: 0.2, slowRate: 0.1 };
  for (let i = 0; i < 2000; i++) n.send(msg('a', 'b'));
  assert.ok(n.stats.dropped > 300 && n.stats.dropped < 500, `dropped ${n.stats.dropped}`);
  assert.ok(n.stats.duplicated > 200, `duplicated ${n.stats.duplicated}`);
  assert.equal(queued.length, 2000 - n.stats.dropped + n.stats.duplicated);
  const { delayUnitsMin, slowDelayUnitsMax } = DEFAULT_SIM_LIMITS;
  for (const [d] of queued) assert.ok(d >= delayUnitsMin && d <= slowDelayUnitsMax);
  assert.ok(queued.some(([d]) => d > DEFAULT_SIM_LIMITS.delayUnitsMax), 'some messages are slow');
});

test('network: in-flight messages are bounded (maxInflightMessages)', () => {
  const queued: number[] = [];
  const n = new Network(new SimRng(1), { ...DEFAULT_SIM_LIMITS, maxInflightMessages: 5 }, (d) => queued.push(d));
  for (let i = 0; i < 10; i++) n.send(msg('a', 'b'));
  assert.equal(queued.length, 5);
  assert.equal(n.stats.overflowed, 5);
});
