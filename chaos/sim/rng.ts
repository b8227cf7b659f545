// The simulator's only source of randomness. One seed decides everything: the cluster,
// the fault schedule, the network's whims and each member's election timeouts (every
// RaftNode gets a fork of this generator as its `Rng`). Same seed, same run, bit for bit.
import type { Rng } from '../../store/raft/types.js';

/** splitmix32: spreads a small integer seed over 32 bits so seeds 1, 2, 3 start far apart. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, from PractRand): 128 bits of
 * state, passes BigCrush, and needs only 32-bit integer arithmetic, which V8 does fast.
 */
export class SimRng implements Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`SimRng: seed must be an integer, got ${seed}`);
    let s = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(s);
      s = next;
      words.push(out);
    }
    [this.#a, this.#b, this.#c, this.#d] = words as [number, number, number, number];
    // The first outputs of a freshly seeded sfc32 are weakly mixed; burn a few.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const a = this.#a, b = this.#b, c = this.#c, d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). Part of the `Rng` interface the core uses for election timeouts. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new Error(`SimRng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    if (hi < lo) throw new Error(`SimRng.range: empty range [${lo}, ${hi}]`);
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SimRng.pick: no items');
    return items[this.int(items.length)] as T;
  }

  /** Picks an index with probability proportional to its weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += Math.max(0, w);
    if (total <= 0) throw new Error('SimRng.weighted: all weights are zero');
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= Math.max(0, weights[i] as number);
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** An independent stream derived from this one (e.g. one per member). */
  fork(): SimRng {
    return new SimRng(this.nextU32() | 0);
  }
}
