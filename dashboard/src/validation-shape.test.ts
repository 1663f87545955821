// The overlay's data: one panel per metric family with one row per measured level, sorted by the
// offered rate, the predicted and measured values taken from the report's rows (fractions in %).
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { overlayPanels, verdictCounts } from "./validation-shape.ts";
import type { ValidationReport } from "./validation-file.ts";

const fixture = JSON.parse(readFileSync(new URL("../e2e/fixtures/v-single-pool.validation.json", import.meta.url), "utf8")) as ValidationReport;
const clone = (): ValidationReport => structuredClone(fixture);
const row = (r: ValidationReport, level: number, scope: string, metric: string) => r.levels[level].rows.find((x) => x.scope === scope && x.metric === metric)!;

describe("overlayPanels on the single-pool report", () => {
  const panels = overlayPanels(fixture);
  const byId = Object.fromEntries(panels.map((p) => [p.id, p]));

  test("throughput, latency per class, error rate, then the component metrics in report order", () => {
    expect(panels.map((p) => p.id)).toEqual(["throughput", "latency-get_item", "errorRate", "balancerQueue", "utilization"]);
    expect(panels.filter((p) => p.offered).map((p) => p.id)).toEqual(["throughput"]);
  });

  test("each curve carries the report's predicted and measured value at each level", () => {
    const tp = byId.throughput;
    expect(tp.rows.map((r) => r.rate)).toEqual([61, 122]);
    const c = tp.curves[0];
    expect(c.name).toBe("get_item");
    expect(tp.rows.map((r) => r[c.predicted])).toEqual([row(fixture, 0, "get_item", "throughput").predicted, row(fixture, 1, "get_item", "throughput").predicted]);
    expect(tp.rows.map((r) => r[c.measured])).toEqual([56.5, row(fixture, 1, "get_item", "throughput").measured]);
    const lat = byId["latency-get_item"];
    expect(lat.curves.map((x) => x.name)).toEqual(["mean", "p50", "p95", "p99"]);
    const p99 = lat.curves[3];
    expect(lat.rows[1][p99.predicted]).toBe(row(fixture, 1, "get_item", "p99").predicted);
    expect(lat.rows[1][p99.measured]).toBe(row(fixture, 1, "get_item", "p99").measured);
  });

  test("fractions are drawn in percent", () => {
    const u = byId.utilization;
    expect(u.percent).toBe(true);
    expect(u.rows[0][u.curves[0].predicted]).toBeCloseTo(row(fixture, 0, "api", "utilization").predicted! * 100, 10);
    expect(u.rows[0][u.curves[0].predicted]).toBeCloseTo(30.08, 2);
    expect(byId.errorRate.percent).toBe(true);
    expect(byId.balancerQueue.percent).toBe(false);
  });
});

describe("overlayPanels: order, errors, several classes, unknown metrics", () => {
  test("levels are sorted by rate and a level that was not measured draws no point", () => {
    const r = clone();
    r.levels.reverse();
    r.levels.push({ ...r.levels[0], rate: 200, rows: [], status: "error", error: "k6 exited with code 107" });
    const tp = overlayPanels(r)[0];
    expect(tp.rows.map((x) => x.rate)).toEqual([61, 122]);
  });

  test("with two classes the throughput panel adds their sum, the one the offered rate is compared with", () => {
    const r = clone();
    for (const l of r.levels) l.rows = [...l.rows, ...l.rows.filter((x) => x.scope === "get_item").map((x) => ({ ...x, scope: "put_item", predicted: x.predicted! / 2, measured: x.measured! / 2 }))];
    const panels = overlayPanels(r);
    const tp = panels[0];
    expect(tp.curves.map((c) => c.name)).toEqual(["all classes", "get_item", "put_item"]);
    const all = tp.curves[0];
    expect(tp.rows[0][all.predicted]).toBeCloseTo(row(fixture, 0, "get_item", "throughput").predicted! * 1.5, 10);
    expect(tp.rows[0][all.measured]).toBeCloseTo(56.5 * 1.5, 10);
    expect(panels.map((p) => p.id)).toContain("latency-put_item");
  });

  test("a metric this page does not know still gets a panel, titled by its name", () => {
    const r = clone();
    r.levels[0].rows.push({ scope: "db", metric: "lockWaitMs", predicted: 1, measured: 2, error: 1, errorKind: "relative", target: null, verdict: "info" });
    const p = overlayPanels(r).find((x) => x.id === "lockWaitMs")!;
    expect(p.axis).toBe("lockWaitMs (ms)");
    expect(p.rows.map((x) => x[p.curves[0].measured])).toEqual([2, null]);
  });
});

describe("latency axis", () => {
  test("linear for the single pool (28 to 190 ms); log once a level past saturation spans more than 30x", () => {
    expect(overlayPanels(fixture).find((p) => p.id === "latency-get_item")!.log).toBe(false);
    const r = clone();
    // a --saturation level at 1.3x: the balancer sheds load after queue_timeout (1 s)
    r.levels.push({ ...r.levels[1], level: 1.3, rate: 264, targetsApply: false, status: "info",
      rows: r.levels[1].rows.map((x) => (["mean", "p50", "p95", "p99"].includes(x.metric) ? { ...x, predicted: 1000, measured: 1500, target: null, verdict: "info" as const } : x)) });
    const lat = overlayPanels(r).find((p) => p.id === "latency-get_item")!;
    expect(lat.log).toBe(true);
    expect(lat.axis).toBe("latency (ms, log)");
    expect(lat.rows.map((x) => x.rate)).toEqual([61, 122, 264]);
  });
});

describe("verdictCounts", () => {
  test("single pool: 9 rows pass, 1 fails (throughput at 61/s), 6 have no target", () => {
    expect(verdictCounts(fixture)).toEqual({ pass: 9, fail: 1, info: 6, errorLevels: 0, unreliableLevels: 0 });
  });
  test("an unreliable level (generator lagged twice) is counted apart and its rows are not counted as passes", () => {
    const r = clone();
    r.levels[1] = { ...r.levels[1], status: "unreliable" };
    const all = verdictCounts(fixture), some = verdictCounts(r);
    expect(some.unreliableLevels).toBe(1);
    expect(some.pass + some.fail + some.info).toBe(all.pass + all.fail + all.info - r.levels[1].rows.length);
    expect(some.pass).toBeLessThan(all.pass);
  });
});
