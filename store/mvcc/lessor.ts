// Replicated lease state (etcd server/lease/lessor.go, minus the clock). Time is not read
// here: the leader's lease clock (another module) decides a lease expired and proposes a
// revoke, which every member applies in log order like any write. What must survive a
// leader change is replicated: the granted TTL and the remaining TTL last checkpointed
// (etcd LeaseCheckpoint), so a new leader does not hand every lease a fresh full TTL.

import type { LeaseId, LeaseStatus } from './types.js';
import { invariant } from './errors.js';

export interface LeaseState {
  readonly id: LeaseId;
  /** Granted TTL (after raising to the minimum), seconds. */
  readonly ttlSeconds: number;
  /** Remaining TTL at the last checkpoint, seconds; 0 = none (the full TTL applies). */
  remainingTtlSeconds: number;
  /** Key strings (bytes.ts) of the keys attached: live keys whose latest put named this lease. */
  readonly keys: Set<string>;
}

export class Lessor {
  readonly #leases = new Map<LeaseId, LeaseState>();

  get size(): number {
    return this.#leases.size;
  }

  get(id: LeaseId): LeaseState | undefined {
    return this.#leases.get(id);
  }

  grant(id: LeaseId, ttlSeconds: number, remainingTtlSeconds = 0): LeaseState {
    invariant(!this.#leases.has(id), `lease ${id} granted twice`);
    const lease: LeaseState = { id, ttlSeconds, remainingTtlSeconds, keys: new Set() };
    this.#leases.set(id, lease);
    return lease;
  }

  remove(id: LeaseId): void {
    const lease = this.#leases.get(id);
    invariant(lease !== undefined && lease.keys.size === 0, `lease ${id} removed while holding keys`);
    this.#leases.delete(id);
  }

  attach(id: LeaseId, key: string): void {
    const lease = this.#leases.get(id);
    invariant(lease !== undefined, `attach to missing lease ${id}`);
    lease.keys.add(key);
  }

  detach(id: LeaseId, key: string): void {
    const lease = this.#leases.get(id);
    invariant(lease !== undefined && lease.keys.delete(key), `detach of a key not attached to lease ${id}`);
  }

  /** Leases in ID order (etcd lists by expiry, which only the leader's clock knows). */
  list(): LeaseStatus[] {
    return [...this.#leases.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((l) => ({ id: l.id, grantedTtlSeconds: l.ttlSeconds, remainingTtlSeconds: l.remainingTtlSeconds }));
  }
}
