// readStream: every byte, a bound that destroys the stream, and the ways a stream can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { readStream, StreamTooLargeError } from './read-stream.js';

test('reads every chunk of a stream into one buffer', async () => {
  const s = Readable.from([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('e')], { objectMode: false });
  assert.equal((await readStream(s, 10)).toString(), 'abcde');
});

test('past maxBytes: StreamTooLargeError, and the stream is destroyed', async () => {
  const s = new PassThrough();
  const p = readStream(s, 4);
  s.write(Buffer.from('abc'));
  s.write(Buffer.from('de'));
  await assert.rejects(p, (e: unknown) => e instanceof StreamTooLargeError && e.maxBytes === 4);
  assert.equal(s.destroyed, true);
});

test('a stream error or a close before the end rejects', async () => {
  const failing = new PassThrough();
  const p1 = readStream(failing, 10);
  failing.destroy(new Error('boom'));
  await assert.rejects(p1, /boom/);
  const cut = new PassThrough();
  const p2 = readStream(cut, 10);
  cut.write('x');
  cut.destroy();
  await assert.rejects(p2, (e: unknown) => (e as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE');
});

test('an empty stream, or one already ended, reads as no bytes', async () => {
  const empty = new PassThrough();
  const p = readStream(empty, 10);
  empty.end();
  assert.equal((await p).length, 0);
  const done = new PassThrough();
  done.end();
  done.resume();
  await new Promise((r) => done.once('end', r));
  assert.equal((await readStream(done, 10)).length, 0);
});
