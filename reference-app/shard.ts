// Which shard of a sharded database holds a key: the simulator's own function (engine/hash-key.ts
// shardOf) read with the plan's shard count, hash or range, and key space, so a key lands on the
// same shard in the model and in the app. Its own module so that the service processes import it
// without the model's schema (effect), which the plan module pulls in.
import { shardOf } from "../simulator/random.ts";

export interface ShardReading {
  readonly shards: number;
  readonly byRange: boolean;
  readonly keySpace: number;
}

export function shardOfKey(db: ShardReading, key: number): number {
  return shardOf(key, db.shards, db.byRange, db.keySpace);
}
