// Seeded sampling of the scenario's distributions inside reference-app processes, reusing the
// simulator's own samplers and random streams, so a replica injects service times drawn exactly the
// way the simulator draws them. Each process gets its own stream: (scenario seed, process name).
import { Sampler } from "../simulator/random.ts";
import { Rng } from "../simulator/random.ts";
// Deep imports on purpose: the model's index pulls in effect's Schema, seconds of start-up for
// every replica and worker on a loaded 2-core machine.
import { meanOf as modelMean } from "../simulator/model/index.ts";
import type { Dist } from "../simulator/model/index.ts";

export type { Dist };
export type DistLike = Dist;
export { Rng };

/** The random stream of one reference-app process (replication 0 of the run's seed). */
export function streamFor(seed: number, process: string): Rng {
  return new Rng(seed, 0, `reference-app:${process}`);
}

// Samplers precompute their parameters; the plan's distribution objects live as long as the process.
const samplers = new WeakMap<Dist, Sampler>();

/** One draw from `d`, in seconds. */
export function sample(d: Dist, rng: Rng): number {
  let s = samplers.get(d);
  if (!s) {
    s = new Sampler(d);
    samplers.set(d, s);
  }
  return s.sample(rng);
}

/** The mean, for settings that take one number (a replica's apply delay). */
export function meanOf(d: Dist): number {
  return modelMean(d);
}
