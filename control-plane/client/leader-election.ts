// Leader election on a coordination.k8s.io/v1 Lease, with client-go's leaderelection semantics:
// - a candidate acquires when the Lease is absent, names no holder, names us, or has not changed for
//   the lease duration as observed on OUR clock since we last saw it change (observedTime): clocks
//   of different machines are never compared;
// - every write is a compare-and-swap: the update carries the resourceVersion we read;
// - the holder renews every retryPeriod; it stops acting as soon as it has gone renewDeadline without
//   a successful renew (a timer fences it: the AbortSignal given to onStartedLeading aborts and
//   isLeader() turns false, even while a renew request hangs). The deadline counts from when the
//   renewing attempt STARTED, and others wait leaseDuration from when they SAW the write, so with
//   renewDeadline < leaseDuration the old holder stops before anyone else can start;
// - stop() releases the Lease (holderIdentity "", leaseDurationSeconds 1) so a standby takes over at
//   its next retry.
// Durations are ms. leaseDurationSeconds on the wire is whole seconds (rounded up); the exact ms go in
// the LEASE_DURATION_MS_ANNOTATION annotation, which electors here prefer when present.
import type { Lease, LeaseSpec, ResourceInfo } from '../api/index.js';
import { findResource } from '../api/index.js';
import { ClientConfigError, isNotFound } from './errors.js';
import { monotonicMs, sleep } from './flowcontrol.js';
import * as L from './limits.js';
import type { KubeObject, RequestOptions, WriteOptions } from './rest-client.js';

/** What the elector needs of a client; ApiClient is one. */
export interface LeaseClient {
  get<T extends KubeObject>(r: ResourceInfo, namespace: string, name: string, o?: RequestOptions): Promise<T>;
  create<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, o?: WriteOptions): Promise<T>;
  update<T extends KubeObject>(r: ResourceInfo, namespace: string, obj: T, o?: WriteOptions): Promise<T>;
}

export interface LeaderElectionOptions {
  client: LeaseClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Release the Lease on stop() (client-go ReleaseOnCancel); default true. */
  releaseOnCancel?: boolean;
  /** Called when we become leader; `signal` aborts the moment we must stop acting. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (us included), as client-go's OnNewLeader. */
  onNewLeader?: (identity: string) => void;
  onError?: (e: unknown) => void;
}

export interface LeaderElectionMetrics {
  /** Times this elector became leader. */
  acquisitions: number;
  /** Times it stopped leading (fenced, displaced, or stopped). */
  losses: number;
  renewFailures: number;
  acquireFailures: number;
  releases: number;
}

export const LEASES: ResourceInfo = (() => {
  const r = findResource('coordination.k8s.io', 'leases');
  if (r === undefined) throw new ClientConfigError('the API registry has no coordination.k8s.io leases');
  return r;
})();

/** metav1.MicroTime as Kubernetes writes it: RFC 3339 in UTC with exactly six fractional digits. */
export function formatMicroTime(epochMicros: number): string {
  const ms = Math.floor(epochMicros / 1000);
  const micros = String(Math.floor(epochMicros) % 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`;
}

/** Wall-clock now in microseconds since the epoch (for MicroTime fields only, never for timing). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export class LeaderElector {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly metrics: LeaderElectionMetrics = {
    acquisitions: 0, losses: 0, renewFailures: 0, acquireFailures: 0, releases: 0,
  };
  readonly #o: LeaderElectionOptions;
  readonly #stop = new AbortController();
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** Set while leading; aborted when we must stop acting. */
  #term: AbortController | undefined;
  #fence: ReturnType<typeof setTimeout> | undefined;
  /** The last Lease read or written, and when (our monotonic clock) its spec was last seen to change. */
  #lease: Lease | undefined;
  #observedSpec = '';
  #observedAtMs = 0;
  #leader = '';

  constructor(o: LeaderElectionOptions) {
    this.#o = o;
    this.identity = o.identity;
    this.leaseDurationMs = o.leaseDurationMs ?? L.DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = o.renewDeadlineMs ?? L.DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = o.retryPeriodMs ?? L.DEFAULT_RETRY_PERIOD_MS;
    // client-go NewLeaderElector's checks.
    if (o.identity === '') throw new ClientConfigError('leader election needs a non-empty identity');
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) {
      throw new ClientConfigError(`leaseDurationMs (${this.leaseDurationMs}) must be greater than renewDeadlineMs ` +
        `(${this.renewDeadlineMs}): the holder must stop before a standby may take over`);
    }
    if (!(this.renewDeadlineMs > this.retryPeriodMs * (1 + L.LEADER_RETRY_JITTER_FRACTION))) {
      throw new ClientConfigError(`renewDeadlineMs (${this.renewDeadlineMs}) must exceed retryPeriodMs * ` +
        `${1 + L.LEADER_RETRY_JITTER_FRACTION} (${this.retryPeriodMs})`);
    }
    if (!(this.retryPeriodMs > 0)) throw new ClientConfigError('retryPeriodMs must be > 0');
  }

  isLeader(): boolean {
    return this.#term !== undefined && !this.#term.signal.aborted;
  }

  /** The holder last observed ("" when none). */
  getLeader(): string {
    return this.#leader;
  }

  /** Starts campaigning (LeaderElector.Run) in the background; resolves when stop() has finished it. */
  run(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#loop;
  }

  /** Stops acting at once, then releases the Lease if we hold it (and releaseOnCancel). */
  async stop(): Promise<void> {
    if (this.#stopping) { await this.#loop; return; }
    this.#stopping = true;
    this.#loseLeadership();
    this.#stop.abort();
    await this.#loop;
    // Release whenever the last Lease we saw names us: a write that landed as we stopped counts too.
    if (this.#o.releaseOnCancel !== false) await this.#release();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      await this.#tryAcquireOrRenew();
      const jitter = this.isLeader() ? 0 : Math.random() * L.LEADER_RETRY_JITTER_FRACTION;
      try {
        await sleep(this.retryPeriodMs * (1 + jitter), this.#stop.signal);
      } catch {
        break;
      }
    }
  }

  /** One round of client-go's tryAcquireOrRenew. */
  async #tryAcquireOrRenew(): Promise<void> {
    const startMs = monotonicMs();
    const leading = this.isLeader();
    const req = { timeoutMs: this.renewDeadlineMs };
    let lease: Lease;
    try {
      lease = await this.#o.client.get<Lease>(LEASES, this.#o.namespace, this.#o.name, req);
    } catch (e) {
      if (!isNotFound(e)) { this.#failed(leading, e); return; }
      try {
        const created = await this.#o.client.create<Lease>(LEASES, this.#o.namespace, this.#newLease(undefined), req);
        this.#succeeded(created, startMs);
      } catch (e2) {
        this.#failed(leading, e2);
      }
      return;
    }
    this.#observe(lease);
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== '' && holder !== this.identity && this.#observedAtMs + durationMsOf(lease) > monotonicMs()) {
      // Held by someone else and still valid as far as we can tell.
      if (leading) this.#loseLeadership();
      return;
    }
    try {
      const updated = await this.#o.client.update<Lease>(LEASES, this.#o.namespace, this.#newLease(lease), req);
      this.#succeeded(updated, startMs);
    } catch (e) {
      this.#failed(leading, e);
    }
  }

  /** The Lease we write: ours, renewed now; acquireTime and leaseTransitions change only on a change of holder. */
  #newLease(current: Lease | undefined): Lease {
    const now = formatMicroTime(nowMicros());
    const old = current?.spec ?? {};
    const ours = old.holderIdentity === this.identity;
    const spec: LeaseSpec = {
      ...old,
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: ours && old.acquireTime !== undefined ? old.acquireTime : now,
      renewTime: now,
      leaseTransitions: ours ? old.leaseTransitions ?? 0 : (old.leaseTransitions ?? -1) + 1,
    };
    const metadata = { ...(current?.metadata ?? { name: this.#o.name, namespace: this.#o.namespace }) };
    metadata.annotations = {
      ...(metadata.annotations ?? {}), [L.LEASE_DURATION_MS_ANNOTATION]: String(this.leaseDurationMs),
    };
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
  }

  /** Records a Lease read; observedAt moves only when the record changed (client-go observedRawRecord). */
  #observe(lease: Lease): void {
    this.#lease = lease;
    const spec = JSON.stringify([lease.spec ?? {}, lease.metadata?.annotations?.[L.LEASE_DURATION_MS_ANNOTATION]]);
    if (spec !== this.#observedSpec) {
      this.#observedSpec = spec;
      this.#observedAtMs = monotonicMs();
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.#leader) {
      this.#leader = holder;
      if (holder !== '') this.#call(() => this.#o.onNewLeader?.(holder));
    }
  }

  #succeeded(lease: Lease, startMs: number): void {
    this.#observe(lease);
    const fenceAtMs = startMs + this.renewDeadlineMs;
    const remainingMs = fenceAtMs - monotonicMs();
    // An answer that took renewDeadline or longer, or arrives after stop(), cannot start or extend a term.
    if (remainingMs <= 0 || this.#stopping) {
      this.#failed(this.isLeader(), new Error('lease write answered after the renew deadline'));
      return;
    }
    if (this.#fence !== undefined) clearTimeout(this.#fence);
    this.#fence = setTimeout(() => this.#loseLeadership(), remainingMs);
    if (!this.isLeader()) {
      this.metrics.acquisitions++;
      this.#term = new AbortController();
      const signal = this.#term.signal;
      this.#call(() => this.#o.onStartedLeading(signal));
    }
  }

  #failed(leading: boolean, e: unknown): void {
    if (leading) this.metrics.renewFailures++;
    else this.metrics.acquireFailures++;
    this.#o.onError?.(e);
  }

  #loseLeadership(): void {
    if (this.#fence !== undefined) { clearTimeout(this.#fence); this.#fence = undefined; }
    const term = this.#term;
    if (term === undefined || term.signal.aborted) return;
    term.abort();
    this.metrics.losses++;
    this.#call(() => this.#o.onStoppedLeading?.());
  }

  /** client-go release(): an empty holder and a 1 s duration, compare-and-swapped on what we last wrote. */
  async #release(): Promise<void> {
    for (let attempt = 0; attempt < 2 && this.#lease !== undefined; attempt++) {
      const lease = this.#lease;
      if (lease.spec?.holderIdentity !== this.identity) return;
      const now = formatMicroTime(nowMicros());
      const annotations = { ...(lease.metadata?.annotations ?? {}) };
      delete annotations[L.LEASE_DURATION_MS_ANNOTATION];
      const released: Lease = { ...lease, metadata: { ...lease.metadata, annotations },
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now } };
      try {
        this.#lease = await this.#o.client.update<Lease>(LEASES, this.#o.namespace, released,
          { timeoutMs: this.renewDeadlineMs });
        this.metrics.releases++;
        return;
      } catch (e) {
        this.#o.onError?.(e);
        try {
          // Our last write may have landed unseen (a timed-out renew): re-read and try once more.
          this.#lease = await this.#o.client.get<Lease>(LEASES, this.#o.namespace, this.#o.name,
            { timeoutMs: this.renewDeadlineMs });
        } catch {
          return;
        }
      }
    }
  }

  #call(fn: () => void | Promise<void>): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((e: unknown) => this.#o.onError?.(e));
    } catch (e) {
      this.#o.onError?.(e);
    }
  }
}

/** The duration a Lease asks for: the ms annotation when valid, else leaseDurationSeconds. */
export function durationMsOf(lease: Lease): number {
  const ann = lease.metadata?.annotations?.[L.LEASE_DURATION_MS_ANNOTATION];
  const ms = ann === undefined ? NaN : Number(ann);
  if (Number.isInteger(ms) && ms > 0) return ms;
  return (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
}
