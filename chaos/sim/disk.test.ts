import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStorage } from '../../store/raft/memory-storage.js';
import { EntryType, type Entry } from '../../store/raft/types.js';
import { Disk } from './disk.js';

const conf = { voters: ['a', 'b', 'c'], learners: [] };
const entry = (index: number, term: number): Entry =>
  ({ index, term, type: EntryType.Normal, data: new Uint8Array([index]) });

type Op = { kind: 'append'; back: number; n: number; term: number } | { kind: 'snap'; back: number } | { kind: 'compact'; back: number };

test('Disk mirrors MemoryStorage under appends, truncations, snapshots and compaction (property)', () => {
  const seed = Date.now() % 1_000_000;
  console.log(`fast-check seed ${seed}`);
  const op = fc.oneof(
    fc.record({ kind: fc.constant('append' as const), back: fc.integer({ min: 0, max: 4 }), n: fc.integer({ min: 1, max: 4 }),
      term: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('snap' as const), back: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('compact' as const), back: fc.integer({ min: 0, max: 3 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops: Op[]) => {
    const disk = new Disk();
    const mem = new MemoryStorage({ confState: conf });
    let term = 1;
    for (const o of ops) {
      const last = disk.lastIndex();
      if (o.kind === 'append') {
        term += o.term;
        // Never below the snapshot: it covers applied, hence committed, entries.
        const start = Math.max(disk.firstIndex(), (disk.snapshot?.metadata.index ?? 0) + 1, last + 1 - o.back);
        const ents = Array.from({ length: o.n }, (_, k) => entry(start + k, term));
        const { written, replaced } = disk.append(ents);
        mem.append(ents);
        assert.equal(written.length, o.n);
        assert.equal(replaced, last - start + 1);
      } else if (o.kind === 'snap') {
        const at = last - o.back;
        if (at < disk.firstIndex() || at <= (disk.snapshot?.metadata.index ?? 0)) continue;
        disk.createSnapshot(at, conf, new Uint8Array());
        mem.createSnapshot(at, conf, new Uint8Array());
      } else {
        const at = Math.min(disk.snapshot?.metadata.index ?? 0, last - o.back);
        if (at < disk.firstIndex()) continue;
        disk.compact(at);
        mem.compact(at);
      }
      assert.equal(disk.firstIndex(), mem.firstIndex());
      assert.equal(disk.lastIndex(), mem.lastIndex());
      for (let i = disk.firstIndex() - 1; i <= disk.lastIndex(); i++) assert.equal(disk.termAt(i), mem.term(i));
    }
    // A restart keeps the snapshot and what follows it, nothing earlier.
    const img = disk.restart();
    const snapIndex = img.snapshot?.metadata.index ?? 0;
    assert.equal(disk.firstIndex(), snapIndex + 1);
    const after = Array.from({ length: disk.lastIndex() - snapIndex }, (_, k) => snapIndex + 1 + k);
    assert.deepEqual(img.entries.map((e) => e.index), after);
  }), { seed, numRuns: 300 });
});

test('Disk refuses a gap and compaction past its snapshot (broken invariants throw)', () => {
  const disk = new Disk();
  disk.append([entry(1, 1), entry(2, 1)]);
  assert.throws(() => disk.append([entry(4, 1)]), /gap/);
  disk.compact(2);
  assert.throws(() => disk.restart(), /past the snapshot/);
});
