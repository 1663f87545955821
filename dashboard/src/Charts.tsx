// Time-series charts of one run (the first replication's per-interval series): latency percentiles
// against the SLO, throughput against offered load, errors, per-component utilization and queue
// length, requests in the system, and where the run has them instances (auto-scaling), cache hit
// ratio, circuit breakers' time open and cost per hour. Every axis carries its unit; the warm-up is shaded, since it is left out
// of the summary statistics.
import { createContext, useContext, useState } from "react";
import { chartTheme as th } from "./theme.ts";
import { ResponsiveContainer, LineChart, ComposedChart, Line, Area, XAxis, YAxis, CartesianGrid, Tooltip, Legend, ReferenceLine, ReferenceArea } from "recharts";
import type { SimResult } from "../../simulator/index.ts";

type Series = NonNullable<SimResult["series"]>;
import { num, pct, pctCi } from "./format.ts";
import { niceScale, ticksWithin, maxOf } from "./axis.ts";
import { ChartCard } from "./ChartCard.tsx";
import { EVENT_COLORS, type TimeEvent } from "./events.ts";
import { bandOf } from "./band-of.ts";
import type { SeriesBands } from "./bands.ts";

/** The run's events (events.ts), marked on every time axis: Results provides them. */
export const EventsContext = createContext<readonly TimeEvent[]>([]);
/** The 95% bands over the replications (bands.ts), when the run has them: Results provides them,
 * and then the series the charts get is their mean. */
export const BandsContext = createContext<SeriesBands | null>(null);

/** The series' last point is the interval in progress (a live run's peek, partial-point.ts): the
 * latency and throughput lines mark it with a hollow dot, so one point alone is a chart. */
export const InProgressContext = createContext(false);

/** A line's dot renderer: a hollow circle on the last row only (the interval in progress). */
function lastDot(rows: readonly Row[], color: string) {
  const last = rows.length - 1;
  return (p: { cx?: number; cy?: number; index?: number; key?: React.Key | null }) =>
    p.index === last && p.cx !== undefined && p.cy !== undefined && Number.isFinite(p.cy)
      ? <circle key={p.key ?? undefined} className="partial-dot" cx={p.cx} cy={p.cy} r={3.5} fill={th().panel} stroke={color} strokeWidth={1.5} />
      : <g key={p.key ?? undefined} />;
}

/** The run's frame the time axis needs: a finished result, or a run still streaming its intervals. */
export interface RunFrame {
  readonly run: { readonly durationS: number; readonly warmupS: number };
  readonly series: { readonly intervalS: number } | null;
}

/** What a chart's subtitle adds when it has bands. */
function BandNote() {
  const b = useContext(BandsContext);
  return b ? <span className="band-note" data-testid="band-note"> · mean of {b.n} replications, shaded: its 95% confidence interval</span> : null;
}

/** A shaded 95% band (a range Area) under a line: [low, high] per row under `${key} 95%`. */
function band(key: string, color: string) {
  return <Area key={`${key} band`} dataKey={`${key} 95%`} stroke="none" fill={color} fillOpacity={0.18} isAnimationActive={false} legendType="none" tooltipType="none" className="ci-band" connectNulls={false} />;
}

/** Adds each key's band to the rows (from the bands' half-widths at the same path), scaled. */
function addBands(rows: Row[], keys: ReadonlyArray<{ key: string; mean: number[] | undefined; half: number[] | undefined }>, scale = 1): void {
  for (const { key, mean, half } of keys) {
    if (!mean || !half) continue;
    const b = bandOf(mean, half, scale);
    rows.forEach((r, i) => { r[`${key} 95%`] = b[i] ?? null; });
  }
}
/** Above this many scaling actions their lines would hide the data: they stay in the events table. */
const MAX_SCALING_LINES = 40;

/** One color per series, of the current theme (theme.ts). */
export const palette = (): readonly string[] => th().series;
/** Read at render: the theme follows the system. */
const AXIS = { get stroke() { return th().muted; }, fontSize: 11 };
const tooltip = () => ({ contentStyle: { background: th().panel, border: `1px solid ${th().border}`, fontSize: 12 }, labelStyle: { color: th().text } });

type Row = Record<string, number | [number, number] | null>;

const clean = (v: number | undefined | null) => (v === undefined || v === null || !Number.isFinite(v) ? null : v);

/**
 * Measured intervals drawn over the prediction (the live view of `load`/`validate --dashboard`):
 * per interval end t, offered arrivals/s and per class completed/s, errors/s and percentiles.
 */
export type MeasuredSeries = ReadonlyArray<{
  readonly t: number;
  readonly offered: number;
  readonly classes: Readonly<Record<string, { readonly throughput: number; readonly errors: number; readonly p50Ms: number | null; readonly p95Ms: number | null; readonly p99Ms: number | null }>>;
}>;

/** With measured series the predicted lines are dashed and named "predicted"; the measured are solid, dotted, thicker. */
const PREDICTED_STYLE = { strokeDasharray: "5 4", strokeOpacity: 0.75 } as const;
const measuredLine = (key: string, data: Row[], color: string) => (
  <Line key={`${key} measured`} data={data} dataKey={`${key} measured`} stroke={color} strokeWidth={2.25} dot={{ r: 2.5, fill: color, stroke: color, className: "measured-dot" }} isAnimationActive={false} connectNulls={false} className="measured-line" />
);
const predName = (key: string, measured: MeasuredSeries | undefined) => (measured ? `${key} predicted` : key);

function tAxis(result: RunFrame, live = false) {
  return (
    <XAxis dataKey="t" type="number" domain={[0, result.run.durationS]} ticks={ticksWithin(result.run.durationS)} tick={AXIS} stroke={AXIS.stroke}
      tickFormatter={(v: number) => num(v)} label={{ value: live ? "time (s) from the start / first request" : "simulated time (s)", position: "insideBottom", offset: -4, fill: th().muted, fontSize: 11 }} height={36} />
  );
}

function yAxis(unit: string, max: number, extra: Partial<React.ComponentProps<typeof YAxis>> = {}) {
  const { top, ticks } = niceScale(max);
  return (
    <YAxis tick={AXIS} stroke={AXIS.stroke} width={62} tickFormatter={(v: number) => num(v)} domain={[0, top]} ticks={ticks} allowDataOverflow
      label={{ value: unit, angle: -90, position: "insideLeft", offset: 8, fill: th().muted, fontSize: 11, style: { textAnchor: "middle" } }} {...extra} />
  );
}

function Warmup({ result }: { result: RunFrame }) {
  const events = useContext(EventsContext);
  const scaling = events.filter((e) => e.kind === "scaling");
  return (
    <>
      {result.run.warmupS > 0 && <ReferenceArea x1={0} x2={result.run.warmupS} fill={th().muted} fillOpacity={0.08} ifOverflow="hidden" label={{ value: "warm-up", position: "insideTopLeft", fill: th().faint, fontSize: 10 }} />}
      {/* load steps, failures and outages labelled; scaling actions as faint unlabelled lines */}
      {events.filter((e) => e.kind === "outage").map((e, i) => (
        <ReferenceArea key={`o${i}`} x1={e.t} x2={e.until} fill={EVENT_COLORS.outage} fillOpacity={0.1} stroke={EVENT_COLORS.outage} strokeOpacity={0.4} ifOverflow="hidden" className="event-mark"
          label={{ value: e.label, position: "insideTop", fill: EVENT_COLORS.outage, fontSize: 10 }} />
      ))}
      {events.filter((e) => e.kind === "load" || e.kind === "failure").map((e, i) => (
        <ReferenceLine key={`e${i}`} x={e.t} stroke={EVENT_COLORS[e.kind]} strokeDasharray="2 3" ifOverflow="hidden" className="event-mark"
          label={{ value: e.label, position: "insideTopLeft", fill: EVENT_COLORS[e.kind], fontSize: 10 }} />
      ))}
      {scaling.length <= MAX_SCALING_LINES && scaling.map((e, i) => <ReferenceLine key={`s${i}`} x={e.t} stroke={EVENT_COLORS.scaling} strokeOpacity={0.35} ifOverflow="hidden" className="event-mark scaling" />)}
    </>
  );
}

export function LatencyChart({ result, series, sloMs, measured }: { result: RunFrame; series: Series; sloMs: { p95?: number; p99?: number }; measured?: MeasuredSeries }) {
  const s = series;
  const bands = useContext(BandsContext);
  const classes = Object.keys(s.classes);
  const [cls, setCls] = useState(classes[0]);
  const name = s.classes[cls] ? cls : classes[0];
  const c = s.classes[name];
  const rows: Row[] = s.t.map((t, i) => ({ t, p50: clean(c.p50Ms[i]), p95: clean(c.p95Ms[i]), p99: clean(c.p99Ms[i]) }));
  const h = bands?.half.classes[name];
  addBands(rows, (["p50", "p95", "p99"] as const).map((q) => ({ key: q, mean: c[`${q}Ms`], half: h?.[`${q}Ms`] })));
  const picker = classes.length > 1 ? (
    <select value={cls} onChange={(e) => setCls(e.target.value)} aria-label="request class">{classes.map((n) => <option key={n}>{n}</option>)}</select>
  ) : <span className="muted">{cls}</span>;
  const mrows: Row[] = (measured ?? []).map((m) => {
    const mc = m.classes[name];
    return { t: m.t, "p50 measured": clean(mc?.p50Ms), "p95 measured": clean(mc?.p95Ms), "p99 measured": clean(mc?.p99Ms) };
  });
  const pred = measured ? PREDICTED_STYLE : {};
  const inProgress = useContext(InProgressContext);
  const dot = (color: string) => (inProgress ? lastDot(rows, color) : false);
  return (
    <ChartCard title="Latency percentiles"
      unit={<>
        {s.intervalS === result.series?.intervalS ? `ms, per ${num(s.intervalS)} s interval` : `ms, mean of per-${num(result.series?.intervalS ?? 1)} s percentiles over ${num(s.intervalS)} s buckets`}
        {sloMs.p95 !== undefined && <span className="slo-key p95"> · - - SLO p95 {num(sloMs.p95)} ms</span>}
        {sloMs.p99 !== undefined && <span className="slo-key p99"> · - - SLO p99 {num(sloMs.p99)} ms</span>}
        <BandNote />
      </>} extra={picker} testId="chart-latency">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result, !!measured)}
          {yAxis("latency (ms)", Math.max(maxOf(rows, ["p50", "p95", "p99"], [sloMs.p95, sloMs.p99]), maxOf(mrows, ["p50 measured", "p95 measured", "p99 measured"])))}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => `${num(Number(v))} ms`} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {h && [band("p50", th().p50), band("p95", th().p95), band("p99", th().p99)]}
          <Line dataKey="p50" name={predName("p50", measured)} stroke={th().p50} dot={dot(th().p50)} isAnimationActive={false} strokeWidth={1.5} {...pred} />
          <Line dataKey="p95" name={predName("p95", measured)} stroke={th().p95} dot={dot(th().p95)} isAnimationActive={false} strokeWidth={1.5} {...pred} />
          <Line dataKey="p99" name={predName("p99", measured)} stroke={th().p99} dot={dot(th().p99)} isAnimationActive={false} strokeWidth={1.5} {...pred} />
          {measured && [measuredLine("p50", mrows, th().p50), measuredLine("p95", mrows, th().p95), measuredLine("p99", mrows, th().p99)]}
          {sloMs.p95 !== undefined && <ReferenceLine y={sloMs.p95} stroke={th().p95} strokeDasharray="6 4" />}
          {sloMs.p99 !== undefined && <ReferenceLine y={sloMs.p99} stroke={th().p99} strokeDasharray="12 3 2 3" />}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function ThroughputChart({ result, series, measured }: { result: RunFrame; series: Series; measured?: MeasuredSeries }) {
  const s = series;
  const bands = useContext(BandsContext);
  const classes = Object.keys(s.classes);
  const rows: Row[] = s.t.map((t, i) => {
    const r: Row = { t, offered: clean(s.offered[i]) };
    for (const c of classes) r[c] = clean(s.classes[c].throughput[i]);
    return r;
  });
  const mrows: Row[] = (measured ?? []).map((m) => {
    const r: Row = { t: m.t, "offered measured": m.offered };
    for (const c of classes) r[`${c} measured`] = clean(m.classes[c]?.throughput ?? 0);
    return r;
  });
  const pred = measured ? PREDICTED_STYLE : {};
  if (bands) addBands(rows, classes.map((c) => ({ key: c, mean: s.classes[c].throughput, half: bands.half.classes[c]?.throughput })));
  const inProgress = useContext(InProgressContext);
  const dot = (color: string) => (inProgress ? lastDot(rows, color) : false);
  return (
    <ChartCard title="Throughput" unit={<>requests/s completed, per class, vs offered<BandNote /></>} testId="chart-throughput">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result, !!measured)}
          {yAxis("req/s", Math.max(maxOf(rows, ["offered", ...classes]), maxOf(mrows, ["offered measured", ...classes.map((c) => `${c} measured`)])))}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => `${num(Number(v))} req/s`} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {bands && classes.map((c, i) => band(c, palette()[i % palette().length]))}
          <Line dataKey="offered" name={predName("offered", measured)} stroke={th().muted} strokeDasharray="4 3" dot={dot(th().muted)} isAnimationActive={false} />
          {classes.map((c, i) => <Line key={c} dataKey={c} name={predName(c, measured)} stroke={palette()[i % palette().length]} dot={dot(palette()[i % palette().length])} isAnimationActive={false} strokeWidth={1.5} {...pred} />)}
          {measured && [measuredLine("offered", mrows, th().muted), ...classes.map((c, i) => measuredLine(c, mrows, palette()[i % palette().length]))]}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function ErrorsChart({ result, series, measured }: { result: SimResult; series: Series; measured?: MeasuredSeries }) {
  const s = series;
  const classes = Object.keys(s.classes);
  const rows: Row[] = s.t.map((t, i) => {
    const r: Row = { t };
    for (const c of classes) r[c] = clean(s.classes[c].errors[i]);
    return r;
  });
  const mrows: Row[] = (measured ?? []).map((m) => {
    const r: Row = { t: m.t };
    for (const c of classes) r[`${c} measured`] = clean(m.classes[c]?.errors ?? 0);
    return r;
  });
  const pred = measured ? PREDICTED_STYLE : {};
  const total = Object.values(result.classes).reduce((a, c) => a + c.counts.dropped + c.counts.failed, 0);
  const bands = useContext(BandsContext);
  if (bands) addBands(rows, classes.map((c) => ({ key: c, mean: s.classes[c].errors, half: bands.half.classes[c]?.errors })));
  return (
    <ChartCard title="Errors" unit={<>failed requests/s (dropped, timed out or refused) · {total} in the window<BandNote /></>} testId="chart-errors">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result, !!measured)}
          {yAxis("errors/s", Math.max(maxOf(rows, classes), maxOf(mrows, classes.map((c) => `${c} measured`))))}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => `${num(Number(v))} /s`} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {bands && classes.map((c, i) => band(c, palette()[i % palette().length]))}
          {classes.map((c, i) => <Line key={c} dataKey={c} name={predName(c, measured)} stroke={palette()[i % palette().length]} dot={false} isAnimationActive={false} strokeWidth={1.5} {...pred} />)}
          {measured && classes.map((c, i) => measuredLine(c, mrows, palette()[i % palette().length]))}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function ComponentChart({ result, series, metric }: { result: SimResult; series: Series; metric: "utilization" | "queueLength" }) {
  const s = series;
  // A component without units (a CDN, an unbounded pool) has no utilization to draw.
  const comps = Object.keys(s.components).filter((c) => metric !== "utilization" || result.components[c]?.servers !== null);
  const scale = metric === "utilization" ? 100 : 1;
  const rows: Row[] = s.t.map((t, i) => {
    const r: Row = { t };
    for (const c of comps) r[c] = clean(s.components[c][metric][i] * scale);
    return r;
  });
  const util = metric === "utilization";
  const bands = useContext(BandsContext);
  if (bands) addBands(rows, comps.map((c) => ({ key: c, mean: s.components[c][metric], half: bands.half.components[c]?.[metric] })), scale);
  return (
    <ChartCard title={util ? "Utilization per component" : "Queue length per component"} unit={<>{util ? "% of servers busy" : "requests waiting (time average per interval)"}<BandNote /></>} testId={util ? "chart-utilization" : "chart-queue"}>
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result)}
          {yAxis(util ? "utilization (%)" : "queue (requests)", util ? 100 : maxOf(rows, comps))}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => (util ? `${num(Number(v))} %` : num(Number(v)))} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {bands && comps.map((c, i) => band(c, palette()[i % palette().length]))}
          {comps.map((c, i) => <Line key={c} dataKey={c} stroke={palette()[i % palette().length]} dot={false} isAnimationActive={false} strokeWidth={1.5} />)}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function InFlightChart({ result, series }: { result: SimResult; series: Series }) {
  const s = series;
  const rows: Row[] = s.t.map((t, i) => ({ t, "in flight": clean(s.inFlight[i]) }));
  const bands = useContext(BandsContext);
  if (bands) addBands(rows, [{ key: "in flight", mean: s.inFlight, half: bands.half.inFlight }]);
  return (
    <ChartCard title="Requests in the system" unit={<>time average per interval; mean {num(result.inFlight.mean)} (Little: throughput × mean latency)<BandNote /></>} testId="chart-inflight">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result)}
          {yAxis("requests", maxOf(rows, ["in flight"]))}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => num(Number(v))} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {bands && band("in flight", th().purple)}
          <Line dataKey="in flight" stroke={th().purple} dot={false} isAnimationActive={false} strokeWidth={1.5} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Per-component instance counts over time, from series that carry them (auto-scaling). */
export function instanceSeries(series: Series): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, c] of Object.entries(series.components)) {
    const a = (c as { instances?: number[] }).instances;
    if (Array.isArray(a) && a.some((v) => Number.isFinite(v) && v !== a[0])) out[name] = a;
  }
  return out;
}

/** Drawn only when some component's instance count changes during the run. */
export function InstancesChart({ result, series }: { result: SimResult; series: Series }) {
  const inst = instanceSeries(series);
  const comps = Object.keys(inst);
  if (comps.length === 0) return null;
  const rows: Row[] = series.t.map((t, i) => {
    const r: Row = { t };
    for (const c of comps) r[c] = clean(inst[c][i]);
    return r;
  });
  return (
    <ChartCard title="Instances" unit="running instances per component (auto-scaling)" testId="chart-instances">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result)}
          {yAxis("instances", maxOf(rows, comps))}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => num(Number(v))} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {comps.map((c, i) => <Line key={c} dataKey={c} type="stepAfter" stroke={palette()[i % palette().length]} dot={false} isAnimationActive={false} strokeWidth={1.5} />)}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Components whose series carry a per-interval hit ratio (caches and CDNs). */
export function hitRatioSeries(series: Series): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, c] of Object.entries(series.components)) if (Array.isArray(c.hitRatio)) out[name] = c.hitRatio;
  return out;
}

/** Hit ratio per interval for each cache and CDN, with the statistics window's value marked. */
export function HitRatioChart({ result, series }: { result: SimResult; series: Series }) {
  const hr = hitRatioSeries(series);
  const comps = Object.keys(hr);
  if (comps.length === 0) return null;
  const rows: Row[] = series.t.map((t, i) => {
    const r: Row = { t };
    for (const c of comps) r[c] = clean(hr[c][i] * 100);
    return r;
  });
  const window = comps.map((c) => ({ c, v: result.components[c]?.hitRatio?.mean })).filter((x) => x.v !== undefined && Number.isFinite(x.v));
  return (
    <ChartCard title="Cache hit ratio" testId="chart-hit-ratio"
      unit={<>hits / lookups per interval (a cold cache starts low){window.map(({ c, v }) => <span key={c}> · - - {c} {num(v! * 100)}% over the statistics window</span>)}</>}>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result)}
          {yAxis("hit ratio (%)", 100)}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => `${num(Number(v))} %`} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {comps.map((c, i) => <Line key={c} dataKey={c} stroke={palette()[(i + 3) % palette().length]} dot={false} isAnimationActive={false} strokeWidth={1.5} />)}
          {window.map(({ c, v }) => <ReferenceLine key={c} y={v! * 100} stroke={palette()[(comps.indexOf(c) + 3) % palette().length]} strokeDasharray="6 4" />)}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Services whose series carry the share of each interval their circuit breaker was open. */
export function breakerSeries(series: Series): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, c] of Object.entries(series.components)) if (Array.isArray(c.breakerOpenShare)) out[name] = c.breakerOpenShare;
  return out;
}

/** Per service with a circuit breaker: the % of each interval it was open (calls short-circuited),
 * with its share of the statistics window marked, as the hit ratio's. */
export function BreakerChart({ result, series }: { result: SimResult; series: Series }) {
  const open = breakerSeries(series);
  const comps = Object.keys(open);
  if (comps.length === 0) return null;
  const rows: Row[] = series.t.map((t, i) => {
    const r: Row = { t };
    for (const c of comps) r[c] = clean(open[c][i] * 100);
    return r;
  });
  const color = (c: string) => palette()[(comps.indexOf(c) + 5) % palette().length];
  const window = comps.flatMap((c) => {
    const b = result.components[c]?.breaker;
    return b && Number.isFinite(b.openShare.mean) ? [{ c, b, rs: result.components[c].resilience }] : [];
  });
  const n = result.run.replications;
  return (
    <ChartCard title="Circuit breaker" testId="chart-breaker"
      unit={<>% of each interval the breaker was open (calls to it short-circuited){window.map(({ c, b, rs }) => (
        <span key={c}> · - - {c} open {pctCi(b.openShare)} of the statistics window, half-open {pct(b.halfOpenShare.mean)}, opened {num(b.openings.mean)}× per replication{rs ? `; ${num(rs.shortCircuited)} calls short-circuited, ${num(rs.retries)} retries in ${n} replication${n === 1 ? "" : "s"}` : ""}</span>
      ))}</>}>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result)}
          {yAxis("open (% of interval)", 100)}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => `${num(Number(v))} % open`} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          {comps.map((c) => <Line key={c} dataKey={c} stroke={color(c)} dot={false} isAnimationActive={false} strokeWidth={1.5} />)}
          {window.map(({ c, b }) => <ReferenceLine key={c} y={b.openShare.mean * 100} stroke={color(c)} strokeDasharray="6 4" />)}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Cost per hour at each interval's instance counts and request rates; drawn when some component has a price. */
export function CostChart({ result, series }: { result: SimResult; series: Series }) {
  const cost = series.costPerHour;
  if (!cost || !result.cost) return null;
  const rows: Row[] = series.t.map((t, i) => ({ t, "cost per hour": clean(cost[i]) }));
  const bill = result.cost;
  return (
    <ChartCard title="Cost" testId="chart-cost"
      unit={<>per hour in the scenario's price unit, following the instance count · - - window average {num(bill.perHour)}/h = {num(bill.perMonth)}/month{bill.perMillionRequests !== null ? `, ${num(bill.perMillionRequests)} per million requests` : ""}</>}>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={th().grid} />
          {tAxis(result)}
          {/* 15% above the highest cost, so a flat line does not run along the frame */}
          {yAxis("cost per hour", 1.15 * maxOf(rows, ["cost per hour"], [bill.perHour]))}
          <Warmup result={result} />
          <Tooltip {...tooltip()} formatter={(v) => `${num(Number(v))} /h`} labelFormatter={(t) => `t = ${t} s`} />
          <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={24} />
          <Line dataKey="cost per hour" type="stepAfter" stroke={th().yellow} dot={false} isAnimationActive={false} strokeWidth={1.5} />
          <ReferenceLine y={bill.perHour} stroke={th().yellow} strokeDasharray="6 4" />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
