// The data behind the hit-ratio and cost charts: per-interval series from real runs of the bundled
// scenarios, merged for long runs (hit ratio weighted by lookups, so the merge is exact) and
// exported in the series CSV.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { downsample } from "./downsample.ts";
import { seriesCsv } from "./export.ts";
import { hitRatioSeries } from "./Charts.tsx";

function run(file: string, o: { duration: number; warmup: number }) {
  return simulate(scenarioOf(readFileSync(new URL(`../../scenarios/${file}`, import.meta.url), "utf8"), file), { replications: 1, ...o });
}

describe("cache-aside: hit ratio per interval", () => {
  const r = run("cache-aside.yaml", { duration: 60, warmup: 10 });
  const s = r.series!;
  const c = s.components.cache;

  test("only the cache has a hit-ratio series", () => {
    expect(Object.keys(hitRatioSeries(s))).toEqual(["cache"]);
  });

  test("weighted by lookups over the window it is the summary's hit ratio", () => {
    let hits = 0, lookups = 0;
    s.t.forEach((t, i) => { if (t > r.run.warmupS + 1e-9) { hits += c.hitRatio![i] * c.lookups![i]; lookups += c.lookups![i]; } });
    expect(hits / lookups).toBeCloseTo(r.components.cache.hitRatio!.mean, 3);
    // 90% of 200/s read through the cache: about 180 lookups/s
    expect(lookups / (r.run.durationS - r.run.warmupS)).toBeGreaterThan(170);
    expect(lookups / (r.run.durationS - r.run.warmupS)).toBeLessThan(190);
  });

  test("merged into buckets, each bucket's ratio is its hits over its lookups", () => {
    const { series: d, factor } = downsample(s, 7);
    expect(factor).toBe(Math.ceil(s.t.length / 7));
    const merged = d.components.cache.hitRatio!;
    for (let b = 0; b < merged.length; b++) {
      let h = 0, n = 0;
      for (let i = b * factor; i < Math.min((b + 1) * factor, s.t.length); i++) { h += c.hitRatio![i] * c.lookups![i]; n += c.lookups![i]; }
      expect(merged[b]).toBeCloseTo(h / n, 12);
    }
  });

  test("the series CSV carries hit ratio and lookups columns", () => {
    const [head, first] = seriesCsv(r).split("\n");
    const cols = head.split(",");
    const i = cols.indexOf("cache.hit_ratio");
    expect(i).toBeGreaterThan(0);
    expect(cols[i + 1]).toBe("cache.lookups_per_s");
    expect(Number(first.split(",")[i])).toBeCloseTo(c.hitRatio![0], 12);
    expect(cols).not.toContain("cost_per_hour"); // no prices in cache-aside
  });
});

describe("lb-replicas: cost per interval", () => {
  const r = run("lb-replicas.yaml", { duration: 30, warmup: 5 });
  const s = r.series!;

  test("1 balancer x 0.025 + 4 replicas x 0.096 = 0.409 per hour in every interval, the bill's figure", () => {
    expect(s.costPerHour).toHaveLength(s.t.length);
    for (const v of s.costPerHour!) expect(v).toBeCloseTo(0.409, 12);
    expect(r.cost!.perHour).toBeCloseTo(0.409, 12);
    expect(downsample(s, 4).series.costPerHour!.every((v) => Math.abs(v - 0.409) < 1e-12)).toBe(true);
  });

  test("the series CSV ends with the cost column", () => {
    const [head, first] = seriesCsv(r).split("\n");
    expect(head.split(",").at(-1)).toBe("cost_per_hour");
    expect(Number(first.split(",").at(-1))).toBeCloseTo(0.409, 12);
  });
});
