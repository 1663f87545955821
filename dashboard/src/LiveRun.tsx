// The live view (`headroom load --dashboard`, `headroom validate --dashboard`; the page opened on
// the URL the command prints, `?live`): the prediction of the run drawn as dashed lines, and the
// measured seconds arriving over it as solid dotted lines on the same charts, the way the k6 web
// dashboard shows a run; a banner says what is measured and how far along, then done or stopped;
// each run's summary (the figures the CLI prints) when it ends. The events come from the CLI as
// server-sent events at live/events (relative: the URL's secret path segment stays in front).
import { useEffect, useReducer, useState } from "react";
import { ErrorsChart, LatencyChart, ThroughputChart, type RunFrame } from "./Charts.tsx";
import { ErrorBoundary } from "./ErrorBoundary.tsx";
import { INITIAL, measuredS, reduceLive, type LiveEvent, type PhaseState } from "./live-state.ts";
import type { LiveState } from "./live-state.ts";
import type { LiveSummary } from "./live-protocol.ts";
import type { SimResult } from "../../simulator/index.ts";
import { num, pct } from "./format.ts";
import { useChartTheme } from "./theme.ts";

type Series = NonNullable<SimResult["series"]>;

function useLiveStream(): LiveState {
  const [state, dispatch] = useReducer(reduceLive, INITIAL);
  useEffect(() => {
    const es = new EventSource("live/events");
    const on = (type: "phase" | "interval" | "phase-end" | "done") => (m: MessageEvent<string>) => {
      dispatch({ type, data: JSON.parse(m.data) } as LiveEvent);
      // the command is over: no reconnecting to a server that closes
      if (type === "done") es.close();
    };
    es.addEventListener("phase", on("phase"));
    es.addEventListener("interval", on("interval"));
    es.addEventListener("phase-end", on("phase-end"));
    es.addEventListener("done", on("done"));
    es.onopen = () => dispatch({ type: "open" });
    es.onerror = () => dispatch({ type: "lost" });
    return () => es.close();
  }, []);
  return state;
}

/** The prediction's series, or empty ones named after the measured classes when there is none. */
function predictedSeries(p: PhaseState): Series {
  if (p.phase.predicted?.series) return p.phase.predicted.series;
  const names = new Set(p.intervals.flatMap((iv) => Object.keys(iv.classes)));
  const empty = () => ({ throughput: [], errors: [], p50Ms: [], p95Ms: [], p99Ms: [] });
  return { intervalS: 1, t: [], offered: [], inFlight: [], classes: Object.fromEntries([...names].map((n) => [n, empty()])), components: {} } as unknown as Series;
}

function Banner({ state, current }: { state: LiveState; current: PhaseState | undefined }) {
  const d = state.done;
  if (!current) {
    return <div className="banner info-top live-banner" data-testid="live-banner">{state.lost ? "live: waiting for the command (no connection)" : "live: waiting for the run to start…"}</div>;
  }
  const p = current.phase;
  const what = `${p.scenario}${p.command === "validate" ? ` ${p.label}` : ""}`;
  // the last second measured may be the run's tail (requests still answering after the schedule)
  const at = `${num(Math.min(measuredS(current), p.durationS))}s of ${num(p.durationS)}s`;
  if (d) {
    const cls = d.status === "done" ? "info-top" : d.status === "stopped" ? "warn" : "bad";
    return (
      <div className={`banner ${cls} live-banner`} data-testid="live-banner" data-status={d.status}>
        <strong>{d.status}:</strong> {d.status === "stopped" ? `stopped (Ctrl-C) while measuring ${what} at ${at}` : d.status === "failed" ? `${p.command} failed` : `measured ${what} (${at})`}
        {" "}· exit code {d.exitCode}{d.message ? ` · ${d.message}` : ""}
      </div>
    );
  }
  if (state.lost) return <div className="banner warn live-banner" data-testid="live-banner" data-status="lost">live: the connection to the command was lost at {at} of {what}; it ended without saying so, or is unreachable</div>;
  return (
    <div className="banner info-top live-banner" data-testid="live-banner" data-status="running">
      <strong>live:</strong> measuring {what} ({at}){current.end ? " · reading the results…" : ""}
    </div>
  );
}

function SummaryTable({ s, predicted }: { s: LiveSummary; predicted: SimResult | null }) {
  return (
    <div className="card" data-testid="live-summary">
      <div className="card-head"><h3>Measured: summary</h3><span className="card-unit">from the run's k6 summary export (as the CLI prints it) and per class from its NDJSON · engine {s.engine} · exit code {s.exitCode}</span></div>
      <table className="grid">
        <tbody>
          <tr><th>requests (http_reqs)</th><td data-testid="live-requests">{s.requests}</td><td>{num(s.requestsPerSecond, 4)} /s</td></tr>
          {s.latency && <tr><th>http_req_duration med</th><td data-testid="live-med">{s.latency.med.toFixed(2)} ms</td><td>avg {s.latency.avg.toFixed(2)} ms</td></tr>}
          {s.latency && <tr><th>http_req_duration p(95)</th><td data-testid="live-p95">{s.latency.p95.toFixed(2)} ms</td><td>max {s.latency.max.toFixed(2)} ms</td></tr>}
          {s.failedShare !== null && <tr><th>failed (http_req_failed)</th><td data-testid="live-failed">{pct(s.failedShare, 2)}</td><td /></tr>}
          {s.arrivals && <tr><th>arrivals</th><td data-testid="live-arrivals">{s.arrivals.started} started + {s.arrivals.dropped} dropped{s.arrivals.scheduled !== undefined ? ` of ${s.arrivals.scheduled} scheduled` : ""}</td><td /></tr>}
        </tbody>
      </table>
      <table className="grid">
        <thead><tr><th>class</th><th>requests</th><th>failed</th><th>p50 ms measured</th><th>p95 ms measured</th><th>p99 ms measured</th><th>p95 ms predicted</th><th>p99 ms predicted</th></tr></thead>
        <tbody>
          {Object.entries(s.classes).map(([name, c]) => {
            const pc = predicted?.classes[name];
            return (
              <tr key={name} data-testid={`live-class-${name}`}>
                <td>{name}</td><td>{c.requests}</td><td>{c.failed}</td><td>{num(c.p50Ms)}</td><td>{num(c.p95Ms)}</td><td>{num(c.p99Ms)}</td>
                <td>{pc ? num(pc.latencyMs.p95.mean) : "–"}</td><td>{pc ? num(pc.latencyMs.p99.mean) : "–"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function PhaseView({ p }: { p: PhaseState }) {
  const predicted = p.phase.predicted;
  const series = predictedSeries(p);
  const frame: RunFrame = { run: { durationS: Math.max(p.phase.durationS, measuredS(p)), warmupS: predicted?.run.warmupS ?? 0 }, series: { intervalS: series.intervalS } };
  // the SLO lines as the results' latency chart draws them (Results.tsx)
  const slo = predicted?.slo?.checks ?? [];
  const sloMs = { p95: slo.find((c) => c.metric === "p95_ms")?.limit, p99: slo.find((c) => c.metric === "p99_ms")?.limit };
  return (
    <>
      <div className="live-key muted" data-testid="live-key">
        dashed: predicted ({predicted ? `simulated, ${predicted.run.replications} replication${predicted.run.replications === 1 ? "" : "s"}, replication 1's series` : p.phase.note ?? "none"}) · solid with dots: measured, one point per second
        {p.phase.rate !== null ? ` · level rate ${num(p.phase.rate)} req/s` : ""}
      </div>
      <div className="charts">
        <LatencyChart result={frame} series={series} sloMs={sloMs} measured={p.intervals} />
        <ThroughputChart result={frame} series={series} measured={p.intervals} />
        {predicted && <ErrorsChart result={predicted} series={series} measured={p.intervals} />}
      </div>
      {p.end?.summary && <SummaryTable s={p.end.summary} predicted={predicted} />}
      {p.end && !p.end.summary && p.phase.command === "load" && <div className="banner warn">{p.end.status}{p.end.message ? `: ${p.end.message}` : ""} (no summary was written)</div>}
      {p.end && p.phase.command === "validate" && <div className="muted" data-testid={`level-status-${p.phase.index}`}>level verdict: {p.end.status}{p.end.message ? ` (${p.end.message})` : ""}</div>}
    </>
  );
}

export function LiveRun() {
  const state = useLiveStream();
  const theme = useChartTheme();
  /** The phase shown: the latest unless one was picked. */
  const [picked, setPicked] = useState<number | null>(null);
  const current = picked !== null ? state.phases[picked] : state.phases.at(-1);
  return (
    <div className="live-page">
      <header className="topbar">
        <div className="brand">Headroom <span>live: predicted vs measured</span></div>
        {state.phases.length > 1 && (
          <select aria-label="run" value={current?.phase.index ?? 0} onChange={(e) => setPicked(Number(e.target.value) === state.phases.length - 1 ? null : Number(e.target.value))}>
            {state.phases.map((p) => <option key={p.phase.index} value={p.phase.index}>{p.phase.scenario} {p.phase.label}{p.end ? ` (${p.end.status})` : ""}</option>)}
          </select>
        )}
        <div className="spacer" />
      </header>
      <Banner state={state} current={current} />
      {state.done?.verdicts && (
        <div className="banner info-top" data-testid="live-verdicts">
          {state.done.verdicts.map((v) => <span key={v.scenario}><strong className={v.pass ? "ok" : "bad"}>{v.scenario}: {v.pass ? "pass" : "FAIL"}</strong> ({v.report})</span>)}
        </div>
      )}
      <section className="results live" data-testid="live-results">
        {current && (
          <ErrorBoundary what="The live charts" resetKey={`${current.phase.index}`}>
            <PhaseView key={`${theme.name}-${current.phase.index}`} p={current} />
          </ErrorBoundary>
        )}
      </section>
    </div>
  );
}
