// Latency histogram with the same buckets as the Go load generator (loadgen/main.go):
// 1 µs buckets below 1 ms, then buckets growing by 1% up to 10 minutes. Percentiles are
// read from the whole measured phase; a bucket reports its upper bound.
const LINEAR_BUCKETS_US = 1000;
const LOG_GROWTH = 1.01;
const LOG_OF_GROWTH = Math.log(LOG_GROWTH);
const LOG_BUCKETS = Math.ceil(Math.log(600e6 / LINEAR_BUCKETS_US) / Math.log(LOG_GROWTH)) + 1;

export class LatencyHistogram {
  readonly #counts = new Float64Array(LINEAR_BUCKETS_US + LOG_BUCKETS);
  count = 0;
  #sumUs = 0;
  maxUs = 0;

  record(us: number): void {
    const v = Math.max(0, Math.round(us));
    let b: number;
    if (v < LINEAR_BUCKETS_US) b = v;
    else b = LINEAR_BUCKETS_US + Math.min(LOG_BUCKETS - 1, Math.floor(Math.log(v / LINEAR_BUCKETS_US) / LOG_OF_GROWTH));
    this.#counts[b]! += 1;
    this.count += 1;
    this.#sumUs += v;
    if (v > this.maxUs) this.maxUs = v;
  }

  /** The latency (ms) at quantile q in [0, 1]; 0 when empty. */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let b = 0; b < this.#counts.length; b++) {
      seen += this.#counts[b]!;
      if (this.#counts[b]! > 0 && seen >= rank) return upperUs(b) / 1000;
    }
    return this.maxUs / 1000;
  }

  summaryMs(): Record<string, number> {
    return {
      p50: this.quantileMs(0.5), p90: this.quantileMs(0.9), p99: this.quantileMs(0.99), p999: this.quantileMs(0.999),
      max: this.maxUs / 1000, mean: this.count === 0 ? 0 : this.#sumUs / this.count / 1000,
    };
  }
}

function upperUs(b: number): number {
  return b < LINEAR_BUCKETS_US ? b : LINEAR_BUCKETS_US * LOG_GROWTH ** (b - LINEAR_BUCKETS_US + 1);
}

/** Quantile of plain numbers by nearest rank (for small samples such as per-kill outages). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** Median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
