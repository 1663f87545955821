// Exports of a real run: the JSON is the CLI's format unchanged, the CSVs have one row per interval
// (series) or per estimate (summary), and their numbers are the result's numbers.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, type SimResult } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { resultJson, seriesCsv, summaryCsv } from "./export.ts";

const text = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8");
const result: SimResult = simulate(scenarioOf(text, "single-service.yaml"), { replications: 2, duration: 30, warmup: 5 });

describe("exports", () => {
  test("JSON is the result itself, schema headroom.result/v3", () => {
    const back = JSON.parse(resultJson(result));
    expect(back.schema).toBe("headroom.result/v3");
    expect(back).toEqual(JSON.parse(JSON.stringify(result)));
  });

  test("series CSV: a header and one row per interval, columns in header order", () => {
    const lines = seriesCsv(result).trimEnd().split("\n");
    const header = lines[0].split(",");
    expect(header.slice(0, 3)).toEqual(["t_s", "offered_per_s", "in_flight"]);
    expect(header).toContain("get_product.p99_ms");
    expect(header).toContain("api.utilization");
    expect(lines.length - 1).toBe(result.series!.t.length);
    const col = header.indexOf("api.utilization");
    const i = 10;
    expect(Number(lines[i + 1].split(",")[col])).toBe(result.series!.components.api.utilization[i]);
    for (const l of lines) expect(l.split(",").length).toBe(header.length);
  });

  test("summary CSV: estimates with their confidence half-widths", () => {
    const rows = summaryCsv(result).trimEnd().split("\n").map((l) => l.split(","));
    const p99 = rows.find((r) => r[1] === "get_product" && r[2] === "latency_p99_ms")!;
    expect(Number(p99[3])).toBe(result.classes.get_product.latencyMs.p99.mean);
    expect(Number(p99[4])).toBe(result.classes.get_product.latencyMs.p99.ci95);
    const util = rows.find((r) => r[1] === "api" && r[2] === "utilization")!;
    expect(Number(util[3])).toBeCloseTo(0.75, 1);
  });
});
