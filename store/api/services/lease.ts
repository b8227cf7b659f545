// The Lease service (etcd v3rpc lease.go). As in etcd: TimeToLive of an unknown lease is
// not an error but TTL -1; a keep-alive of an unknown lease answers TTL 0; a keep-alive's
// header is taken before the renewal, so its revision never runs ahead of the renewal.

import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { long, str, type WireLong } from '../codec.js';
import { EtcdApiError, EtcdErrors, etcdError, toServiceError } from '../errors.js';
import { MAX_PENDING_KEEPALIVES_PER_STREAM } from '../limits.js';
import { checkRequestSize, failure, header, unary, type OpenStream, type ServiceContext } from './common.js';

function isLeaseNotFound(err: unknown): boolean {
  return err instanceof EtcdApiError && err.code === EtcdErrors.leaseNotFound.code;
}

/** One LeaseKeepAlive stream: renewals run one at a time, in arrival order. */
class KeepAliveSession implements OpenStream {
  readonly #ctx: ServiceContext;
  readonly #call: ServerDuplexStream<{ ID?: WireLong }, object>;
  readonly #queue: bigint[] = [];
  #running = false;
  #endRequested = false;
  #done = false;

  constructor(ctx: ServiceContext, call: ServerDuplexStream<{ ID?: WireLong }, object>) {
    this.#ctx = ctx;
    this.#call = call;
  }

  start(): void {
    const refused = this.#ctx.tracker.addStream('keepalive', this);
    if (refused !== null) {
      this.#done = true;
      this.#call.emit('error', toServiceError(refused));
      return;
    }
    this.#call.on('data', (w: { ID?: WireLong }) => this.#onRequest(long(w.ID)));
    this.#call.on('end', () => this.#endWhenIdle());
    this.#call.on('cancelled', () => this.#finish());
    this.#call.on('error', () => this.#finish());
    this.#call.on('close', () => this.#finish());
  }

  abort(err: EtcdApiError): void {
    if (this.#done) return;
    this.#finish();
    this.#call.emit('error', toServiceError(err));
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue.length = 0;
    this.#ctx.tracker.removeStream('keepalive', this);
  }

  #onRequest(id: bigint): void {
    if (this.#done) return;
    if (this.#queue.length >= MAX_PENDING_KEEPALIVES_PER_STREAM) {
      this.abort(etcdError('tooManyRequests'));
      return;
    }
    this.#queue.push(id);
    if (!this.#running) void this.#run();
  }

  /** etcd returns from the handler on EOF: the stream ends once queued renewals are answered. */
  #endWhenIdle(): void {
    this.#endRequested = true;
    if (!this.#running) this.#endIfRequested();
  }

  #endIfRequested(): void {
    if (this.#done || !this.#endRequested || this.#queue.length > 0) return;
    this.#finish();
    this.#call.end();
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (!this.#done && this.#queue.length > 0) {
      const id = this.#queue.shift() as bigint;
      const hdr = header(this.#ctx, 0n);
      let ttl: bigint;
      try {
        ttl = await this.#ctx.backend.leaseRenew(id);
      } catch (err) {
        if (!isLeaseNotFound(err)) {
          const status = failure(this.#ctx, 'LeaseKeepAlive', err);
          this.#finish();
          this.#call.emit('error', status);
          break;
        }
        ttl = 0n;
      }
      if (this.#done) break;
      this.#call.write({ header: hdr, ID: str(id), TTL: str(ttl) });
    }
    this.#running = false;
    this.#endIfRequested();
  }
}

export function leaseService(ctx: ServiceContext): UntypedServiceImplementation {
  const b = ctx.backend;
  return {
    LeaseGrant: unary<{ TTL?: WireLong; ID?: WireLong }>(ctx, 'LeaseGrant', async (w) => {
      checkRequestSize(w);
      const resp = await b.leaseGrant({ id: long(w.ID), ttlSeconds: long(w.TTL) });
      return { header: header(ctx, resp.revision), ID: str(resp.id), TTL: str(resp.ttlSeconds), error: '' };
    }),
    LeaseRevoke: unary<{ ID?: WireLong }>(ctx, 'LeaseRevoke', async (w) => {
      checkRequestSize(w);
      const resp = await b.leaseRevoke(long(w.ID));
      return { header: header(ctx, resp.revision) };
    }),
    LeaseTimeToLive: unary<{ ID?: WireLong; keys?: boolean }>(ctx, 'LeaseTimeToLive', async (w) => {
      const id = long(w.ID);
      try {
        const r = await b.leaseTimeToLive(id, w.keys === true);
        return {
          header: header(ctx, r.revision), ID: str(r.id), TTL: str(r.ttlSeconds), grantedTTL: str(r.grantedTtlSeconds),
          keys: r.keys,
        };
      } catch (err) {
        if (!isLeaseNotFound(err)) throw err;
        return { header: header(ctx, 0n), ID: str(id), TTL: '-1', grantedTTL: '0', keys: [] };
      }
    }),
    LeaseLeases: unary<object>(ctx, 'LeaseLeases', async () => {
      const r = await b.leaseLeases();
      return { header: header(ctx, r.revision), leases: r.ids.map((id) => ({ ID: str(id) })) };
    }),
    LeaseKeepAlive: (call: ServerDuplexStream<{ ID?: WireLong }, object>) => new KeepAliveSession(ctx, call).start(),
  };
}
