// While a run goes on: replication 0's intervals as the worker simulates them (it posts them every
// 500 ms, the interval in progress as the last point, marked by a hollow dot until the whole
// interval replaces it), drawn on the charts' own time axis over the whole run, under a banner
// saying the result is partial. Latency and throughput: the charts that need nothing but the series (the
// others need the result's figures: utilization each component's servers, errors the counts).
import { useMemo } from "react";
import { InProgressContext, LatencyChart, ThroughputChart, type RunFrame } from "./Charts.tsx";
import { liveSeries } from "./partial-point.ts";
import type { Partial } from "./sim-client.ts";
import { PartialBanner } from "./PartialBanner.tsx";
import { Staggered } from "./Staggered.tsx";

export function LiveCharts({ partial, progress }: { partial: Partial; progress: number }) {
  const series = useMemo(() => liveSeries(partial), [partial]);
  const frame: RunFrame = { run: { durationS: partial.durationS, warmupS: partial.warmupS }, series: partial.series };
  return (
    <section className="results live" data-testid="live-results">
      <PartialBanner partial={partial} progress={progress} />
      {/* one chart per task: the first one's line is not held back by the second's first drawing
          (cold, the charts' code is compiled as it first runs) */}
      <div className="charts">
        <InProgressContext.Provider value={partial.inProgress}>
          <Staggered resetKey="live" placeholderHeight={300}>
            <LatencyChart result={frame} series={series} sloMs={{}} />
            <ThroughputChart result={frame} series={series} />
          </Staggered>
        </InProgressContext.Provider>
      </div>
    </section>
  );
}
