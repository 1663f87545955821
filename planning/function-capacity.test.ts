// `headroom capacity` with a serverless function: the answer in the function's own units. Every
// class enters at the function, so the load counts invocations/s; the capacity is the invocation
// rate at which the SLO's error rate (1%) is reached by throttles (429 at max_instances x
// concurrency), and the answer adds the invocations the function runs there and the share it
// throttles. Against Erlang B: 10 slots started on demand with no start time and a 100 ms
// service are an M/G/10/10 loss system, which refuses B(10, a) of the offered a = lambda x 0.1
// (insensitive to the service's law); B(10, a) = 1% at a = 4.4612, so the capacity is 44.61
// invocations/s, of which 44.17/s run and 1% are throttled.
import { describe, expect, it } from "vitest";
import { scenarioOf } from "../simulator/testing.ts";
import { analyticBracket, loadUnit, scaleLoad } from "../simulator/analytic/index.ts";
import { simulate } from "../simulator/index.ts";
import { summarize } from "./verdict.ts";
import { runSearch } from "./search.ts";

const yaml = `version: 1
name: fn-small
seed: 7
simulation: { duration: 400s, warmup: 20s, replications: 1 }
load:
  model: open
  rate: 30/s
  classes: { call: { flow: [{ call: f }] } }
components:
  f: { kind: function, max_instances: 10, concurrency: 1, cold_start: 0s, idle_timeout: 1h, service: { dist: lognormal, mean: 100ms, cv: 1.5 } }
slo:
  error_rate: 1%
`;
const s = scenarioOf(yaml, "fn-small.yaml");

/** Erlang's loss formula B(c, a) (written out here: the simulator's copy is not a public entry). */
function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** The invocation rate at which 10 slots of 100 ms refuse 1%: B(10, 0.1 lambda) = 0.01, by bisection. */
function rateAt1pct(): number {
  let lo = 1, hi = 100;
  for (let i = 0; i < 60; i++) { const mid = (lo + hi) / 2; if (erlangB(10, mid * 0.1) < 0.01) lo = mid; else hi = mid; }
  return lo;
}

describe("capacity with a serverless function, in invocations/s", () => {
  const level = rateAt1pct();
  it("counts invocations: every class enters at the function", () => {
    expect(level).toBeCloseTo(44.61, 1);
    expect(loadUnit(s)).toBe("invocations/s");
  });
  it("the analytic bracket is Erlang B's 1% level", () => {
    expect(Math.abs(analyticBracket(s).slo / level - 1)).toBeLessThan(0.01);
  });
  it("one run's invocations: run per second and the share throttled, as Erlang B gives them", () => {
    // 400 s at the 1% level: about 17,800 invocations, 178 throttled (a count of bursty events: 20%)
    const r = summarize(level, simulate(scaleLoad(s, level), { seed: 7 }));
    const f = r.invocations!.f;
    expect(Math.abs(f.perSecond / (level * 0.99) - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.throttled / 0.01 - 1)).toBeLessThan(0.2);
  });
  it("four searches end at it, and report the invocations run there", () => {
    // Each search ends within its 2% bisection of where its own runs cross 1%; a run's throttled
    // share is known to about 13% (one 400 s run), worth about 2.3% of rate (B grows as a^5.6 here):
    // the mean of four within 4%.
    const outcomes = [0, 1, 2, 3].map((k) => runSearch({ scenario: s, seed: 7 + k, lo: level * 0.8, hi: level * 1.1, duration: 400, warmup: 20, tolerance: 0.02, maxRuns: 12 }));
    const capacity = outcomes.reduce((a, o) => a + o.capacity, 0) / outcomes.length;
    console.log(`function capacity: ${capacity.toFixed(2)} invocations/s (searches ${outcomes.map((o) => o.capacity.toFixed(2)).join(", ")}) vs Erlang B ${level.toFixed(2)}; run there ${outcomes.map((o) => `${o.atCapacity!.invocations!.f.perSecond.toFixed(2)}/s ${(o.atCapacity!.invocations!.f.throttled * 100).toFixed(2)}%`).join(", ")}`);
    expect(Math.abs(capacity / level - 1), `capacity ${capacity.toFixed(2)} vs Erlang B's ${level.toFixed(2)}`).toBeLessThan(0.04);
    for (const o of outcomes) {
      expect(o.aboveCapacity?.failed).toMatch(/^error_rate/);
      const f = o.atCapacity!.invocations!.f;
      // run there: the offered rate less the throttled share, and that share under the SLO's 1%
      expect(Math.abs(f.perSecond / (o.capacity * (1 - f.throttled)) - 1)).toBeLessThan(0.02);
      expect(f.throttled).toBeLessThanOrEqual(0.01);
      expect(Math.abs(f.perSecond / (level * 0.99) - 1)).toBeLessThan(0.08);
    }
  });
});
