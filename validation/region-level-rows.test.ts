// validate's per-region rows (region-level-rows.ts) against real simulations of the bundled
// scenarios/validation/two-regions.yaml, with measured window figures made to order: the model's
// crossing passes whatever the app's own cost, 50 ms does not; a region whose users get 10% fewer
// answers fails; a regional service's throughput band widens by the region draw's noise only.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { row } from "./compare.ts";
import type { WindowClassStats } from "./k6-window.ts";
import { regionLevelRows, widenRegionalServices } from "./region-level-rows.ts";

const s = scenarioOf(readFileSync(join(import.meta.dirname, "../scenarios/validation/two-regions.yaml"), "utf8"));
const sim = simulate(s, { duration: 30, warmup: 5 });
const windowS = 25;

/** One region's window figures: `rate` sent per second, all answered but `lost`, mean and p50 `ms`. */
function stats(rate: number, ms: number, lost = 0): WindowClassStats {
  return { requests: rate * windowS, failed: lost * rate * windowS, throughput: rate * (1 - lost), offeredRate: rate, latencyMs: { mean: ms, p50: ms - 1, p95: ms * 2, p99: ms * 3 } };
}
const verdicts = (rows: ReturnType<typeof regionLevelRows>) => Object.fromEntries(rows.map((r) => [`${r.scope} ${r.metric}`, r.verdict]));

describe("regionLevelRows", () => {
  const cross = sim.regions!.west!.latencyMs.mean.mean - sim.regions!.east!.latencyMs.mean.mean;
  const crossP50 = sim.regions!.west!.latencyMs.p50.mean - sim.regions!.east!.latencyMs.p50.mean;

  it("the model's crossing (about 40 ms: west's users cross once, also while failed over) passes whatever the app's own cost; 50 ms fails", () => {
    expect(cross).toBeGreaterThan(38);
    expect(cross).toBeLessThan(48);
    // the app's own cost (+20 ms for every region's users) cancels in the difference
    const ok = verdicts(regionLevelRows(sim, { east: stats(15, 27), west: stats(15, 27 + cross) }, true));
    expect(ok["west over east crossRegionMean"]).toBe("pass");
    const p50 = regionLevelRows(sim, { east: stats(15, 27), west: stats(15, 27 + crossP50) }, true).find((r) => r.metric === "crossRegionP50")!;
    expect(p50.verdict).toBe("pass");
    expect(p50.target).toBe(0.1);
    const slow = verdicts(regionLevelRows(sim, { east: stats(15, 27), west: stats(15, 27 + 50) }, true));
    expect(slow["west over east crossRegionMean"]).toBe("fail");
    // the region's own means are shown, never judged (they carry the app's own cost)
    expect(slow["region east mean"]).toBe("info");
  });

  it("each region's users' throughput: the model's (nearly all answered) passes; 10% fewer answers fail", () => {
    const ok = verdicts(regionLevelRows(sim, { east: stats(15, 10), west: stats(14, 50) }, true));
    expect(ok["region east regionThroughput"]).toBe("pass");
    expect(ok["region west regionThroughput"]).toBe("pass");
    const bad = verdicts(regionLevelRows(sim, { east: stats(15, 10), west: stats(15, 50, 0.1) }, true));
    expect(bad["region west regionThroughput"]).toBe("fail");
    expect(bad["region east regionThroughput"]).toBe("pass");
  });

  it("no measured region, too few requests or a level above 80% busy: shown, not judged", () => {
    const none = regionLevelRows(sim, undefined, true);
    expect(none.find((r) => r.metric === "regionThroughput")!.verdict).toBe("fail");
    const few = regionLevelRows(sim, { east: stats(1, 10), west: stats(1, 50) }, true).find((r) => r.metric === "crossRegionMean")!;
    expect(few.verdict).toBe("info");
    expect(few.note).toMatch(/fewer than 30/);
    expect(regionLevelRows(sim, { east: stats(15, 10), west: stats(15, 500) }, false).every((r) => r.verdict === "info")).toBe(true);
  });
});

describe("widenRegionalServices", () => {
  it("widens a geo target's throughput row by the draw's 3 SE, leaves other rows and services alone", () => {
    const pe = sim.components["api-east"]!.throughput.mean;
    const rows = [row("api-east", "throughput", pe, pe * 1.05, "relative", true), row("core", "throughput", 30, 31.5, "relative", true), row("api-east", "utilization", 0.1, 0.1, "absolute", true)];
    expect(rows[0]!.verdict).toBe("fail");
    // 750 requests measured: api-east's share about 0.65, 3 SE of its share over both sides' counts about 7%
    const out = widenRegionalServices(rows, sim, s.geo, 750);
    expect(out[0]!.target).toBeGreaterThan(0.05);
    expect(out[0]!.target).toBeLessThan(0.1);
    expect(out[0]!.verdict).toBe("pass");
    expect(out[1]).toEqual(rows[1]);
    expect(out[2]).toEqual(rows[2]);
    // with many requests the band stays 3%
    expect(widenRegionalServices(rows, sim, s.geo, 1e9)[0]!.target).toBeLessThan(0.06);
  });
});
