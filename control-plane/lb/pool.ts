// The backends and their health, and the round-robin choice among the healthy ones. Pure:
// the health checker and the proxy report events here; nothing here does I/O.
import { type HostPort, formatHostPort } from './address.js';
import { type HealthEvent, type HealthState, INITIAL_HEALTH, type Thresholds, type Transition, stepHealth }
  from './health-state.js';

export interface Backend {
  /** `host:port`, also the `backend` label of its metrics. */
  readonly id: string;
  readonly address: HostPort;
  readonly health: HealthState;
}

interface Slot {
  id: string;
  address: HostPort;
  health: HealthState;
}

export class BackendPool {
  readonly #slots: Slot[];
  readonly #byId = new Map<string, Slot>();
  readonly #thresholds: Thresholds;
  /** Index of the backend picked last; the next pick starts after it. */
  #cursor = -1;

  constructor(addresses: readonly HostPort[], thresholds: Thresholds) {
    this.#thresholds = thresholds;
    this.#slots = addresses.map((address) => ({ id: formatHostPort(address), address, health: INITIAL_HEALTH }));
    for (const s of this.#slots) this.#byId.set(s.id, s);
  }

  get backends(): readonly Backend[] {
    return this.#slots;
  }

  get healthyCount(): number {
    let n = 0;
    for (const s of this.#slots) if (s.health.status === 'up') n++;
    return n;
  }

  isHealthy(id: string): boolean {
    return this.#byId.get(id)?.health.status === 'up';
  }

  /**
   * The next healthy backend after the last one picked, skipping `exclude` (backends this
   * connection already failed to reach). Undefined when none is left.
   */
  pick(exclude?: ReadonlySet<string>): Backend | undefined {
    const n = this.#slots.length;
    for (let i = 1; i <= n; i++) {
      const index = (this.#cursor + i) % n;
      const slot = this.#slots[index]!;
      if (slot.health.status !== 'up' || exclude?.has(slot.id) === true) continue;
      this.#cursor = index;
      return slot;
    }
    return undefined;
  }

  /** Feed one event to a backend's state machine; returns its transition, if it made one. */
  report(id: string, event: HealthEvent): Transition | null {
    const slot = this.#byId.get(id);
    if (slot === undefined) return null;
    const step = stepHealth(slot.health, event, this.#thresholds);
    slot.health = step.state;
    return step.transition;
  }
}
