// @vitest-environment happy-dom
// The hand-drawn first charts (PlainCharts.tsx): each line passes through its values on the same
// axes recharts draws (0 to the nice top, 0 to the run's duration, the same margins), breaks where
// a value is missing, and marks the interval in progress with a hollow dot.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { cleanup, render } from "@testing-library/react";
import { simulate, type SeriesResult } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { PlainCharts } from "./PlainCharts.tsx";
import { niceScale } from "./axis.ts";
import text from "../../scenarios/single-service.yaml?raw";

const WIDTH = 800;
// Charts.tsx's geometry: y axis 62 wide, right margin 16, legend 24 under a top margin of 8, x axis 36 over a bottom margin of 4, height 240
const LEFT = 62, RIGHT = WIDTH - 16, TOP = 32, BOTTOM = 200;

const result = simulate(scenarioOf(text, "single-service.yaml"), { replications: 1, duration: 20, warmup: 2 });
const series = result.series as SeriesResult;

// happy-dom lays nothing out: the chart's box is given the width a page would measure
const own = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientWidth");
beforeAll(() => { Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => WIDTH }); });
afterAll(() => { if (own) Object.defineProperty(HTMLElement.prototype, "clientWidth", own); });
afterEach(cleanup);

/** The [x, y] points of a path's d, one list per unbroken piece. */
function pieces(d: string): number[][][] {
  return d.split("M").filter(Boolean).map((piece) => piece.split("L").map((p) => p.split(",").map(Number)));
}

describe("hand-drawn first charts", () => {
  test("the latency lines go through each interval's p50, p95 and p99 on recharts' axes", () => {
    const { container } = render(<PlainCharts series={series} durationS={20} warmupS={2} inProgress={false} live={false} />);
    const chart = container.querySelector('[data-testid="chart-latency"]')!;
    const paths = [...chart.querySelectorAll("path.plain-line")];
    expect(paths.length).toBe(3);
    const c = series.classes.get_product;
    const top = niceScale(Math.max(...c.p99Ms, ...c.p95Ms, ...c.p50Ms)).top;
    paths.forEach((p, k) => {
      const values = [c.p50Ms, c.p95Ms, c.p99Ms][k];
      const [points] = pieces(p.getAttribute("d")!);
      expect(points.length).toBe(series.t.length);
      points.forEach(([x, y], i) => {
        // coordinates are written to 0.1 px
        expect(Math.abs(x - (LEFT + (series.t[i] / 20) * (RIGHT - LEFT)))).toBeLessThanOrEqual(0.051);
        expect(Math.abs(y - (BOTTOM - (values[i] / top) * (BOTTOM - TOP)))).toBeLessThanOrEqual(0.051);
      });
    });
    expect(chart.querySelectorAll("circle.partial-dot").length).toBe(0);
    expect(chart.querySelector("svg")!.getAttribute("role")).toBe("img");
    expect(chart.querySelector("svg")!.getAttribute("aria-label")).toContain("p50, p95, p99");
    // throughput: offered (dashed) and the class
    expect(container.querySelectorAll('[data-testid="chart-throughput"] path.plain-line').length).toBe(2);
  });

  test("a missing value breaks the line; the interval in progress is a hollow dot on each line", () => {
    const p50 = [...series.classes.get_product.p50Ms] as (number | null)[];
    p50[5] = null;
    const broken = { ...series, classes: { get_product: { ...series.classes.get_product, p50Ms: p50 as number[] } } };
    const { container } = render(<PlainCharts series={broken} durationS={20} warmupS={2} inProgress live={false} />);
    const [first] = container.querySelectorAll('[data-testid="chart-latency"] path.plain-line');
    const parts = pieces(first.getAttribute("d")!);
    expect(parts.map((p) => p.length)).toEqual([5, series.t.length - 6]);
    const dots = container.querySelectorAll('[data-testid="chart-latency"] circle.partial-dot');
    expect(dots.length).toBe(3);
    const last = parts[1][parts[1].length - 1];
    expect(Number(dots[0].getAttribute("cx"))).toBeCloseTo(last[0], 0);
    expect(Number(dots[0].getAttribute("cy"))).toBeCloseTo(last[1], 0);
  });
});
