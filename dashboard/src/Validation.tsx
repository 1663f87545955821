// Predicted versus measured: a validation report (headroom validate --out DIR) drawn as overlay
// curves per metric against the offered rate (the simulator solid, the reference app dashed), with
// the predicted saturation and both knee brackets marked; above them the facts of the run (machine,
// date, calibration) and below the error table, each row colored by its verdict against the targets.
import { ResponsiveContainer, LineChart, Line, XAxis, YAxis, CartesianGrid, Tooltip, Legend, ReferenceLine, ReferenceArea } from "recharts";
import { chartTheme as th } from "./theme.ts";
import type { ValidationReport, ValidationRow } from "./validation-file.ts";
import { overlayPanels, verdictCounts, metricLabel, type Panel } from "./validation-shape.ts";
import { ChartCard } from "./ChartCard.tsx";
import { palette } from "./Charts.tsx";
import { num } from "./format.ts";
import { niceScale, maxOf } from "./axis.ts";
import { useRef } from "react";
import { collectHeadline, collectReportParts, validationReportHtml } from "./report-html.ts";
import { download } from "./export.ts";

/** Read at render: the theme follows the system. */
const AXIS = { get stroke() { return th().muted; }, fontSize: 11 };

/** Metrics whose values are fractions (shown in %, their absolute errors in percentage points). */
const FRACTIONS = new Set(["utilization", "cacheHitRatio", "errorRate"]);
const UNITS: Record<string, string> = { throughput: "req/s", saturationThroughput: "req/s", mean: "ms", p50: "ms", p95: "ms", p99: "ms", balancerQueue: "req", queueBacklog: "msg" };
const unitOf = (metric: string) => UNITS[metric] ?? (/Ms$/.test(metric) ? "ms" : "");

export function valueText(metric: string, v: number | null): string {
  if (v === null) return "–";
  if (FRACTIONS.has(metric)) return `${num(v * 100)}%`;
  const u = unitOf(metric);
  return u ? `${num(v)} ${u}` : num(v);
}

export function errorText(r: Pick<ValidationRow, "metric" | "error" | "errorKind">): string {
  if (r.error === null) return "–";
  const sign = r.error > 0 ? "+" : "";
  if (r.errorKind === "relative") return `${sign}${(r.error * 100).toFixed(1)}%`;
  if (FRACTIONS.has(r.metric)) return `${sign}${num(r.error * 100)} pp`;
  return `${sign}${num(r.error)}${unitOf(r.metric) ? ` ${unitOf(r.metric)}` : ""}`;
}

export function targetText(r: Pick<ValidationRow, "metric" | "target" | "errorKind">): string {
  if (r.target === null) return "no target";
  if (r.errorKind === "relative") return `±${num(r.target * 100)}%`;
  return FRACTIONS.has(r.metric) ? `±${num(r.target * 100)} pp` : `±${num(r.target)}`;
}

/** createdAt as "2026-11-27 22:17 UTC" (the same for every reader, whatever their locale). */
function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const Square = (props: { cx?: number; cy?: number; stroke?: string; index?: number }) =>
  props.cx === undefined || props.cy === undefined || !Number.isFinite(props.cx) || !Number.isFinite(props.cy)
    ? <g key={props.index} />
    : <rect key={props.index} x={props.cx - 3.5} y={props.cy - 3.5} width={7} height={7} fill={th().panel} stroke={props.stroke} strokeWidth={1.5} />;

function bracketText(b: { below: number | null; above: number | null }): string {
  if (b.below === null && b.above === null) return "no level measured";
  if (b.above === null) return `above ${num(b.below!)} req/s`;
  if (b.below === null) return `at or below ${num(b.above)} req/s`;
  return `${num(b.below)}–${num(b.above)} req/s`;
}

function OverlayChart({ panel, report, xTop, xTicks }: { panel: Panel; report: ValidationReport; xTop: number; xTicks: number[] }) {
  const keys = panel.curves.flatMap((c) => [c.predicted, c.measured]);
  const y = niceScale(maxOf(panel.rows, panel.offered ? [...keys, "rate"] : keys));
  const fmt = (v: number) => (panel.percent ? `${num(v)}%` : num(v));
  const { predicted: kp, measured: km } = report.knee;
  const sameKnee = kp.below === km.below && kp.above === km.above;
  const knee = (b: { below: number | null; above: number | null }, color: string, label: string, position: "insideTopLeft" | "insideTopRight") =>
    b.below === null && b.above === null ? null : (
      <ReferenceArea x1={b.below ?? 0} x2={b.above ?? xTop} fill={color} fillOpacity={0.07} stroke={color} strokeOpacity={0.35} strokeDasharray="3 3" ifOverflow="hidden"
        label={{ value: label, position, fill: color, fontSize: 10 }} />
    );
  return (
    <ChartCard title={panel.title} testId={`chart-val-${panel.id}`}
      unit={<>solid ● predicted (simulator) · dashed ■ measured (reference app){panel.offered ? " · grey: offered" : ""}</>}>
      <ResponsiveContainer width="100%" height={250}>
        <LineChart data={panel.rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          <XAxis dataKey="rate" type="number" domain={[0, xTop]} ticks={xTicks} allowDataOverflow tick={AXIS} stroke={AXIS.stroke} tickFormatter={(v: number) => num(v)}
            label={{ value: "offered load (req/s)", position: "insideBottom", offset: -4, fill: th().muted, fontSize: 11 }} height={36} />
          {panel.log ? (
            <YAxis scale="log" domain={["auto", "auto"]} allowDataOverflow tick={AXIS} stroke={AXIS.stroke} width={62} tickFormatter={fmt}
              label={{ value: panel.axis, angle: -90, position: "insideLeft", offset: 8, fill: th().muted, fontSize: 11, style: { textAnchor: "middle" } }} />
          ) : (
            <YAxis domain={[0, y.top]} ticks={y.ticks} allowDataOverflow tick={AXIS} stroke={AXIS.stroke} width={62} tickFormatter={fmt}
              label={{ value: panel.axis, angle: -90, position: "insideLeft", offset: 8, fill: th().muted, fontSize: 11, style: { textAnchor: "middle" } }} />
          )}
          {sameKnee ? knee(report.knee.predicted, th().lilac, "knee (predicted and measured)", "insideTopRight") : <>
            {knee(report.knee.predicted, th().accent, "predicted knee", "insideTopLeft")}
            {knee(report.knee.measured, th().p95, "measured knee", "insideTopRight")}
          </>}
          <ReferenceLine x={report.saturation.predictedRate} stroke={th().purple} strokeDasharray="2 4" ifOverflow="hidden"
            label={{ value: `saturation ${num(report.saturation.predictedRate)} (predicted)`, position: "insideBottomRight", fill: th().purple, fontSize: 10 }} />
          <Tooltip contentStyle={{ background: th().panel, border: `1px solid ${th().border}`, fontSize: 12 }} labelFormatter={(r) => `${num(Number(r))} req/s offered`}
            formatter={(v, name) => [v === null || v === undefined ? "–" : fmt(Number(v)), name]} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {panel.offered && <Line dataKey="rate" name="offered" stroke={th().muted} strokeDasharray="4 3" dot={false} isAnimationActive={false} />}
          {panel.curves.flatMap((c, i) => {
            const color = palette()[i % palette().length];
            return [
              <Line key={c.predicted} dataKey={c.predicted} name={`${c.name}`} stroke={color} strokeWidth={1.8} dot={{ r: 3.5, fill: color }} isAnimationActive={false} connectNulls />,
              <Line key={c.measured} dataKey={c.measured} name={`${c.name} measured`} legendType="none" stroke={color} strokeWidth={1.8} strokeDasharray="6 4" dot={Square} activeDot={false} isAnimationActive={false} connectNulls />,
            ];
          })}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function RowLine({ r, saturation }: { r: ValidationRow; saturation?: boolean }) {
  return (
    <tr className={`v-${r.verdict}`} data-verdict={r.verdict}>
      <td>{r.scope}</td>
      <td>{saturation ? "saturation throughput" : metricLabel(r.metric)}</td>
      <td className="r">{valueText(r.metric, r.predicted)}</td>
      {r.measured === null && r.note
        ? <td className="r muted" title={r.note} data-testid="val-note">{r.note}</td>
        : <td className="r" title={r.note}>{valueText(r.metric, r.measured)}</td>}
      <td className="r err">{errorText(r)}</td>
      <td className="r">{targetText(r)}</td>
      <td><span className={`verdict ${r.verdict}`}>{r.verdict}</span></td>
    </tr>
  );
}

const HEAD = <thead><tr><th>scope</th><th>metric</th><th className="r">predicted</th><th className="r">measured</th><th className="r">error</th><th className="r">target</th><th>verdict</th></tr></thead>;

export function ErrorTable({ report }: { report: ValidationReport }) {
  const st = report.saturation.throughput;
  return (
    <div data-testid="val-table">
      {st && (
        <div className="card">
          <header className="card-head"><div><h3>Saturation throughput</h3><div className="card-unit">successful req/s with {num(st.offeredRate)} req/s offered (past the knee); its target applies at any utilization</div></div></header>
          <table className="grid vtable">{HEAD}<tbody><RowLine r={st} saturation /></tbody></table>
        </div>
      )}
      {report.levels.map((l, i) => (
        <div className="card" key={i} data-testid="val-level" data-status={l.status}>
          <header className="card-head">
            <div>
              <h3>{l.level === null ? "explicit rate" : `level ${l.level}`} · {num(l.rate)} req/s <span className={`verdict ${l.status}`}>{l.status}</span></h3>
              <div className="card-unit">
                predicted {l.bottleneck} utilization {(l.predictedUtilization * 100).toFixed(0)}%
                {l.error ? "" : ` · ${l.engine} load generator · ${num(l.requestsMeasured)} requests in the window`}
                {!l.error && !l.targetsApply && " · above 80% predicted utilization: targets do not apply, rows are informative"}
              </div>
            </div>
          </header>
          {l.error ? (
            <div className="val-error" data-testid="val-level-error"><strong>Not measured:</strong> <span className="pre">{l.error}</span></div>
          ) : (
            <table className="grid vtable">{HEAD}<tbody>{l.rows.map((r, j) => <RowLine key={j} r={r} />)}</tbody></table>
          )}
        </div>
      ))}
    </div>
  );
}

export function ValidationView({ report, fileName, onClose }: { report: ValidationReport; fileName: string; onClose: () => void }) {
  const panels = overlayPanels(report);
  const counts = verdictCounts(report);
  const rates = report.levels.map((l) => l.rate);
  const x = niceScale(Math.max(...rates, report.saturation.predictedRate * 1.05, report.saturation.throughput?.offeredRate ?? 0));
  const m = report.machine;
  const view = useRef<HTMLElement>(null);
  const saveReport = () => {
    if (!view.current) return;
    const { tables, charts } = collectReportParts(view.current);
    download(`${report.scenario.name}.validation.html`, validationReportHtml(report, fileName, collectHeadline(view.current), tables, charts, new Date()), "text/html");
  };
  return (
    <section className="results validation" data-testid="validation" ref={view}>
      <div className="val-head">
        <div>
          <h2>Predicted vs measured</h2>
          <div className="val-title"><strong>{report.scenario.name}</strong> <span className="muted">{report.scenario.file} · opened from {fileName}</span></div>
          {report.measuredOn && <div className="muted val-rule" data-testid="val-measured-on">Measured: {report.measuredOn}</div>}
        </div>
        <div className="card-tools">
          <button className="btn-ghost" onClick={saveReport} data-testid="val-export-html"
            title="Download this validation as one self-contained HTML file: headline, calibration, every chart as SVG, every level's error table">HTML report</button>
          <button className="btn-ghost" onClick={onClose} data-testid="val-close">Close report</button>
        </div>
      </div>
      <div className="headline">
        <div className={`stat ${report.pass ? "ok" : "bad"}`} data-testid="val-verdict">
          <div className="stat-label">Validation</div>
          <div className="stat-value">{report.pass ? "PASS" : "FAIL"}</div>
          <div className="stat-sub"><span className="ok">{counts.pass} pass</span> · <span className="bad">{counts.fail} fail</span> · {counts.info} info{counts.errorLevels ? <> · <span className="bad">{counts.errorLevels} level{counts.errorLevels > 1 ? "s" : ""} not measured</span></> : null}{counts.unreliableLevels ? <> · <span className="bad">{counts.unreliableLevels} level{counts.unreliableLevels > 1 ? "s" : ""} unreliable (load generator lagged; not counted)</span></> : null}</div>
        </div>
        <div className="stat">
          <div className="stat-label">Saturation (predicted)</div>
          <div className="stat-value">{num(report.saturation.predictedRate)} req/s</div>
          <div className="stat-sub" title={report.saturation.method}>bottleneck {report.saturation.bottleneck}</div>
        </div>
        <div className="stat" data-testid="val-knee">
          <div className="stat-label">Knee</div>
          <div className="stat-value knee-pair"><span style={{ color: th().accent }}>{bracketText(report.knee.predicted)}</span></div>
          <div className="stat-sub">predicted · measured: <span style={{ color: th().p95 }}>{bracketText(report.knee.measured)}</span></div>
        </div>
        <div className="stat" data-testid="val-machine">
          <div className="stat-label">Measured on</div>
          <div className="stat-value">{m.host} · {m.cpus} CPUs</div>
          <div className="stat-sub">{when(report.createdAt)} · load avg {m.loadAverage.map((v) => v.toFixed(1)).join(" ")} · Node {m.node}</div>
        </div>
        <div className="stat">
          <div className="stat-label">Each level</div>
          <div className="stat-value">{num(report.durationS)} s</div>
          <div className="stat-sub">first {num(report.warmupS)} s discarded on both sides · {report.levels.length} level{report.levels.length === 1 ? "" : "s"}</div>
        </div>
      </div>
      <div className="card" data-testid="val-calibration">
        <header className="card-head"><div><h3>Calibration</h3><div className="card-unit">{report.calibration ? "per-hop overheads measured on a separate low-load probe and fed to the simulator only" : "not calibrated: the YAML was taken at its word (headroom validate --calibrate measures per-hop overheads first)"}</div></div></header>
        {report.calibration && report.calibration.length > 0 && (
          <table className="grid">
            <thead><tr><th>parameter</th><th className="r">value</th><th>how</th></tr></thead>
            <tbody>{report.calibration.map((c) => <tr key={c.parameter}><td className="mono">{c.parameter}</td><td className="r">{num(c.valueMs)} ms</td><td className="details">{c.how}</td></tr>)}</tbody>
          </table>
        )}
      </div>
      <div className="muted val-rule">Knee rule, the same on both sides: {report.knee.rule}. The levels only bracket the knee; a shaded band is where it lies.</div>
      {panels.length > 0 ? (
        <div className="charts">
          {panels.map((p) => <OverlayChart key={p.id} panel={p} report={report} xTop={x.top} xTicks={x.ticks} />)}
        </div>
      ) : <div className="banner bad">No level of this report was measured, so there are no curves to draw; the table below says why.</div>}
      <h2 className="val-section">Errors against the targets</h2>
      <ErrorTable report={report} />
    </section>
  );
}
