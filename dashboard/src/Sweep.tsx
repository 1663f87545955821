// A sweep (`headroom sweep --json FILE`) as an architect reads it: which configurations meet the
// SLO, what each costs, and how close each is to its wall. A heatmap of two varied parameters
// colored by the chosen figure (the load across when it is varied), the cheapest point meeting the
// SLO starred and, when the load is varied, the cheapest passing point at each load outlined and
// listed; below, small multiples of one parameter against every figure (the only view for one
// parameter or a Latin hypercube, which has no grid).
import { useMemo, useState } from "react";
import { chartTheme as th } from "./theme.ts";
import { ResponsiveContainer, ScatterChart, Scatter, XAxis, YAxis, CartesianGrid, Tooltip } from "recharts";
import type { SweepPoint, SweepResult } from "./sweep-file.ts";
import { FIGURES, cheapestPerLoad, extent, figure, heatColor, heatmap, loadParameter, multiples, type Figure } from "./sweep-shape.ts";
import { ChartCard } from "./ChartCard.tsx";
import { num } from "./format.ts";

/** Read at render: the theme follows the system. */
const AXIS = { get stroke() { return th().muted; }, fontSize: 11 };

function figureText(f: Figure, v: number, costBasis: SweepResult["costBasis"]): string {
  if (!Number.isFinite(v)) return "–";
  switch (f) {
    case "p95":
    case "p99":
      return `${num(v)} ms`;
    case "cost":
      return costBasis === "price per hour" ? `${num(v)}/h` : `${num(v)} inst.`;
    case "headroom":
      return `x${num(v)}`;
    case "errorRate":
      return `${num(v * 100)}%`;
  }
}

const unitOf = (s: SweepResult, path: string) => s.parameters.find((p) => p.path === path)?.unit ?? "";
const valueText = (s: SweepResult, path: string, v: number) => `${num(v, 4)}${unitOf(s, path) ? ` ${unitOf(s, path)}` : ""}`;
const pointText = (s: SweepResult, p: SweepPoint) => s.parameters.map((q) => `${q.path}=${valueText(s, q.path, p.values[q.path])}`).join(", ");

export function SweepView({ sweep, fileName, onClose }: { sweep: SweepResult; fileName: string; onClose: () => void }) {
  const [fig, setFig] = useState<Figure>("p95");
  const paths = sweep.parameters.map((p) => p.path);
  const lp = loadParameter(sweep);
  const [xPath, setXPath] = useState<string>(lp ?? paths[0]);
  const [yPath, setYPath] = useState<string>(paths.find((p) => p !== (lp ?? paths[0])) ?? paths[0]);
  const [multPath, setMultPath] = useState<string>(paths[0]);
  const cheapest = sweep.cheapestPassing !== null ? sweep.points[sweep.cheapestPassing] : null;
  const perLoad = useMemo(() => cheapestPerLoad(sweep), [sweep]);
  const perLoadIdx = useMemo(() => new Set([...perLoad.values()].filter((p): p is SweepPoint => p !== null).map((p) => p.index)), [perLoad]);
  const grid = useMemo(() => (xPath !== yPath ? heatmap(sweep, xPath, yPath) : null), [sweep, xPath, yPath]);
  const [lo, hi] = grid ? extent(grid.cells.map((c) => c.point), fig) : [NaN, NaN];
  const passing = sweep.points.filter((p) => p.pass).length;
  const others = lp ? paths.filter((p) => p !== lp) : paths;
  return (
    <section className="results sweep" data-testid="sweep-result">
      <div className="val-head">
        <div>
          <h2>Sweep</h2>
          <div className="val-title"><strong>{sweep.scenario}</strong> <span className="muted">{sweep.file} · opened from {fileName}</span></div>
        </div>
        <button className="btn-ghost" onClick={onClose} data-testid="sweep-close">Close sweep</button>
      </div>
      <div className="headline">
        <div className="stat"><div className="stat-label">Points</div><div className="stat-value">{sweep.points.length}</div>
          <div className="stat-sub">{sweep.design === "grid" ? "grid" : "Latin hypercube"} · {sweep.settings.replications} replications × {num(sweep.settings.duration)} s, seed {sweep.settings.seed}</div></div>
        <div className={`stat ${passing ? "ok" : "bad"}`}><div className="stat-label">Meet the SLO</div><div className="stat-value" data-testid="sweep-passing">{passing} of {sweep.points.length}</div>
          <div className="stat-sub">the SLO of the scenario, and no queue's workers over 97% busy</div></div>
        <div className={`stat ${cheapest ? "ok" : "bad"}`} data-testid="sweep-cheapest">
          <div className="stat-label">Cheapest meeting the SLO ({sweep.costBasis})</div>
          <div className="stat-value">{cheapest ? `★ ${figureText("cost", cheapest.cost, sweep.costBasis)}` : "none"}</div>
          <div className="stat-sub">{cheapest ? `#${cheapest.index}: ${pointText(sweep, cheapest)} · p95 ${figureText("p95", figure(cheapest, "p95"), sweep.costBasis)}` : "no point of the sweep meets the SLO"}</div>
        </div>
      </div>

      {lp && others.length > 0 && (
        <>
          <h3 className="val-section">Cheapest configuration meeting the SLO at each load</h3>
          <p className="muted val-rule">The single cheapest point is usually at the lowest load; this is the answer at each load level ({lp}).</p>
          <table className="val-table" data-testid="sweep-per-load">
            <thead><tr><th>{lp}</th>{others.map((p) => <th key={p}>{p}</th>)}<th>cost</th><th>p95</th><th>headroom</th></tr></thead>
            <tbody>
              {[...perLoad].map(([load, p]) => (
                <tr key={load} className={p ? "v-pass" : "v-fail"}>
                  <td>{valueText(sweep, lp, load)}</td>
                  {p ? <>
                    {others.map((q) => <td key={q}>{valueText(sweep, q, p.values[q])}</td>)}
                    <td>{figureText("cost", p.cost, sweep.costBasis)}</td><td>{figureText("p95", figure(p, "p95"), sweep.costBasis)}</td><td>{figureText("headroom", p.analyticHeadroom, sweep.costBasis)}</td>
                  </> : <td colSpan={others.length + 3}>no swept configuration meets the SLO at this load</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <div className="sweep-controls">
        <label>Color by <select value={fig} onChange={(e) => setFig(e.target.value as Figure)} data-testid="sweep-figure">
          {FIGURES.map((f) => <option key={f.id} value={f.id}>{f.label}</option>)}
        </select></label>
        {sweep.design === "grid" && paths.length >= 2 && <>
          <label>across <select value={xPath} onChange={(e) => setXPath(e.target.value)} data-testid="sweep-x">{paths.map((p) => <option key={p}>{p}</option>)}</select></label>
          <label>down <select value={yPath} onChange={(e) => setYPath(e.target.value)} data-testid="sweep-y">{paths.map((p) => <option key={p}>{p}</option>)}</select></label>
        </>}
      </div>

      {grid && (
        <section className="card" data-testid="sweep-heatmap">
          <header className="card-head"><div><h3>{FIGURES.find((f) => f.id === fig)!.label}</h3>
            <div className="card-unit">{grid.xPath} across, {grid.yPath} down{Object.keys(grid.fixed).length ? ` · ${Object.entries(grid.fixed).map(([k, v]) => `${k}=${valueText(sweep, k, v)}`).join(", ")} (the cheapest passing point's)` : ""} · ★ cheapest meeting the SLO{lp ? " · outlined: cheapest at its load" : ""} · ✕ misses the SLO</div></div></header>
          <div className="heatmap" style={{ gridTemplateColumns: `auto repeat(${grid.xs.length}, minmax(64px, 1fr))` }}>
            <div className="heat-corner" />
            {grid.xs.map((x) => <div key={x} className="heat-axis">{valueText(sweep, grid.xPath, x)}</div>)}
            {grid.ys.map((y, yi) => [
              <div key={`y${y}`} className="heat-axis heat-y">{valueText(sweep, grid.yPath, y)}</div>,
              ...grid.xs.map((x, xi) => {
                const c = grid.cells[yi * grid.xs.length + xi];
                const p = c.point;
                if (!p) return <div key={`${x}|${y}`} className="heat-cell empty" data-testid="heat-cell" data-index="" />;
                const v = figure(p, fig);
                const star = p.index === sweep.cheapestPassing;
                const outlined = perLoadIdx.has(p.index);
                return (
                  <div key={`${x}|${y}`} className={`heat-cell${p.pass ? "" : " miss"}${outlined ? " frontier" : ""}`} style={{ background: heatColor(fig, v, lo, hi) }}
                    data-testid="heat-cell" data-index={p.index} data-pass={p.pass}
                    title={`#${p.index}: ${pointText(sweep, p)}\n${FIGURES.map((f) => `${f.label}: ${figureText(f.id, figure(p, f.id), sweep.costBasis)}`).join("\n")}\n${p.pass ? "meets the SLO" : `misses: ${p.failed}`}`}>
                    {star && <span className="heat-star" data-testid="heat-star">★</span>}
                    <span>{figureText(fig, v, sweep.costBasis)}</span>
                    {!p.pass && <span className="heat-miss">✕</span>}
                  </div>
                );
              }),
            ])}
          </div>
        </section>
      )}

      <div className="sweep-controls">
        <label>Each figure against <select value={multPath} onChange={(e) => setMultPath(e.target.value)} data-testid="sweep-mult-x">{paths.map((p) => <option key={p}>{p}</option>)}</select></label>
        <span className="muted"><span style={{ color: th().ok }}>●</span> meets the SLO · <span style={{ color: th().bad }}>●</span> misses it</span>
      </div>
      <SmallMultiples sweep={sweep} path={multPath} />
    </section>
  );
}

function SmallMultiples({ sweep, path }: { sweep: SweepResult; path: string }) {
  const data = useMemo(() => multiples(sweep, path), [sweep, path]);
  return (
    <div className="chart-grid" data-testid="sweep-multiples">
      {FIGURES.map((f) => {
        const rows = data[f.id].filter((r) => r.value !== null);
        const pass = rows.filter((r) => r.pass);
        const miss = rows.filter((r) => !r.pass);
        const log = (f.id === "p95" || f.id === "p99") && rows.length > 0 && rows.every((r) => (r.value as number) > 0);
        return (
          <ChartCard key={f.id} title={f.label} unit={`${f.id === "cost" ? sweep.costBasis : f.unit} against ${path}`} testId={`chart-sweep-${f.id}`}>
            <ResponsiveContainer width="100%" height={200}>
              <ScatterChart margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
                <CartesianGrid stroke={th().grid} />
                <XAxis type="number" dataKey="x" name={path} tick={AXIS} stroke={AXIS.stroke} domain={["dataMin", "dataMax"]} />
                <YAxis type="number" dataKey="value" name={f.label} tick={AXIS} stroke={AXIS.stroke} scale={log ? "log" : "auto"} domain={log ? ["auto", "auto"] : [0, "auto"]} width={52} />
                <Tooltip contentStyle={{ background: th().panel, border: `1px solid ${th().border}`, fontSize: 12 }} />
                <Scatter name="meets the SLO" data={pass} fill={th().ok} isAnimationActive={false} />
                <Scatter name="misses the SLO" data={miss} fill={th().bad} isAnimationActive={false} />
              </ScatterChart>
            </ResponsiveContainer>
          </ChartCard>
        );
      })}
    </div>
  );
}
