// Small helpers around one `ws` WebSocket shared by both ends of a connection.
import { WebSocket } from 'ws';

/**
 * Ping every `intervalMs`; if the previous ping is still unanswered, call `onDead`. TCP
 * alone notices a vanished peer only when a write times out (minutes) — and the listener
 * end of a connection never writes Raft traffic at all. Returns a stop function.
 */
export function keepAlive(ws: WebSocket, intervalMs: number, onDead: () => void): () => void {
  let waiting = false;
  const onPong = () => {
    waiting = false;
  };
  ws.on('pong', onPong);
  const timer = setInterval(() => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (waiting) {
      clearInterval(timer);
      onDead();
      return;
    }
    waiting = true;
    ws.ping();
  }, intervalMs);
  // The transport's server keeps the process alive while it runs; a timer must not keep it alive after.
  timer.unref();
  return () => {
    clearInterval(timer);
    ws.off('pong', onPong);
  };
}

/** WebSocket close reasons are at most 123 bytes of UTF-8. */
const CLOSE_REASON_MAX_BYTES = 123;

export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > CLOSE_REASON_MAX_BYTES) out = out.slice(0, -1);
  return out;
}

/** Close with a WebSocket close handshake; terminate if it does not finish within `timeoutMs`. */
export function closeSocket(ws: WebSocket, code: number, reason: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    const timer = setTimeout(() => ws.terminate(), timeoutMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.OPEN) ws.close(code, closeReason(reason));
  });
}

/** What a close code means, for log lines a person reads. */
export function describeCloseCode(code: number): string {
  switch (code) {
    case 1000: return 'normal closure';
    case 1001: return 'peer is shutting down';
    case 1003: return 'peer refused a text frame';
    case 1006: return 'connection dropped without a close frame';
    case 1007: return 'peer could not decode a frame';
    case 1008: return 'peer saw a protocol violation';
    case 1009: return 'a frame exceeded the peer\'s frameMaxBytes';
    case 4000: return 'replaced by a newer connection from the same member';
    case 4001: return 'peer removed this member';
    default: return `close code ${code}`;
  }
}

/**
 * Client frames are masked by the protocol (RFC 6455 §5.3) against caching proxies that
 * members never sit behind; an all-zero key makes `ws` skip XOR-ing every byte on both
 * ends, which matters for snapshot streams. The frames stay valid WebSocket frames.
 */
export function zeroMask(mask: Buffer): void {
  mask.fill(0);
}
