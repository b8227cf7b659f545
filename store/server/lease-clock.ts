// The leader's lease clock. Lease state (who exists, which keys are attached, checkpointed
// remaining TTLs) is replicated; *time* is not: only the leader decides that a lease
// expired, and proposes its revocation (as etcd's lessor does). A new leader starts every
// lease from its checkpointed remaining TTL, so leases survive leader changes without
// being shortened or restarted from scratch.
import type { MvccStore } from '../mvcc/index.js';

export class LeaseClock {
  readonly #expiresAtMs = new Map<bigint, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Leadership gained: (re)start every lease from the replicated remaining TTL. */
  startFrom(store: MvccStore, extraMs: number): void {
    this.#expiresAtMs.clear();
    const now = this.#now();
    for (const l of store.leaseLeases().leases) {
      const ttl = store.leaseTimeToLive(l.id, false);
      if (ttl.ttlSeconds >= 0) this.#expiresAtMs.set(l.id, now + ttl.ttlSeconds * 1000 + extraMs);
    }
  }

  /** A grant or renewal was applied. */
  restart(id: bigint, ttlSeconds: number): void {
    this.#expiresAtMs.set(id, this.#now() + ttlSeconds * 1000);
  }

  forget(id: bigint): void {
    this.#expiresAtMs.delete(id);
  }

  remainingSeconds(id: bigint): number | undefined {
    const at = this.#expiresAtMs.get(id);
    if (at === undefined) return undefined;
    return Math.max(0, Math.ceil((at - this.#now()) / 1000));
  }

  /** Leases whose time ran out, at most `max` (revocations are rate-limited like etcd's). */
  expired(max: number): bigint[] {
    const now = this.#now();
    const out: bigint[] = [];
    for (const [id, at] of this.#expiresAtMs) {
      if (out.length >= max) break;
      if (at <= now) out.push(id);
    }
    return out;
  }

  /** Remaining TTLs to replicate, at most `max` per checkpoint entry. */
  checkpoints(max: number): { id: bigint; remainingTtlSeconds: number }[] {
    const out: { id: bigint; remainingTtlSeconds: number }[] = [];
    for (const id of this.#expiresAtMs.keys()) {
      if (out.length >= max) break;
      out.push({ id, remainingTtlSeconds: this.remainingSeconds(id)! });
    }
    return out;
  }
}
