// A cache's result section: its hit ratio, hits over gets, per replication.
import { C_HITS, C_MISSES } from "../../engine/codes.ts";
import { estimate } from "../../engine/stats.ts";
import type { ResultContext } from "../kind.ts";

export function cacheResult({ reps, component: ci }: ResultContext): Record<string, unknown> {
  return {
    hitRatio: estimate(reps.map((rep) => {
      const d = 0 + rep.components[ci].counts[C_HITS] + rep.components[ci].counts[C_MISSES];
      return d > 0 ? rep.components[ci].counts[C_HITS] / d : NaN;
    })),
  };
}
