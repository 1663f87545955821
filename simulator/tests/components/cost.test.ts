// Per-request prices against the hand computation: a component priced by the million requests costs
// (requests it handles per second) x 3600 x price / 1e6 per hour. A CDN holds no resource, so its
// throughput must come from the requests it answers (hits + misses), not from unit completions
// (it used to be 0, and its price vanished from the bill). Tolerances come from the confidence
// interval of the simulated rate: an open Poisson stream at λ over a window W has a rate
// estimate with standard deviation sqrt(λ / W), so the hand figure at the exact λ must lie within
// 2 half-widths of the simulated one, priced alike.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectMatches, scenarioOf } from "../helpers.ts";

describe("per-request prices: a CDN and its origin", () => {
  const lambda = 500, cdnPrice = 0.75, originPrice = 2, originHourly = 0.1;
  const r = simulate(scenarioOf(`
version: 1
name: per-request-cost
seed: 41
simulation: { duration: 60s, warmup: 5s, interval: 5s, replications: 10 }
load: { model: open, rate: ${lambda}/s, classes: { get: { flow: [{ call: cdn }] } } }
components:
  cdn: { kind: cdn, origin: origin, ttl: 2s, objects: { count: 5000, popularity: zipf, s: 0.9 }, cost: { million_requests: ${cdnPrice} } }
  origin: { kind: service, replicas: 2, concurrency: 100, service: 1ms, cost: { instance_hour: ${originHourly}, million_requests: ${originPrice} } }
`));
  const perHour = (rate: number, price: number) => (rate * 3600 * price) / 1e6;
  const cdn = r.components.cdn, origin = r.components.origin, cost = r.cost!;

  it("counts every request the CDN answers as its throughput, and it has no units to be busy", () => {
    expectMatches(cdn.throughput, lambda, { label: "cdn throughput" });
    expect(cdn.servers).toBeNull();
  });

  it("bills the CDN rate x 3600 x price / 1e6 per hour, within the rate's CI", () => {
    const band = perHour(2 * cdn.throughput.ci95!, cdnPrice);
    expect(band).toBeGreaterThan(0);
    // the band is narrow: a bill 3% off (or the old 0) is outside it
    expect(band).toBeLessThan(0.03 * perHour(lambda, cdnPrice));
    expect(Math.abs(cost.byComponent.cdn.perHour - perHour(lambda, cdnPrice))).toBeLessThanOrEqual(band);
    expect(cost.byComponent.cdn.instances).toBe(0);
    expect(cost.byComponent.cdn.requestsPerSecond).toBeCloseTo(cdn.throughput.mean, 9);
  });

  it("bills the origin its misses by the million plus its replicas by the hour", () => {
    // the origin sees the CDN's misses: λ (1 - hit ratio)
    const misses = lambda * (1 - cdn.hitRatio!.mean);
    const band = perHour(2 * origin.throughput.ci95!, originPrice) + perHour(2 * lambda * cdn.hitRatio!.ci95!, originPrice);
    expect(Math.abs(cost.byComponent.origin.perHour - (2 * originHourly + perHour(misses, originPrice)))).toBeLessThanOrEqual(band);
    expect(cost.perHour).toBeCloseTo(cost.byComponent.cdn.perHour + cost.byComponent.origin.perHour, 9);
  });

  it("charges the CDN's lookups in the per-interval series too", () => {
    const s = r.series!;
    const after = s.t.map((t, i) => (t > 5 ? i : -1)).filter((i) => i >= 0);
    const rate = after.reduce((a, i) => a + s.components.cdn.throughput[i], 0) / after.length;
    // one replication's 55 s: sd sqrt(λ / 55) ≈ 3 /s; 5 sd
    expect(Math.abs(rate - lambda)).toBeLessThan(5 * Math.sqrt(lambda / 55));
    for (const i of after) {
      const x = s.components;
      expect(s.costPerHour![i]).toBeCloseTo(perHour(x.cdn.throughput[i], cdnPrice) + 2 * originHourly + perHour(x.origin.throughput[i], originPrice), 9);
    }
  });
});
