// What-if: variant B is a copy of the scenario edited beside it; A and B run with the same seed, so
// each component draws the same random streams in both (common random numbers) and the differences
// show the change, not the noise. The table puts A, B and the difference side by side, the
// difference with its paired 95% confidence interval (ab-compare.ts), significant ones marked.
import { lazy, Suspense, useState } from "react";
import { chartTheme as th } from "./theme.ts";
import type { Scenario, SimResult } from "../../simulator/index.ts";
import type { SimClient, Job } from "./sim-client.ts";
import { useChecked } from "./use-checked.ts";
import { num, pct } from "./format.ts";
import { ResponsiveContainer, LineChart, Line, XAxis, YAxis, CartesianGrid, Tooltip, Legend } from "recharts";
import { ChartCard } from "./ChartCard.tsx";
import { downsample } from "./downsample.ts";
import { pairedRows, type DiffRow, type PairedRow } from "./ab-compare.ts";
import { niceScale, ticksWithin, maxOf } from "./axis.ts";

// CodeMirror in its own chunk, as on the page: the results (this tab's chunk) do not wait for it.
const Editor = lazy(() => import("./Editor.tsx").then((m) => ({ default: m.Editor })));

interface Props {
  readonly textA: string;
  /** A as the main editor's check parsed it (null while A is invalid). */
  readonly scenarioA: Scenario | null;
  readonly client: SimClient;
}

/** Read at render: the theme follows the system. */
const AXIS = { get stroke() { return th().muted; }, fontSize: 11 };

/** One metric over simulated time, A against B (the first replication's series of each). */
function Overlay({ a, b, title, unit, pick }: { a: SimResult; b: SimResult; title: string; unit: string; pick: (r: SimResult) => number[] | undefined }) {
  if (!a.series || !b.series) return null;
  const sa = downsample(a.series).series, sb = downsample(b.series).series;
  const va = pick({ ...a, series: sa }), vb = pick({ ...b, series: sb });
  if (!va || !vb) return null;
  const rows = sa.t.map((t, i) => ({ t, A: Number.isFinite(va[i]) ? va[i] : null, B: Number.isFinite(vb[i]) ? vb[i] : null }));
  const y = niceScale(maxOf(rows, ["A", "B"]));
  const dur = Math.min(a.run.durationS, b.run.durationS);
  return (
    <ChartCard title={title} unit={`${unit} · A solid, B dashed`} testId={`chart-ab-${title.replace(/\W+/g, "-").toLowerCase()}`}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          <XAxis dataKey="t" type="number" domain={[0, dur]} ticks={ticksWithin(dur)} allowDataOverflow tick={AXIS} stroke={AXIS.stroke} tickFormatter={(v: number) => num(v)} label={{ value: "simulated time (s)", position: "insideBottom", offset: -4, fill: th().muted, fontSize: 11 }} height={36} />
          <YAxis domain={[0, y.top]} ticks={y.ticks} tick={AXIS} stroke={AXIS.stroke} width={62} tickFormatter={(v: number) => num(v)} label={{ value: unit, angle: -90, position: "insideLeft", offset: 8, fill: th().muted, fontSize: 11, style: { textAnchor: "middle" } }} />
          <Tooltip contentStyle={{ background: th().panel, border: `1px solid ${th().border}`, fontSize: 12 }} formatter={(v) => num(Number(v))} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          <Line dataKey="A" stroke={th().accent} dot={false} isAnimationActive={false} strokeWidth={1.5} />
          <Line dataKey="B" stroke={th().p95} strokeDasharray="5 3" dot={false} isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

const show = (v: number, unit: DiffRow["unit"]) => (unit === "ratio" ? pct(v, 2) : `${num(v)}${unit === "ms" ? " ms" : ""}`);
const signed = (d: number, unit: DiffRow["unit"]) => `${d >= 0 ? "+" : ""}${unit === "ratio" ? pct(d, 2) : num(d)}`;

export function WhatIf({ textA, scenarioA, client }: Props) {
  const [textB, setTextB] = useState(textA);
  const [pair, setPair] = useState<{ a: SimResult; b: SimResult; rows: PairedRow[] } | null>(null);
  const [job, setJob] = useState<Job<unknown> | null>(null);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // B is checked in its own check worker, off the page's thread, like the main editor.
  const checkedB = useChecked(textB);
  const validB = !!checkedB?.scenario && checkedB.text === textB;

  const start = async () => {
    if (!scenarioA || !validB) return;
    // Common random numbers: both runs use A's seed, whatever B's file says.
    const seed = scenarioA.seed;
    setError(null);
    try {
      // Replication by replication, so that A's i-th and B's i-th can be paired. B runs as many
      // replications as A (its file may say otherwise).
      const ja = client.run(textA, { seed, byReplication: true }, (f) => setProgress(f / 2));
      setJob(ja);
      const a = await ja.done;
      const jb = client.run(textB, { seed, byReplication: true, replications: a.replications!.length }, (f) => setProgress(0.5 + f / 2));
      setJob(jb);
      const b = await jb.done;
      setPair({ a: a.result, b: b.result, rows: pairedRows(a.replications!, b.replications!) });
    } catch (e) {
      if ((e as { kind?: string }).kind !== "cancelled") setError((e as Error).message);
    } finally {
      setJob(null);
    }
  };

  const rows = pair?.rows ?? [];
  const n = pair?.a.run.replications ?? 0;
  return (
    <div className="whatif" data-testid="whatif">
      <div className="toolbar">
        {job ? (
          <>
            <button className="btn danger" onClick={() => job.cancel()}>Cancel</button>
            <div className="progress" role="progressbar" aria-valuenow={Math.round(progress * 100)}><div style={{ width: `${progress * 100}%` }} /><span>{(progress * 100).toFixed(0)}%</span></div>
          </>
        ) : (
          <button className="btn primary" onClick={() => void start()} disabled={!scenarioA || !validB} data-testid="run-ab">Run A and B</button>
        )}
        <button className="btn-ghost" onClick={() => setTextB(textA)} title="Replace B with a fresh copy of the scenario (A)">Copy A into B</button>
        <span className="muted">A is the scenario in the main editor; edit B here. Both run with A's seed (common random numbers).</span>
      </div>
      {error && <div className="banner bad pre">{error}</div>}
      <div className="whatif-grid">
        <section className="panel">
          <div className="panel-head"><h2>Variant B</h2><span className={validB ? "ok" : "bad"}>{checkedB === null ? "checking…" : checkedB.failure ? checkedB.failure : validB ? "valid" : `${checkedB.errors} problem(s)`}</span></div>
          <div className="whatif-editor"><Suspense fallback={<div className="empty">Loading the editor…</div>}><Editor text={textB} diagnostics={checkedB?.diagnostics ?? []} onChange={setTextB} onRun={() => void start()} /></Suspense></div>
        </section>
        <section className="card">
          <header className="card-head"><div><h3>A vs B</h3><div className="card-unit">
            means over {n} replication{n === 1 ? "" : "s"}; Δ = B − A ± the 95% confidence interval of the {n} paired differences (same seed: common random numbers);
            {" "}<span className="sig-mark">●</span> significant (the interval leaves out 0){n < 2 ? "; one replication has no interval" : ""}
          </div></div></header>
          {pair ? (
            <table className="grid" data-testid="ab-table">
              <thead><tr><th>metric</th><th className="r">A</th><th className="r">B</th><th className="r">Δ ± 95% CI</th><th className="r">Δ %</th><th title="the paired interval leaves out 0">sig.</th></tr></thead>
              <tbody>
                {rows.map((r) => {
                  const d = r.delta;
                  const rel = r.a !== 0 ? d / Math.abs(r.a) : NaN;
                  // Lower latency, errors and utilization are better; higher throughput and hit ratio are.
                  const higherIsBetter = r.unit === "req/s" || r.metric.endsWith("hit ratio");
                  // colored only when the difference is more than noise
                  const better = !r.significant || Math.abs(rel) < 0.005 || !Number.isFinite(rel) ? "" : (d > 0) === higherIsBetter ? "ok" : "bad";
                  return (
                    <tr key={r.metric} className={r.significant ? "sig" : r.significant === false ? "ns" : ""} data-significant={String(r.significant)}>
                      <td>{r.metric}</td><td className="r">{show(r.a, r.unit)}</td><td className="r">{show(r.b, r.unit)}</td>
                      <td className={`r ${better}`}>{signed(d, r.unit)}{r.ci95 !== null && Number.isFinite(r.ci95) ? ` ± ${r.unit === "ratio" ? pct(r.ci95, 2) : num(r.ci95, 2)}` : ""}</td>
                      <td className={`r ${better}`}>{Number.isFinite(rel) ? `${rel >= 0 ? "+" : ""}${(rel * 100).toFixed(1)}%` : "–"}</td>
                      <td className="sig-cell">{r.significant ? <span className="sig-mark" title="significant: the 95% interval leaves out 0">●</span> : r.significant === false ? <span className="muted" title="not significant: the 95% interval holds 0">n.s.</span> : ""}</td>
                    </tr>
                  );
                })}
                <tr><td>SLO</td><td className={`r ${pair.a.slo?.pass ? "ok" : "bad"}`}>{pair.a.slo ? (pair.a.slo.pass ? "pass" : "fail") : "–"}</td><td className={`r ${pair.b.slo?.pass ? "ok" : "bad"}`}>{pair.b.slo ? (pair.b.slo.pass ? "pass" : "fail") : "–"}</td><td /><td /><td /></tr>
              </tbody>
            </table>
          ) : <div className="muted pad">Edit B (for example servers or the rate) and press Run A and B.</div>}
        </section>
      </div>
      {pair && (() => {
        const cls = Object.keys(pair.a.classes).find((c) => c in pair.b.classes);
        const comp = pair.a.bottleneck && pair.a.bottleneck in pair.b.components ? pair.a.bottleneck : undefined;
        return (
          <div className="charts" style={{ marginTop: 12 }}>
            {cls && <Overlay a={pair.a} b={pair.b} title={`${cls} p95 latency`} unit="ms" pick={(r) => r.series?.classes[cls]?.p95Ms} />}
            {comp && <Overlay a={pair.a} b={pair.b} title={`${comp} utilization`} unit="%" pick={(r) => r.series?.components[comp]?.utilization.map((u) => u * 100)} />}
          </div>
        );
      })()}
    </div>
  );
}
