// `headroom validate` on a scenario with regions, end to end (issue 15): the CLI runs one level of
// scenarios/validation/two-regions.yaml (east and west 20 ms apart, the users' geo route, west down
// from 15 s for 8 s) at the YAML's 30/s for 30 s: the reference app started from the YAML (each
// region's parts behind their geo router, crossings through the delaying relay), each request sent
// to its users' region's entry, the outage injected on schedule. The report must hold the per-region
// rows, measured and passing: each region's users' throughput (3%), what west's users pay over
// east's (mean and p50, 10%), each regional API's throughput (3%, widened by the region draw); and
// the outage must show (api-west answered well under west's users' requests). The usual rows are
// logged, not asserted (the class latencies carry the app's own cost, which the model lacks).
// In `npm run test:app-unproven` (reference-app/vitest.unproven.config.ts) until it has passed on
// a quiet machine; about 45 s.
import { describe, expect, it } from "vitest";
import { expectPassing, validateOneLevel } from "./testing/validate-one-level.ts";

const FILE = "scenarios/validation/two-regions.yaml";

describe("headroom validate: a scenario with regions", () => {
  it("one level: the per-region rows are measured and within their targets; the outage shows", async () => {
    const { get } = await validateOneLevel(FILE, ["--rates", "30", "--duration", "30s", "--warmup", "5s"], "v-two-regions-levels");
    const judged = [get("region east", "regionThroughput"), get("region west", "regionThroughput"), get("west over east", "crossRegionMean"), get("west over east", "crossRegionP50"), get("api-east", "throughput"), get("api-west", "throughput")];
    expectPassing(judged);
    // the crossing itself: about 40 ms on both sides (20 ms one way, each way)
    const cross = get("west over east", "crossRegionMean");
    expect(cross.predicted!).toBeGreaterThan(38);
    expect(cross.measured!).toBeGreaterThan(34);
    // each region's users drew about half the load (shown): 3 binomial SE of 750 requests is 0.055
    expect(Math.abs(get("region west", "offeredShare").measured! - 0.5)).toBeLessThan(0.06);
    // west down 8 of the 25 s window: api-west answered about 2/3 of west's users' requests, on both sides
    const west = get("region west", "regionThroughput").measured!;
    const apiWest = get("api-west", "throughput");
    expect(apiWest.predicted! / west).toBeLessThan(0.8);
    expect(apiWest.measured! / west).toBeLessThan(0.8);
  }, 240_000);
});
