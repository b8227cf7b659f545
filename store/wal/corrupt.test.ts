// Corruption before the tail must never be mistaken for a torn write: open refuses with
// FLOTILLA_ERR_WAL_CORRUPT naming the file and byte offset, and leaves the files untouched.
import assert from 'node:assert/strict';
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { WAL, WalCorruptError } from './index.js';
import { META, copyDir, entries, entry, flipByte, withTempDir } from './test-support.js';

interface RecordSpan {
  file: string;
  start: number;
  end: number;
}

/** One entries record per save; returns where each landed. */
async function build(dir: string, saves: number, opts = {}, metadata = META): Promise<RecordSpan[]> {
  const wal = await WAL.create(dir, { metadata, ...opts });
  const spans: RecordSpan[] = [];
  for (let i = 1; i <= saves; i++) {
    const before = wal.position;
    await wal.save({ entries: [entry(i, 1, 20)] });
    const after = wal.position;
    const start = after.file === before.file ? before.offsetBytes : after.offsetBytes - (12 + 12 + 13 + 20);
    spans.push({ file: after.file, start, end: after.offsetBytes });
  }
  await wal.close();
  return spans;
}

async function assertCorrupt(dir: string, file: string, offset: number, why: string): Promise<void> {
  await assert.rejects(WAL.open(dir), (err: unknown) => {
    assert.ok(err instanceof WalCorruptError, `${why}: got ${String(err)}`);
    assert.equal(err.code, 'FLOTILLA_ERR_WAL_CORRUPT');
    assert.equal(err.file, file, why);
    assert.equal(err.offset, offset, why);
    assert.match(err.message, new RegExp(`${basename(file)} is corrupt at byte offset ${offset}`));
    return true;
  });
}

describe('WAL corruption', () => {
  it('a flipped byte anywhere in an earlier record refuses to open, naming file and offset, touching nothing', async () => {
    await withTempDir('corrupt', async (dir) => {
      const base = join(dir, 'base');
      const spans = await build(base, 30);
      const victim = spans[12] as RecordSpan;
      const pristine = await readFile(victim.file);
      for (let at = victim.start; at < victim.end; at++) {
        const work = join(dir, `flip-${at}`);
        await copyDir(base, work);
        const file = join(work, basename(victim.file));
        await flipByte(file, at);
        const damaged = await readFile(file);
        await assertCorrupt(work, file, victim.start, `byte ${at - victim.start} of the record flipped`);
        assert.deepEqual(await readFile(file), damaged, 'a refused open must not repair anything');
        await rm(work, { recursive: true });
      }
      assert.deepEqual(await readFile(victim.file), pristine);
    });
  });

  it('a flipped byte in a segment that is not the last refuses to open, even in its final record', async () => {
    await withTempDir('corrupt', async (dir) => {
      const spans = await build(dir, 200, { limits: { segmentSizeBytes: 2048 } });
      const first = spans[0] as RecordSpan;
      const lastOfFirst = spans.filter((s) => s.file === first.file).at(-1) as RecordSpan;
      assert.notEqual(lastOfFirst.file, (spans.at(-1) as RecordSpan).file);
      await flipByte(first.file, lastOfFirst.end - 1);
      await assertCorrupt(dir, first.file, lastOfFirst.start, 'final record of the first segment');
      await flipByte(first.file, lastOfFirst.end - 1);
      await flipByte(first.file, 20);
      await assertCorrupt(dir, first.file, 0, 'segment header of the first segment');
      await flipByte(first.file, 20);
      const r = await WAL.open(dir);
      assert.deepEqual(r.entries, entries(1, 200, 1, 20));
      await r.wal.close();
    });
  });

  it('a missing middle segment, a renamed segment and a segment from another WAL are refused', async () => {
    await withTempDir('corrupt', async (dir) => {
      const opts = { limits: { segmentSizeBytes: 2048 } };
      const spans = await build(join(dir, 'a'), 200, opts);
      const files = [...new Set(spans.map((s) => s.file))];
      assert.ok(files.length >= 4);
      const [, second, third] = files as [string, string, string];
      await rename(second, `${second}.bak`);
      await assertCorrupt(join(dir, 'a'), third, 0, 'missing segment 2');
      await rename(`${second}.bak`, second);
      // Same position in a WAL with other metadata: its CRCs hold, but it is not ours.
      const other = await build(join(dir, 'b'), 200, opts, { clusterId: Uint8Array.from([9]), memberId: META.memberId });
      const otherSecond = [...new Set(other.map((s) => s.file))][1] as string;
      await copyFile(second, `${second}.bak`);
      await copyFile(otherSecond, second);
      await assertCorrupt(join(dir, 'a'), second, 0, 'segment from another cluster');
      await rename(`${second}.bak`, second);
      // A segment's bytes under another sequence number: position-seeded CRCs no longer hold,
      // and that is refused even in the last segment, where a torn tail would be allowed.
      const last = files.at(-1) as string;
      await copyFile(third, last);
      await assertCorrupt(join(dir, 'a'), last, 0, 'renamed segment');
    });
  });

  it('accepts records only at the position they were written (a copied record fails its CRC)', async () => {
    await withTempDir('corrupt', async (dir) => {
      const spans = await build(dir, 10);
      const buf = await readFile((spans[0] as RecordSpan).file);
      const a = spans[3] as RecordSpan;
      const b = spans[4] as RecordSpan;
      // Records 3 and 4 have the same length; swap them byte for byte.
      const swapped = Buffer.concat([buf.subarray(0, a.start), buf.subarray(b.start, b.end),
        buf.subarray(a.start, a.end), buf.subarray(b.end)]);
      await writeFile(a.file, swapped);
      await assertCorrupt(dir, a.file, a.start, 'swapped records');
    });
  });
});
