// The simulated network between members: every message is delayed, and may be dropped,
// duplicated or held back long enough to arrive after later ones (reordering). Links are
// directional, so a partition of any shape, including a one-way link (a hears b, b does
// not hear a), is a set of blocked (from, to) pairs. A partition also cuts messages already
// in flight: a blocked link is checked again when a message would arrive.
import type { Message, NodeId } from '../../store/raft/types.js';
import type { SimLimits } from './limits.js';
import type { SimRng } from './rng.js';

/** How the network behaves right now; the fault schedule changes it over time. */
export interface Weather {
  /** Probability a message is lost. */
  dropRate: number;
  /** Probability a message is delivered twice (each copy with its own delay). */
  dupRate: number;
  /** Probability a message is "slow": delayed up to slowDelayUnitsMax, so it overtakes nothing and is overtaken. */
  slowRate: number;
}

export const CALM: Readonly<Weather> = Object.freeze({ dropRate: 0, dupRate: 0, slowRate: 0 });

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  blocked: number;
  overflowed: number;
}

export class Network {
  weather: Weather = { ...CALM };
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, blocked: 0, overflowed: 0 };
  readonly #blocked = new Set<string>();
  #inflight = 0;

  constructor(
    private readonly rng: SimRng,
    private readonly limits: SimLimits,
    /** Puts a copy of `m` on the agenda to arrive `delayUnits` from now. */
    private readonly schedule: (delayUnits: number, m: Message) => void,
  ) {}

  get inflight(): number {
    return this.#inflight;
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.#blocked.size > 0 && this.#blocked.has(`${from}>${to}`);
  }

  /** Blocks the one-way link from -> to. */
  cut(from: NodeId, to: NodeId): void {
    if (from !== to) this.#blocked.add(`${from}>${to}`);
  }

  /** Blocks every link between different groups, both ways (members in no group are untouched). */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (let g = 0; g < groups.length; g++) {
      for (let h = 0; h < groups.length; h++) {
        if (g === h) continue;
        for (const a of groups[g] as NodeId[]) for (const b of groups[h] as NodeId[]) this.cut(a, b);
      }
    }
  }

  heal(): void {
    this.#blocked.clear();
  }

  get blockedLinks(): number {
    return this.#blocked.size;
  }

  /** Hands a message to the network; it decides how many copies arrive and when. */
  send(m: Message): void {
    this.stats.sent++;
    if (this.isBlocked(m.from, m.to)) {
      this.stats.blocked++;
      return;
    }
    if (this.rng.chance(this.weather.dropRate)) {
      this.stats.dropped++;
      return;
    }
    this.#enqueue(m);
    if (this.rng.chance(this.weather.dupRate)) {
      this.stats.duplicated++;
      this.#enqueue(m);
    }
  }

  /** Called when a copy reaches its arrival time: false if the link was cut meanwhile. */
  arrive(m: Message): boolean {
    this.#inflight--;
    if (this.isBlocked(m.from, m.to)) {
      this.stats.blocked++;
      return false;
    }
    this.stats.delivered++;
    return true;
  }

  #enqueue(m: Message): void {
    if (this.#inflight >= this.limits.maxInflightMessages) {
      this.stats.overflowed++;
      return;
    }
    this.#inflight++;
    const slow = this.rng.chance(this.weather.slowRate);
    const max = slow ? this.limits.slowDelayUnitsMax : this.limits.delayUnitsMax;
    this.schedule(this.rng.range(this.limits.delayUnitsMin, max), m);
  }
}
