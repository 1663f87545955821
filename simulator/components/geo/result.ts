// A geo route's result figure: the requests it sent to another region than their origin's, which
// the kernel counts per origin (OriginStats.failedOver, when OP_GEO picks an entry past the first)
// and the per-region section of the result reports (regions.<origin>.counts.failedOver). A geo
// route has no component entry of its own: it holds no units.
import type { OriginStats } from "../../engine/simulation.ts";

/** Completed requests of one origin, over the replications, that a geo route sent elsewhere. */
export function failedOver(perReplication: readonly OriginStats[]): number {
  return perReplication.reduce((a, x) => a + x.failedOver, 0);
}
