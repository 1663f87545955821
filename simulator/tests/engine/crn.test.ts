// Common random numbers: every decision point (a branch, a delay, a station's service, a balancer's
// choice, ...) draws from its own stream, named by where it is, so two variants of a scenario that
// differ in one station's service time see the same arrivals, the same decisions at every branch
// point, and identical results at every station that is not downstream of the changed one.
import { describe, expect, it } from "vitest";
import { compile } from "../../engine/program.ts";
import { Histogram } from "../../engine/histogram.ts";
import { runReplication } from "../../engine/simulation.ts";
import { simulate } from "../../index.ts";
import { scenarioOf } from "../helpers.ts";

// Two branch points in a row: b | c, then d | e. Variants change b's mean (and add a delay in b's arm).
const yaml = (bMean: string, extraInB = "") => `
version: 1
name: crn
seed: 11
simulation: { duration: 300s, warmup: 0s, replications: 2 }
load:
  model: open
  rate: 40/s
  classes:
    x:
      weight: 3
      flow:
        - branch:
            - { p: 0.4, flow: [b${extraInB}] }
            - { p: 0.6, flow: [c, { service: { dist: exponential, mean: 2ms } }] }
        - branch:
            - { p: 0.5, flow: [d] }
            - { p: 0.5, flow: [e] }
    y: { weight: 1, flow: [{ service: { dist: exponential, mean: 3ms } }, e] }
components:
  b: { kind: station, service: { dist: exponential, mean: ${bMean} } }
  c: { kind: station, service: { dist: exponential, mean: 10ms } }
  d: { kind: station, service: { dist: exponential, mean: 10ms } }
  e: { kind: station, service: { dist: exponential, mean: 10ms } }
`;

const base = scenarioOf(yaml("8ms"));
const variants = [
  ["b's mean 8ms -> 9ms", scenarioOf(yaml("9ms"))],
  ["b's mean 8ms -> 9ms and a delay added in b's arm", scenarioOf(yaml("9ms", ", { service: { dist: exponential, mean: 1ms } }"))],
] as const;

function resourceStats(s: ReturnType<typeof scenarioOf>) {
  const p = compile(s);
  const r = runReplication(p, s, { seed: 11, replication: 0, duration: 300, warmup: 0, interval: 10, series: false });
  const byName = (n: string) => r.resources[p.resources.findIndex((x) => x.name === n)];
  return { r, byName, p };
}

describe("common random numbers across variants", () => {
  const a = resourceStats(base);
  const ra = simulate(base);
  for (const [label, variant] of variants) {
    describe(label, () => {
      const b = resourceStats(variant);
      const rb = simulate(variant);
      it("the variants differ where they should (b is slower)", () => {
        expect(rb.components.b.responseMs.mean.mean).toBeGreaterThan(ra.components.b.responseMs.mean.mean * 1.05);
      });
      it("arrivals per class are exactly equal", () => {
        for (let c = 0; c < 2; c++) expect(b.r.classes[c].arrived).toBe(a.r.classes[c].arrived);
        expect(rb.classes.x.counts.arrived).toBe(ra.classes.x.counts.arrived);
        expect(rb.classes.y.counts.arrived).toBe(ra.classes.y.counts.arrived);
      });
      it("the first branch decides exactly as before: arrivals at b and c are equal", () => {
        expect(b.byName("b").arrivals).toBe(a.byName("b").arrivals);
        expect(b.byName("c").arrivals).toBe(a.byName("c").arrivals);
      });
      it("station c (not downstream of b) has identical results, to the last digit", () => {
        expect(JSON.stringify(rb.components.c)).toBe(JSON.stringify(ra.components.c));
        const [sa, sb] = [a.byName("c"), b.byName("c")];
        expect(sb.completions).toBe(sa.completions);
        expect(sb.busyArea).toBe(sa.busyArea);
        expect(sb.queueArea).toBe(sa.queueArea);
        expect(Histogram.ofParts([sb.wait]).quantile(0.95)).toBe(Histogram.ofParts([sa.wait]).quantile(0.95));
      });
      it("the second branch draws the same sequence: d and e differ by no more than the number that reached it", () => {
        // Requests reach the second branch point in another order (b is slower), but the k-th to
        // reach it gets the k-th number of that point's stream in both variants, so the split
        // between d and e can differ only by the requests still in b when the run ends. With one
        // stream shared by both branch points (as before), d's count moved by tens.
        const reached = (s: typeof a) => s.byName("d").arrivals + s.byName("e").arrivals - s.r.classes[1].arrived;
        const dReached = Math.abs(reached(b) - reached(a));
        expect(dReached).toBeLessThanOrEqual(10);
        expect(Math.abs(b.byName("d").arrivals - a.byName("d").arrivals)).toBeLessThanOrEqual(dReached);
      });
    });
  }
  it("stream names are by place, not by count: a delay added in one arm renames no other stream", () => {
    const names = compile(base).streams;
    const more = compile(variants[1][1]).streams;
    expect(new Set(names).size).toBe(names.length);
    expect(more.length).toBe(names.length + 1);
    for (const n of names) expect(more).toContain(n);
  });
  it("the same seed gives byte-identical results", () => {
    expect(JSON.stringify(simulate(base))).toBe(JSON.stringify(ra));
  });
});
