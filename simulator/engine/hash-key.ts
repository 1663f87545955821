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
