import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeType, EntryType, type ConfChange, type Entry } from '../../store/raft/types.js';
import { decodeConfChange, encodeConfChange } from '../../store/raft/confchange.js';
import { KvStateMachine, encodePut, encodeSession } from './kv.js';

const put = (index: number, c: string, s: number, k: string, v: string): Entry =>
  ({ index, term: 1, type: EntryType.Normal, data: encodePut({ c, s, k, v }) });
const conf = (index: number, cc: ConfChange): Entry =>
  ({ index, term: 1, type: EntryType.ConfChange, data: encodeConfChange(cc) });
const noConf = () => { throw new Error('no conf change expected'); };

test('kv: a retried put (same session seq) takes effect once and answers with the first index (§6.3)', () => {
  const sm = new KvStateMachine();
  assert.deepEqual(sm.applyEntry(put(1, 'w1', 1, 'k', 'a'), decodeConfChange, noConf), {
    kind: 'put', put: { c: 'w1', s: 1, k: 'k', v: 'a' }, fresh: true, index: 1,
  });
  assert.equal(sm.applyEntry(put(2, 'w1', 1, 'k', 'a'), decodeConfChange, noConf).kind, 'put');
  const dup = sm.applyEntry(put(3, 'w1', 1, 'k', 'a'), decodeConfChange, noConf);
  assert.ok(dup.kind === 'put' && !dup.fresh && dup.index === 1);
  assert.deepEqual(sm.get('k'), { value: 'a', index: 1 });
  assert.equal(sm.applied, 3);
});

test('kv: empty entries are no-ops (§8), conf changes reach the core only when fresh', () => {
  const sm = new KvStateMachine();
  const noop: Entry = { index: 1, term: 2, type: EntryType.Normal, data: new Uint8Array() };
  assert.deepEqual(sm.applyEntry(noop, decodeConfChange, noConf), { kind: 'noop' });
  let calls = 0;
  const cc: ConfChange = { type: ConfChangeType.AddLearner, nodeId: 'n9', context: encodeSession({ c: 'admin', s: 1 }) };
  const apply = () => { calls++; return { voters: ['n1'], learners: ['n9'] }; };
  assert.equal(sm.applyEntry(conf(2, cc), decodeConfChange, apply).kind, 'conf');
  const again = sm.applyEntry(conf(3, cc), decodeConfChange, apply);
  assert.ok(again.kind === 'conf' && !again.fresh);
  assert.equal(calls, 1);
  assert.deepEqual(sm.confState, { voters: ['n1'], learners: ['n9'] });
});

test('kv: an image round-trips, chain hash included', () => {
  const sm = new KvStateMachine();
  sm.applyEntry(put(1, 'w1', 1, 'k', 'a'), decodeConfChange, noConf);
  sm.applyEntry(put(2, 'w2', 1, 'j', 'b'), decodeConfChange, noConf);
  const copy = KvStateMachine.fromImage(sm.image());
  assert.equal(copy.applied, 2);
  assert.equal(copy.chainHash, sm.chainHash);
  assert.deepEqual(copy.get('j'), { value: 'b', index: 2 });
  assert.deepEqual(copy.session('w1'), { seq: 1, index: 1 });
});
