// A dynamic validation's report (issue 14: "the dashboard's validation view overlays these series"):
// its verdict, every row against its target, and each compared series with the model and the
// reference app on one time axis (seconds from the load's start), faults marked where they were
// injected. Its own context, as a constant-level report is: opened from a headroom.dynamics/v1 file
// (validate:dynamics --out), it replaces the workbench until closed.
import { ResponsiveContainer, LineChart, Line, XAxis, YAxis, CartesianGrid, Tooltip, Legend, ReferenceLine } from "recharts";
import { chartTheme as th } from "./theme.ts";
import { ChartCard } from "./ChartCard.tsx";
import { num } from "./format.ts";
import { mergeSeries, type DynamicsDocument, type DynamicsSeries } from "./dynamics-file.ts";

const AXIS = { get stroke() { return th().muted; }, fontSize: 11 };
const shown = (v: number | null) => (v === null ? "–" : num(v));

function SeriesChart({ s, i }: { s: DynamicsSeries; i: number }) {
  const rows = mergeSeries(s);
  const step = s.shape === "steps";
  return (
    <ChartCard title={s.name} unit={`${s.unit} over time: model and reference app`} testId={`dyn-series-${i}`}>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={(t) => num(Number(t), 3)} tick={AXIS} stroke={th().muted} label={{ value: "s from the load's start", position: "insideBottomRight", offset: -2, fontSize: 11, fill: th().muted }} />
          <YAxis tick={AXIS} stroke={th().muted} label={{ value: s.unit, angle: -90, position: "insideLeft", fontSize: 11, fill: th().muted }} />
          <Tooltip formatter={(v) => num(Number(v))} labelFormatter={(t) => `t = ${num(Number(t))} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {(s.events ?? []).map(([t, label]) => <ReferenceLine key={`${t}-${label}`} x={t} stroke={th().p99} strokeDasharray="4 3" label={{ value: label, position: "insideTopLeft", fontSize: 10, fill: th().muted }} />)}
          <Line name="predicted (model)" dataKey="predicted" type={step ? "stepAfter" : "linear"} stroke={th().accent} dot={false} connectNulls isAnimationActive={false} strokeWidth={1.5} />
          <Line name="measured (reference app)" dataKey="measured" type={step ? "stepAfter" : "linear"} stroke={th().p95} dot={false} connectNulls isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function DynamicsView({ doc, fileName, onClose }: { doc: DynamicsDocument; fileName: string; onClose: () => void }) {
  const judged = doc.rows.filter((r) => r.pass !== null);
  const passed = judged.filter((r) => r.pass).length;
  return (
    <section className="results validation" data-testid="dynamics">
      <div className="val-head">
        <div>
          <h2>Predicted vs measured over time</h2>
          <div className="val-title"><strong>{doc.scenario}</strong> <span className="muted">{doc.file} · opened from {fileName}</span></div>
        </div>
        <div className="card-tools">
          <button className="btn-ghost" onClick={onClose} data-testid="dyn-close">Close report</button>
        </div>
      </div>
      <div className="headline">
        <div className={`stat ${doc.pass ? "ok" : "bad"}`} data-testid="dyn-verdict">
          <div className="stat-label">Dynamic validation</div>
          <div className="stat-value">{doc.pass ? "PASS" : "FAIL"}</div>
          <div className="stat-sub"><span className="ok">{passed} pass</span> · <span className="bad">{judged.length - passed} miss</span> · {doc.rows.length - judged.length} shown</div>
        </div>
        <div className="stat">
          <div className="stat-label">Measured</div>
          <div className="stat-value">one real run</div>
          <div className="stat-sub">{doc.createdAt.replace("T", " ").slice(0, 16)} UTC · load avg {doc.loadAverage.map((v) => v.toFixed(1)).join(" → ")}</div>
        </div>
      </div>
      {doc.series.length > 0 ? (
        <div className="charts">{doc.series.map((s, i) => <SeriesChart key={s.name} s={s} i={i} />)}</div>
      ) : <div className="muted val-rule">This validation compares figures over windows only; it has no series to draw.</div>}
      <h2 className="val-section">Rows against their targets</h2>
      <table className="grid" data-testid="dyn-rows">
        <thead><tr><th>row</th><th className="r">predicted</th><th className="r">measured</th><th>target</th><th>result</th></tr></thead>
        <tbody>
          {doc.rows.map((r, i) => (
            <tr key={i}>
              <td>{r.name}</td>
              <td className="r">{shown(r.predicted)}</td>
              <td className="r">{shown(r.measured)}</td>
              <td className="details">{r.target}</td>
              <td className={r.pass === null ? "muted" : r.pass ? "ok" : "bad"}>{r.pass === null ? "shown" : r.pass ? "pass" : "MISS"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
