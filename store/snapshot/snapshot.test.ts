// Snapshot files on a real disk: round trip, newest wins, retention, and corruption that is
// reported with the file's name and never served silently.
import assert from 'node:assert/strict';
import { readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Snapshot } from '../raft/types.js';
import { appendBytes, flipByte, truncateFile, withTempDir } from '../wal/test-support.js';
import { SnapshotCorruptError, Snapshotter, deltaFileName, snapshotFileName } from './index.js';

function snap(index: number, term: number, sizeBytes = 1000): Snapshot {
  const data = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) data[i] = (i * 13 + index) & 0xff;
  return { metadata: { index, term, confState: { voters: ['n1', 'n2', 'nœud-3'], learners: ['l1'] } }, data };
}

describe('snapshot files', () => {
  it('round-trips metadata and data, names files <term>-<index>.snap, and loads the newest', async () => {
    await withTempDir('snap', async (dir) => {
      const s = new Snapshotter(join(dir, 'snap'));
      assert.equal(await s.loadNewest(), null);
      const path = await s.save(snap(100, 2));
      assert.equal(path, join(dir, 'snap', snapshotFileName(2, 100)));
      assert.match(path, /0000000000000002-0000000000000100\.snap$/);
      await s.save(snap(300, 3, 0));
      await s.save(snap(200, 3, 70_000));
      const loaded = await s.loadNewest();
      assert.deepEqual(loaded?.snapshot, snap(300, 3, 0));
      assert.deepEqual(loaded?.skipped, []);
      const files = await s.list();
      assert.deepEqual(files.map((f) => f.index), [100, 200, 300]);
      assert.deepEqual(await s.load(files[1] as (typeof files)[number]), snap(200, 3, 70_000));
    });
  });

  it('keeps at most maxFiles, deleting the oldest', async () => {
    await withTempDir('snap', async (dir) => {
      const s = new Snapshotter(dir, { maxFiles: 3 });
      for (let i = 1; i <= 6; i++) await s.save(snap(i * 10, 1, 10));
      assert.deepEqual((await readdir(dir)).sort(), [40, 50, 60].map((i) => snapshotFileName(1, i)));
      assert.equal((await s.loadNewest())?.snapshot.metadata.index, 60);
    });
  });

  it('a corrupt newest snapshot is an error naming the file; fallback is explicit and reports what it skipped', async () => {
    await withTempDir('snap', async (dir) => {
      const s = new Snapshotter(dir);
      await s.save(snap(10, 1));
      const newest = await s.save(snap(20, 1));
      for (const damage of [
        () => flipByte(newest, 500),
        () => flipByte(newest, 3),
        () => truncateFile(newest, 700),
        () => appendBytes(newest, Uint8Array.from([0])),
      ]) {
        await s.save(snap(20, 1));
        await damage();
        await assert.rejects(s.loadNewest(), (err: unknown) => {
          assert.ok(err instanceof SnapshotCorruptError);
          assert.equal(err.code, 'FLOTILLA_ERR_SNAPSHOT_CORRUPT');
          assert.equal(err.file, newest);
          assert.ok(err.message.includes(newest), err.message);
          return true;
        });
        const fallback = await s.loadNewest({ fallbackOnCorrupt: true });
        assert.deepEqual(fallback?.snapshot, snap(10, 1));
        assert.deepEqual(fallback?.skipped.map((x) => x.file), [newest]);
      }
    });
  });

  it('refuses when every snapshot is corrupt, even with fallback, and refuses a renamed file', async () => {
    await withTempDir('snap', async (dir) => {
      const s = new Snapshotter(dir);
      const a = await s.save(snap(10, 1));
      const b = await s.save(snap(20, 1));
      await rename(b, join(dir, snapshotFileName(1, 30)));
      await assert.rejects(s.loadNewest(), { code: 'FLOTILLA_ERR_SNAPSHOT_CORRUPT', file: join(dir, snapshotFileName(1, 30)) });
      await flipByte(a, 40);
      await assert.rejects(s.loadNewest({ fallbackOnCorrupt: true }), (err: unknown) => {
        assert.equal((err as { code: string }).code, 'FLOTILLA_ERR_SNAPSHOT_CORRUPT');
        assert.ok((err as Error).message.includes(a));
        return true;
      });
    });
  });

  it('ignores and removes temp files left by a crashed save, and validates what it is asked to save', async () => {
    await withTempDir('snap', async (dir) => {
      const s = new Snapshotter(dir);
      await s.save(snap(10, 1));
      await writeFile(join(dir, `${snapshotFileName(1, 20)}.tmp`), 'half a snapshot');
      assert.deepEqual((await s.loadNewest())?.snapshot.metadata.index, 10);
      assert.deepEqual(await readdir(dir), [snapshotFileName(1, 10)]);
      await assert.rejects(s.save(snap(0, 1)), { code: 'FLOTILLA_ERR_SNAPSHOT_INVALID' });
      assert.throws(() => new Snapshotter(dir, { maxFiles: 0 }), { code: 'FLOTILLA_ERR_SNAPSHOT_INVALID' });
    });
  });

  it('loads the newest full snapshot with the chain of deltas after it; a full save drops the deltas it covers',
    async () => {
      await withTempDir('snap', async (dir) => {
        const s = new Snapshotter(dir);
        await s.save(snap(10, 1));
        await s.saveDelta(snap(20, 1, 300), 10);
        await s.saveDelta(snap(30, 2, 0), 20);
        await s.saveDelta(snap(40, 2, 70_000), 30);
        const loaded = await s.loadNewest();
        assert.deepEqual(loaded?.snapshot, snap(10, 1));
        assert.deepEqual(loaded?.deltas.map((d) => d.snapshot),
          [snap(20, 1, 300), snap(30, 2, 0), snap(40, 2, 70_000)]);
        assert.deepEqual(loaded?.deltas.map((d) => d.file),
          [deltaFileName(1, 20), deltaFileName(2, 30), deltaFileName(2, 40)].map((f) => join(dir, f)));
        // A full snapshot at the newest delta's index supersedes the whole chain.
        await s.save(snap(40, 2));
        assert.deepEqual((await readdir(dir)).sort(), [snapshotFileName(1, 10), snapshotFileName(2, 40)]);
        const again = await s.loadNewest();
        assert.deepEqual(again?.snapshot, snap(40, 2));
        assert.deepEqual(again?.deltas, []);
        await assert.rejects(s.saveDelta(snap(50, 2), 50), { code: 'FLOTILLA_ERR_SNAPSHOT_INVALID' });
      });
    });

  it('a corrupt or missing delta is an error naming the file; fallback stops the chain before it', async () => {
    await withTempDir('snap', async (dir) => {
      const s = new Snapshotter(dir);
      await s.save(snap(10, 1));
      const d20 = await s.saveDelta(snap(20, 1), 10);
      const d30 = await s.saveDelta(snap(30, 1), 20);
      await flipByte(d30, 100);
      await assert.rejects(s.loadNewest(), (err: unknown) => {
        assert.ok(err instanceof SnapshotCorruptError);
        assert.equal(err.file, d30);
        assert.ok(err.message.includes(d30), err.message);
        return true;
      });
      const partial = await s.loadNewest({ fallbackOnCorrupt: true });
      assert.deepEqual(partial?.deltas.map((d) => d.file), [d20]);
      assert.deepEqual(partial?.skipped.map((x) => x.file), [d30]);
      // A gap in the chain (a delta lost) is refused too, naming the first delta past it.
      await s.saveDelta(snap(30, 1), 20);
      await unlink(d20);
      await assert.rejects(s.loadNewest(), (err: unknown) => {
        assert.ok(err instanceof SnapshotCorruptError, String(err));
        assert.equal(err.file, d30);
        assert.match(err.message, /chain before it ends at 10/);
        return true;
      });
      // A full snapshot file renamed to a delta's name is not a delta.
      await rename(join(dir, snapshotFileName(1, 10)), join(dir, deltaFileName(1, 20)));
      await assert.rejects(s.loadNewest(), (err: unknown) => {
        assert.ok(err instanceof SnapshotCorruptError && err.file === join(dir, deltaFileName(1, 20)), String(err));
        return true;
      });
    });
  });
});
