import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import {
  decodeHeaderBlock, encodeHeaderBlock, type Frame, FrameDecoder, FrameEncoder, SPDY_DICTIONARY, SpdyProtocolError,
} from './frames.js';

const LIMITS = { frameMaxBytes: 1 << 20, headerBlockMaxBytes: 64 * 1024 };

async function decodeAll(d: FrameDecoder, bytes: Buffer, chunk = bytes.length): Promise<Frame[]> {
  const out: Frame[] = [];
  for (let at = 0; at < bytes.length; at += chunk) {
    for (const raw of d.push(bytes.subarray(at, at + chunk))) {
      const f = await d.decode(raw);
      if (f !== undefined) out.push(f);
    }
  }
  return out;
}

const h = (...pairs: [string, string][]): Map<string, string> => new Map(pairs);

describe('SPDY/3.1 frames', () => {
  test('the dictionary is the SPDY/3 one (length and Adler-32 as zlib streams from Go and Chromium name it)', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    // A zlib stream made with the dictionary names it by its Adler-32 in bytes 2..5 (RFC 1950 §2.2).
    const id = zlib.deflateSync(Buffer.from('x'), { dictionary: SPDY_DICTIONARY }).readUInt32BE(2);
    assert.equal(id.toString(16), 'e3c6a7c2');
  });

  test('every frame type survives a round trip, whole and cut into 1-byte chunks', async () => {
    const frames: Frame[] = [
      { type: 'synStream', streamId: 1, associatedStreamId: 0, priority: 0, fin: false, unidirectional: false,
        headers: h(['streamtype', 'error'], ['port', '8080'], ['requestid', '0']) },
      { type: 'synReply', streamId: 1, fin: false, headers: h() },
      { type: 'data', streamId: 3, fin: false, data: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
      { type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) },
      { type: 'rstStream', streamId: 5, status: 5 },
      { type: 'settings', clear: false, entries: [{ flags: 1, id: 7, value: 65536 }] },
      { type: 'ping', id: 7 },
      { type: 'headers', streamId: 3, fin: true, headers: h(['a', 'b\0c']) },
      { type: 'windowUpdate', streamId: 3, delta: 1024 },
      { type: 'goAway', lastGoodStreamId: 9, status: 0 },
    ];
    const enc = new FrameEncoder();
    const bytes = Buffer.concat(frames.map((f) => enc.encode(f)));
    const whole = new FrameDecoder(LIMITS);
    assert.deepEqual(await decodeAll(whole, bytes), frames);
    whole.close();
    // The same bytes again from a fresh decoder, one byte at a time (how a WebSocket tunnel may cut them).
    const enc2 = new FrameEncoder();
    const again = Buffer.concat(frames.map((f) => enc2.encode(f)));
    const bytewise = new FrameDecoder(LIMITS);
    assert.deepEqual(await decodeAll(bytewise, again, 1), frames);
    bytewise.close();
  });

  test('header blocks: one zlib stream per direction, with the dictionary, sync-flushed per frame', async () => {
    // Our blocks, concatenated, are ONE valid zlib stream with the dictionary (what Go's framer reads).
    const enc = new FrameEncoder();
    const blocks = [h(['streamtype', 'error'], ['port', '8080']), h(['streamtype', 'data'], ['port', '8080']), h()];
    const compressed = blocks.map((b) => enc.encode({ type: 'synReply', streamId: 1, fin: false, headers: b }).subarray(12));
    const inflated = zlib.inflateSync(Buffer.concat(compressed),
      { dictionary: SPDY_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.deepEqual(inflated, Buffer.concat(blocks.map(encodeHeaderBlock)));
    assert.ok(compressed[0]!.length < encodeHeaderBlock(blocks[0]!).length, 'the dictionary shrinks the first block');
    // The peer's blocks may refer back to earlier ones (Go keeps one deflate context): a persistent
    // deflater with the dictionary, flushed after each block, as spdystream's framer does.
    const z = zlib.createDeflate({ dictionary: SPDY_DICTIONARY });
    const chunks: Buffer[] = [];
    z.on('data', (c: Buffer) => chunks.push(c));
    const peerBlocks: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const before = chunks.length;
      z.write(encodeHeaderBlock(h(['streamtype', i % 2 ? 'data' : 'error'], ['port', '8080'], ['requestid', String(i >> 1)])));
      await new Promise<void>((r) => z.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
      peerBlocks.push(Buffer.concat(chunks.slice(before)));
    }
    z.close();
    assert.ok(peerBlocks[40]!.length < peerBlocks[0]!.length / 2, 'later blocks lean on earlier ones');
    const d = new FrameDecoder(LIMITS);
    for (const [i, block] of peerBlocks.entries()) {
      const p = Buffer.alloc(10);
      p.writeUInt32BE(2 * i + 1, 0);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(0x8003_0001, 0);
      head.writeUInt32BE(10 + block.length, 4);
      const [raw] = d.push(Buffer.concat([head, p, block]));
      const f = await d.decode(raw!);
      assert.equal(f?.type, 'synStream');
      assert.deepEqual(f.type === 'synStream' && Object.fromEntries(f.headers),
        { streamtype: i % 2 ? 'data' : 'error', port: '8080', requestid: String(i >> 1) });
    }
    d.close();
  });

  test('malformed frames are rejected with a clear error', async () => {
    const d = new FrameDecoder(LIMITS);
    assert.throws(() => d.push(Buffer.from('800200010000000a', 'hex')), (e: Error) =>
      e instanceof SpdyProtocolError && /version 2, only 3/.test(e.message) && (e as SpdyProtocolError).code === 'FLOTILLA_ERR_SPDY_PROTOCOL');
    const big = new FrameDecoder({ ...LIMITS, frameMaxBytes: 16 });
    assert.throws(() => big.push(Buffer.from('0000000100000011', 'hex')), /frame of 17 bytes is over the limit of 16/);
    const ping = new FrameDecoder(LIMITS);
    const [raw] = ping.push(Buffer.from('80030006000000050000000100', 'hex'));
    await assert.rejects(ping.decode(raw!), /PING frame of 5 bytes \(4 expected\)/);
    const garbage = new FrameDecoder(LIMITS);
    const [syn] = garbage.push(Buffer.concat([Buffer.from('800300010000000e00000001000000000000', 'hex'), Buffer.from('nope')]));
    await assert.rejects(garbage.decode(syn!), /header block does not inflate/);
    assert.throws(() => decodeHeaderBlock(Buffer.from('0000000200000001', 'hex')), /claims 2 pairs in 8 bytes/);
    assert.throws(() => decodeHeaderBlock(encodeHeaderBlock(h(['a', '1'])).fill(0x41, 8, 9)), /"A" is not lowercase/);
    assert.throws(() => decodeHeaderBlock(Buffer.concat([encodeHeaderBlock(h(['a', '1'])), Buffer.of(0)])), /1 bytes follow/);
    for (const x of [d, big, ping, garbage]) x.close();
  });

  test('a header block that inflates beyond the limit is refused', async () => {
    const d = new FrameDecoder({ ...LIMITS, headerBlockMaxBytes: 1024 });
    const enc = new FrameEncoder();
    const f = enc.encode({ type: 'synReply', streamId: 1, fin: false, headers: h(['x', 'y'.repeat(5000)]) });
    const [raw] = d.push(f);
    await assert.rejects(d.decode(raw!), /inflates to more than 1024 bytes/);
    d.close();
  });

  test('property: random DATA/control sequences round-trip at any chunking', async () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    // fc.record builds null-prototype objects; spread them into plain ones to compare with decoded frames.
    const frame: fc.Arbitrary<Frame> = fc.oneof(
      fc.record({ type: fc.constant('data' as const), streamId: fc.integer({ min: 1, max: 0x7fff_ffff }), fin: fc.boolean(),
        data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) }),
      fc.record({ type: fc.constant('synReply' as const), streamId: fc.integer({ min: 1, max: 0x7fff_ffff }), fin: fc.boolean(),
        headers: fc.uniqueArray(fc.tuple(name, fc.string({ maxLength: 40 })), { selector: (p) => p[0], maxLength: 6 })
          .map((ps) => new Map(ps)) }),
      fc.record({ type: fc.constant('ping' as const), id: fc.integer({ min: 0, max: 0xffff_ffff }) }),
      fc.record({ type: fc.constant('rstStream' as const), streamId: fc.integer({ min: 1, max: 0x7fff_ffff }),
        status: fc.integer({ min: 1, max: 11 }) }),
    ).map((f) => ({ ...(f as object) }) as Frame);
    const seed = Date.now() ^ (Math.random() * 0x7fffffff);
    console.log(`# fast-check seed ${seed}`);
    await fc.assert(fc.asyncProperty(fc.array(frame, { maxLength: 30 }), fc.integer({ min: 1, max: 64 }),
      async (frames, chunk) => {
        const enc = new FrameEncoder();
        const d = new FrameDecoder(LIMITS);
        try {
          assert.deepEqual(await decodeAll(d, Buffer.concat(frames.map((f) => enc.encode(f))), chunk), frames);
        } finally {
          d.close();
        }
      }), { seed, numRuns: 200 });
  });
});
