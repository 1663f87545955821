// validate's CDN rows (cdn-rows.ts) against a real simulation of the bundled
// scenarios/validation/regions-cdn.yaml, with measured window figures made to order: the model's
// hit ratio and miss rate pass; an edge missing 10 points more (each region's users with a cache of
// their own would) fails both rows; the origin row's band is the misses' counting noise.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { cdnRows } from "./cdn-rows.ts";

const s = scenarioOf(readFileSync(join(import.meta.dirname, "../scenarios/validation/regions-cdn.yaml"), "utf8"));
const sim = simulate(s, { duration: 30, warmup: 5 });
const windowS = 25;
const cdn = sim.components.cdn!;
const hr = cdn.hitRatio!.mean;

/** The measured CDN over the window: `rate` lookups per second, a share `hit` of them hits. */
const measured = (rate: number, hit: number) => ({ name: "cdn", lookups: rate * windowS, lookupsPerSecond: rate, originFetches: rate * (1 - hit) * windowS, originPerSecond: rate * (1 - hit) });
const byMetric = (rows: ReturnType<typeof cdnRows>) => Object.fromEntries(rows.map((r) => [r.metric, r]));

describe("cdnRows", () => {
  it("the model's hit ratio and miss rate pass, at the measured lookup rate", () => {
    // the cold edge over a 25 s window: about 0.58 of 20 lookups/s hit
    expect(hr).toBeGreaterThan(0.5);
    expect(hr).toBeLessThan(0.7);
    const rows = byMetric(cdnRows(sim, measured(21, hr), windowS, true));
    expect(rows.cacheHitRatio!.verdict).toBe("pass");
    expect(rows.originThroughput!.verdict).toBe("pass");
    // conditioned on the lookups really sent: 21/s measured, so 21 x (1 - hr) predicted
    expect(rows.originThroughput!.predicted!).toBeCloseTo(21 * (1 - hr), 6);
  });

  it("an edge that misses 10 points more fails both rows", () => {
    const rows = byMetric(cdnRows(sim, measured(20, hr - 0.1), windowS, true));
    expect(rows.cacheHitRatio!.verdict).toBe("fail");
    expect(rows.originThroughput!.verdict).toBe("fail");
  });

  it("the origin row's band is 3 standard errors of the two sides' miss counts, never under 3%", () => {
    const r = byMetric(cdnRows(sim, measured(20, hr), windowS, true)).originThroughput!;
    const model = cdn.throughput.mean * (1 - hr) * sim.run.replications * windowS;
    const mine = 20 * (1 - hr) * windowS;
    expect(r.target!).toBeCloseTo(Math.max(0.03, 3 * Math.sqrt(1 / model + 1 / mine)), 9);
    // about 200 misses in the window: about 21%, so 30% more fetches fail
    expect(r.target!).toBeGreaterThan(0.15);
    expect(r.target!).toBeLessThan(0.25);
    expect(byMetric(cdnRows(sim, { ...measured(20, hr), originPerSecond: 20 * (1 - hr) * 1.3 }, windowS, true)).originThroughput!.verdict).toBe("fail");
  });

  it("above the target utilization the rows are shown, not judged; no CDN measured, no rows", () => {
    expect(cdnRows(sim, measured(20, hr - 0.2), windowS, false).every((r) => r.verdict === "info")).toBe(true);
    expect(cdnRows(sim, undefined, windowS, true)).toEqual([]);
  });
});
