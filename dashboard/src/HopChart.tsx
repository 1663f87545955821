// See why: each class's mean latency broken down hop by hop along its path, as a stacked bar: per
// component the time waiting for a unit (lighter) and being served (solid), and the time on the
// network, from the simulator's per-hop figures (ClassResult.hopsMs, asked for by the page's runs).
// The bars add up to the class's mean latency (the subtitle says how close); where they are off by
// more than 5% (failed requests' time, a fan-out's branches) a note under the chart says why. Only the mean is broken down: the
// simulator keeps no per-request path to break a percentile down.
import { ResponsiveContainer, BarChart, Bar, XAxis, YAxis, CartesianGrid, Tooltip, Legend } from "recharts";
import type { SimResult } from "../../simulator/index.ts";
import { ChartCard } from "./ChartCard.tsx";
import { chartTheme as th } from "./theme.ts";
import { num } from "./format.ts";
import { niceScale } from "./axis.ts";
import { hopRows, hopsMismatch } from "./hops.ts";

export function HopChart({ result }: { result: SimResult }) {
  const { rows, segments } = hopRows(result);
  if (rows.length === 0) return null;
  const used = segments.filter((s) => rows.some((r) => (r.parts[s.key] ?? 0) > 0));
  const comps = [...new Set(used.map((s) => s.component).filter((c): c is string => c !== null))];
  const color = (s: { component: string | null }) => (s.component === null ? th().muted : th().series[comps.indexOf(s.component) % th().series.length]);
  const data = rows.map((r) => ({ cls: r.cls, ...r.parts }));
  const { top, ticks } = niceScale(Math.max(...rows.map((r) => Math.max(r.sumMs, r.meanMs))));
  const height = 70 + rows.length * 34;
  return (
    <ChartCard title="Where the time goes" testId="chart-hops"
      unit={<>per class, the mean latency by hop: waiting (light) and served (solid) at each component, and the network · ms · {rows.map((r) => `${r.cls} mean ${num(r.meanMs)} (hops add to ${num(r.sumMs)})`).join(" · ")}</>}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid stroke={th().grid} horizontal={false} />
          <XAxis type="number" domain={[0, top]} ticks={ticks} tick={{ fill: th().muted, fontSize: 11 }} stroke={th().muted} tickFormatter={(v: number) => num(v)} />
          <YAxis type="category" dataKey="cls" tick={{ fill: th().text, fontSize: 11 }} stroke={th().muted} width={110} />
          <Tooltip contentStyle={{ background: th().panel, border: `1px solid ${th().border}`, fontSize: 12 }} labelStyle={{ color: th().text }} formatter={(v) => `${num(Number(v))} ms`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {used.map((s) => (
            <Bar key={s.key} dataKey={s.key} stackId="hops" fill={color(s)} fillOpacity={s.wait ? 0.4 : 1} stroke={color(s)} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      {rows.map(hopsMismatch).filter((m) => m !== null).map((m) => <div key={m} className="banner info" data-testid="hops-mismatch">{m}</div>)}
    </ChartCard>
  );
}
