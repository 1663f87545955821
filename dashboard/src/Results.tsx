// The results area below the workbench: the last run (headline, SLO checks, tables, every section
// the CLI prints: regions, cost, accounting; the run's events; charts with those events on their
// time axis), and beside it the capacity curve and the what-if comparison, both computed in the
// worker on demand.
import { memo, useMemo, useRef, useState } from "react";
import { collectReportParts, reportHtml } from "./report-html.ts";
import { download } from "./export.ts";
import { downsample } from "./downsample.ts";
import { Staggered } from "./Staggered.tsx";
import { payloadEdges, type Scenario, type SeriesResult, type SimResult } from "../../simulator/index.ts";
import { seriesBands } from "./bands.ts";
import { Capacity, useCapacitySweep } from "./Capacity.tsx";
import { HeadroomStat } from "./HeadroomStat.tsx";
import { WhatIf } from "./WhatIf.tsx";
import type { SimClient } from "./sim-client.ts";
import { Headline, SloTable, ClassTable, ComponentTable } from "./Summary.tsx";
import { WhyCard } from "./WhyCard.tsx";
import { PlanCard } from "./PlanCard.tsx";
import { HopChart } from "./HopChart.tsx";
import { LatencyChart, ThroughputChart, ErrorsChart, ComponentChart, InFlightChart, InstancesChart, HitRatioChart, BreakerChart, CostChart, instanceSeries, hitRatioSeries, breakerSeries, EventsContext, BandsContext } from "./Charts.tsx";
import { RegionTable, CostTable, Accounting, EventsTable, PayloadTable } from "./Sections.tsx";
import { timeEvents } from "./events.ts";

interface Props {
  readonly result: SimResult;
  readonly elapsedMs: number | null;
  readonly stale: boolean;
  readonly text: string;
  readonly scenario: Scenario | null;
  readonly client: SimClient;
  /** Every replication's series (a run made here), for the charts' 95% bands; absent for an opened file. */
  readonly replicationSeries?: readonly SeriesResult[];
}

type Tab = "run" | "capacity" | "whatif";

function sloLines(result: SimResult): { p95?: number; p99?: number } {
  const out: { p95?: number; p99?: number } = {};
  for (const c of result.slo?.checks ?? []) {
    if (c.metric === "p95_ms") out.p95 = c.limit;
    if (c.metric === "p99_ms") out.p99 = c.limit;
  }
  return out;
}

export const Results = memo(function Results({ result, elapsedMs, stale, text, scenario, client, replicationSeries }: Props) {
  const [tab, setTab] = useState<Tab>("run");
  // One capacity sweep for the capacity tab and the headline's headroom.
  const capacity = useCapacitySweep({ scenario, text, base: result, client });
  // Tabs stay mounted once opened, so a sweep or variant B survives switching tabs.
  const [opened, setOpened] = useState<Set<Tab>>(new Set(["run"]));
  const open = (t: Tab) => { setTab(t); setOpened((o) => new Set(o).add(t)); };
  const runTab = useRef<HTMLDivElement>(null);
  const saveReport = () => {
    if (!runTab.current) return;
    const { tables, charts } = collectReportParts(runTab.current);
    // the result's own scenario text (v2), else the editor's when it is the same model
    const yaml = result.scenario.yaml ?? (scenario?.name === result.scenario.name && text ? text : null);
    download(`${result.scenario.name}.report.html`, reportHtml(result, yaml, tables, charts, new Date()), "text/html");
  };
  // With every replication's series the charts draw their mean and its 95% band (each replication
  // downsampled alike first); otherwise the result's own series (replication 0's).
  const bands = useMemo(() => (replicationSeries ? seriesBands(replicationSeries.map((s) => downsample(s).series)) : null), [replicationSeries]);
  const own = useMemo(() => (result.series ? downsample(result.series).series : null), [result]);
  const ds = bands ? bands.mean : own;
  // instances, hit ratio, breaker and cost stay replication 0's path (a mean of instance counts or
  // of breaker states is no state the system was in)
  const ds0 = own ?? ds;
  // The events come from the result's own scenario when the editor holds another model.
  const ev = useMemo(() => timeEvents(scenario && scenario.name === result.scenario.name ? scenario : null, result), [scenario, result]);
  return (
    <section className="results" data-testid="results">
      <nav className="tabs">
        <button className={tab === "run" ? "active" : ""} onClick={() => open("run")} data-testid="tab-run">Results</button>
        <button className={tab === "capacity" ? "active" : ""} onClick={() => open("capacity")} data-testid="tab-capacity">Capacity curve</button>
        <button className={tab === "whatif" ? "active" : ""} onClick={() => open("whatif")} data-testid="tab-whatif">What-if A/B</button>
        {tab === "run" && (
          <button className="btn-ghost tab-tool" data-testid="export-html" onClick={saveReport}
            title="Download this run as one self-contained HTML file: tables, charts as SVG, the scenario's YAML">HTML report</button>
        )}
      </nav>
      <div hidden={tab !== "run"} ref={runTab} data-testid="run-tab">
          {stale && <div className="banner info">These results are from an earlier version of the scenario. Run again to update them.</div>}
          <Headline result={result} elapsedMs={elapsedMs}>
            {!stale && <HeadroomStat result={result} scenario={scenario} text={text} sweep={capacity} onShow={() => open("capacity")} />}
          </Headline>
          {!stale && <WhyCard result={result} scenario={scenario} text={text} client={client} />}
          <PlanCard scenario={scenario} text={text} client={client} />
          <div className="tables">
            <div className="card"><header className="card-head"><div><h3>Request classes</h3><div className="card-unit">end-to-end, statistics window, mean ± 95% CI over {result.run.replications} replications</div></div></header><ClassTable result={result} /></div>
            <div className="card"><header className="card-head"><div><h3>SLO</h3><div className="card-unit">predicted mean vs limit</div></div></header>{result.slo ? <SloTable result={result} /> : <div className="muted pad">No slo section in the scenario.</div>}</div>
          </div>
          <HopChart result={result} />
          {result.regions && <div className="card" data-testid="regions"><header className="card-head"><div><h3>Users by region</h3><div className="card-unit">where requests come from; failed over = completed by another region's entry</div></div></header><RegionTable result={result} /></div>}
          <div className="card"><header className="card-head"><div><h3>Components</h3><div className="card-unit">◆ = bottleneck (highest utilization)</div></div></header><ComponentTable result={result} /></div>
          {payloadEdges(result.edges).length > 0 && <div className="card" data-testid="payloads"><header className="card-head"><div><h3>Payloads and links</h3><div className="card-unit">bytes per second (MB = 10^6 B) per component and edge; a link is shared by its transfers in flight</div></div></header><PayloadTable result={result} /></div>}
          <div className="sections">
            {result.cost && <div className="card wide" data-testid="cost-card"><header className="card-head"><div><h3>Cost</h3><div className="card-unit">in the scenario's price units (the currency its prices are in), at the simulated load</div></div></header><CostTable result={result} /></div>}
            <div className="card"><header className="card-head"><div><h3>Accounting</h3><div className="card-unit">every request and message ends somewhere</div></div></header><Accounting result={result} /></div>
            <div className="card"><header className="card-head"><div><h3>Events</h3><div className="card-unit">marked on the charts' time axis</div></div></header><EventsTable events={ev.events} unmarkedRandomFailures={ev.unmarkedRandomFailures} /></div>
          </div>
          {ds ? (
            <EventsContext.Provider value={ev.events}>
            <BandsContext.Provider value={bands}>
            <div className="charts">
              <Staggered resetKey={result} placeholderHeight={300}>
                <LatencyChart key="latency" result={result} series={ds} sloMs={sloLines(result)} />
                <ThroughputChart key="throughput" result={result} series={ds} />
                <ComponentChart key="utilization" result={result} series={ds} metric="utilization" />
                <ComponentChart key="queue" result={result} series={ds} metric="queueLength" />
                <ErrorsChart key="errors" result={result} series={ds} />
                <InFlightChart key="inflight" result={result} series={ds} />
                {/* only the charts that have something to draw, so no placeholder is left empty */}
                {ds0 && Object.keys(instanceSeries(ds0)).length > 0 && <InstancesChart key="instances" result={result} series={ds0} />}
                {ds0 && Object.keys(hitRatioSeries(ds0)).length > 0 && <HitRatioChart key="hit-ratio" result={result} series={ds0} />}
                {ds0 && Object.keys(breakerSeries(ds0)).length > 0 && <BreakerChart key="breaker" result={result} series={ds0} />}
                {ds0?.costPerHour && result.cost && <CostChart key="cost" result={result} series={ds0} />}
              </Staggered>
            </div>
            </BandsContext.Provider>
            </EventsContext.Provider>
          ) : <div className="muted pad">This result has no time series.</div>}
      </div>
      {opened.has("capacity") && <div hidden={tab !== "capacity"}><Capacity scenario={scenario} sweep={capacity} /></div>}
      {opened.has("whatif") && <div hidden={tab !== "whatif"}><WhatIf textA={text} scenarioA={scenario} client={client} /></div>}
    </section>
  );
});
