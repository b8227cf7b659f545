// KV traffic in the shape of etcd's robustness tests, recorded as a history: linearizable
// get and list, put, delete, compare-and-set on the mod revision (the apiserver's write),
// lease grant + put with the lease + revoke, and watchers (some started from a past
// revision). Every request is ONE attempt with a deadline and no retry: a retry could apply
// a write twice, and any failure is recorded as an unknown outcome (it may have applied).
// After a failure the client moves to the next member.
import * as grpc from '@grpc/grpc-js';
import { EtcdClient, prefixEnd, type Watcher } from '../../store/client/client.js';
import type {
  KvInput, KvOutput, KvRead, Operation, WatcherHistory, WatchEventRec,
} from '../checkers/history.js';
import type { OpKind, Workload } from './experiment.js';
import { RUN_LIMITS } from './limits.js';

type Raw = Record<string, unknown>;

/** Monotonic ms since the run began, and the history. */
export class Recorder {
  readonly t0 = performance.now();
  readonly ops: Operation[] = [];
  #nextId = 1;

  now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  /** Run `fn` as one recorded operation; any error makes its outcome unknown. */
  async record<T>(client: number, input: KvInput, fn: () => Promise<{ output: KvOutput; value: T }>):
    Promise<T | undefined> {
    const op: Operation = { id: this.#nextId++, client, input, call: this.now(), ret: null };
    if (this.ops.length < RUN_LIMITS.opsMax) this.ops.push(op);
    try {
      const r = await fn();
      op.ret = this.now();
      op.output = r.output;
      return r.value;
    } catch (e) {
      op.error = (e as Error).message.slice(0, 200);
      return undefined;
    }
  }
}

function kvRead(raw: Raw | undefined): KvRead {
  if (!raw) return { value: null, modRev: 0 };
  return { value: (raw['value'] as Buffer).toString(), modRev: Number(raw['mod_revision']),
    lease: String(raw['lease'] ?? '0') };
}

const headerRev = (r: Raw) => Number((r['header'] as Raw)['revision']);

/** One client: its own connection(s), one request at a time. */
export class KvClient {
  readonly #etcd: EtcdClient;
  #endpoint: number;
  readonly #modRevs = new Map<string, number>();
  #seq = 0;

  constructor(readonly id: number, readonly endpoints: string[], private readonly rec: Recorder,
    private readonly timeoutMs: number, private readonly prefix: string,
    private readonly mode: { serializable?: boolean; pinned?: boolean } = {}) {
    this.#etcd = new EtcdClient({ endpoints, requestTimeoutMs: timeoutMs });
    this.#endpoint = id % endpoints.length;
  }

  #unary(service: 'kv' | 'lease', method: string, req: object): Promise<Raw> {
    const endpoint = this.endpoints[this.#endpoint]!;
    const stub = this.#etcd.stubs(endpoint)[service] as unknown as Record<string, (...a: unknown[]) => void>;
    return new Promise<Raw>((resolve, reject) => {
      stub[method]!.call(stub, req, new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs },
        (e: grpc.ServiceError | null, v: Raw) => (e ? reject(e) : resolve(v)));
    }).catch((e: Error) => {
      if (!this.mode.pinned) this.#endpoint = (this.#endpoint + 1) % this.endpoints.length;
      throw e;
    });
  }

  #value(): string {
    return `c${this.id}-${++this.#seq}`;
  }

  #learn(key: string, r: KvRead): void {
    this.#modRevs.set(key, r.modRev);
  }

  async get(key: string): Promise<void> {
    await this.rec.record(this.id, { kind: 'get', key }, async () => {
      const r = await this.#unary('kv', 'Range', { key: Buffer.from(key), serializable: this.mode.serializable ?? false });
      const kv = kvRead((r['kvs'] as Raw[])[0]);
      this.#learn(key, kv);
      return { output: { kind: 'get', kv, revision: headerRev(r) }, value: undefined };
    });
  }

  async list(): Promise<void> {
    await this.rec.record(this.id, { kind: 'list', prefix: this.prefix }, async () => {
      const k = Buffer.from(this.prefix);
      const r = await this.#unary('kv', 'Range',
        { key: k, range_end: prefixEnd(k), serializable: this.mode.serializable ?? false });
      const kvs: Record<string, KvRead> = {};
      for (const raw of r['kvs'] as Raw[]) kvs[(raw['key'] as Buffer).toString()] = kvRead(raw);
      return { output: { kind: 'list', kvs, revision: headerRev(r) }, value: undefined };
    });
  }

  async put(key: string, lease?: string): Promise<void> {
    const value = this.#value();
    await this.rec.record(this.id, { kind: 'put', key, value, ...(lease ? { lease } : {}) }, async () => {
      const r = await this.#unary('kv', 'Put', { key: Buffer.from(key), value: Buffer.from(value), lease: lease ?? '0' });
      this.#modRevs.set(key, headerRev(r));
      return { output: { kind: 'put', revision: headerRev(r) }, value: undefined };
    });
  }

  async delete(key: string): Promise<void> {
    await this.rec.record(this.id, { kind: 'delete', key }, async () => {
      const r = await this.#unary('kv', 'DeleteRange', { key: Buffer.from(key) });
      this.#modRevs.set(key, 0);
      return { output: { kind: 'delete', deleted: Number(r['deleted']), revision: headerRev(r) }, value: undefined };
    });
  }

  /** The apiserver's write: put if the key's mod revision is still the one this client last saw. */
  async cas(key: string): Promise<void> {
    const value = this.#value();
    const expect = this.#modRevs.get(key) ?? 0;
    await this.rec.record(this.id, { kind: 'cas', key, expectModRev: expect, value }, async () => {
      const k = Buffer.from(key);
      const r = await this.#unary('kv', 'Txn', {
        compare: [{ target: 'MOD', result: 'EQUAL', key: k, mod_revision: expect }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [{ request_range: { key: k } }],
      });
      const revision = headerRev(r);
      if (r['succeeded']) {
        this.#modRevs.set(key, revision);
        return { output: { kind: 'cas', succeeded: true, revision }, value: undefined };
      }
      const range = (r['responses'] as Raw[])[0]?.['response_range'] as Raw | undefined;
      const current = kvRead((range?.['kvs'] as Raw[] | undefined)?.[0]);
      this.#learn(key, current);
      return { output: { kind: 'cas', succeeded: false, revision, current }, value: undefined };
    });
  }

  /** Grant a lease, put `key` with it, revoke it: three recorded operations. */
  async leaseCycle(key: string, ttlSeconds: number): Promise<void> {
    const lease = await this.rec.record(this.id, { kind: 'leaseGrant', ttlSeconds }, async () => {
      const r = await this.#unary('lease', 'LeaseGrant', { TTL: ttlSeconds, ID: 0 });
      const id = String(r['ID']);
      return { output: { kind: 'leaseGrant', lease: id }, value: id };
    });
    if (lease === undefined) return;
    await this.put(key, lease);
    await this.rec.record(this.id, { kind: 'leaseRevoke', lease, keys: [key] }, async () => {
      const r = await this.#unary('lease', 'LeaseRevoke', { ID: lease });
      return { output: { kind: 'leaseRevoke', revision: headerRev(r) }, value: undefined };
    });
  }

  close(): void {
    this.#etcd.close();
  }
}

export interface WorkloadRun {
  stop(): Promise<void>;
}

function picker(mix: Record<OpKind, number>, rnd: () => number): () => OpKind {
  const entries = Object.entries(mix).filter(([, w]) => w > 0) as [OpKind, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return () => {
    let x = rnd() * total;
    for (const [k, w] of entries) if ((x -= w) < 0) return k;
    return entries[entries.length - 1]![0];
  };
}

/** Start `w.clients` clients; each paces itself to rate/clients operations per second. */
export function startWorkload(w: Workload, endpoints: string[], rec: Recorder, prefix: string,
  leaseTtlSeconds: number): WorkloadRun {
  let stopping = false;
  const pick = picker(w.mix, Math.random);
  const keyOf = () => `${prefix}k${Math.floor(Math.random() * w.keys)}`;
  const periodMs = (1000 * w.clients) / w.rate;
  const clients = Array.from({ length: w.clients },
    (_, i) => new KvClient(i + 1, endpoints, rec, w.requestTimeoutMs, prefix,
      { serializable: w.serializableReads, pinned: w.pinnedClients }));
  const loops = clients.map(async (c) => {
    // Spread the clients' first requests over one period.
    await sleep(Math.random() * periodMs);
    while (!stopping) {
      const started = performance.now();
      const kind = pick();
      const key = keyOf();
      if (kind === 'get') await c.get(key);
      else if (kind === 'list') await c.list();
      else if (kind === 'put') await c.put(key);
      else if (kind === 'delete') await c.delete(key);
      else if (kind === 'txn') await c.cas(key);
      else await c.leaseCycle(key, leaseTtlSeconds);
      const left = periodMs - (performance.now() - started);
      if (left > 0 && !stopping) await sleep(left);
    }
  });
  return {
    async stop() {
      stopping = true;
      await Promise.race([Promise.all(loops), sleep(RUN_LIMITS.drainMsMax)]);
      for (const c of clients) c.close();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function eventRec(e: { type: 'PUT' | 'DELETE'; kv: { key: Buffer; value: Buffer; modRevision: number } }): WatchEventRec {
  return { type: e.type, key: e.kv.key.toString(), value: e.type === 'PUT' ? e.kv.value.toString() : null,
    modRev: e.kv.modRevision };
}

/** A recorded watch of `prefix` from `startRevision`, asking for progress every second. */
export class RecordedWatch {
  readonly history: WatcherHistory;
  readonly #client: EtcdClient;
  readonly #watcher: Watcher;
  readonly #progressTimer: NodeJS.Timeout;
  #lastEventRev = 0;

  constructor(id: number, endpoints: string[], prefix: string, startRevision: number, resumed: boolean,
    rec: Recorder) {
    this.history = { id, prefix, startRevision, resumed, responses: [], caughtUpRevision: 0 };
    // Rotate the endpoints so watchers spread over the members.
    const rotated = [...endpoints.slice(id % endpoints.length), ...endpoints.slice(0, id % endpoints.length)];
    this.#client = new EtcdClient({ endpoints: rotated, requestTimeoutMs: RUN_LIMITS.requestTimeoutMsDefault });
    this.#watcher = this.#client.watch(prefix, { prefix: true, startRevision, progressNotify: true }, {
      onEvents: (events, headerRevision) => {
        const recs = events.map(eventRec);
        this.history.responses.push({ at: rec.now(), kind: 'events', headerRevision, events: recs });
        this.#lastEventRev = Math.max(this.#lastEventRev, recs[recs.length - 1]!.modRev);
      },
      onProgress: (revision) => {
        this.history.responses.push({ at: rec.now(), kind: 'progress', revision });
      },
      onError: (err) => {
        this.history.error = err.message;
      },
    });
    this.#progressTimer = setInterval(() => this.#watcher.requestProgress(), 1000);
  }

  /**
   * Complete up to `revision` once an event at or past it arrived. The cluster serves only this
   * run, so every revision is a change under the run's prefix and the final one has an event.
   * Progress notifications are not trusted for this: etcd before 3.4.24/3.5.8 answers a
   * progress request with the store's revision even while the watcher is still replaying older
   * events (etcd-io/etcd#15220); the watch checker's `progress` property reports that instead.
   */
  #complete(revision: number): boolean {
    return this.#lastEventRev >= revision;
  }

  /** Wait until every event up to `revision` has arrived (or the deadline). */
  async catchUp(revision: number, deadlineMs: number): Promise<boolean> {
    while (!this.#complete(revision) && Date.now() < deadlineMs && this.history.error === undefined) {
      this.#watcher.requestProgress();
      await sleep(100);
    }
    const done = this.#complete(revision);
    if (done) this.history.caughtUpRevision = revision;
    return done;
  }

  close(): void {
    clearInterval(this.#progressTimer);
    this.#watcher.cancel();
    this.#client.close();
  }
}
