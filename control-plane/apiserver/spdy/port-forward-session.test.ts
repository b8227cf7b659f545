import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { type Frame, FrameDecoder, FrameEncoder, RST_STATUS } from './frames.js';
import { type DialRelay, PortForwardSession, type Transport } from './port-forward-session.js';

const LIMITS = { streamsPerSessionMax: 4, frameMaxBytes: 1 << 20, headerBlockMaxBytes: 65536,
  receiveQueueMaxBytes: 1 << 20, sendBufferMaxBytes: 1 << 20, streamPairingTimeoutMs: 300, errorMessageMaxBytes: 4096 };

/** A session whose client side is driven by the test; relays go to a real TCP echo server. */
async function harness() {
  const echo = net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const echoPort = (echo.address() as net.AddressInfo).port;
  const dec = new FrameDecoder(LIMITS);
  const got: Frame[] = [];
  let chain = Promise.resolve();
  const t: Transport = { send: (b) => {
    for (const raw of dec.push(b)) {
      chain = chain.then(async () => {
        const f = await dec.decode(raw);
        if (f) got.push(f);
      });
    }
  }, bufferedBytes: 0, pause: () => undefined, resume: () => undefined, close: () => undefined };
  const dial: DialRelay = (port, ev) => {
    if (port !== 7) {
      // What the kubelet relay reports for a closed port.
      queueMicrotask(() => ev.done(`error forwarding port ${port}: connection refused`));
      return { write: () => true, end: () => undefined, close: () => undefined };
    }
    const c = net.connect(echoPort, '127.0.0.1');
    c.on('data', (b: Buffer) => ev.data(b));
    c.on('close', () => ev.done(''));
    c.on('error', () => undefined);
    return { write: (b) => c.write(b), end: () => c.end(), close: () => c.destroy() };
  };
  const session = new PortForwardSession(t, dial, LIMITS);
  const enc = new FrameEncoder();
  const send = (f: Frame): void => session.receive(enc.encode(f));
  const syn = (id: number, type: string, req: string, port = '7'): void => send({ type: 'synStream', streamId: id,
    associatedStreamId: 0, priority: 0, fin: false, unidirectional: false,
    headers: new Map([['streamtype', type], ['port', port], ['requestid', req]]) });
  const until = async (what: string, ok: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    await chain;
    assert.ok(ok(), what);
  };
  const close = (): void => {
    session.close();
    dec.close();
    echo.close();
  };
  return { got, send, syn, until, close, session };
}

describe('portforward.k8s.io session', () => {
  test('error + data stream pair: replies, bytes both ways, FIN on both after the client FIN', async () => {
    const h = await harness();
    h.syn(1, 'error', '0');
    h.send({ type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) });
    h.syn(3, 'data', '0');
    h.send({ type: 'data', streamId: 3, fin: true, data: Buffer.from('hello pod') });
    await h.until('both FINs', () => h.got.filter((f) => f.type === 'data' && f.fin).length === 2);
    assert.deepEqual(h.got.filter((f) => f.type === 'synReply').map((f) => f.type === 'synReply' && f.streamId), [1, 3]);
    const echoed = Buffer.concat(h.got.flatMap((f) => (f.type === 'data' && f.streamId === 3 ? [f.data] : [])));
    assert.equal(echoed.toString(), 'hello pod');
    assert.equal(h.session.pairs, 0);
    h.close();
  });

  test('a refused port: the text on the error stream, then FIN; pings echoed; a stream too many refused', async () => {
    const h = await harness();
    h.syn(1, 'error', '0', '9');
    h.syn(3, 'data', '0', '9');
    await h.until('error text', () => h.got.some((f) => f.type === 'data' && f.streamId === 1 && f.data.length > 0));
    const text = h.got.find((f) => f.type === 'data' && f.streamId === 1 && f.data.length > 0);
    assert.match(text?.type === 'data' ? text.data.toString() : '', /error forwarding port 9: connection refused/);
    h.send({ type: 'ping', id: 5 });
    await h.until('pong', () => h.got.some((f) => f.type === 'ping' && f.id === 5));
    for (const id of [5, 7, 9, 11]) h.syn(id, 'error', String(id));
    h.syn(13, 'error', '13');
    await h.until('RST refused', () => h.got.some((f) => f.type === 'rstStream' && f.streamId === 13));
    assert.ok(h.got.some((f) => f.type === 'rstStream' && f.streamId === 13 && f.status === RST_STATUS.refusedStream));
    // Stream ids must increase: an old id is a protocol error.
    h.syn(3, 'data', '5');
    await h.until('RST protocol', () => h.got.some((f) => f.type === 'rstStream' && f.streamId === 3));
    h.close();
  });

  test('an error stream whose data stream never comes times out with a message', async () => {
    const h = await harness();
    h.syn(1, 'error', '0');
    await h.until('timeout text', () => h.got.some((f) => f.type === 'data' && f.streamId === 1 && f.data.length > 0));
    const f = h.got.find((x) => x.type === 'data' && x.streamId === 1 && x.data.length > 0);
    assert.match(f?.type === 'data' ? f.data.toString() : '', /timed out waiting for the data stream of request 0/);
    h.close();
  });

  test('garbage from the client: GOAWAY with PROTOCOL_ERROR and the session closes', async () => {
    const h = await harness();
    h.session.receive(Buffer.from('8002000100000000', 'hex'));
    await h.until('goaway', () => h.got.some((f) => f.type === 'goAway' && f.status === 1));
    assert.ok(h.session.closed);
    h.close();
  });
});
