// Series only observe: a replication that records its per-interval series (every replication, for
// the dashboard's confidence bands) gives the same bytes in every other figure as one that does
// not. A sample reads the areas brought up to its time without writing them back (splitting a
// running sum rounds differently: 3e-13 apart before) and is not counted as an event.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { combineReplications, simulate, simulateReplication } from "../../index.ts";
import { scenarioOf } from "../helpers.ts";

const bundled = (path: string) => scenarioOf(readFileSync(new URL(`../../../scenarios/${path}.yaml`, import.meta.url), "utf8"), path);

// a station, a balancer with replicas, auto-scaling, a function, a circuit breaker, a CDN and caches
const CASES = ["single-service", "lb-replicas", "serverless-api", "validation/dynamic/slow-dependency", "validation/dynamic/autoscale-ramp", "validation/dynamic/function-burst", "cache-aside", "media-api"];

describe("series only observe", () => {
  for (const name of CASES) {
    test(`${name}: replications with series combine to simulate()'s bytes, and each has its own series`, () => {
      const s = bundled(name);
      const o = { duration: Math.min(s.simulation.duration ?? 60, 60), replications: 3 };
      const plain = simulate(s, o);
      const reps = [0, 1, 2].map((r) => simulateReplication(s, { ...o, series: true }, r));
      expect(JSON.stringify(combineReplications(s, o, reps))).toBe(JSON.stringify(plain));
      for (const rep of reps) expect(rep.series!.t.length).toBe(plain.series!.t.length);
      // replication 1's series are its own, not replication 0's again
      expect(reps[1].series!.offered).not.toEqual(reps[0].series!.offered);
    });
  }
});
