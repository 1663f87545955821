// @vitest-environment happy-dom
// The circuit breaker's chart and figures from a real run of the slow-dependency validation
// scenario (a 3 s open period after 50% failures; the load steps from 40 to 100 req/s at 20 s, past
// the dependency's 80 req/s): the per-interval open share adds up to the summary's share of the
// window, which is the openings times the 3 s open period; merged buckets keep it; the CSVs, the
// component table and the chart's subtitle carry it; a scenario without a breaker draws no chart.
import { afterEach, describe, expect, test } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { BreakerChart, breakerSeries } from "./Charts.tsx";
import { downsample } from "./downsample.ts";
import { seriesCsv, summaryCsv } from "./export.ts";
import { componentDetails } from "./Summary.tsx";
import { pctCi } from "./format.ts";
import slow from "../../scenarios/validation/dynamic/slow-dependency.yaml?raw";
import single from "../../scenarios/single-service.yaml?raw";

const OPEN_FOR_S = 3; // circuit_breaker.open_for in the scenario
const r = simulate(scenarioOf(slow, "slow-dependency.yaml"), { replications: 1 });
const s = r.series!;
const window = r.run.durationS - r.run.warmupS;
const inWindow = (t: number) => t > r.run.warmupS + 1e-9;

afterEach(cleanup);

describe("slow-dependency: the breaker's share open per interval", () => {
  test("only the service with a circuit_breaker has the series, one share in [0, 1] per interval", () => {
    expect(Object.keys(breakerSeries(s))).toEqual(["api"]);
    const open = s.components.api.breakerOpenShare!;
    expect(open).toHaveLength(s.t.length);
    for (const v of open) expect(v >= 0 && v <= 1).toBe(true);
    // closed while 40 req/s meet 80 req/s of capacity: nothing opens before the step at 20 s
    expect(open.filter((_, i) => s.t[i] <= 20).every((v) => v === 0)).toBe(true);
    expect(Math.max(...open)).toBe(1);
  });

  test("summed over the window it is the summary's open share: the openings times 3 s, within one period cut by the window's ends", () => {
    const open = s.components.api.breakerOpenShare!;
    const seconds = open.reduce((a, v, i) => a + (inWindow(s.t[i]) ? v * s.intervalS : 0), 0);
    const b = r.components.api.breaker!;
    expect(seconds / window).toBeCloseTo(b.openShare.mean, 9);
    expect(b.openings.mean).toBeGreaterThan(0);
    expect(Math.abs(seconds - b.openings.mean * OPEN_FOR_S)).toBeLessThanOrEqual(OPEN_FOR_S);
    expect(b.closedShare.mean + b.openShare.mean + b.halfOpenShare.mean).toBeCloseTo(1, 9);
  });

  test("merged into buckets (a long run's chart), each bucket is the mean of its intervals' shares", () => {
    const open = s.components.api.breakerOpenShare!;
    const { series: d, factor } = downsample(s, 7);
    const merged = d.components.api.breakerOpenShare!;
    expect(merged).toHaveLength(Math.ceil(s.t.length / factor));
    for (let k = 0; k < merged.length; k++) {
      const part = open.slice(k * factor, (k + 1) * factor);
      expect(merged[k]).toBeCloseTo(part.reduce((a, v) => a + v, 0) / part.length, 12);
    }
  });

  test("the series CSV has the breaker's column, the summary CSV its three figures", () => {
    const [head, first] = seriesCsv(r).split("\n");
    const cols = head.split(",");
    const i = cols.indexOf("api.breaker_open_share");
    expect(i).toBeGreaterThan(0);
    expect(Number(first.split(",")[i])).toBe(s.components.api.breakerOpenShare![0]);
    expect(cols).not.toContain("lb.breaker_open_share");
    const summary = summaryCsv(r);
    expect(summary).toContain(`component,api,breaker_open_share,${r.components.api.breaker!.openShare.mean},`);
    expect(summary).toContain(`component,api,breaker_openings,${r.components.api.breaker!.openings.mean},`);
  });

  test("the component table's details give retries, short-circuits and the breaker, as the CLI does", () => {
    const c = r.components.api;
    const d = componentDetails(c);
    expect(c.resilience!.shortCircuited).toBeGreaterThan(0);
    expect(d).toContain(`${c.resilience!.shortCircuited} short-circuited`);
    expect(d).toContain(`breaker open ${pctCi(c.breaker!.openShare)}`);
  });

  test("the chart's subtitle gives the window's share open and the openings; its unit is % of the interval", () => {
    render(<BreakerChart result={r} series={s} />);
    const card = screen.getByTestId("chart-breaker");
    expect(card.textContent).toContain("% of each interval the breaker was open");
    expect(card.textContent).toContain(`api open ${pctCi(r.components.api.breaker!.openShare)} of the statistics window`);
    expect(card.textContent).toContain(`opened ${r.components.api.breaker!.openings.mean}× per replication`);
  });
});

describe("without a breaker", () => {
  test("single-service has no breaker series, no chart and no breaker details", () => {
    const plain = simulate(scenarioOf(single, "single-service.yaml"), { replications: 1, duration: 10, warmup: 2 });
    expect(breakerSeries(plain.series!)).toEqual({});
    const { container } = render(<BreakerChart result={plain} series={plain.series!} />);
    expect(container.textContent).toBe("");
    expect(componentDetails(plain.components.api)).not.toContain("breaker");
  });
});
