// A CDN's result section: it holds no unit of any resource, so it has no servers to be busy, its
// throughput is the requests it answers (hits and misses) and its hit ratio is hits over lookups.
import { C_HITS, C_MISSES } from "../../engine/codes.ts";
import { estimate } from "../../engine/stats.ts";
import type { ResultContext } from "../kind.ts";

export function cdnResult({ reps, component: ci }: ResultContext): Record<string, unknown> {
  return {
    servers: null,
    throughput: estimate(reps.map((rep) => (rep.components[ci].counts[C_HITS] + rep.components[ci].counts[C_MISSES]) / rep.window)),
    hitRatio: estimate(reps.map((rep) => {
      const d = rep.components[ci].counts[C_HITS] + rep.components[ci].counts[C_MISSES];
      return d > 0 ? rep.components[ci].counts[C_HITS] / d : NaN;
    })),
  };
}
