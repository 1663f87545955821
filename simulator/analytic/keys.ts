// Where a class's request keys land: its share on each database shard and queue partition, with
// the simulator's own placement (hash of the key, or the key range), so a Zipf-hot shard is seen.
// The hash is the engine's own (engine/hash-key.ts); tests compare per-shard throughputs with it.
import { KeySampler } from "../engine/zipf.ts";
import { shardOf } from "../engine/hash-key.ts";

export interface KeyDist {
  readonly count: number;
  /** Zipf exponent; 0 for uniform popularity. */
  readonly s: number;
}


const memo = new Map<string, Float64Array>();

/** Share of a class's requests on each of n buckets; a class without keys always uses key 0. */
export function bucketShares(keys: KeyDist | undefined, n: number, by: "hash" | "range", keySpace: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) { out[0] = 1; return out; }
  const id = `${keys?.count ?? 0}|${keys?.s ?? 0}|${n}|${by}|${keySpace}`;
  const known = memo.get(id);
  if (known) return known;
  const bucket = (k: number) => shardOf(k, n, by === "range", keySpace);
  if (!keys) out[bucket(0)] = 1;
  else {
    const p = keys.s === 0 ? null : KeySampler.probabilities(keys.count, keys.s);
    for (let k = 0; k < keys.count; k++) out[bucket(k)] += p ? p[k] : 1 / keys.count;
  }
  memo.set(id, out);
  return out;
}
