import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CriLogWriter, parseCriRecord, readCriLog, criTimestamp } from './cri-log.js';
import { CRI_LOG_LINE_MAX_BYTES } from './limits.js';

async function collect(it: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts).toString();
}

test('CRI records: timestamp format, split lines, partial records for long lines', () => {
  assert.equal(criTimestamp(Date.UTC(2006, 0, 2, 15, 4, 5, 7)), '2006-01-02T15:04:05.007000000Z');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-log-'));
  try {
    const file = path.join(dir, '0.log');
    const w = new CriLogWriter(file, 1 << 20, () => 0);
    w.write('stdout', Buffer.from('a\nb'));
    w.write('stdout', Buffer.from('c\n'));
    w.write('stderr', Buffer.from('x'.repeat(CRI_LOG_LINE_MAX_BYTES + 5)));
    w.flush('stderr');
    w.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => parseCriRecord(l));
    assert.deepEqual(lines.map((r) => [r?.stream, r?.partial, r?.message.length]),
      [['stdout', false, 1], ['stdout', false, 2], ['stderr', true, CRI_LOG_LINE_MAX_BYTES], ['stderr', false, 5]]);
    assert.equal(lines[1]?.message, 'bc');
    assert.equal(lines[0]?.time, '1970-01-01T00:00:00.000000000Z');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rotation keeps one old file; reading spans both; tail and sinceBytes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-log-'));
  try {
    const file = path.join(dir, '0.log');
    const w = new CriLogWriter(file, 200, () => 0);
    for (let i = 0; i < 20; i++) w.write('stdout', Buffer.from(`line ${i}\n`));
    w.close();
    assert.ok(fs.statSync(file).size <= 200);
    assert.ok(fs.existsSync(`${file}.1`));
    assert.equal(fs.existsSync(`${file}.2`), false);
    const all = await collect(readCriLog(file, {}, () => false));
    assert.match(all, /line 19\n$/);
    assert.equal(all.includes('line 0\n'), false, 'the oldest lines were rotated away');
    assert.deepEqual((await collect(readCriLog(file, { tail: 2 }, () => false))).trimEnd().split('\n')
      .map((l) => parseCriRecord(l)?.message), ['line 18', 'line 19']);
    const since = await collect(readCriLog(file, { sinceBytes: all.length - 10 }, () => false));
    assert.equal(since, all.slice(-10));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
