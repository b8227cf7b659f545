// The Raft peer transport: carries the core's messages between member processes.
//
// Connections are one-directional: every member dials each peer for its own outbound
// traffic and receives the peer's traffic on the connection the peer dialed. Why:
//  - no dial race: two members that dial each other at once would otherwise need a
//    tie-break rule and a hand-over of queued messages between connections;
//  - reconnecting belongs to the side that has something to send, so the listener is a
//    plain server holding no per-peer state but an in-progress snapshot reassembly;
//  - a failed dial is exactly "we cannot reach the peer", which is what the core's
//    Unreachable report means;
//  - each direction gets its own TCP flow control: a peer slow to read our 20 MiB
//    snapshot does not delay its own heartbeats to us.
// The cost is two TCP connections per pair of members, n·(n−1) in all: 6 for 3 members.
import type { Message, NodeId } from '../raft/types.js';
import { MessageType } from '../raft/types.js';
import { LOCAL_MESSAGE_TYPES, PROTOCOL_VERSION } from './codec.js';
import { TransportConfigError, TransportStateError } from './errors.js';
import type { TransportLimits } from './limits.js';
import { ID_MAX_CHARS, LOG_REPEAT_INTERVAL_MS, LOG_REPEAT_KEYS_MAX, resolveLimits } from './limits.js';
import { PeerListener } from './listener.js';
import type { TransportLogger } from './logger.js';
import { defaultLogger, RepeatLimiter } from './logger.js';
import type { InboundCounters, PeerMetrics, TransportMetrics } from './metrics.js';
import { newInboundCounters, newOutboundCounters } from './metrics.js';
import { OutboundPeer } from './peer.js';
import type { PeerContext } from './peer.js';

/** Test-only fault injection; never set in production. */
export interface TransportTestHooks {
  /** Sender: return true to damage snapshot chunk `chunkIndex` to `to` after its CRC was computed. */
  corruptSnapshotChunk?(to: NodeId, chunkIndex: number): boolean;
  /** Receiver: called after each snapshot chunk from `from` was accepted. */
  snapshotChunkReceived?(from: NodeId, chunkIndex: number): void;
}

export interface PeerTransportOptions {
  selfId: NodeId;
  /** Handshakes from another cluster are refused, so its members can never inject messages. */
  clusterId: string;
  /** Where peers reach us; port 0 picks a free port (read it from `address` after start()). */
  listen: { host: string; port: number };
  /** Initial peers: member id → peer URL (`http://host:port` or `ws://host:port`). */
  peers?: ReadonlyMap<NodeId, string>;
  /** A message for our core. Called synchronously per message in arrival order; enqueue, don't work. */
  onMessage(m: Message): void;
  /** A peer could not be dialed or its connection dropped: call node.reportUnreachable(id). */
  onUnreachable(id: NodeId): void;
  /** Outcome of a snapshot sent to `id`: call node.reportSnapshot(id, ok). Exactly once per Snap sent. */
  onSnapshotStatus(id: NodeId, ok: boolean): void;
  logger?: TransportLogger;
  limits?: Partial<TransportLimits>;
  /** Source of backoff jitter in [0, 1); Math.random by default. */
  random?: () => number;
  testHooks?: TransportTestHooks;
}

type State = 'new' | 'starting' | 'running' | 'closing' | 'closed';

/** Parse a peer URL; the stream path is added when dialing. */
export function parsePeerUrl(id: NodeId, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransportConfigError(`peer ${id} has an invalid URL "${url}"; expected http://host:port`);
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'ws:') {
    parsed.protocol = 'ws:';
    return parsed;
  }
  throw new TransportConfigError(
    `peer ${id} URL "${url}" uses ${parsed.protocol}; the peer transport speaks plain http:// (ws://) only, TLS is not built yet`);
}

function checkId(what: string, id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > ID_MAX_CHARS) {
    throw new TransportConfigError(`${what} must be a non-empty string of at most ${ID_MAX_CHARS} chars`);
  }
}

export class PeerTransport {
  readonly #opts: PeerTransportOptions;
  readonly #limits: Readonly<TransportLimits>;
  readonly #logger: TransportLogger;
  readonly #repeat = new RepeatLimiter({ intervalMs: LOG_REPEAT_INTERVAL_MS, keysMax: LOG_REPEAT_KEYS_MAX });
  readonly #peers = new Map<NodeId, OutboundPeer>();
  readonly #inbound = new Map<NodeId, InboundCounters>();
  /** Removed members, oldest first; bounded by removedMembersMax. */
  readonly #removed = new Set<NodeId>();
  readonly #closingPeers = new Set<Promise<void>>();
  readonly #stats = {
    droppedUnknownPeer: 0, droppedLocalType: 0, droppedClosed: 0, handshakesRefused: 0, protocolErrors: 0,
  };
  readonly #peerCtx: PeerContext;
  readonly #listener: PeerListener;
  #state: State = 'new';
  #address: { host: string; port: number } | undefined;
  #streamId = 0;
  #closed: Promise<void> | undefined;

  constructor(opts: PeerTransportOptions) {
    checkId('selfId', opts.selfId);
    checkId('clusterId', opts.clusterId);
    this.#opts = opts;
    this.#limits = resolveLimits(opts.limits);
    this.#logger = opts.logger ?? defaultLogger();
    this.#peerCtx = {
      selfId: opts.selfId, clusterId: opts.clusterId, limits: this.#limits, logger: this.#logger, repeat: this.#repeat,
      random: opts.random ?? Math.random,
      onUnreachable: (id) => opts.onUnreachable(id),
      onSnapshotStatus: (id, ok) => opts.onSnapshotStatus(id, ok),
      nextStreamId: () => (this.#streamId = (this.#streamId + 1) >>> 0),
      corruptSnapshotChunk: opts.testHooks?.corruptSnapshotChunk?.bind(opts.testHooks),
    };
    this.#listener = new PeerListener({
      selfId: opts.selfId, clusterId: opts.clusterId, limits: this.#limits, logger: this.#logger, repeat: this.#repeat,
      stats: this.#stats,
      isRemoved: (id) => this.#removed.has(id),
      onMessage: (m) => opts.onMessage(m),
      inboundCounters: (id) => this.#inboundCounters(id),
      released: (id) => {
        if (!this.#peers.has(id)) this.#inbound.delete(id);
      },
      health: () => this.#health(),
      snapshotChunkReceived: opts.testHooks?.snapshotChunkReceived?.bind(opts.testHooks),
    });
    for (const [id, url] of opts.peers ?? []) this.#addPeer(id, url);
  }

  /** Listen, then dial every peer. Resolves once the listener is bound (peers connect in the background). */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new TransportStateError(`start() called on a transport that is ${this.#state}`);
    this.#state = 'starting';
    try {
      const addr = await this.#listener.listen(this.#opts.listen.host, this.#opts.listen.port);
      this.#address = { host: addr.address, port: addr.port };
    } catch (err) {
      this.#state = 'closed';
      throw err;
    }
    this.#state = 'running';
    for (const peer of this.#peers.values()) peer.start();
    this.#logger.info({ member: this.#opts.selfId, address: this.#address, peers: [...this.#peers.keys()] },
      'peer transport listening');
  }

  /** The bound address (the real port when listen.port was 0). */
  get address(): { host: string; port: number } {
    if (this.#address === undefined) throw new TransportStateError('address is known only after start() resolved');
    return this.#address;
  }

  /** The URL peers should use to reach this member. */
  get url(): string {
    const { host, port } = this.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /**
   * Queue messages for their peers and return at once. Per peer, order is kept; a full
   * queue drops its oldest messages. Snap messages stream separately and are answered by
   * onSnapshotStatus. Messages to unknown members, of local-only types or after close()
   * are dropped and counted (they are driver bugs or shutdown races, not reasons to throw
   * in the middle of a Ready).
   */
  send(messages: readonly Message[]): void {
    for (const m of messages) {
      if (this.#state === 'closing' || this.#state === 'closed') {
        this.#stats.droppedClosed++;
        continue;
      }
      if (LOCAL_MESSAGE_TYPES.has(m.type)) {
        this.#stats.droppedLocalType++;
        this.#warnRepeated('local-type', `dropped a ${m.type} message: local-only types never go to the network`);
        continue;
      }
      const peer = this.#peers.get(m.to);
      if (peer === undefined) {
        this.#stats.droppedUnknownPeer++;
        this.#warnRepeated(`unknown:${m.to}`, `dropped a ${m.type} message to ${m.to}, which is not a peer`);
        continue;
      }
      if (m.type === MessageType.Snap && m.snapshot !== undefined) peer.enqueueSnapshot(m);
      else peer.enqueue(m);
    }
  }

  /** Write every peer's queued messages now (see OutboundPeer.flushNow). */
  flush(): void {
    for (const peer of this.#peers.values()) peer.flushNow();
  }

  /** Add a peer (or change its URL). Dials at once when running. */
  addPeer(id: NodeId, url: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') throw new TransportStateError('addPeer() after close()');
    this.#addPeer(id, url);
  }

  /**
   * The member left the cluster: drop its queue, fail its snapshot, close both
   * connections, and refuse its future handshakes (ids are never reused, as in etcd).
   */
  removePeer(id: NodeId): void {
    const peer = this.#peers.get(id);
    this.#peers.delete(id);
    this.#inbound.delete(id);
    this.#removed.add(id);
    if (this.#removed.size > this.#limits.removedMembersMax) {
      const oldest = this.#removed.values().next();
      if (oldest.done !== true) this.#removed.delete(oldest.value);
    }
    this.#listener.closeFrom(id, 4001, 'member removed from the cluster');
    if (peer !== undefined) {
      const closing = peer.close(1000, 'member removed from the cluster');
      this.#closingPeers.add(closing);
      void closing.finally(() => this.#closingPeers.delete(closing));
    }
  }

  peerIds(): NodeId[] {
    return [...this.#peers.keys()];
  }

  /** Our outbound connection to `id` is open. */
  isConnected(id: NodeId): boolean {
    return this.#peers.get(id)?.connected ?? false;
  }

  metrics(): TransportMetrics {
    const peers: Record<NodeId, PeerMetrics> = {};
    const ids = new Set([...this.#peers.keys(), ...this.#inbound.keys()]);
    for (const id of ids) {
      const peer = this.#peers.get(id);
      peers[id] = {
        ...(peer?.counters ?? newOutboundCounters()),
        ...(this.#inbound.get(id) ?? newInboundCounters()),
        connected: peer?.connected ?? false,
        queueMessages: peer?.queueLength ?? 0,
        queueBytes: peer?.queueBytes ?? 0,
      };
    }
    return { peers, ...this.#stats, inboundConnections: this.#listener.connectedFrom().length };
  }

  /**
   * Graceful: flush each peer's queue (bounded by closeTimeoutMs), fail snapshots in
   * flight (onSnapshotStatus(id, false)), close every connection, stop listening.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    const wasRunning = this.#state !== 'new';
    this.#state = 'closing';
    await Promise.all([...this.#peers.values()].map((p) => p.close()));
    await Promise.all([...this.#closingPeers]);
    if (wasRunning && this.#address !== undefined) await this.#listener.close();
    this.#state = 'closed';
    this.#logger.info({ member: this.#opts.selfId }, 'peer transport closed');
  }

  #addPeer(id: NodeId, url: string): void {
    checkId('peer id', id);
    if (id === this.#opts.selfId) throw new TransportConfigError(`member ${id} cannot be its own peer`);
    const parsed = parsePeerUrl(id, url);
    this.#removed.delete(id);
    const existing = this.#peers.get(id);
    if (existing !== undefined) {
      existing.updateUrl(parsed);
      return;
    }
    const peer = new OutboundPeer(id, parsed, this.#peerCtx);
    this.#peers.set(id, peer);
    if (this.#state === 'running') peer.start();
  }

  #inboundCounters(id: NodeId): InboundCounters {
    let c = this.#inbound.get(id);
    if (c === undefined) {
      c = newInboundCounters();
      this.#inbound.set(id, c);
    }
    return c;
  }

  #health(): Record<string, unknown> {
    const peers: Record<string, { outbound: boolean; inbound: boolean }> = {};
    const inbound = new Set(this.#listener.connectedFrom());
    for (const id of this.#peers.keys()) peers[id] = { outbound: this.isConnected(id), inbound: inbound.has(id) };
    return { member: this.#opts.selfId, cluster: this.#opts.clusterId, protocolVersion: PROTOCOL_VERSION, peers };
  }

  #warnRepeated(key: string, message: string): void {
    const skipped = this.#repeat.allow(key);
    if (skipped >= 0) this.#logger.warn({ repeatsSkipped: skipped }, message);
  }
}
