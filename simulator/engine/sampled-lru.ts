// Redis's approximated LRU (maxmemory-policy allkeys-lru), so a cache that says `eviction: sampled`
// loses the keys Redis would lose, not the ones an exact LRU would. What Redis does (src/evict.c):
//   - each key remembers its last access on the LRU clock, which counts whole seconds
//     (LRU_CLOCK_RESOLUTION 1000 ms), so accesses within one second tie;
//   - to evict, it samples `maxmemory-samples` keys (default 5) into a pool of 16 candidates kept
//     across evictions, sorted by the idle time measured when each was sampled; it then evicts the
//     candidate with the largest idle time that still exists, even if it was read since it was
//     pooled (the pool's idle times are never refreshed).
// Trade-offs: Redis samples with dictGetSomeKeys (a walk over a random run of hash buckets); this
// draws each sample uniformly over the keys present (with replacement), which is what that walk
// approximates on a well-spread dict. O(samples + 16) per eviction, O(1) otherwise; typed arrays,
// nothing allocated after construction. Same interface as LruCache.
import type { Rng } from "./rng.ts";

/** Redis's EVPOOL_SIZE. */
export const EVICTION_POOL = 16;

export class SampledLruCache {
  private readonly slotOf: Int32Array; // key -> slot, -1 when absent
  private readonly keyOf: Int32Array; // slots 0..used-1 are dense, so a sample is one random index
  private readonly storedAt: Float64Array;
  private readonly touched: Float64Array; // LRU clock (whole seconds) of the last access
  private readonly poolKey: Int32Array; // ascending idle left to right; -1 empty
  private readonly poolIdle: Float64Array;
  private used = 0;
  readonly capacity: number;
  private readonly ttl: number;
  private readonly samples: number;
  private readonly rng: Rng;
  evictions = 0;
  expirations = 0;

  constructor(capacity: number, keySpace: number, ttl: number, samples: number, rng: Rng) {
    this.capacity = capacity;
    this.ttl = ttl;
    this.samples = samples;
    this.rng = rng;
    this.slotOf = new Int32Array(keySpace).fill(-1);
    const n = Math.min(capacity, keySpace);
    this.keyOf = new Int32Array(n);
    this.storedAt = new Float64Array(n);
    this.touched = new Float64Array(n);
    this.poolKey = new Int32Array(EVICTION_POOL).fill(-1);
    this.poolIdle = new Float64Array(EVICTION_POOL);
  }

  get size(): number {
    return this.used;
  }

  /** True on a hit (the key's access clock moves to now); an expired entry is removed and misses. */
  get(key: number, now: number): boolean {
    const slot = this.slotOf[key];
    if (slot < 0) return false;
    if (now - this.storedAt[slot] >= this.ttl) {
      this.expirations++;
      this.remove(slot);
      return false;
    }
    this.touched[slot] = Math.floor(now);
    return true;
  }

  set(key: number, now: number): void {
    let slot = this.slotOf[key];
    if (slot < 0) {
      if (this.used >= this.keyOf.length) this.evict(now);
      slot = this.used++;
      this.keyOf[slot] = key;
      this.slotOf[key] = slot;
    }
    this.storedAt[slot] = now;
    this.touched[slot] = Math.floor(now);
  }

  delete(key: number): void {
    const slot = this.slotOf[key];
    if (slot >= 0) this.remove(slot);
  }

  /** Empties the cache (a flush, or a node lost and back cold); the pool's entries no longer exist. */
  clear(): void {
    for (let s = 0; s < this.used; s++) this.slotOf[this.keyOf[s]] = -1;
    this.used = 0;
    this.poolKey.fill(-1);
  }

  /** Populate the pool from fresh samples, then evict its best candidate that still exists. */
  private evict(now: number): void {
    const clock = Math.floor(now);
    for (;;) {
      this.populate(clock);
      for (let k = EVICTION_POOL - 1; k >= 0; k--) {
        const key = this.poolKey[k];
        if (key < 0) continue;
        this.poolKey[k] = -1; // taken out of the pool whether or not it still exists
        const slot = this.slotOf[key];
        if (slot < 0) continue;
        this.remove(slot);
        this.evictions++;
        return;
      }
    }
  }

  /** evictionPoolPopulate: insert each sampled key in idle order, dropping the pool's best-kept ones. */
  private populate(clock: number): void {
    const pk = this.poolKey, pi = this.poolIdle, last = EVICTION_POOL - 1;
    for (let j = 0; j < this.samples; j++) {
      const slot = Math.floor(this.rng.next() * this.used);
      const idle = clock - this.touched[slot];
      let k = 0;
      while (k < EVICTION_POOL && pk[k] >= 0 && pi[k] < idle) k++;
      if (k === 0 && pk[last] >= 0) continue; // no better than the worst candidate of a full pool
      if (k < EVICTION_POOL && pk[k] < 0) {
        // an empty bucket: nothing to shift
      } else if (pk[last] < 0) {
        pk.copyWithin(k + 1, k, last); // room on the right: shift right from k
        pi.copyWithin(k + 1, k, last);
      } else {
        k--; // full: shift left, dropping the entry with the smallest idle time
        pk.copyWithin(0, 1, k + 1);
        pi.copyWithin(0, 1, k + 1);
      }
      pk[k] = this.keyOf[slot];
      pi[k] = idle;
    }
  }

  /** Swap-remove: the last slot moves into the hole, so slots stay dense. */
  private remove(slot: number): void {
    this.slotOf[this.keyOf[slot]] = -1;
    const lastSlot = --this.used;
    if (slot !== lastSlot) {
      const moved = this.keyOf[lastSlot];
      this.keyOf[slot] = moved;
      this.storedAt[slot] = this.storedAt[lastSlot];
      this.touched[slot] = this.touched[lastSlot];
      this.slotOf[moved] = slot;
    }
  }
}
