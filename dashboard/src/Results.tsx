// The results area below the workbench: the last run (headline, SLO checks, tables, charts), and
// beside it the capacity curve and the what-if comparison, both computed in the worker on demand.
import { useState } from "react";
import type { SimResult } from "../../simulator/index.ts";
import type { SimClient } from "./sim-client.ts";
import { Headline, SloTable, ClassTable, ComponentTable } from "./Summary.tsx";
import { LatencyChart, ThroughputChart, ErrorsChart, ComponentChart } from "./Charts.tsx";

interface Props {
  readonly result: SimResult;
  readonly elapsedMs: number;
  readonly stale: boolean;
  readonly text: string;
  readonly client: SimClient;
}

function sloLines(result: SimResult): { p95?: number; p99?: number } {
  const out: { p95?: number; p99?: number } = {};
  for (const c of result.slo?.checks ?? []) {
    if (c.metric === "p95_ms") out.p95 = c.limit;
    if (c.metric === "p99_ms") out.p99 = c.limit;
  }
  return out;
}

export function Results({ result, elapsedMs, stale }: Props) {
  const [tab] = useState<"run">("run");
  return (
    <section className="results" data-testid="results">
      {stale && <div className="banner info">These results are from an earlier version of the scenario. Run again to update them.</div>}
      {tab === "run" && (
        <>
          <Headline result={result} elapsedMs={elapsedMs} />
          <div className="tables">
            <div className="card"><header className="card-head"><div><h3>Request classes</h3><div className="card-unit">end-to-end, statistics window, mean ± 95% CI over {result.run.replications} replications</div></div></header><ClassTable result={result} /></div>
            <div className="card"><header className="card-head"><div><h3>SLO</h3><div className="card-unit">predicted mean vs limit</div></div></header>{result.slo ? <SloTable result={result} /> : <div className="muted pad">No slo section in the scenario.</div>}</div>
          </div>
          <div className="card"><header className="card-head"><div><h3>Components</h3><div className="card-unit">◆ = bottleneck (highest utilization)</div></div></header><ComponentTable result={result} /></div>
          {result.series ? (
            <div className="charts">
              <LatencyChart result={result} sloMs={sloLines(result)} />
              <ThroughputChart result={result} />
              <ComponentChart result={result} metric="utilization" />
              <ComponentChart result={result} metric="queueLength" />
              <ErrorsChart result={result} />
            </div>
          ) : <div className="muted pad">This result has no time series.</div>}
        </>
      )}
    </section>
  );
}
