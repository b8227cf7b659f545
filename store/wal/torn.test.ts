// Torn tails: a crash mid-write leaves the last record of the last segment incomplete.
// Open must cut it off (it was never acknowledged: acknowledged records were fsynced whole),
// report it as a warning value, and leave the WAL ready to append.
import assert from 'node:assert/strict';
import { open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { WAL } from './index.js';
import type { SaveRequest } from './log-state.js';
import { segmentName } from './segment.js';
import {
  META, ModelLog, appendBytes, copyDir, entries, entry, flipByte, truncateFile, withTempDir,
} from './test-support.js';

interface Built {
  model: ModelLog;
  /** The model before the last save. */
  modelBefore: ModelLog;
  file: string;
  /** Offset where the last save's records start, and where they end. */
  start: number;
  end: number;
  nextIndex: number;
}

async function build(dir: string, last: (next: number) => SaveRequest, opts = {}): Promise<Built> {
  const wal = await WAL.create(dir, { metadata: META, ...opts });
  const model = new ModelLog();
  const modelBefore = new ModelLog();
  let next = 1;
  for (let i = 0; i < 20; i++) {
    const req = { entries: entries(next, next + 2, 1, 24), hardState: { term: 1, vote: 'm1', commit: next } };
    next += 3;
    await wal.save(req);
    model.apply(req);
    modelBefore.apply(req);
  }
  const start = wal.position.offsetBytes;
  const req = last(next);
  await wal.save(req);
  model.apply(req);
  const { file, offsetBytes: end } = wal.position;
  await wal.close();
  return { model, modelBefore, file, start, end, nextIndex: next + (req.entries?.length ?? 0) };
}

/** Opens a copy of `base` cut at `cut`, checks replay and warnings, appends, reopens. */
async function checkCut(dir: string, b: Built, cut: number, expected: ModelLog, cleanCut: number): Promise<void> {
  const work = join(dir, `cut-${cut}`);
  await copyDir(join(dir, 'base'), work);
  const file = join(work, basename(b.file));
  await truncateFile(file, cut);
  const r = await WAL.open(work);
  const want = expected.expected();
  assert.deepEqual(r.entries, want.entries, `cut at ${cut}`);
  assert.deepEqual(r.hardState, want.hardState, `cut at ${cut}`);
  const warnings = cut > cleanCut
    ? [{ code: 'torn-tail-truncated', file, offsetBytes: cleanCut, droppedBytes: cut - cleanCut }] : [];
  assert.deepEqual(r.warnings, warnings, `cut at ${cut}`);
  assert.equal((await stat(file)).size, cleanCut);
  const after = { entries: [entry(expected.lastIndex + 1, 3, 8, 77)] };
  await r.wal.save(after);
  await r.wal.close();
  const again = await WAL.open(work);
  assert.deepEqual(again.warnings, []);
  assert.deepEqual(again.entries, [...want.entries, ...(after.entries)]);
  await again.wal.close();
  await rm(work, { recursive: true });
}

describe('WAL torn tail', () => {
  it('a cut at every byte offset inside the last record opens without it, and appending afterwards replays', async () => {
    await withTempDir('torn', async (dir) => {
      const b = await build(join(dir, 'base'), (n) => ({ entries: [entry(n, 2, 40)] }));
      assert.equal(b.end - b.start, 12 + 12 + 13 + 40, 'one entries record: frame, batch header, one entry');
      for (let cut = b.start; cut < b.end; cut++) await checkCut(dir, b, cut, b.modelBefore, b.start);
    });
  });

  it('a cut inside a multi-record Ready keeps the records before the cut (marker, entries, hard state)', async () => {
    await withTempDir('torn', async (dir) => {
      const last = (n: number): SaveRequest => ({ snapshotMarker: { index: n - 1, term: 1 },
        entries: entries(n, n + 1, 2, 10), hardState: { term: 2, vote: 'm2', commit: n } });
      const b = await build(join(dir, 'base'), last);
      const req = last(b.nextIndex - 2);
      // Record sizes from the documented layout: marker, entries (2 x 10 bytes), hard state (vote "m2").
      const ends = [29, 29 + 12 + 12 + 2 * (13 + 10), 29 + 70 + 12 + 20 + 2].map((n) => b.start + n);
      assert.equal(ends[2], b.end);
      for (let cut = b.start; cut < b.end; cut++) {
        const landed = ends.filter((e) => e <= cut).length;
        const expected = b.modelBefore.clone();
        expected.apply(req, landed);
        await checkCut(dir, b, cut, expected, landed === 0 ? b.start : (ends[landed - 1] as number));
      }
    });
  });

  it('garbage after the last record (a torn write that never reached its length) is cut off', async () => {
    await withTempDir('torn', async (dir) => {
      const b = await build(dir, (n) => ({ entries: [entry(n, 2)] }));
      await appendBytes(b.file, Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
      const r = await WAL.open(dir);
      assert.deepEqual(r.warnings, [{ code: 'torn-tail-truncated', file: b.file, offsetBytes: b.end, droppedBytes: 100 }]);
      assert.deepEqual(r.entries, b.model.expected().entries);
      await r.wal.close();
    });
  });

  it('a partly written record inside a preallocated segment is cut off; zeros after it are not', async () => {
    await withTempDir('torn', async (dir) => {
      const opts = { preallocate: true, limits: { segmentSizeBytes: 64 * 1024 } };
      const b = await build(dir, (n) => ({ entries: [entry(n, 2, 64)] }), opts);
      // The sectors of the record's second half never reached the disk: they are still zero.
      const fh = await open(b.file, 'r+');
      await fh.write(Buffer.alloc(b.end - b.start - 20), 0, b.end - b.start - 20, b.start + 20);
      await fh.close();
      const r = await WAL.open(dir);
      assert.equal(r.warnings.length, 1);
      assert.equal(r.warnings[0]?.code, 'torn-tail-truncated');
      assert.deepEqual(r.entries, b.modelBefore.expected().entries);
      await r.wal.close();
    });
  });

  it('a flipped byte in the final record is indistinguishable from a torn write and is cut off', async () => {
    await withTempDir('torn', async (dir) => {
      const b = await build(dir, (n) => ({ entries: [entry(n, 2)] }));
      await flipByte(b.file, b.end - 3);
      const r = await WAL.open(dir);
      assert.equal(r.warnings[0]?.code, 'torn-tail-truncated');
      assert.deepEqual(r.entries, b.modelBefore.expected().entries);
      await r.wal.close();
    });
  });

  it('removes the temp file of a segment whose creation crashed before its rename', async () => {
    await withTempDir('torn', async (dir) => {
      const b = await build(dir, (n) => ({ entries: [entry(n, 2)] }));
      const tmp = join(dir, `${segmentName(2, b.nextIndex)}.tmp`);
      await writeFile(tmp, Buffer.from('half a header'));
      const r = await WAL.open(dir);
      assert.deepEqual(r.warnings, [{ code: 'temp-file-removed', file: tmp }]);
      assert.deepEqual(r.entries, b.model.expected().entries);
      await r.wal.close();
      assert.deepEqual(await readdir(dir), [basename(b.file)]);
    });
  });

  it('an empty or zeroed last segment is removed; one with a damaged header is refused', async () => {
    await withTempDir('torn', async (dir) => {
      const b = await build(dir, (n) => ({ entries: [entry(n, 2)] }));
      const next = join(dir, segmentName(2, b.nextIndex));
      await writeFile(next, Buffer.alloc(0));
      let r = await WAL.open(dir);
      assert.deepEqual(r.warnings, [{ code: 'torn-segment-removed', file: next, sizeBytes: 0 }]);
      await r.wal.close();
      await writeFile(next, Buffer.alloc(4096));
      r = await WAL.open(dir);
      assert.deepEqual(r.warnings, [{ code: 'torn-segment-removed', file: next, sizeBytes: 4096 }]);
      assert.deepEqual((await readdir(dir)).length, 1);
      assert.deepEqual(r.entries, b.model.expected().entries);
      await r.wal.save({ entries: [entry(b.nextIndex, 2)] });
      await r.wal.close();
      await writeFile(next, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
      await assert.rejects(WAL.open(dir), { code: 'FLOTILLA_ERR_WAL_CORRUPT', file: next, offset: 0 });
    });
  });
});
