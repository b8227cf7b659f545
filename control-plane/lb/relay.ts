// One proxied client connection. The client socket arrives paused (pauseOnConnect), so no
// byte is read from it until a backend has accepted: a connect that fails (refused, reset,
// timed out) is retried on the next healthy backend with nothing lost. Once connected,
// bytes are pumped both ways with back-pressure: when the receiving socket's buffer is
// full (write() returns false) the sending socket is paused until 'drain'. A FIN from one
// side is passed on as a FIN to the other (half-close) while the other direction keeps
// flowing; an error on either side resets the other and closes both.
import { type Socket, connect } from 'node:net';
import type { Backend } from './pool.js';
import { CONNECT_ATTEMPTS_MAX, TCP_KEEPALIVE_INITIAL_DELAY_MS } from './limits.js';
import type { RefuseReason } from './metrics.js';

export interface RelayTimeouts {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  halfClosedTimeoutMs: number;
}

/** What a relay needs from its proxy: the choice of backend and somewhere to report to. */
export interface RelayHost {
  readonly timeouts: RelayTimeouts;
  pick(exclude: ReadonlySet<string>): Backend | undefined;
  onRefused(reason: RefuseReason, client: Socket): void;
  onConnectError(backend: Backend, err: Error): void;
  onConnected(backend: Backend): { bytesIn(n: number): void; bytesOut(n: number): void };
  onDone(relay: Relay): void;
}

class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** Send RST instead of FIN: the peer must not mistake an aborted stream for a complete one. */
function abort(s: Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

/** Copy src to dst, pausing src while dst's buffer is full; pass src's FIN on to dst. */
function pump(src: Socket, dst: Socket, count: (n: number) => void, onEnd: () => void): void {
  src.on('data', (chunk: Buffer) => {
    count(chunk.length);
    if (!dst.write(chunk)) src.pause();
  });
  dst.on('drain', () => src.resume());
  src.once('end', () => {
    onEnd();
    dst.end();
  });
}

export class Relay {
  readonly client: Socket;
  readonly #host: RelayHost;
  readonly #tried = new Set<string>();
  #backend: Socket | null = null;
  #connecting: { socket: Socket; timer: NodeJS.Timeout } | null = null;
  #halfClosedTimer: NodeJS.Timeout | undefined;
  #clientClosed = false;
  #backendClosed = false;
  #done = false;
  #reported = false;

  constructor(client: Socket, host: RelayHost) {
    this.client = client;
    this.#host = host;
  }

  /** Bytes held in user space for this connection (both sockets, both directions). */
  get bufferedBytes(): number {
    const b = this.#backend;
    const backendBytes = b === null ? 0 : b.writableLength + b.readableLength;
    return this.client.writableLength + this.client.readableLength + backendBytes;
  }

  start(): void {
    this.client.on('error', () => this.#teardown(this.#backend));
    this.client.once('close', () => {
      this.#clientClosed = true;
      this.#finishIfClosed();
    });
    this.#connectNext();
  }

  /** Close both sides now (shutdown after the grace period). */
  close(): void {
    this.#teardown(null);
  }

  #connectNext(): void {
    if (this.#done || this.client.destroyed) return this.#teardown(null);
    const backend = this.#tried.size >= CONNECT_ATTEMPTS_MAX ? undefined : this.#host.pick(this.#tried);
    if (backend === undefined) {
      this.#host.onRefused(this.#tried.size === 0 ? 'no_healthy_backend' : 'backends_failed', this.client);
      return this.#teardown(null);
    }
    this.#tried.add(backend.id);
    const socket = connect({ host: backend.address.host, port: backend.address.port, allowHalfOpen: true,
      noDelay: true, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_INITIAL_DELAY_MS });
    const { connectTimeoutMs } = this.#host.timeouts;
    const timer = setTimeout(() => socket.destroy(new ConnectTimeoutError(`connect timed out after ${connectTimeoutMs} ms`)),
      connectTimeoutMs);
    this.#connecting = { socket, timer };
    socket.once('error', (err) => {
      clearTimeout(timer);
      this.#connecting = null;
      if (this.#done) return;
      this.#host.onConnectError(backend, err);
      this.#connectNext();
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      this.#connecting = null;
      socket.removeAllListeners('error');
      if (this.#done) return void socket.destroy();
      this.#attach(backend, socket);
    });
  }

  #attach(backend: Backend, socket: Socket): void {
    this.#backend = socket;
    const counters = this.#host.onConnected(backend);
    socket.on('error', () => this.#teardown(this.client));
    socket.once('close', () => {
      this.#backendClosed = true;
      this.#finishIfClosed();
    });
    const onEnd = () => this.#startHalfClosedTimer();
    pump(this.client, socket, counters.bytesIn, onEnd);
    pump(socket, this.client, counters.bytesOut, onEnd);
    // Either socket idle means both are: every byte one reads, the other writes.
    this.client.setTimeout(this.#host.timeouts.idleTimeoutMs, () => this.#teardown(null));
    this.client.resume();
  }

  #startHalfClosedTimer(): void {
    if (this.#halfClosedTimer !== undefined) return;
    this.#halfClosedTimer = setTimeout(() => this.close(), this.#host.timeouts.halfClosedTimeoutMs);
    this.#halfClosedTimer.unref();
  }

  /**
   * An error on one side (or a refusal): reset `peer` if given, destroy everything else.
   * Idempotent; the relay is done once both sockets have closed.
   */
  #teardown(peer: Socket | null): void {
    if (!this.#done) {
      this.#done = true;
      if (this.#connecting !== null) {
        clearTimeout(this.#connecting.timer);
        this.#connecting.socket.destroy();
        this.#connecting = null;
      }
      clearTimeout(this.#halfClosedTimer);
    }
    if (peer !== null) abort(peer);
    if (!this.client.destroyed) this.client.destroy();
    if (this.#backend !== null && !this.#backend.destroyed) this.#backend.destroy();
  }

  /** Done once the client has closed and so has the backend, if one was attached. */
  #finishIfClosed(): void {
    if (this.#reported || !this.#clientClosed || (this.#backend !== null && !this.#backendClosed)) return;
    this.#teardown(null);
    this.#reported = true;
    this.#host.onDone(this);
  }
}
