// The capacity curve: the scenario swept over offered rates in the worker (every rate a full run
// with fewer replications), plotted as p95/p99 latency and throughput against offered load, with
// the SLO and the knee marked. The knee is the highest sustainable rate by `headroom capacity`'s
// rule (sweep.ts), refined past the 12-point grid by bisecting its bracket a few more runs.
import { useMemo, useState } from "react";
import { chartTheme as th } from "./theme.ts";
import { ResponsiveContainer, ComposedChart, Line, XAxis, YAxis, CartesianGrid, Tooltip, Legend, ReferenceLine } from "recharts";
import { peakRate, type Scenario, type SimResult } from "../../simulator/index.ts";
import type { SimClient, Job } from "./sim-client.ts";
import type { SweepPoint } from "./protocol.ts";
import { sweepRates, saturationRate, knee, kneeBracket, bisectKnee, type KneePoint } from "./sweep.ts";
import { firstFailure } from "../../planning/verdict.ts";
import { ChartCard } from "./ChartCard.tsx";
import { num, pct } from "./format.ts";
import { niceScale, maxOf } from "./axis.ts";

/** Read at render: the theme follows the system. */
const AXIS = { get stroke() { return th().muted; }, fontSize: 11 };
export const SWEEP_REPLICATIONS = 2;
/** Runs that halve the knee's bracket after the grid: 3 make it an eighth of a grid step. */
export const KNEE_BISECTIONS = 3;

interface Props {
  readonly scenario: Scenario | null;
  readonly text: string;
  readonly base: SimResult | null;
  readonly client: SimClient;
}

/** One row of the curve: worst class's percentiles (the SLO applies to every class), and the
 * capacity rule's verdict. */
export function curveRow(p: SweepPoint): KneePoint & { throughput: number; p95: number; errorRate: number; slo: boolean | null } {
  const classes = Object.values(p.result.classes);
  const worst = (f: (c: (typeof classes)[0]) => number) => Math.max(...classes.map(f));
  const b = p.result.bottleneck ? p.result.components[p.result.bottleneck] : undefined;
  const queues: Record<string, number> = {};
  for (const [name, c] of Object.entries(p.result.components)) if (c.kind === "queue") queues[name] = c.utilization.mean;
  return {
    hasSlo: p.result.slo !== null,
    failure: firstFailure(p.result.slo?.checks ?? [], queues),
    rate: p.rate,
    throughput: classes.reduce((a, c) => a + c.throughput.mean, 0),
    p95: worst((c) => c.latencyMs.p95.mean),
    p99: worst((c) => c.latencyMs.p99.mean),
    errorRate: worst((c) => c.errorRate.mean),
    utilization: b?.utilization.mean ?? NaN,
    slo: p.result.slo?.pass ?? null,
  };
}

/** The capacity sweep of a scenario's text, shared by the capacity tab and the headline's headroom. */
export interface CapacitySweep {
  readonly rows: ReturnType<typeof curveRow>[];
  /** the text the rows were swept from (null before the first sweep) */
  readonly text: string | null;
  readonly job: Job<unknown> | null;
  readonly progress: number;
  readonly error: string | null;
  /** Starts a sweep (12 rates, then KNEE_BISECTIONS runs); does nothing without an open load. */
  readonly start: () => void;
}

export function useCapacitySweep({ scenario, text, base, client }: Props): CapacitySweep {
  const [points, setPoints] = useState<{ text: string; points: SweepPoint[] } | null>(null);
  const [job, setJob] = useState<Job<unknown> | null>(null);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const rows = useMemo(() => (points?.points ?? []).map(curveRow), [points]);
  const start = () => {
    if (!scenario || job) return;
    const peak = peakRate(scenario);
    if (peak === undefined) return;
    const sat = base && base.scenario.name === scenario.name ? saturationRate(base, peak) : undefined;
    const rates = sweepRates(scenario, 12, sat);
    setError(null);
    setProgress(0);
    const steps = rates.length + KNEE_BISECTIONS;
    const sweep = async () => {
      const grid = client.sweep(text, rates, { replications: SWEEP_REPLICATIONS }, (f) => setProgress((f * rates.length) / steps));
      setJob(grid);
      let all = (await grid.done).points;
      setPoints({ text, points: all });
      // Halve the knee's bracket: each run at its middle rate keeps the half the knee is in.
      for (let i = 0; i < KNEE_BISECTIONS; i++) {
        const mid = bisectKnee(all.map(curveRow));
        if (mid === undefined) break;
        const j = client.sweep(text, [mid], { replications: SWEEP_REPLICATIONS }, (f) => setProgress((rates.length + i + f) / steps));
        setJob(j);
        all = [...all, ...(await j.done).points].sort((a, b) => a.rate - b.rate);
        setPoints({ text, points: all });
      }
    };
    sweep().then(
      () => setJob(null),
      (e: Error & { kind?: string }) => { setJob(null); if (e.kind !== "cancelled") setError(e.message); },
    );
  };
  return { rows, text: points?.text ?? null, job, progress, error, start };
}

export function Capacity({ scenario, sweep }: { readonly scenario: Scenario | null; readonly sweep: CapacitySweep }) {
  const { rows, job, progress, error, start } = sweep;
  if (!scenario) return <div className="muted pad">Fix the scenario's errors first.</div>;
  const peak = peakRate(scenario);
  if (peak === undefined) return <div className="muted pad" data-testid="capacity-closed">A capacity curve sweeps arrival rates: it needs an open load model (load.model: open).</div>;

  const slo = scenario.slo?.latency;
  const k = knee(rows);
  const bracket = kneeBracket(rows);
  const xScale = niceScale(maxOf(rows, ["rate"]));
  const tpScale = niceScale(maxOf(rows, ["rate", "throughput"]));

  return (
    <div data-testid="capacity">
      <div className="toolbar">
        {job ? (
          <>
            <button className="btn danger" onClick={() => job.cancel()}>Cancel</button>
            <div className="progress" role="progressbar" aria-valuenow={Math.round(progress * 100)}><div style={{ width: `${progress * 100}%` }} /><span>{(progress * 100).toFixed(0)}%</span></div>
          </>
        ) : (
          <button className="btn primary" onClick={start} data-testid="sweep">Sweep 12 rates</button>
        )}
        <span className="muted">Each rate is a full run of this scenario ({SWEEP_REPLICATIONS} replications), the load's shape scaled to that peak rate; the sweep reaches 110% of the bottleneck's saturation rate.</span>
      </div>
      {error && <div className="banner bad">{error}</div>}
      {rows.length > 0 && (
        <>
          <div className="headline">
            <div className={`stat ${k !== undefined ? "ok" : ""}`}>
              <div className="stat-label">Knee (highest sustainable rate)</div>
              <div className="stat-value" data-testid="knee">{k !== undefined ? `${num(k)} req/s` : bracket.above !== undefined ? `below ${num(bracket.above)} req/s` : `above ${num(bracket.below ?? 0)} req/s`}</div>
              <div className="stat-sub" data-testid="knee-rule">
                {scenario.slo ? "SLO met and no queue over 97% busy, as headroom capacity" : "no SLO: p99 within 2x the lowest rate's, bottleneck under 97% busy"}
                {k !== undefined && bracket.above !== undefined && ` · next swept rate ${num(bracket.above)} req/s fails`}
              </div>
            </div>
            <div className="stat"><div className="stat-label">Scenario rate</div><div className="stat-value">{num(peak)} req/s</div><div className="stat-sub">peak of the load profile</div></div>
          </div>
          <div className="charts">
            <ChartCard title="Latency vs offered load" unit="worst class, ms (log scale), mean over replications" testId="chart-capacity-latency">
              <ResponsiveContainer width="100%" height={280}>
                <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                  <CartesianGrid stroke={th().grid} />
                  <XAxis dataKey="rate" type="number" domain={[0, xScale.top]} ticks={xScale.ticks} tick={AXIS} stroke={AXIS.stroke} tickFormatter={(v: number) => num(v)} label={{ value: "offered load (req/s)", position: "insideBottom", offset: -4, fill: th().muted, fontSize: 11 }} height={36} />
                  <YAxis scale="log" domain={["auto", "auto"]} allowDataOverflow tick={AXIS} stroke={AXIS.stroke} width={62} tickFormatter={(v: number) => num(v)} label={{ value: "latency (ms)", angle: -90, position: "insideLeft", offset: 8, fill: th().muted, fontSize: 11, style: { textAnchor: "middle" } }} />
                  <Tooltip contentStyle={{ background: th().panel, border: `1px solid ${th().border}`, fontSize: 12 }} formatter={(v) => `${num(Number(v))} ms`} labelFormatter={(r) => `${num(Number(r))} req/s`} />
                  <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
                  <Line dataKey="p95" stroke={th().p95} isAnimationActive={false} dot={{ r: 3 }} />
                  <Line dataKey="p99" stroke={th().p99} isAnimationActive={false} dot={{ r: 3 }} />
                  {slo?.p95 !== undefined && <ReferenceLine y={slo.p95 * 1000} stroke={th().p95} strokeDasharray="6 4" />}
                  {slo?.p99 !== undefined && <ReferenceLine y={slo.p99 * 1000} stroke={th().p99} strokeDasharray="12 3 2 3" />}
                  {k !== undefined && <ReferenceLine x={k} stroke={th().purple} strokeDasharray="3 3" label={{ value: "knee", position: "insideTopLeft", fill: th().purple, fontSize: 11 }} />}
                  <ReferenceLine x={peak} stroke={th().muted} strokeDasharray="2 4" label={{ value: "scenario", position: "insideTopRight", fill: th().muted, fontSize: 11 }} />
                </ComposedChart>
              </ResponsiveContainer>
            </ChartCard>
            <ChartCard title="Throughput vs offered load" unit="completed req/s (all classes); the gap to the diagonal is what is lost or still queued" testId="chart-capacity-throughput">
              <ResponsiveContainer width="100%" height={280}>
                <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                  <CartesianGrid stroke={th().grid} />
                  <XAxis dataKey="rate" type="number" domain={[0, xScale.top]} ticks={xScale.ticks} tick={AXIS} stroke={AXIS.stroke} tickFormatter={(v: number) => num(v)} label={{ value: "offered load (req/s)", position: "insideBottom", offset: -4, fill: th().muted, fontSize: 11 }} height={36} />
                  <YAxis domain={[0, tpScale.top]} ticks={tpScale.ticks} tick={AXIS} stroke={AXIS.stroke} width={62} tickFormatter={(v: number) => num(v)} label={{ value: "throughput (req/s)", angle: -90, position: "insideLeft", offset: 8, fill: th().muted, fontSize: 11, style: { textAnchor: "middle" } }} />
                  <Tooltip contentStyle={{ background: th().panel, border: `1px solid ${th().border}`, fontSize: 12 }} formatter={(v) => `${num(Number(v))} req/s`} labelFormatter={(r) => `${num(Number(r))} req/s offered`} />
                  <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
                  <Line dataKey="rate" name="offered" stroke={th().muted} strokeDasharray="4 3" dot={false} isAnimationActive={false} />
                  <Line dataKey="throughput" stroke={th().accent} isAnimationActive={false} dot={{ r: 3 }} />
                  {k !== undefined && <ReferenceLine x={k} stroke={th().purple} strokeDasharray="3 3" />}
                </ComposedChart>
              </ResponsiveContainer>
            </ChartCard>
          </div>
          <div className="card" style={{ marginTop: 12 }}>
            <table className="grid" data-testid="capacity-table">
              <thead><tr><th className="r">offered (req/s)</th><th className="r">throughput (req/s)</th><th className="r">p95 (ms)</th><th className="r">p99 (ms)</th><th className="r">bottleneck util.</th><th className="r">error rate</th><th>SLO</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.rate}>
                    <td className="r">{num(r.rate)}</td><td className="r">{num(r.throughput)}</td><td className="r">{num(r.p95)}</td><td className="r">{num(r.p99)}</td>
                    <td className="r">{pct(r.utilization)}</td><td className="r">{pct(r.errorRate, 2)}</td>
                    <td className={r.slo === null ? "muted" : r.slo ? "ok" : "bad"} title={r.failure ?? undefined}>{r.slo === null ? "–" : r.slo ? "pass" : "fail"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
