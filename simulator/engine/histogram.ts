// Latency histogram with bounded relative error: logarithmic buckets of ratio gamma = 1.0202, so
// any quantile read from it is within 1% of an observed value (the DDSketch construction). Values
// from 0.1 µs to about 10^6 s; below that they count in bucket 0, above it in the last bucket.
// Mean and max are exact. Memory is fixed (about 12 KB), whatever the number of samples.

const ALPHA = 0.01;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const INV_LOG_GAMMA = 1 / Math.log(GAMMA);
const MIN_VALUE = 1e-7;
const LOG_MIN = Math.log(MIN_VALUE);
export const BUCKETS = Math.ceil((Math.log(1e6) - LOG_MIN) * INV_LOG_GAMMA) + 2;

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;
  min = Infinity;
  private lo = BUCKETS;
  private hi = -1;

  record(x: number): void {
    let i = x <= MIN_VALUE ? 0 : ((Math.log(x) - LOG_MIN) * INV_LOG_GAMMA + 1) | 0;
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
    this.count++;
    this.sum += x;
    if (x > this.max) this.max = x;
    if (x < this.min) this.min = x;
  }

  mean(): number {
    return this.count > 0 ? this.sum / this.count : NaN;
  }

  /** The q-quantile (0..1), within 1% relative error; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = q * (this.count - 1);
    let seen = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += this.counts[i];
      if (seen > rank) {
        if (i === 0) return Math.min(this.min, MIN_VALUE);
        // The bucket's value that is within ALPHA of both its edges, clamped to what was observed.
        const v = (2 * Math.exp(LOG_MIN + (i - 1) / INV_LOG_GAMMA) * GAMMA) / (1 + GAMMA);
        return Math.min(Math.max(v, this.min), this.max);
      }
    }
    return this.max;
  }

  reset(): void {
    if (this.hi >= this.lo) this.counts.fill(0, this.lo, this.hi + 1);
    this.lo = BUCKETS;
    this.hi = -1;
    this.count = 0;
    this.sum = 0;
    this.max = 0;
    this.min = Infinity;
  }

  merge(other: Histogram): void {
    for (let i = other.lo; i <= other.hi; i++) this.counts[i] += other.counts[i];
    if (other.count > 0) {
      this.lo = Math.min(this.lo, other.lo);
      this.hi = Math.max(this.hi, other.hi);
    }
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
  }
}
