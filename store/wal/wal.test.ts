// The WAL's behaviour on a real disk: round trips, conflicting suffixes, segment rolls,
// release, group commit, validation and reopening from a snapshot.
import assert from 'node:assert/strict';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Entry } from '../raft/types.js';
import { WAL, type OpenResult } from './index.js';
import { META, ModelLog, entries, entry, withTempDir } from './test-support.js';
import type { SaveRequest } from './log-state.js';
import { parseSegmentName } from './segment.js';

const SMALL_SEGMENT = { segmentSizeBytes: 4096 };

function assertReplay(r: OpenResult, model: ModelLog): void {
  const want = model.expected();
  assert.deepEqual(r.entries, want.entries);
  assert.deepEqual(r.hardState, want.hardState);
  assert.deepEqual(r.snapshotMarker, want.snapshotMarker);
}

async function reopen(dir: string, opts = {}): Promise<OpenResult> {
  const r = await WAL.open(dir, { limits: SMALL_SEGMENT, ...opts });
  assert.deepEqual(r.warnings, []);
  return r;
}

describe('WAL round trip', () => {
  it('replays many Readys to the same log, hard state and metadata', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META });
      const model = new ModelLog();
      let next = 1;
      for (let i = 0; i < 300; i++) {
        const batch = entries(next, next + (i % 7), 1 + Math.floor(i / 50), i % 40);
        next += batch.length;
        const req: SaveRequest = { entries: batch };
        if (i % 3 === 0) req.hardState = { term: 1 + Math.floor(i / 50), vote: i % 2 ? 'n1' : '', commit: next - 2 };
        await wal.save(req);
        model.apply(req);
      }
      await wal.close();
      const r = await WAL.open(dir);
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(r.metadata, META);
      assertReplay(r, model);
      assert.equal(r.entries.length, next - 1);
      assert.deepEqual(r.base, { index: 0, term: 0 });
      await r.wal.close();
    });
  });

  it('replaces a conflicting suffix written by a new leader, within and across opens (§5.3)', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META });
      await wal.save({ entries: entries(1, 10, 1), hardState: { term: 1, vote: 'a', commit: 5 } });
      await wal.save({ entries: entries(6, 8, 2, 16, 1), hardState: { term: 2, vote: 'b', commit: 5 } });
      await wal.close();
      let r = await reopen(dir);
      assert.deepEqual(r.entries, [...entries(1, 5, 1), ...entries(6, 8, 2, 16, 1)]);
      assert.deepEqual(r.hardState, { term: 2, vote: 'b', commit: 5 });
      await r.wal.save({ entries: entries(7, 9, 3, 16, 2) });
      await r.wal.close();
      r = await reopen(dir);
      assert.deepEqual(r.entries, [...entries(1, 5, 1), entry(6, 2, 16, 1), ...entries(7, 9, 3, 16, 2)]);
      await r.wal.close();
    });
  });

  it('a snapshot marker whose term is not in the log discards the log on replay (§7)', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META });
      await wal.save({ entries: entries(1, 10, 1) });
      await wal.save({ snapshotMarker: { index: 8, term: 3 } });
      await wal.close();
      let r = await reopen(dir);
      assert.deepEqual(r.entries, []);
      assert.deepEqual(r.base, { index: 8, term: 3 });
      await r.wal.save({ entries: entries(9, 11, 3) });
      await r.wal.save({ snapshotMarker: { index: 10, term: 3 } });
      await r.wal.close();
      r = await reopen(dir);
      assert.deepEqual(r.entries, entries(11, 11, 3));
      assert.deepEqual(r.snapshotMarker, { index: 10, term: 3 });
      await r.wal.close();
    });
  });
});

describe('WAL segments', () => {
  it('rolls at the size bound and replays across segments, including a conflict reaching into an old segment', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META, limits: SMALL_SEGMENT });
      const model = new ModelLog();
      for (let i = 1; i <= 400; i += 4) {
        const req = { entries: entries(i, i + 3, 1, 50), hardState: { term: 1, vote: '', commit: i } };
        await wal.save(req);
        model.apply(req);
      }
      const rewrite = { entries: entries(150, 160, 2, 50, 9) };
      await wal.save(rewrite);
      model.apply(rewrite);
      const files = wal.segmentFiles();
      assert.ok(files.length >= 6, `expected many segments, got ${files.length}`);
      assert.deepEqual([...files].sort(), files);
      for (const f of files) assert.ok((await stat(f)).size <= 4096 + 400, `${f} overshoots the bound`);
      await wal.close();
      const r = await reopen(dir);
      assertReplay(r, model);
      assert.equal(r.entries.at(-1)?.index, 160);
      await r.wal.close();
    });
  });

  it('releaseTo deletes only segments wholly before the snapshot index', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META, limits: SMALL_SEGMENT });
      const model = new ModelLog();
      for (let i = 1; i <= 600; i += 5) {
        const req = { entries: entries(i, i + 4, 1, 40), hardState: { term: 1, vote: 'x', commit: i } };
        await wal.save(req);
        model.apply(req);
      }
      await assert.rejects(wal.releaseTo(100), { code: 'FLOTILLA_ERR_WAL_INVALID_RELEASE' });
      const marker = { snapshotMarker: { index: 300, term: 1 } };
      await wal.save(marker);
      model.apply(marker);
      const before = wal.segmentFiles().map((f) => parseSegmentName(basename(f)));
      const { removed } = await wal.releaseTo(300);
      assert.ok(removed.length > 0);
      const kept = wal.segmentFiles();
      const firstKept = parseSegmentName(basename(kept[0] as string));
      assert.ok(firstKept && firstKept.firstIndex <= 301, 'the kept segment must hold entry 301');
      // The next segment after the first kept one must start past 301, or it would have been chosen.
      const second = parseSegmentName(basename(kept[1] as string));
      assert.ok(second && second.firstIndex > 301);
      assert.equal(before.length, removed.length + kept.length);
      assert.deepEqual((await readdir(dir)).sort(), kept.map((f) => basename(f)));
      // Entries keep flowing after a release, and a second release is a no-op.
      const more = { entries: entries(601, 610, 2) };
      await wal.save(more);
      model.apply(more);
      assert.deepEqual((await wal.releaseTo(300)).removed, []);
      await wal.close();
      const r = await reopen(dir);
      assertReplay(r, model);
      assert.equal(r.entries[0]?.index, 301);
      await r.wal.close();
    });
  });
});

describe('WAL group commit', () => {
  it('concurrent saves share fsyncs and each resolves once durable', async () => {
    await withTempDir('wal', async (dir) => {
      const fsyncs: number[] = [];
      const wal = await WAL.create(dir, { metadata: META, metrics: { onFsync: (s) => fsyncs.push(s) } });
      const saves: Promise<void>[] = [];
      for (let i = 1; i <= 200; i++) saves.push(wal.save({ entries: [entry(i, 1)] }));
      await Promise.all(saves);
      const stats = wal.stats();
      assert.equal(stats.savesCommitted, 200);
      assert.ok(stats.fsyncs < 200, `200 concurrent saves took ${stats.fsyncs} fsyncs`);
      assert.equal(fsyncs.length, stats.fsyncs);
      const before = wal.stats().fsyncs;
      const many: SaveRequest[] = [];
      for (let i = 201; i <= 216; i++) many.push({ entries: [entry(i, 1)], hardState: { term: 1, vote: '', commit: i } });
      await wal.saveMany(many);
      assert.equal(wal.stats().fsyncs, before + 1, 'saveMany is one fsync');
      await wal.close();
      const r = await reopen(dir);
      assert.deepEqual(r.entries, entries(1, 216, 1));
      await r.wal.close();
    });
  });

  it('sync: false saves are written but leave the fsync to a later save', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META });
      await wal.save({ hardState: { term: 1, vote: '', commit: 0 } });
      const fsyncs = wal.stats().fsyncs;
      await wal.save({ hardState: { term: 1, vote: '', commit: 1 } }, { sync: false });
      assert.equal(wal.stats().fsyncs, fsyncs);
      await wal.save({ entries: [entry(1, 1)] });
      assert.equal(wal.stats().fsyncs, fsyncs + 1);
      await wal.close();
      const r = await reopen(dir);
      assert.deepEqual(r.hardState, { term: 1, vote: '', commit: 1 });
      await r.wal.close();
    });
  });

  it('synced saves after nothing unsynced are one O_DSYNC write each, across segment rolls', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META, limits: SMALL_SEGMENT });
      const model = new ModelLog();
      for (let i = 1; i <= 60; i++) {
        const req: SaveRequest = { entries: [entry(i, 1, 100)], hardState: { term: 1, vote: '', commit: i - 1 } };
        await wal.save(req);
        model.apply(req);
      }
      const st = wal.stats();
      assert.ok(st.segmentsCreated > 2, `rolled (${st.segmentsCreated} segments)`);
      assert.equal(st.fsyncs, st.groupsCommitted, 'one durable write per group, none extra at a roll');
      await wal.close();
      const r = await reopen(dir);
      assertReplay(r, model);
      await r.wal.close();
    });
  });
});

describe('WAL inline writes', () => {
  /** True if the event loop turned (an immediate ran) while `p` was pending. */
  async function turnedWhile(p: () => Promise<void>): Promise<boolean> {
    let turned = false;
    const t = setImmediate(() => {
      turned = true;
    });
    await p();
    clearImmediate(t);
    return turned;
  }

  it('writes small durable groups of inline saves on the calling thread and the rest through the pool', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META, limits: SMALL_SEGMENT, inlineWriteMaxBytes: 1024 });
      const model = new ModelLog();
      const save = async (req: SaveRequest, options: { inline?: boolean; sync?: boolean }): Promise<boolean> => {
        const turned = await turnedWhile(() => wal.save(req, options));
        model.apply(req);
        return turned;
      };
      await save({ entries: [entry(1, 1)] }, { inline: true }); // opens the O_DSYNC handle (a turn)
      let index = 2;
      const hs = (commit: number) => ({ term: 1, vote: '', commit });
      for (let i = 0; i < 60; i++, index++) { // across segment rolls
        const inline = wal.stats().inlineWrites;
        const rolls = wal.stats().segmentsCreated;
        const turned = await save({ entries: [entry(index, 1, 100)], hardState: hs(index - 1) }, { inline: true });
        assert.equal(wal.stats().inlineWrites, inline + 1);
        // A roll creates and opens the next segment (a turn); a plain inline save never waits for one.
        if (wal.stats().segmentsCreated === rolls) assert.equal(turned, false, `save ${index} waited for a turn`);
      }
      assert.ok(wal.stats().segmentsCreated > 2);
      const before = wal.stats().inlineWrites;
      assert.equal(await save({ entries: [entry(index++, 1, 2000)] }, { inline: true }), true, 'over the bound');
      assert.equal(await save({ entries: [entry(index++, 1, 10)] }, {}), true, 'not asked for');
      await save({ entries: [entry(index++, 1, 10)] }, { inline: true, sync: false }); // no O_DSYNC write
      assert.equal(wal.stats().inlineWrites, before);
      await save({ entries: [entry(index++, 1, 10)] }, { inline: true }); // after an unsynced write: fdatasync
      assert.equal(wal.stats().inlineWrites, before);
      // A group mixing inline and pool saves goes through the pool.
      const mixed = [wal.save({ entries: [entry(index, 1)] }, { inline: true }),
        wal.save({ entries: [entry(index + 1, 1)] })];
      model.apply({ entries: [entry(index, 1)] });
      model.apply({ entries: [entry(index + 1, 1)] });
      await Promise.all(mixed);
      assert.equal(wal.stats().inlineWrites, before);
      await wal.close();
      const r = await reopen(dir);
      assertReplay(r, model);
      await r.wal.close();
    });
  });

  it('inlineWriteMaxBytes 0 never writes inline', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META, inlineWriteMaxBytes: 0 });
      for (let i = 1; i <= 5; i++) await wal.save({ entries: [entry(i, 1)] }, { inline: true });
      assert.equal(wal.stats().inlineWrites, 0);
      await wal.close();
    });
  });
});

describe('WAL validation', () => {
  it('refuses saves the Raft log cannot contain, writing nothing, and stays usable', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META });
      await wal.save({ entries: entries(1, 5, 2), hardState: { term: 2, vote: 'a', commit: 1 } });
      const size = wal.position.offsetBytes;
      const bad: [string, SaveRequest][] = [
        ['gap', { entries: entries(7, 8, 2) }],
        ['non-contiguous', { entries: [entry(6, 2), entry(8, 2)] }],
        ['term below the previous entry', { entries: [entry(6, 1)] }],
        ['hard state term going back', { hardState: { term: 1, vote: '', commit: 1 } }],
        ['marker older than the snapshot', { snapshotMarker: { index: 0, term: 0 } }],
        ['valid entries then an invalid hard state', { entries: [entry(6, 2)], hardState: { term: 1, vote: '', commit: 0 } }],
      ];
      for (const [why, req] of bad) {
        await assert.rejects(wal.save(req), { code: 'FLOTILLA_ERR_WAL_INVALID_SAVE' }, why);
      }
      await wal.save({ snapshotMarker: { index: 3, term: 2 } });
      await assert.rejects(wal.save({ entries: [entry(3, 2)] }), { code: 'FLOTILLA_ERR_WAL_INVALID_SAVE' });
      await assert.rejects(wal.save({ snapshotMarker: { index: 3, term: 1 } }), { code: 'FLOTILLA_ERR_WAL_INVALID_SAVE' });
      await assert.rejects(wal.saveMany([{ entries: [entry(6, 2)] }, { entries: [entry(9, 2)] }]),
        { code: 'FLOTILLA_ERR_WAL_INVALID_SAVE' }, 'saveMany is all or nothing');
      assert.equal(wal.position.offsetBytes, size + 29, 'only the marker was written');
      await wal.save({ entries: [entry(6, 2)] });
      await wal.close();
      const r = await reopen(dir);
      assert.deepEqual(r.entries, entries(4, 6, 2));
      await r.wal.close();
    });
  });

  it('splits big Readys into records under maxRecordPayloadBytes and refuses a single entry over it', async () => {
    await withTempDir('wal', async (dir) => {
      const limits = { maxRecordPayloadBytes: 2048 };
      const wal = await WAL.create(dir, { metadata: META, limits });
      const batch = entries(1, 100, 1, 300);
      await wal.save({ entries: batch });
      await assert.rejects(wal.save({ entries: [entry(101, 1, 4096)] }), { code: 'FLOTILLA_ERR_WAL_TOO_LARGE' });
      await wal.close();
      const r = await WAL.open(dir, { limits });
      assert.deepEqual(r.entries, batch);
      await r.wal.close();
    });
  });

  it('create refuses an existing WAL, open refuses a missing one, closed WALs refuse saves', async () => {
    await withTempDir('wal', async (dir) => {
      await assert.rejects(WAL.open(join(dir, 'nope')), { code: 'FLOTILLA_ERR_WAL_NOT_FOUND' });
      const wal = await WAL.create(join(dir, 'wal'), { metadata: META });
      await wal.close();
      await assert.rejects(wal.save({ entries: [entry(1, 1)] }), { code: 'FLOTILLA_ERR_WAL_CLOSED' });
      await assert.rejects(WAL.create(join(dir, 'wal'), { metadata: META }), { code: 'FLOTILLA_ERR_WAL_EXISTS' });
      await assert.rejects(WAL.create(join(dir, 'x'), { metadata: META, limits: { segmentSizeBytes: 1 } }),
        { code: 'FLOTILLA_ERR_WAL_CONFIG' });
    });
  });

  it('rejects saves beyond the queue bound as back-pressure', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META, limits: { maxQueuedSaves: 4 } });
      const accepted = [1, 2, 3, 4].map((i) => wal.save({ entries: [entry(i, 1)] }));
      await assert.rejects(wal.save({ entries: [entry(5, 1)] }), { code: 'FLOTILLA_ERR_WAL_QUEUE_FULL' });
      await Promise.all(accepted);
      await wal.save({ entries: [entry(5, 1)] });
      await wal.close();
    });
  });
});

describe('WAL open from a snapshot', () => {
  async function build(dir: string): Promise<void> {
    const wal = await WAL.create(dir, { metadata: META, limits: SMALL_SEGMENT });
    for (let i = 1; i <= 200; i += 10) await wal.save({ entries: entries(i, i + 9, 1, 40) });
    await wal.save({ snapshotMarker: { index: 100, term: 1 } });
    await wal.save({ entries: entries(201, 210, 2, 40) });
    await wal.close();
  }

  it('returns entries after an older snapshot (fallback) while the WAL still holds them', async () => {
    await withTempDir('wal', async (dir) => {
      await build(dir);
      const r = await reopen(dir, { fromSnapshot: { index: 50, term: 1 } });
      assert.deepEqual(r.base, { index: 50, term: 1 });
      assert.deepEqual(r.entries, [...entries(51, 200, 1, 40), ...entries(201, 210, 2, 40)]);
      assert.deepEqual(r.snapshotMarker, { index: 100, term: 1 });
      await r.wal.close();
    });
  });

  it('records a newer snapshot at open and, on a term mismatch, discards the log after it (§7)', async () => {
    await withTempDir('wal', async (dir) => {
      await build(dir);
      let r = await reopen(dir, { fromSnapshot: { index: 205, term: 2 } });
      assert.deepEqual(r.entries, entries(206, 210, 2, 40));
      assert.deepEqual(r.snapshotMarker, { index: 205, term: 2 });
      await r.wal.close();
      r = await reopen(dir, { fromSnapshot: { index: 208, term: 5 } });
      assert.deepEqual(r.entries, []);
      await r.wal.save({ entries: entries(209, 209, 5) });
      await r.wal.close();
      r = await reopen(dir);
      assert.deepEqual(r.base, { index: 208, term: 5 });
      assert.deepEqual(r.entries, entries(209, 209, 5));
      await r.wal.close();
    });
  });

  it('refuses a snapshot older than the released segments, and a contradicting one', async () => {
    await withTempDir('wal', async (dir) => {
      await build(dir);
      let r = await reopen(dir);
      await r.wal.releaseTo(100);
      await r.wal.close();
      await assert.rejects(WAL.open(dir, { fromSnapshot: { index: 10, term: 1 } }),
        { code: 'FLOTILLA_ERR_WAL_MISSING_ENTRIES' });
      await assert.rejects(WAL.open(dir, { fromSnapshot: { index: 100, term: 2 } }),
        { code: 'FLOTILLA_ERR_WAL_SNAPSHOT_MISMATCH' });
      r = await reopen(dir);
      assert.equal(r.entries[0]?.index, 101);
      assert.equal((r.entries.at(-1) as Entry).index, 210);
      await r.wal.close();
    });
  });
});

describe('WAL preallocation and metrics', () => {
  it('zero-filled segments replay cleanly and keep appending', async () => {
    await withTempDir('wal', async (dir) => {
      const bytes: number[] = [];
      const metrics = { onBytesWritten: (n: number) => bytes.push(n) };
      const opts = { limits: SMALL_SEGMENT, preallocate: true, metrics };
      const wal = await WAL.create(dir, { metadata: META, ...opts });
      const model = new ModelLog();
      for (let i = 1; i <= 100; i += 2) {
        const req = { entries: entries(i, i + 1, 1, 64) };
        await wal.save(req);
        model.apply(req);
      }
      assert.equal(bytes.reduce((a, b) => a + b, 0), wal.stats().bytesWritten);
      for (const f of wal.segmentFiles()) assert.equal((await stat(f)).size, 4096, 'every segment is preallocated');
      await wal.close();
      const r = await WAL.open(dir, opts);
      assert.deepEqual(r.warnings, []);
      assertReplay(r, model);
      await r.wal.save({ entries: entries(101, 101, 1) });
      await r.wal.close();
      const again = await WAL.open(dir, opts);
      assert.equal(again.entries.length, 101);
      await again.wal.close();
    });
  });

  it('a throwing metrics hook is reported as a warning and does not fail writes', async () => {
    await withTempDir('wal', async (dir) => {
      const warnings: string[] = [];
      const onWarning = (w: Error): void => void warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        const groups: number[] = [];
        const metrics = { onFsync: () => { throw new Error('broken exporter'); }, onGroupCommitted: (n: number) => groups.push(n) };
        const wal = await WAL.create(dir, { metadata: META, metrics });
        await wal.save({ entries: [entry(1, 1)] });
        await wal.close();
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(groups, [1]);
        assert.ok(warnings.some((m) => m.includes('onFsync threw: Error: broken exporter')), warnings.join());
      } finally {
        process.off('warning', onWarning);
      }
    });
  });
});

describe('WAL failure', () => {
  it('a failed write or segment creation fails the WAL for good: no later save is acknowledged', async () => {
    await withTempDir('wal', async (dir) => {
      const walDir = join(dir, 'wal');
      const wal = await WAL.create(walDir, { metadata: META, limits: SMALL_SEGMENT });
      await wal.save({ entries: entries(1, 10, 1, 300) });
      // The next save must roll to a new segment, and its directory is gone.
      await rm(walDir, { recursive: true });
      const queued = [wal.save({ entries: entries(11, 20, 1, 300) }), wal.save({ entries: entries(21, 21, 1) })];
      for (const p of queued) await assert.rejects(p, { code: 'FLOTILLA_ERR_WAL_FAILED' });
      await assert.rejects(wal.save({ entries: entries(22, 22, 1) }), { code: 'FLOTILLA_ERR_WAL_FAILED' });
      await assert.rejects(wal.releaseTo(0), { code: 'FLOTILLA_ERR_WAL_FAILED' });
      await wal.close();
    });
  });
});

