// The page's first charts, drawn by hand in SVG (no recharts) so that the default scenario's first
// chart does not wait for the chart library: fetching, compiling and first running recharts (its
// 385 kB chunk) cost the page's thread 0.3-0.6 s on the way to the first line, on the two cores the
// simulation worker is starting on. Drawn only while the page's first run is warming up (App.tsx)
// and as the fallback while the charts' code loads; the recharts charts (Charts.tsx) replace them,
// with the same layout, axes, colors and legend. What they trade away: no tooltip, no PNG/SVG
// download, no class picker (the first class), no bands or event marks, for the second or so before
// recharts is there.
import { useLayoutEffect, useRef, useState } from "react";
import type { SeriesResult } from "../../simulator/index.ts";
import { chartTheme as th } from "./theme.ts";
import { niceScale, ticksWithin } from "./axis.ts";
import { num } from "./format.ts";

/** One line: its legend name, color, dash and values (null: no value in that interval). */
interface PlainLine {
  readonly name: string;
  readonly color: string;
  readonly dash?: string;
  readonly values: ReadonlyArray<number | null | undefined>;
}

// The recharts charts' geometry (Charts.tsx: height 240, margin 8/16/4/0, legend 24 on top, y axis
// 62 wide, x axis 36 high), so the swap moves nothing.
const HEIGHT = 240;
const LEFT = 62;
const RIGHT = 16;
const TOP = 8 + 24;
const BOTTOM = HEIGHT - 4 - 36;

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/** The SVG path of a line through the finite values, broken where a value is missing. */
function linePath(t: readonly number[], values: PlainLine["values"], x: (t: number) => number, y: (v: number) => number): string {
  let d = "";
  let pen = false;
  for (let i = 0; i < t.length; i++) {
    const v = values[i];
    if (!finite(v)) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${x(t[i]).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

function PlainChart({ title, unit, testId, yLabel, durationS, warmupS, t, lines, inProgress, live }: {
  title: string; unit: React.ReactNode; testId: string; yLabel: string; durationS: number; warmupS: number;
  t: readonly number[]; lines: readonly PlainLine[]; inProgress: boolean; live: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  // one synchronous layout read before the first paint (the card's width), then on resizes
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver !== "function") return;
    const o = new ResizeObserver(() => setWidth(el.clientWidth));
    o.observe(el);
    return () => o.disconnect();
  }, []);
  const theme = th();
  let max = 0;
  for (const l of lines) for (const v of l.values) if (finite(v) && v > max) max = v;
  const { top, ticks } = niceScale(max);
  const xTicks = ticksWithin(durationS);
  const right = Math.max(LEFT + 1, width - RIGHT);
  const x = (s: number) => LEFT + (Math.min(Math.max(s, 0), durationS) / (durationS || 1)) * (right - LEFT);
  const y = (v: number) => BOTTOM - (Math.min(v, top) / top) * (BOTTOM - TOP);
  const last = t.length - 1;
  const axisText = { fill: theme.muted, fontSize: 11 };
  return (
    <section className="card" data-testid={testId} data-plain="">
      <header className="card-head">
        <div>
          <h3>{title}</h3>
          <div className="card-unit">{unit}</div>
        </div>
      </header>
      <div ref={box} className="chart-body" style={{ height: HEIGHT }}>
        {width > 0 && (
          <svg width={width} height={HEIGHT} role="img" aria-label={`${title}: ${lines.map((l) => l.name).join(", ")} over ${num(durationS)} s`} className="plain-chart">
            <title>{title}</title>
            {/* legend on top, centred, as recharts draws it */}
            <g className="plain-legend" fontSize={12}>
              {lines.map((l, i) => {
                const lx = width / 2 - (lines.length * 70) / 2 + i * 70;
                return (
                  <g key={l.name}>
                    <line x1={lx} x2={lx + 14} y1={18} y2={18} stroke={l.color} strokeWidth={2} strokeDasharray={l.dash} />
                    <text x={lx + 18} y={22} fill={l.color}>{l.name}</text>
                  </g>
                );
              })}
            </g>
            {warmupS > 0 && <rect x={x(0)} y={TOP} width={x(warmupS) - x(0)} height={BOTTOM - TOP} fill={theme.muted} fillOpacity={0.08} />}
            {warmupS > 0 && <text x={x(0) + 5} y={TOP + 13} fill={theme.faint} fontSize={10}>warm-up</text>}
            <g stroke={theme.grid}>
              {ticks.map((v) => <line key={`h${v}`} x1={LEFT} x2={right} y1={y(v)} y2={y(v)} />)}
              {xTicks.map((s) => <line key={`v${s}`} x1={x(s)} x2={x(s)} y1={TOP} y2={BOTTOM} />)}
            </g>
            <g stroke={theme.muted}>
              <line x1={LEFT} x2={LEFT} y1={TOP} y2={BOTTOM} />
              <line x1={LEFT} x2={right} y1={BOTTOM} y2={BOTTOM} />
            </g>
            <g {...axisText} textAnchor="end">
              {ticks.map((v) => <text key={v} x={LEFT - 8} y={y(v) + 4}>{num(v)}</text>)}
            </g>
            <g {...axisText} textAnchor="middle">
              {xTicks.map((s) => <text key={s} x={x(s)} y={BOTTOM + 16}>{num(s)}</text>)}
              <text x={(LEFT + right) / 2} y={HEIGHT - 8}>{live ? "time (s) from the start / first request" : "simulated time (s)"}</text>
              <text transform={`translate(14 ${(TOP + BOTTOM) / 2}) rotate(-90)`}>{yLabel}</text>
            </g>
            {lines.map((l) => (
              <g key={l.name}>
                <path className="plain-line" d={linePath(t, l.values, x, y)} fill="none" stroke={l.color} strokeWidth={1.5} strokeDasharray={l.dash} />
                {inProgress && last >= 0 && finite(l.values[last]) && (
                  <circle className="partial-dot" cx={x(t[last])} cy={y(l.values[last] as number)} r={3.5} fill={theme.panel} stroke={l.color} strokeWidth={1.5} />
                )}
              </g>
            ))}
          </svg>
        )}
      </div>
    </section>
  );
}

/** The latency and throughput charts of a series (a live run's intervals so far, or a finished
 * run's), drawn plainly until the recharts charts replace them. */
export function PlainCharts({ series, durationS, warmupS, inProgress, live }: {
  series: SeriesResult; durationS: number; warmupS: number; inProgress: boolean; live: boolean;
}) {
  const theme = th();
  const classes = Object.keys(series.classes);
  const c = series.classes[classes[0]];
  const frame = { durationS, warmupS, t: series.t, inProgress, live };
  return (
    <div className="charts" data-testid="plain-charts">
      {c && (
        <PlainChart {...frame} title="Latency percentiles" testId="chart-latency" yLabel="latency (ms)"
          unit={<>ms, per {num(series.intervalS)} s interval · {classes[0]}</>}
          lines={[{ name: "p50", color: theme.p50, values: c.p50Ms }, { name: "p95", color: theme.p95, values: c.p95Ms }, { name: "p99", color: theme.p99, values: c.p99Ms }]} />
      )}
      <PlainChart {...frame} title="Throughput" testId="chart-throughput" yLabel="req/s"
        unit="requests/s completed, per class, vs offered"
        lines={[{ name: "offered", color: theme.muted, dash: "4 3", values: series.offered }, ...classes.map((n, i) => ({ name: n, color: theme.series[i % theme.series.length], values: series.classes[n].throughput }))]} />
    </div>
  );
}
