// Peeks at the interval in progress (ReplicationRunOptions.onPeek, for the dashboard's first chart
// long before a 10 s interval ends) only observe: a replication that takes a snapshot at every
// peek gives the same bytes as one that takes none. The point in progress is the interval's counts
// so far over the time simulated so far: exact counts (whole numbers, growing, never past the whole
// interval's), and on M/M/8 at 300/s a throughput within Poisson's band of the offered rate.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { combineReplications, simulate, simulateReplication, type Scenario, type SeriesResult } from "../../index.ts";
import { scenarioOf } from "../helpers.ts";

const bundled = (path: string) => scenarioOf(readFileSync(new URL(`../../../scenarios/${path}.yaml`, import.meta.url), "utf8"), path);

// a station, a balancer with replicas, a function, a circuit breaker, a CDN and caches
const CASES = ["single-service", "lb-replicas", "serverless-api", "validation/dynamic/slow-dependency", "cache-aside", "media-api"];

function peeked(s: Scenario, o: { duration: number; replications: number }, r: number) {
  const snaps: SeriesResult[] = [];
  const rep = simulateReplication(s, { ...o, series: true, onPeek: (snap) => { snaps.push(snap()); } }, r);
  return { rep, snaps };
}

describe("peeks at the interval in progress only observe", () => {
  for (const name of CASES) {
    test(`${name}: a snapshot at every peek changes no byte of the run`, () => {
      const s = bundled(name);
      const o = { duration: Math.min(s.simulation.duration ?? 60, 60), replications: 2 };
      const plain = simulate(s, o);
      const runs = [0, 1].map((r) => peeked(s, o, r));
      expect(runs[0].snaps.length).toBeGreaterThan(0);
      expect(JSON.stringify(combineReplications(s, o, runs.map((x) => x.rep)))).toBe(JSON.stringify(plain));
      const quiet = simulateReplication(s, { ...o, series: true }, 0);
      expect(runs[0].rep.series).toEqual(quiet.series);
      // every snapshot's whole intervals are the run's, and its last point lies inside the next one
      const whole = combineReplications(s, { ...o, replications: 1 }, [quiet]).series!;
      for (const snap of runs[0].snaps) {
        const n = snap.t.length - 1;
        expect(snap.t.slice(0, n)).toEqual(whole.t.slice(0, n));
        expect(snap.t[n]).toBeGreaterThan(n > 0 ? whole.t[n - 1] : 0);
        expect(snap.t[n]).toBeLessThanOrEqual(whole.t[n] ?? o.duration);
        for (const c of Object.keys(whole.classes)) expect(snap.classes[c].p95Ms.slice(0, n)).toEqual(whole.classes[c].p95Ms.slice(0, n));
      }
    });
  }
});

describe("the point in progress", () => {
  test("M/M/8 at 300/s: counts so far, growing within an interval, within Poisson's band of 300/s", () => {
    // 10 s intervals, as one-million-users' (the default is 1 s)
    const text = readFileSync(new URL("../../../scenarios/single-service.yaml", import.meta.url), "utf8").replace("warmup: 15s", "warmup: 15s\n  interval: 10s");
    const s = scenarioOf(text, "single-service");
    const o = { duration: 300, replications: 1 };
    const { rep, snaps } = peeked(s, o, 0);
    const whole = combineReplications(s, o, [rep]).series!;
    expect(whole.intervalS).toBe(10);
    const step = whole.intervalS;
    let prev = { i: -1, done: 0, arrived: 0 };
    let checked = 0;
    for (const snap of snaps) {
      const i = snap.t.length - 1;
      const elapsed = snap.t[i] - (i > 0 ? snap.t[i - 1] : 0);
      const done = snap.classes.get_product.throughput[i] * elapsed;
      const arrived = snap.offered[i] * elapsed;
      // rates over the time so far: back to whole counts
      expect(Math.abs(done - Math.round(done))).toBeLessThan(1e-6);
      expect(Math.abs(arrived - Math.round(arrived))).toBeLessThan(1e-6);
      expect(Math.round(done)).toBeLessThanOrEqual(Math.round(whole.classes.get_product.throughput[i] * step));
      if (prev.i === i) {
        expect(Math.round(done)).toBeGreaterThanOrEqual(prev.done);
        expect(Math.round(arrived)).toBeGreaterThanOrEqual(prev.arrived);
      }
      prev = { i, done: Math.round(done), arrived: Math.round(arrived) };
      const u = snap.components.api.utilization[i];
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThanOrEqual(1);
      // arrivals in `elapsed` seconds are Poisson(300 elapsed): 4.5 standard deviations (a rate
      // divided by the whole interval instead of the time so far would be off by 10/elapsed)
      if (elapsed >= 2) {
        expect(Math.abs(snap.offered[i] - 300)).toBeLessThan(4.5 * Math.sqrt(300 / elapsed));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
