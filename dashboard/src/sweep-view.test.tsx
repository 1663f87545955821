// @vitest-environment happy-dom
// The sweep view drawn from a real `headroom sweep --json` of lb-replicas (replicas 2..6 x rate
// 300..700/s): the heatmap has one cell per point, colored by the chosen figure, failing points
// marked, the cheapest passing point starred, and the cheapest passing replicas at each load
// listed and outlined; a file that is not a sweep is refused with the field that is wrong.
import { afterEach, describe, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { SweepView } from "./Sweep.tsx";
import { readSweepResult } from "./sweep-file.ts";
import { cheapestPerLoad, extent, figure, heatColor, heatmap, multiples } from "./sweep-shape.ts";
import text from "../e2e/fixtures/lb-replicas.sweep.json?raw";

const sweep = readSweepResult(text, "lb-replicas.sweep.json");
afterEach(cleanup);

describe("sweep shape", () => {
  test("the cheapest passing configuration at each load: 2 replicas at 300/s, 3 at 400-500/s, 4 at 600-700/s", () => {
    const per = cheapestPerLoad(sweep);
    expect([...per.keys()]).toEqual([300, 400, 500, 600, 700]);
    expect([...per.values()].map((p) => p?.values["components.api.replicas"])).toEqual([2, 3, 3, 4, 4]);
    // each is the cheapest among the passing points at its load (checked by brute force)
    for (const [load, p] of per) {
      const cheapest = Math.min(...sweep.points.filter((q) => q.values["load.rate"] === load && q.pass).map((q) => q.cost));
      expect(p!.cost).toBe(cheapest);
    }
  });

  test("a grid of rate across and replicas down, every point in one cell", () => {
    const g = heatmap(sweep)!;
    expect(g.xPath).toBe("load.rate");
    expect(g.yPath).toBe("components.api.replicas");
    expect(g.xs).toEqual([300, 400, 500, 600, 700]);
    expect(g.ys).toEqual([2, 3, 4, 5, 6]);
    expect(g.cells.map((c) => c.point?.index).sort((a, b) => a! - b!)).toEqual(sweep.points.map((p) => p.index));
  });

  test("colors run green to red over the shown extent (log for latency), grey when there is no value", () => {
    const [lo, hi] = extent(sweep.points, "p95");
    expect(lo).toBeCloseTo(99.4, 0);
    expect(hi).toBeCloseTo(1097.7, 0);
    expect(heatColor("p95", lo, lo, hi)).toBe("rgb(46,160,67)");
    expect(heatColor("p95", hi, lo, hi)).toBe("rgb(218,54,51)");
    expect(heatColor("headroom", 3, 1, 3)).toBe("rgb(46,160,67)"); // more headroom is better
    expect(heatColor("cost", NaN, 0, 1)).toBe("#30363d");
    expect(figure(sweep.points[2], "p95")).toBeCloseTo(1089.8, 0);
  });

  test("small multiples: every point once per figure, sorted by the parameter, errors in percent", () => {
    const m = multiples(sweep, "components.api.replicas");
    expect(m.p95.map((r) => r.index).sort((a, b) => a - b)).toEqual(sweep.points.map((p) => p.index));
    expect(m.cost.map((r) => r.x)).toEqual([...m.cost.map((r) => r.x)].sort((a, b) => a - b));
    const worst = sweep.points.reduce((a, p) => (p.errorRate > a.errorRate ? p : a));
    expect(m.errorRate.find((r) => r.index === worst.index)!.value).toBeCloseTo(worst.errorRate * 100, 9);
  });
});

describe("sweep view", () => {
  test("25 cells, the 6 failing ones marked, the cheapest starred, the per-load cheapest outlined and listed", () => {
    render(<SweepView sweep={sweep} fileName="lb-replicas.sweep.json" onClose={() => {}} />);
    const cells = screen.getAllByTestId("heat-cell");
    expect(cells).toHaveLength(25);
    expect(cells.filter((c) => c.dataset.pass === "false")).toHaveLength(6);
    expect(cells.filter((c) => c.classList.contains("miss"))).toHaveLength(6);
    const star = screen.getByTestId("heat-star").closest("[data-testid=heat-cell]") as HTMLElement;
    expect(star.dataset.index).toBe("0");
    expect(cells.filter((c) => c.classList.contains("frontier")).map((c) => Number(c.dataset.index)).sort((a, b) => a - b)).toEqual([0, 6, 7, 13, 14]);
    expect(screen.getByTestId("sweep-passing").textContent).toBe("19 of 25");
    const rows = [...screen.getByTestId("sweep-per-load").querySelectorAll("tbody tr")].map((r) => [...r.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent));
    expect(rows).toEqual([["300 /s", "2", "0.217/h"], ["400 /s", "3", "0.313/h"], ["500 /s", "3", "0.313/h"], ["600 /s", "4", "0.409/h"], ["700 /s", "4", "0.409/h"]]);
    expect(screen.getByTestId("sweep-cheapest").textContent).toMatch(/★ 0\.217\/h.*#0: components\.api\.replicas=2, load\.rate=300 \/s/);
  });

  test("choosing another figure recolors and relabels the cells; swapping the axes transposes the grid", () => {
    render(<SweepView sweep={sweep} fileName="x.json" onClose={() => {}} />);
    fireEvent.change(screen.getByTestId("sweep-figure"), { target: { value: "cost" } });
    expect(screen.getAllByTestId("heat-cell")[0].textContent).toMatch(/^★?0\.217\/h/);
    fireEvent.change(screen.getByTestId("sweep-x"), { target: { value: "components.api.replicas" } });
    fireEvent.change(screen.getByTestId("sweep-y"), { target: { value: "load.rate" } });
    // first row is now rate 300 across replicas 2..6: costs rise along the row
    const firstRow = screen.getAllByTestId("heat-cell").slice(0, 5).map((c) => Number(c.dataset.index));
    expect(firstRow).toEqual([0, 5, 10, 15, 20]);
  });

  test("one small multiple per figure", () => {
    render(<SweepView sweep={sweep} fileName="x.json" onClose={() => {}} />);
    for (const f of ["p95", "p99", "cost", "headroom", "errorRate"]) expect(screen.getByTestId(`chart-sweep-${f}`)).toBeTruthy();
  });
});

describe("reading a sweep file", () => {
  test("a result file, a broken point and a bad cheapest index are refused with the field", () => {
    expect(() => readSweepResult(JSON.stringify({ schema: "headroom.result/v2" }), "r.json")).toThrow(/r\.json: expected a sweep with schema "headroom\.sweep\/v1".*got schema "headroom\.result\/v2"/);
    const bad = JSON.parse(text);
    delete bad.points[3].values["load.rate"];
    expect(() => readSweepResult(JSON.stringify(bad), "s.json")).toThrow(/s\.json: points\[3\]\.values\["load\.rate"\]: expected a number, got nothing/);
    const idx = JSON.parse(text);
    idx.cheapestPassing = 99;
    expect(() => readSweepResult(JSON.stringify(idx), "s.json")).toThrow(/cheapestPassing: expected a point index below 25 or null/);
  });
});
