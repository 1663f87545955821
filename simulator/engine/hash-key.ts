// The hash that places a key on a shard, partition or consistent-hash backend. One definition for
// the engine and the analytic solver, so both put a Zipf-hot key on the same node.

/** A well-mixed non-negative hash of a key (Knuth's multiplicative hash, then a murmur finalizer). */
export function hashKey(k: number): number {
  let h = Math.imul(k + 1, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * The shard (or bucket) of key `k` among `n`: by hash, or by range of the key space [0, keySpace).
 * One definition for the engine, the analytic solver and the reference app's router.
 */
export function shardOf(k: number, n: number, byRange: boolean, keySpace: number): number {
  if (n === 1) return 0;
  return byRange ? Math.min(n - 1, Math.floor((k * n) / keySpace)) : hashKey(k) % n;
}
