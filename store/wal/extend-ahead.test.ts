// WalOptions.extendAheadBytes: zeros written ahead of the appends while the WAL is open,
// cut off at a roll and at close, repaired as a torn tail after a crash.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WAL } from './index.js';
import { META, ModelLog, copyDir, entries, withTempDir } from './test-support.js';

const LEAD = 2048;
const OPTS = { limits: { segmentSizeBytes: 8192 }, extendAheadBytes: LEAD };

/** Wait until `path` is longer than `bytes` (the background extension ran), or fail. */
async function waitLongerThan(path: string, bytes: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const size = (await stat(path)).size;
    if (size > bytes) return size;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${path} never grew past ${bytes} bytes`);
}

describe('WAL extend-ahead', () => {
  it('keeps zeros ahead while open; rolls and close leave every segment ending with its data', async () => {
    await withTempDir('wal', async (dir) => {
      const wal = await WAL.create(dir, { metadata: META, ...OPTS });
      const model = new ModelLog();
      for (let i = 1; i <= 200; i += 2) {
        const req = { entries: entries(i, i + 1, 1, 100) };
        await wal.save(req);
        model.apply(req);
      }
      const files = wal.segmentFiles();
      assert.ok(files.length > 3, `rolled into ${files.length} segments`);
      const last = wal.position;
      const size = await waitLongerThan(last.file, last.offsetBytes);
      assert.ok(size <= last.offsetBytes + 2 * LEAD, `extended to ${size} for data ending at ${last.offsetBytes}`);
      await wal.close();
      assert.equal((await stat(last.file)).size, last.offsetBytes, 'close cuts the zeros off');
      const r = await WAL.open(dir, OPTS);
      assert.deepEqual(r.warnings, [], 'no segment ends in zeros after a roll or close');
      assert.deepEqual(r.entries, model.expected().entries);
      await r.wal.save({ entries: entries(201, 201, 1) });
      await r.wal.close();
    });
  });

  it('after a crash the zeros are a torn tail: repaired, every saved entry kept, appends go on', async () => {
    await withTempDir('wal', async (dir) => {
      const live = join(dir, 'live');
      const crashed = join(dir, 'crashed');
      const wal = await WAL.create(live, { metadata: META, ...OPTS });
      await wal.save({ entries: entries(1, 20, 1, 100) });
      const pos = wal.position;
      await waitLongerThan(pos.file, pos.offsetBytes);
      await copyDir(live, crashed); // the disk as a crash would leave it: the zeros still there
      await wal.close();
      const r = await WAL.open(crashed, OPTS);
      assert.deepEqual(r.warnings.map((w) => w.code), ['torn-tail-truncated']);
      assert.equal(r.entries.length, 20);
      await r.wal.save({ entries: entries(21, 21, 1) });
      await r.wal.close();
      const again = await WAL.open(crashed, OPTS);
      assert.deepEqual(again.warnings, []);
      assert.equal(again.entries.length, 21);
      await again.wal.close();
    });
  });
});
