// `headroom validate` on a scenario with regions and a CDN, end to end (issue 15): the CLI runs one
// level of scenarios/validation/regions-cdn.yaml (east and west 20 ms apart, the users' geo route
// `api`, a CDN with a 10 ms edge latency in front of the static assets, west down from 15 s for
// 8 s) at the YAML's 40/s for 30 s: the reference app started from the YAML, each region's users'
// asset requests sent to their server of the edge (the edge relay waiting the edge latency, then
// nginx) and their browses to their geo router, the outage timed from the load's first sample.
// The report must hold the CDN's rows, measured and passing (hit ratio, origin fetches per
// second), each region's users' throughput passing; the edge latency must show in the asset
// class (its mean over the edge's 10 ms on both sides: without the wait an edge hit takes about
// 1 ms); the outage must show (api-west answered well under west's users' browses).
// The usual latency rows are logged, not asserted (they carry the app's own cost, which the model
// lacks). In `npm run test:app-unproven` (reference-app/vitest.unproven.config.ts) until it has
// passed on a quiet machine; about 60 s.
import { describe, expect, it } from "vitest";
import { expectPassing, validateOneLevel } from "./testing/validate-one-level.ts";

const FILE = "scenarios/validation/regions-cdn.yaml";

describe("headroom validate: a scenario with regions and a CDN", () => {
  it("one level: the CDN's and the regions' rows are measured and within their targets; the edge latency and the outage show", async () => {
    const { get } = await validateOneLevel(FILE, ["--rates", "40", "--duration", "30s", "--warmup", "5s"], "v-regions-cdn");
    const judged = [get("cdn", "cacheHitRatio"), get("cdn", "originThroughput"), get("region east", "regionThroughput"), get("region west", "regionThroughput")];
    expectPassing(judged);
    // the edge latency is paid: the asset class's mean over the edge's 10 ms on both sides
    const asset = get("asset", "mean");
    expect(asset.predicted!).toBeGreaterThan(10);
    expect(asset.measured!).toBeGreaterThan(10);
    // west down 8 of the 25 s window: api-west answered well under west's users' browses and misses, on both sides
    const west = get("region west", "regionThroughput");
    const apiWest = get("api-west", "throughput");
    const hit = get("cdn", "cacheHitRatio");
    const westOrigin = (x: number, h: number) => x * (0.5 + 0.5 * (1 - h));
    expect(apiWest.predicted! / westOrigin(west.predicted!, hit.predicted!)).toBeLessThan(0.8);
    expect(apiWest.measured! / westOrigin(west.measured!, hit.measured!)).toBeLessThan(0.8);
  }, 240_000);
});
