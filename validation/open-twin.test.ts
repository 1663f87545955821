// validate --open-twin (levels.ts openTwin) and several caches compared one by one (compare.ts with
// measure.ts cacheHitRatios), on the bundled one-million-users.yaml: the twin is the open Poisson
// load at the users' request rate that the model then runs, and each regional cache's row is
// judged against its own measured ratio, never the other cache's.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { scaleSystem } from "../simulator/analytic/index.ts";
import { nominalRate, openTwin, withRate } from "./levels.ts";
import { compare } from "./compare.ts";

const million = scenarioOf(readFileSync(join(import.meta.dirname, "../scenarios/one-million-users.yaml"), "utf8"));

describe("openTwin", () => {
  it("a closed load becomes Poisson arrivals at the highest user count over the mean think time; classes and regions kept", () => {
    expect(() => nominalRate(million)).toThrow(/open/);
    const twin = openTwin(million);
    expect(twin.load.model).toBe("open");
    // 1.3M users at the spike, 60 s mean think: 21,667 requests/s
    expect(nominalRate(twin)).toBeCloseTo(1_300_000 / 60, 6);
    expect(Object.keys(twin.load.classes)).toEqual(Object.keys(million.load.classes));
    expect(twin.load.regions).toEqual(million.load.regions);
    expect(openTwin(twin)).toBe(twin);
  });

  it("the scaled twin simulates at the level's rate: its throughput is the rate, within the Poisson count's 3 standard deviations", () => {
    const s = withRate(scaleSystem(openTwin(million), 0.02), 60);
    const sim = simulate(s, { duration: 20, warmup: 5 });
    const got = Object.values(sim.classes).reduce((a, c) => a + c.throughput.mean, 0);
    expect(Math.abs(got - 60)).toBeLessThan(3 * Math.sqrt(60 * 15) / 15);
  });
});

describe("several caches", () => {
  const s = withRate(scaleSystem(openTwin(million), 0.02), 60);
  const sim = simulate(s, { duration: 20, warmup: 5 });
  const east = sim.components.cache_east!.hitRatio!.mean, west = sim.components.cache_west!.hitRatio!.mean;
  const classes = Object.fromEntries(Object.entries(sim.classes).map(([n, c]) => [n, { requests: c.throughput.mean * 15, failed: 0, throughput: c.throughput.mean, offeredRate: c.throughput.mean, latencyMs: { mean: c.latencyMs.mean.mean, p50: c.latencyMs.p50.mean, p95: c.latencyMs.p95.mean, p99: c.latencyMs.p99.mean } }]));
  const rowOf = (rows: ReturnType<typeof compare>, n: string) => rows.find((r) => r.scope === n && r.metric === "cacheHitRatio")!;

  it("each cache's row reads its own measured ratio; a cache 20 points off fails alone", () => {
    const ok = compare(sim, { classes, cacheHitRatios: { cache_east: { ratio: east, gets: 5000 }, cache_west: { ratio: west, gets: 5000 } } }, 0.5);
    expect(rowOf(ok, "cache_east").verdict).toBe("pass");
    expect(rowOf(ok, "cache_west").verdict).toBe("pass");
    const off = compare(sim, { classes, cacheHitRatios: { cache_east: { ratio: east, gets: 5000 }, cache_west: { ratio: west - 0.2, gets: 5000 } } }, 0.5);
    expect(rowOf(off, "cache_east").verdict).toBe("pass");
    expect(rowOf(off, "cache_west").verdict).toBe("fail");
  });

  it("a cache without its own figure is not measured, even when a single ratio is present", () => {
    const rows = compare(sim, { classes, cacheHitRatio: east, cacheGets: 5000, cacheHitRatios: { cache_east: { ratio: east, gets: 5000 } } }, 0.5);
    expect(rowOf(rows, "cache_west").measured).toBeNull();
  });
});
