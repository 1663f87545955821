// Latency histogram with bounded relative error: log-linear buckets read straight from the bits of
// the double (the HdrHistogram construction): each power of two is split into 128 equal buckets, so
// a quantile read at a bucket's middle is within 0.4% of an observed value; no Math.log per sample.
// Values from about 6e-8 s to 1e6 s; below in bucket 0, above in the last one. Mean and max are
// exact. Memory is fixed (about 23 KB), whatever the number of samples.
// The parts of one latency (a pool's replicas) may share one counts array, each keeping its own
// count, sum, min and max: hundreds of 23 KB histograms, one per replica, made each record a cache
// miss, and the result only reads a pool's latency, never a replica's (Histogram.ofParts).

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const MIN_EXP = 1023 - 24; // 2^-24 s ≈ 6e-8 s
const MAX_EXP = 1023 + 20; // 2^20 s ≈ 1e6 s
export const BUCKETS = (MAX_EXP - MIN_EXP) * SUB + 1;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// The high word of a little-endian double is u32[1]; on a big-endian host it is u32[0].
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function bucketOf(x: number): number {
  f64[0] = x;
  const hi = u32[HI];
  const exp = (hi >>> 20) & 0x7ff;
  if (exp < MIN_EXP) return 0;
  if (exp >= MAX_EXP) return BUCKETS - 1;
  return (exp - MIN_EXP) * SUB + ((hi >>> (20 - SUB_BITS)) & (SUB - 1)) + 1;
}

/** The middle of bucket i (i >= 1). */
function bucketMiddle(i: number): number {
  const k = i - 1;
  const exp = Math.floor(k / SUB) + MIN_EXP - 1023;
  return Math.pow(2, exp) * (1 + ((k % SUB) + 0.5) / SUB);
}

export class Histogram {
  /** Per bucket; possibly shared with other parts of one latency (then read it only through ofParts). */
  readonly counts: Uint32Array;
  count = 0;
  sum = 0;
  max = 0;
  min = Infinity;
  private lo = BUCKETS;
  private hi = -1;

  constructor(counts: Uint32Array = new Uint32Array(BUCKETS)) {
    this.counts = counts;
  }

  /**
   * The histogram of a latency recorded by several parts (in this order), each array of counts
   * shared by some of them read once: byte for byte the merge of one unshared histogram per part.
   * The parts must include every histogram that shares their counts.
   */
  static ofParts(parts: ReadonlyArray<Histogram>): Histogram {
    const h = new Histogram();
    for (const x of parts) h.mergeMoments(x);
    const seen = new Set<Uint32Array>();
    for (const x of parts) {
      if (seen.has(x.counts)) continue;
      seen.add(x.counts);
      for (let i = h.lo; i <= h.hi; i++) h.counts[i] += x.counts[i];
    }
    return h;
  }

  record(x: number): void {
    const i = x > 0 ? bucketOf(x) : 0;
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

  /** The q-quantile (0..1), within 0.4% relative error; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = q * (this.count - 1);
    let seen = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += this.counts[i];
      if (seen > rank) {
        if (i === 0) return this.min;
        // The bucket's middle, clamped to what was observed.
        return Math.min(Math.max(bucketMiddle(i), this.min), this.max);
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
    this.mergeMoments(other);
  }

  /** Everything but the counts: the occupied bin range, count, sum, max and min. */
  private mergeMoments(other: Histogram): void {
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
