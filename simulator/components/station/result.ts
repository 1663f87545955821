// A station's result section: nothing beyond the figures every component has (throughput,
// utilization, queue length, wait and response percentiles, wait and blocking probabilities, drops
// of a full buffer and queue timeouts), which result.ts computes from its one resource before a
// kind's section. Kept as a section so a station is registered like every kind.
import type { ResultContext } from "../kind.ts";

export function stationResult(_ctx: ResultContext): Record<string, unknown> {
  return {};
}
