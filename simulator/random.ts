// The simulator's random parts for code outside the engine: the seeded streams, the distribution
// samplers and the Zipf key sampler, so the k6 scripts, sweep designs and fuzz corpora draw exactly
// what the simulator draws (one implementation, one set of tests). Browser-safe and free of
// Node and of Effect, so esbuild bundles it into k6 scripts (ES2017, checked by
// k6/bundle-level.test.ts); importing simulator/index.ts there would pull in the scenario parser.
import { Rng, type Uniform } from "./engine/rng.ts";

export { Rng, hashString, type Uniform } from "./engine/rng.ts";
export { Sampler } from "./engine/distributions.ts";
export { KeySampler } from "./engine/zipf.ts";
// the key -> bucket hash the simulator places keys with (shards, partitions): the reference app
// places them with the same function so a key lands in the same place in both
export { hashKey, shardOf } from "./engine/hash-key.ts";
// the scenario's arrival-rate profile (stages, sine, steps) as the engine integrates it: drivers
// outside the simulator draw their Poisson arrivals from the same profile
export { RateProfile } from "./engine/profile.ts";

/** A seeded stream as a function: uniform on (0, 1), the same numbers for the same seed and name. */
export function seededUniform(seed: number, stream: string): () => number {
  const rng = new Rng(seed, 0, stream);
  return () => rng.next();
}

/**
 * Math.random as a sampler's source, for k6 VUs (which have no seed): 0 is redrawn, since
 * Math.random's range [0, 1) includes it and the samplers take logs of their draws.
 */
export const mathRandom: Uniform = {
  next(): number {
    let u = Math.random();
    while (u === 0) u = Math.random();
    return u;
  },
};
