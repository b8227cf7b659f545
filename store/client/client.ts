// The etcd v3 client the control plane uses — against Flotilla's store or a real etcd.
// Endpoint failover: a request that fails because the member is unreachable, has no
// leader or is stopping moves to the next endpoint. Watches resume on another endpoint
// from the revision after the last one delivered, so a member's death loses no event.
// Revisions are JS numbers (exact below 2^53, which no store reaches); lease IDs bigint.
import * as grpc from '@grpc/grpc-js';
import { loadEtcdPackage } from '../api/proto.js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { decodeRangeResponse, decodeTxnResponse, decodeWatchResponse } from './decode-responses.js';
import { CLIENT_LIMITS } from './limits.js';
import { type AnyMethod, UnaryChannel } from './unary.js';

type Ctor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;
type Raw = Record<string, unknown>;

export interface KeyValue {
  key: Buffer;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  lease: bigint;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prevKv?: KeyValue;
}

export class EtcdClientError extends Error {
  readonly code: string;
  constructor(message: string, readonly grpcCode: grpc.status | undefined, readonly details: string) {
    super(message);
    this.name = 'EtcdClientError';
    this.code = 'FLOTILLA_ERR_ETCD_CLIENT';
  }
}

/** The watch's start revision was compacted away: the caller must re-list (HTTP 410 Gone above). */
export class CompactedError extends Error {
  readonly code = 'FLOTILLA_ERR_ETCD_COMPACTED';
  constructor(readonly compactRevision: number) {
    super(`etcdserver: mvcc: required revision has been compacted (compact revision ${compactRevision})`);
    this.name = 'CompactedError';
  }
}

export interface EtcdClientOptions {
  endpoints: string[];
  /** Whole-request deadline, retries included. */
  requestTimeoutMs?: number;
}

/** The proto service of each stub, for the unary calls' method paths and (de)serializers. */
const SERVICE_OF = { kv: 'KV', watch: 'Watch', lease: 'Lease', cluster: 'Cluster', maintenance: 'Maintenance' } as const;

/** Answers decoded by decode-responses.ts instead of protobufjs (same objects, less CPU). */
const DIRECT_DECODERS: Readonly<Record<string, (b: Buffer) => Raw>> = {
  'KV.Range': decodeRangeResponse, 'KV.Txn': decodeTxnResponse, 'Watch.Watch': decodeWatchResponse,
};

let clientPackage: PackageDefinition | undefined;

/** proto-loader's package definition with the direct decoders swapped in; both the unary calls and grpc-js use it. */
function etcdClientPackage(): PackageDefinition {
  if (clientPackage === undefined) {
    const pkg: PackageDefinition = { ...loadEtcdPackage() };
    for (const [path, decode] of Object.entries(DIRECT_DECODERS)) {
      const [service, method] = path.split('.') as [string, string];
      const def = pkg[`etcdserverpb.${service}`] as Record<string, AnyMethod>;
      pkg[`etcdserverpb.${service}`] = { ...def, [method]: { ...def[method]!, responseDeserialize: decode } } as never;
    }
    clientPackage = pkg;
  }
  return clientPackage;
}

let methodTable: Map<string, AnyMethod> | undefined;

/** "kv.Range" → its method definition (the same grpc-js's stubs use). */
function methodOf(service: keyof Stubs, method: string): AnyMethod {
  if (methodTable === undefined) {
    const pkg = etcdClientPackage();
    methodTable = new Map();
    for (const [stub, name] of Object.entries(SERVICE_OF)) {
      const def = pkg[`etcdserverpb.${name}`] as Record<string, AnyMethod>;
      for (const [m, d] of Object.entries(def)) methodTable.set(`${stub}.${m}`, d);
    }
  }
  const m = methodTable.get(`${service}.${method}`);
  if (!m) throw new Error(`no gRPC method ${method} in etcdserverpb.${SERVICE_OF[service]}`);
  return m;
}

interface Stubs {
  kv: grpc.Client;
  watch: grpc.Client;
  lease: grpc.Client;
  cluster: grpc.Client;
  maintenance: grpc.Client;
}

/** Errors after which the request certainly did not take effect, or is safe to repeat. */
function retryable(e: grpc.ServiceError, idempotent: boolean): boolean {
  if (e.code === grpc.status.UNAVAILABLE) {
    const d = e.details ?? '';
    if (!d.startsWith('etcdserver:')) return true; // transport: no connection, dropped, refused
    if (/no leader|leader changed|server stopped|not capable/.test(d)) return true;
    return idempotent; // "request timed out" may have applied: repeat reads only
  }
  return idempotent && e.code === grpc.status.DEADLINE_EXCEEDED;
}

function kvFrom(r: Raw): KeyValue {
  return {
    key: r['key'] as Buffer, value: r['value'] as Buffer, createRevision: Number(r['create_revision']),
    modRevision: Number(r['mod_revision']), version: Number(r['version']), lease: BigInt(r['lease'] as string),
  };
}

/** The range end that makes `key` a prefix (etcd's clientv3.GetPrefixRangeEnd). */
export function prefixEnd(key: Buffer): Buffer {
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all keys
}

/**
 * range_end only when there is one. etcd (gogo protobuf) decodes a present-but-empty bytes
 * field as a non-nil empty slice, which it reads as "every key >= key" rather than "just this
 * key" — so an empty range_end must not be on the wire at all.
 */
function rangeEndField(end: Buffer | undefined): { range_end?: Buffer } {
  return end !== undefined && end.length > 0 ? { range_end: end } : {};
}

const toBuf = (k: string | Buffer): Buffer => (typeof k === 'string' ? Buffer.from(k) : k);

export class EtcdClient {
  readonly endpoints: string[];
  readonly #requestTimeoutMs: number;
  readonly #stubs = new Map<string, Stubs>();
  /** Unary calls go over these (see unary.ts); grpc-js stubs serve the streams. */
  readonly #channels = new Map<string, UnaryChannel>();
  #current = 0;
  #closed = false;
  readonly #watchers = new Set<Watcher>();

  constructor(opts: EtcdClientOptions) {
    if (opts.endpoints.length === 0) throw new Error('EtcdClient needs at least one endpoint');
    this.endpoints = opts.endpoints.map((e) => e.replace(/^https?:\/\//, ''));
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? CLIENT_LIMITS.requestTimeoutMs;
  }

  stubs(endpoint: string): Stubs {
    let s = this.#stubs.get(endpoint);
    if (!s) {
      const pkg = grpc.loadPackageDefinition(etcdClientPackage()) as unknown as { etcdserverpb: Record<string, Ctor> };
      const creds = grpc.credentials.createInsecure();
      const options: grpc.ChannelOptions = {
        'grpc.max_receive_message_length': CLIENT_LIMITS.maxReceiveBytes,
        'grpc.initial_reconnect_backoff_ms': CLIENT_LIMITS.reconnectBackoffMinMs,
        'grpc.max_reconnect_backoff_ms': CLIENT_LIMITS.reconnectBackoffMaxMs,
      };
      const make = (n: string) => new (pkg.etcdserverpb[n] as Ctor)(endpoint, creds, options);
      s = { kv: make('KV'), watch: make('Watch'), lease: make('Lease'), cluster: make('Cluster'), maintenance: make('Maintenance') };
      this.#stubs.set(endpoint, s);
    }
    return s;
  }

  #channel(endpoint: string): UnaryChannel {
    let ch = this.#channels.get(endpoint);
    if (!ch) {
      ch = new UnaryChannel(endpoint, CLIENT_LIMITS.maxReceiveBytes);
      this.#channels.set(endpoint, ch);
    }
    return ch;
  }

  /** The endpoint requests go to now; moves on after a failure. */
  get currentEndpoint(): string {
    return this.endpoints[this.#current % this.endpoints.length]!;
  }

  #failover(from: string): void {
    if (this.currentEndpoint === from) this.#current = (this.#current + 1) % this.endpoints.length;
  }

  /** One unary call with failover across endpoints until the request deadline. */
  async call<T = Raw>(service: keyof Stubs, method: string, req: object, idempotent: boolean): Promise<T> {
    const deadline = Date.now() + this.#requestTimeoutMs;
    let backoffMs: number = CLIENT_LIMITS.retryBackoffMinMs;
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) throw new EtcdClientError('client closed', undefined, '');
      const endpoint = this.currentEndpoint;
      try {
        return await this.#unary<T>(endpoint, service, method, req, deadline);
      } catch (err) {
        const e = err as grpc.ServiceError;
        const canRetry = retryable(e, idempotent) && Date.now() + backoffMs < deadline
          && attempt < CLIENT_LIMITS.maxAttempts;
        if (!canRetry) throw new EtcdClientError(e.details || e.message, e.code, e.details ?? '');
        this.#failover(endpoint);
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, CLIENT_LIMITS.retryBackoffMaxMs);
      }
    }
  }

  #unary<T>(endpoint: string, service: keyof Stubs, method: string, req: object, deadline: number): Promise<T> {
    const attemptDeadline = Math.min(deadline, Date.now() + CLIENT_LIMITS.attemptTimeoutMs);
    return this.#channel(endpoint).call<T>(methodOf(service, method), req, attemptDeadline);
  }

  // ---- KV ------------------------------------------------------------------------------

  async get(key: string | Buffer, o: {
    prefix?: boolean; rangeEnd?: Buffer; limit?: number; revision?: number; serializable?: boolean;
    keysOnly?: boolean; countOnly?: boolean;
  } = {}): Promise<{ kvs: KeyValue[]; more: boolean; count: number; revision: number }> {
    const k = toBuf(key);
    const r = await this.call<Raw>('kv', 'Range', {
      key: k, ...rangeEndField(o.prefix ? prefixEnd(k) : o.rangeEnd), limit: o.limit ?? 0,
      revision: o.revision ?? 0, serializable: o.serializable ?? false, keys_only: o.keysOnly ?? false,
      count_only: o.countOnly ?? false,
    }, true);
    return {
      kvs: (r['kvs'] as Raw[]).map(kvFrom), more: r['more'] as boolean, count: Number(r['count']),
      revision: Number((r['header'] as Raw)['revision']),
    };
  }

  async put(key: string | Buffer, value: string | Buffer, o: { lease?: bigint; prevKv?: boolean } = {}):
    Promise<{ revision: number; prevKv?: KeyValue }> {
    const r = await this.call<Raw>('kv', 'Put', {
      key: toBuf(key), value: toBuf(value), lease: String(o.lease ?? 0n), prev_kv: o.prevKv ?? false,
    }, false);
    const out: { revision: number; prevKv?: KeyValue } = { revision: Number((r['header'] as Raw)['revision']) };
    if (r['prev_kv']) out.prevKv = kvFrom(r['prev_kv'] as Raw);
    return out;
  }

  async delete(key: string | Buffer, o: { prefix?: boolean; prevKv?: boolean } = {}):
    Promise<{ revision: number; deleted: number; prevKvs: KeyValue[] }> {
    const k = toBuf(key);
    const r = await this.call<Raw>('kv', 'DeleteRange', {
      key: k, ...rangeEndField(o.prefix ? prefixEnd(k) : undefined), prev_kv: o.prevKv ?? false,
    }, false);
    return {
      revision: Number((r['header'] as Raw)['revision']), deleted: Number(r['deleted']),
      prevKvs: ((r['prev_kvs'] as Raw[]) ?? []).map(kvFrom),
    };
  }

  /**
   * A transaction in etcd's wire shape (proto field names); the response comes back with
   * `succeeded`, the header revision and the raw responses. The apiserver's write is
   * `compare mod_revision == rv` then `put`, else `range` to report the conflict.
   */
  async txn(req: { compare: Raw[]; success: Raw[]; failure: Raw[] }):
    Promise<{ succeeded: boolean; revision: number; responses: Raw[] }> {
    const r = await this.call<Raw>('kv', 'Txn', req, false);
    return { succeeded: r['succeeded'] as boolean, revision: Number((r['header'] as Raw)['revision']),
      responses: r['responses'] as Raw[] };
  }

  async compact(revision: number): Promise<void> {
    await this.call('kv', 'Compact', { revision, physical: false }, false);
  }

  // ---- Leases --------------------------------------------------------------------------

  async leaseGrant(ttlSeconds: number): Promise<{ id: bigint; ttlSeconds: number }> {
    const r = await this.call<Raw>('lease', 'LeaseGrant', { TTL: ttlSeconds, ID: 0 }, false);
    return { id: BigInt(r['ID'] as string), ttlSeconds: Number(r['TTL']) };
  }

  async leaseRevoke(id: bigint): Promise<void> {
    await this.call('lease', 'LeaseRevoke', { ID: String(id) }, false);
  }

  async leaseTimeToLive(id: bigint): Promise<number> {
    const r = await this.call<Raw>('lease', 'LeaseTimeToLive', { ID: String(id), keys: false }, true);
    return Number(r['TTL']);
  }

  /** One keep-alive round trip (over a short-lived stream, with failover); returns the new TTL (0: gone). */
  async leaseKeepAliveOnce(id: bigint): Promise<number> {
    const deadline = Date.now() + this.#requestTimeoutMs;
    for (;;) {
      const endpoint = this.currentEndpoint;
      try {
        return await new Promise<number>((resolve, reject) => {
          const stub = this.stubs(endpoint).lease as unknown as KeepAliveStub;
          const attemptDeadline = Math.min(deadline, Date.now() + CLIENT_LIMITS.attemptTimeoutMs);
          const call = stub.LeaseKeepAlive({ deadline: attemptDeadline });
          call.on('data', (r: Raw) => {
            resolve(Number(r['TTL']));
            call.cancel();
          });
          call.on('error', (e: grpc.ServiceError) => {
            if (e.code !== grpc.status.CANCELLED) reject(e);
          });
          call.write({ ID: String(id) });
        });
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (!retryable(e, true) || Date.now() > deadline) {
          throw new EtcdClientError(e.details || e.message, e.code, e.details ?? '');
        }
        this.#failover(endpoint);
        await new Promise((r) => setTimeout(r, CLIENT_LIMITS.retryBackoffMinMs));
      }
    }
  }

  // ---- Watch, cluster, maintenance -----------------------------------------------------

  /** Watch a key or prefix from `startRevision` (0: now); resumes across endpoint failures. */
  watch(key: string | Buffer, o: WatchOptions, h: WatchHandler): Watcher {
    const w = new Watcher(this, toBuf(key), o, h, () => this.#watchers.delete(w));
    this.#watchers.add(w);
    w.start();
    return w;
  }

  nextEndpointAfter(endpoint: string): void {
    this.#failover(endpoint);
  }

  async status(endpoint = this.currentEndpoint):
    Promise<{ leader: bigint; memberId: bigint; raftTerm: number; revision: number }> {
    const deadline = Date.now() + this.#requestTimeoutMs;
    const r = await this.#unary<Raw>(endpoint, 'maintenance', 'Status', {}, deadline);
    const header = r['header'] as Raw;
    return { leader: BigInt(r['leader'] as string), memberId: BigInt(header['member_id'] as string),
      raftTerm: Number(r['raftTerm']), revision: Number(header['revision']) };
  }

  async memberList():
    Promise<{ id: bigint; name: string; peerURLs: string[]; clientURLs: string[]; isLearner: boolean }[]> {
    const r = await this.call<Raw>('cluster', 'MemberList', { linearizable: true }, true);
    return (r['members'] as Raw[]).map((m) => ({
      id: BigInt(m['ID'] as string), name: m['name'] as string, peerURLs: m['peerURLs'] as string[],
      clientURLs: m['clientURLs'] as string[], isLearner: m['isLearner'] as boolean,
    }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    for (const w of [...this.#watchers]) w.cancel();
    for (const s of this.#stubs.values()) for (const c of Object.values(s)) (c as grpc.Client).close();
    this.#stubs.clear();
    for (const ch of this.#channels.values()) ch.close();
    this.#channels.clear();
  }
}

type KeepAliveStub = { LeaseKeepAlive(o: object): grpc.ClientDuplexStream<object, Raw> };

export interface WatchOptions {
  prefix?: boolean;
  /** 0 or absent: from now. */
  startRevision?: number;
  prevKv?: boolean;
  progressNotify?: boolean;
}

export interface WatchHandler {
  /** Events of one or more revisions, in order; `revision` is the response header's. */
  onEvents(events: WatchEvent[], revision: number): void;
  /** Progress: every event up to `revision` has been delivered. */
  onProgress?(revision: number): void;
  /** The watch ended for good (compacted start, or cancelled by the server); not called on cancel(). */
  onError(err: Error): void;
}

/** One logical watch that survives endpoint failures (etcd's clientv3 watch resumption). */
export class Watcher {
  #stream: grpc.ClientDuplexStream<object, Raw> | undefined;
  /** The next revision we need: after a failure, resume from here. */
  #nextRevision: number;
  #cancelled = false;
  #backoffMs: number = CLIENT_LIMITS.retryBackoffMinMs;

  constructor(
    private readonly client: EtcdClient, private readonly key: Buffer,
    private readonly o: WatchOptions,
    private readonly h: WatchHandler, private readonly onDone: () => void,
  ) {
    this.#nextRevision = o.startRevision ?? 0;
  }

  start(): void {
    if (this.#cancelled || this.client.closed) return;
    const endpoint = this.client.currentEndpoint;
    const stub = this.client.stubs(endpoint).watch as unknown as { Watch(): grpc.ClientDuplexStream<object, Raw> };
    const stream = stub.Watch();
    this.#stream = stream;
    let failed = false;
    const fail = () => {
      if (failed || this.#cancelled) return;
      failed = true;
      stream.cancel();
      this.client.nextEndpointAfter(endpoint);
      setTimeout(() => this.start(), this.#backoffMs).unref();
      this.#backoffMs = Math.min(this.#backoffMs * 2, CLIENT_LIMITS.retryBackoffMaxMs);
    };
    stream.on('data', (r: Raw) => this.#onResponse(r, fail));
    stream.on('error', fail);
    stream.on('end', fail);
    stream.write({ create_request: {
      key: this.key, ...rangeEndField(this.o.prefix ? prefixEnd(this.key) : undefined),
      start_revision: this.#nextRevision, prev_kv: this.o.prevKv ?? false,
      progress_notify: this.o.progressNotify ?? false,
    } });
  }

  #onResponse(r: Raw, fail: () => void): void {
    if (this.#cancelled) return;
    const revision = Number((r['header'] as Raw)['revision']);
    if (r['canceled']) {
      const compact = Number(r['compact_revision'] ?? 0);
      if (compact > 0) {
        this.#finish(new CompactedError(compact));
      } else if ((r['cancel_reason'] as string) === '') {
        fail();
      } else {
        this.#finish(new Error(`watch cancelled by the server: ${r['cancel_reason'] as string}`));
      }
      return;
    }
    if (r['created']) {
      this.#backoffMs = CLIENT_LIMITS.retryBackoffMinMs;
      if (this.#nextRevision === 0) this.#nextRevision = revision + 1; // "from now": resume after what existed
      return;
    }
    const raw = (r['events'] as Raw[]) ?? [];
    if (raw.length === 0) {
      // A progress notification: nothing at or below `revision` is still to come.
      this.#nextRevision = Math.max(this.#nextRevision, revision + 1);
      this.h.onProgress?.(revision);
      return;
    }
    const events: WatchEvent[] = raw.map((e) => {
      const type = e['type'] === 'DELETE' || e['type'] === 1 ? 'DELETE' : 'PUT';
      const ev: WatchEvent = { type, kv: kvFrom(e['kv'] as Raw) };
      if (e['prev_kv']) ev.prevKv = kvFrom(e['prev_kv'] as Raw);
      return ev;
    });
    this.#nextRevision = events[events.length - 1]!.kv.modRevision + 1;
    this.h.onEvents(events, revision);
  }

  #finish(err: Error): void {
    this.cancel();
    this.h.onError(err);
  }

  /**
   * Asks the server for a progress notification (etcd's WatchProgressRequest, 3.4+): it
   * answers with the current revision once every event up to it has been sent, which lets a
   * cache prove it is fresh even when nothing it watches has changed.
   */
  requestProgress(): void {
    if (this.#cancelled || !this.#stream) return;
    this.#stream.write({ progress_request: {} });
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#stream?.cancel();
    this.onDone();
  }
}
