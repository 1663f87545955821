// While a run goes on: replication 0's intervals as the worker simulates them (it posts them every
// 500 ms, the interval in progress as the last point, marked by a hollow dot until the whole
// interval replaces it), drawn on the charts' own time axis over the whole run, under a banner
// saying the result is partial. Latency and throughput: the charts that need nothing but the series (the
// others need the result's figures: utilization each component's servers, errors the counts).
import { useMemo } from "react";
import { downsample } from "./downsample.ts";
import { InProgressContext, LatencyChart, ThroughputChart, type RunFrame } from "./Charts.tsx";
import { wholeIntervals, withLastOf } from "./partial-point.ts";
import type { Partial } from "./sim-client.ts";
import { num } from "./format.ts";
import { Staggered } from "./Staggered.tsx";

const LIVE_POINTS = 150;

export function LiveCharts({ partial, progress }: { partial: Partial; progress: number }) {
  // half the finished charts' points: redrawn every 500 ms while the worker runs, each redraw stays short
  // the interval in progress stays a point of its own, out of the merging
  const series = useMemo(() => (partial.inProgress
    ? withLastOf(downsample(wholeIntervals(partial.series), LIVE_POINTS - 1).series, partial.series)
    : downsample(partial.series, LIVE_POINTS).series), [partial]);
  const frame: RunFrame = { run: { durationS: partial.durationS, warmupS: partial.warmupS }, series: partial.series };
  const upTo = partial.series.t.at(-1) ?? 0;
  return (
    <section className="results live" data-testid="live-results">
      <div className="banner info" data-testid="partial-banner">
        <strong>Partial result:</strong>{" "}
        {upTo >= partial.durationS - 1e-9 && partial.replications > 1
          ? <>replication 1 of {partial.replications} simulated ({num(partial.durationS)} s); the other {partial.replications - 1} are running ({(progress * 100).toFixed(0)}% of the run).</>
          : <>replication 1{partial.replications > 1 ? ` of ${partial.replications}` : ""} simulated up to {num(upTo)} s of {num(partial.durationS)} s ({(progress * 100).toFixed(0)}% of the run).</>}
        {partial.inProgress && <> The hollow dot is the interval in progress, so far.</>}
        {" "}Tables, 95% bands and the other charts come when the run ends.
      </div>
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
