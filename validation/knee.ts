// The saturation knee seen in the levels that were run, predicted and measured by the same rule:
// a level is past the knee when a class's p99 exceeds the SLO's p99, the error rate exceeds the SLO's,
// or the summed throughput falls below the offered rate by more than 3% and more than three
// standard deviations of a Poisson count over the window (a short window at a low rate counts
// ±5% by chance alone). The levels only bracket the
// knee (highest rate before it, lowest rate past it); `--knee` (knee-search.ts) measures it.
import type { Row } from "./compare.ts";

export interface KneeBracket {
  /** highest level rate not past the knee, null when every level was past it */
  below: number | null;
  /** lowest level rate past the knee, null when no level reached it */
  above: number | null;
}

export interface Knee {
  rule: string;
  predicted: KneeBracket;
  measured: KneeBracket;
}

type Side = "predicted" | "measured";

function past(rows: readonly Row[], rate: number, side: Side, slo: { p99?: number; errorRate?: number }, windowS: number): boolean {
  let throughput = 0;
  for (const r of rows) {
    const v = r[side];
    if (v === null) continue;
    if (r.metric === "throughput") throughput += v;
    if (r.metric === "p99" && slo.p99 !== undefined && v > slo.p99) return true;
    if (r.metric === "errorRate" && slo.errorRate !== undefined && v > slo.errorRate) return true;
  }
  const tol = Math.max(0.03, 3 / Math.sqrt(rate * windowS));
  return throughput < (1 - tol) * rate;
}

export function findKnee(levels: ReadonlyArray<{ rate: number; rows: readonly Row[]; error?: string }>, slo: { p99?: number; errorRate?: number }, windowS: number): Knee {
  const measuredLevels = [...levels].filter((l) => !l.error).sort((a, b) => a.rate - b.rate);
  const bracket = (side: Side): KneeBracket => {
    let below: number | null = null;
    let above: number | null = null;
    for (const l of measuredLevels) {
      if (past(l.rows, l.rate, side, slo, windowS)) {
        above ??= l.rate;
      } else if (above === null) below = l.rate;
    }
    return { below, above };
  };
  const rule = `p99 > ${slo.p99 ?? "∞"} ms, error rate > ${slo.errorRate ?? "∞"}, or throughput below the offered rate by more than max(3%, 3 Poisson sd over ${windowS} s)`;
  return { rule, predicted: bracket("predicted"), measured: bracket("measured") };
}
