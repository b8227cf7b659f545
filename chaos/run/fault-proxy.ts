// A fault-injecting TCP proxy for Raft peer traffic, without root. Member j's advertised
// peer URL is its proxy's address; the proxy forwards to j's real peer port. Member IDs
// are hashes of the advertised URLs, so every member must see the same URLs: one proxy per
// destination, not per link. The proxy learns who dialed from the first HTTP request of the
// connection — Flotilla's `flotilla-member-id` upgrade header, etcd's `X-Server-From` —
// which makes every connection a directed link (dialer i → destination j). Bytes going up
// the connection travel i→j, bytes coming back travel j→i, so a one-way cut i→j stops
// exactly the bytes from i to j on both i's and j's connections, as an IP-level cut would.
//
// Faults, per directed link:
//   blocked  bytes stop (the reading side is paused, nothing is discarded: TCP would retransmit
//            them after the heal); a new connection across a blocked link is held unanswered,
//            like a SYN that never arrives, until the heal or until the dialer gives up.
//   delay    every chunk is held delayMs (+ uniform jitter) and order is kept.
//   loss     TCP does not lose bytes, it stalls: with probability lossPct per chunk the
//            connection stalls for lossStallMs and is then reset, and the member redials.
// Connections whose dialer is unknown (etcd's /raft/probing and /version checks) get no
// faults: they carry no Raft messages.
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { RUN_LIMITS } from './limits.js';

export interface LinkFault {
  blocked: boolean;
  delayMs: number;
  jitterMs: number;
  lossPct: number;
}

const CLEAN: LinkFault = Object.freeze({ blocked: false, delayMs: 0, jitterMs: 0, lossPct: 0 });

/** Faults of every directed link between named members; emits 'change' when one changes. */
export class LinkTable extends EventEmitter {
  readonly #faults = new Map<string, LinkFault>();

  constructor() {
    super();
    this.setMaxListeners(0); // one listener per live proxied connection
  }

  get(from: string, to: string): LinkFault {
    return this.#faults.get(`${from}>${to}`) ?? CLEAN;
  }

  set(from: string, to: string, patch: Partial<LinkFault>): void {
    if (patch.delayMs !== undefined && patch.delayMs > RUN_LIMITS.proxyDelayMsMax) {
      throw new RangeError(`delay ${patch.delayMs} ms > proxyDelayMsMax ${RUN_LIMITS.proxyDelayMsMax}`);
    }
    this.#faults.set(`${from}>${to}`, { ...this.get(from, to), ...patch });
    this.emit('change');
  }

  /** Cut (or restore) traffic from every member of `from` to every member of `to`. */
  cut(from: readonly string[], to: readonly string[], blocked = true): void {
    for (const a of from) for (const b of to) if (a !== b) this.set(a, b, { blocked });
  }

  heal(): void {
    this.#faults.clear();
    this.emit('change');
  }

  describe(): string[] {
    return [...this.#faults.entries()].filter(([, f]) => f.blocked || f.delayMs > 0 || f.lossPct > 0)
      .map(([k, f]) => `${k}${f.blocked ? ' blocked' : ''}${f.delayMs ? ` +${f.delayMs}ms` : ''}` +
        `${f.lossPct ? ` loss ${f.lossPct}%` : ''}`);
  }
}

export interface ProxyStats {
  connections: number;
  identified: number;
  unknown: number;
  resets: number;
  held: number;
}

export interface ProxyOptions {
  /** The destination member's name. */
  name: string;
  upstreamPort: number;
  host?: string;
  /** Port to listen on (0: any free one). */
  port?: number;
  links: LinkTable;
  /** Dialer's member name from the connection's first request head. */
  identify(head: string): string | undefined;
}

/** Dialer identity from a Flotilla or etcd peer request head: the member id, in hex. */
export function dialerIdFromHead(head: string): bigint | undefined {
  const m = /^(?:flotilla-member-id|x-server-from):[ \t]*([0-9a-fA-F]+)[ \t]*$/im.exec(head);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

export class FaultProxy {
  readonly stats: ProxyStats = { connections: 0, identified: 0, unknown: 0, resets: 0, held: 0 };
  readonly #server: Server;
  readonly #opts: ProxyOptions;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  private constructor(opts: ProxyOptions) {
    this.#opts = opts;
    this.#server = createServer((s) => this.#accept(s));
  }

  static async start(opts: ProxyOptions): Promise<FaultProxy> {
    const p = new FaultProxy(opts);
    await new Promise<void>((resolve, reject) => {
      p.#server.once('error', reject);
      p.#server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    p.#port = (p.#server.address() as { port: number }).port;
    return p;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://${this.#opts.host ?? '127.0.0.1'}:${this.#port}`;
  }

  #track(s: Socket): void {
    this.#sockets.add(s);
    s.on('close', () => this.#sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  #accept(down: Socket): void {
    // Transparent but for the faults: no Nagle delay on either leg (with delayed ACKs it added
    // ~40 ms to small request/response exchanges such as gRPC unary calls).
    down.setNoDelay(true);
    this.stats.connections++;
    this.#track(down);
    let head = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      down.off('data', onData);
      down.pause();
      const text = head.toString('latin1');
      const source = text.includes('\r\n\r\n') ? this.#opts.identify(text) : undefined;
      if (source === undefined) this.stats.unknown++;
      else this.stats.identified++;
      new ProxiedConnection(this, down, head, source, this.#opts);
    };
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      if (head.includes('\r\n\r\n') || head.length >= RUN_LIMITS.proxyHeadBytesMax) finish();
    };
    const timer = setTimeout(finish, RUN_LIMITS.proxyHeadWaitMs);
    down.on('data', onData);
    down.once('close', () => clearTimeout(timer));
  }

  /** For ProxiedConnection: sockets it opens are closed with the proxy. */
  adopt(s: Socket): void {
    this.#track(s);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.#server.close(r));
  }
}

/** One direction of a proxied connection: a queue released in order, paused while blocked. */
class Pump {
  readonly #queue: { chunk: Buffer; at: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastAt = 0;
  #waitingDrain = false;

  constructor(private readonly from: Socket, private readonly to: Socket, private readonly fault: () => LinkFault,
    private readonly onLoss: () => void) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
  }

  push(chunk: Buffer): void {
    const f = this.fault();
    if (f.lossPct > 0 && Math.random() * 100 < f.lossPct) {
      this.onLoss();
      return;
    }
    const at = Math.max(this.#lastAt, performance.now() + f.delayMs + Math.random() * f.jitterMs);
    this.#lastAt = at;
    this.#queue.push({ chunk, at });
    this.kick();
  }

  /** Re-evaluate after a fault change, a drain or a timer. */
  kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.fault().blocked) {
      this.from.pause();
      return;
    }
    const now = performance.now();
    while (this.#queue.length > 0 && this.#queue[0]!.at <= now && !this.#waitingDrain) {
      const ok = this.to.write(this.#queue.shift()!.chunk);
      if (!ok) {
        this.#waitingDrain = true;
        this.to.once('drain', () => {
          this.#waitingDrain = false;
          this.kick();
        });
      }
    }
    if (this.#queue.length > 0 && !this.#waitingDrain) {
      this.#timer = setTimeout(() => this.kick(), Math.max(1, this.#queue[0]!.at - now));
    }
    // Bounded buffering: read more only when little is waiting here.
    if (this.#queue.length < 64 && !this.#waitingDrain) this.from.resume();
    else this.from.pause();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

class ProxiedConnection {
  #up: Socket | undefined;
  #pumps: Pump[] = [];
  #closed = false;
  readonly #onChange = () => this.#evaluate();

  constructor(private readonly proxy: FaultProxy, private readonly down: Socket, private readonly head: Buffer,
    private readonly source: string | undefined, private readonly o: ProxyOptions) {
    down.once('close', () => this.#close());
    o.links.on('change', this.#onChange);
    this.#evaluate();
  }

  #fault(from: string | undefined, to: string | undefined): LinkFault {
    return from === undefined || to === undefined ? CLEAN : this.o.links.get(from, to);
  }

  #evaluate(): void {
    if (this.#closed) return;
    if (this.#up === undefined) {
      // A new connection needs both directions (SYN and SYN-ACK): hold it while either is cut.
      const cut = this.#fault(this.source, this.o.name).blocked || this.#fault(this.o.name, this.source).blocked;
      if (cut) {
        this.proxy.stats.held++;
        return;
      }
      this.#connect();
      return;
    }
    for (const p of this.#pumps) p.kick();
  }

  #connect(): void {
    const up = createConnection({ host: this.o.host ?? '127.0.0.1', port: this.o.upstreamPort, noDelay: true });
    this.#up = up;
    this.proxy.adopt(up);
    up.once('close', () => this.#close());
    up.once('connect', () => {
      const loss = () => this.#lose();
      const upward = new Pump(this.down, up, () => this.#fault(this.source, this.o.name), loss);
      const downward = new Pump(up, this.down, () => this.#fault(this.o.name, this.source), loss);
      this.#pumps = [upward, downward];
      if (this.head.length > 0) upward.push(this.head);
      this.down.resume();
    });
  }

  #lose(): void {
    if (this.#closed) return;
    this.proxy.stats.resets++;
    this.down.pause();
    this.#up?.pause();
    setTimeout(() => {
      this.down.resetAndDestroy();
      this.#up?.resetAndDestroy();
    }, RUN_LIMITS.lossStallMs).unref();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.o.links.off('change', this.#onChange);
    for (const p of this.#pumps) p.stop();
    this.down.destroy();
    this.#up?.destroy();
  }
}
