// Per-component counters, indices into ComponentStats.counts (engine/simulation.ts). Apart from the
// engine so a kind's result section (components/<kind>/result.ts) reads them without importing
// the engine.
export const C_HITS = 0, C_MISSES = 1, C_READS = 2, C_WRITES = 3, C_REPLICA_READS = 4, C_STALE = 5,
  C_PUBLISHED = 6, C_PROCESSED = 7, C_DEAD = 8, C_DROPPED_HEAD = 9, C_REJECTED = 10, C_RETRIES = 11,
  C_TIMEOUTS = 12, C_SHORT_CIRCUITED = 13, C_BUDGET_DENIED = 14, C_BREAKER_OPENED = 15, C_RATE_LIMITED = 16,
  /** Database: acknowledged writes a failover lost (acknowledged within the replication lag before the primary failed). */
  C_LOST_WRITES = 17,
  /** Functions: invocations that started on a new (or still starting) instance, and on a warm one. */
  C_FN_COLD = 18, C_FN_WARM = 19,
  /** Functions: invocations refused (429) because every slot of every instance was taken. */
  C_FN_THROTTLED = 20, C_COUNTERS = 21;
