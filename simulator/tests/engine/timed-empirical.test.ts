// An empirical distribution with its samples' times (`at`, `window`): a draw at simulation time t
// takes one of the samples measured within window/2 of t, the nearest one when none is; the
// simulation's clock reaches the sampler (so a measured trace's slow spell stays where it was);
// bad input is located at its field. The function validation's calibration draws its overhead and
// cold start this way (validation/function-overhead.ts).
import { describe, expect, it } from "vitest";
import { Sampler } from "../../engine/distributions.ts";
import { Rng } from "../../engine/rng.ts";
import { parseScenario, simulate } from "../../index.ts";

describe("timed empirical", () => {
  it("draws only the samples within the half-window of the clock, else the nearest", () => {
    const clock = new Float64Array(1);
    // given out of time order: the sampler sorts them by time, each value with its own time
    const s = new Sampler({ dist: "empirical", samples: [0.3, 0.1, 0.2, 0.4], at: [10, 1, 1.4, 10.2], window: 1 }, clock);
    const r = new Rng(4, 0, "timed");
    const seen = (t: number) => {
      clock[0] = t;
      const out = new Set<number>();
      for (let i = 0; i < 2000; i++) out.add(s.sample(r));
      return [...out].sort();
    };
    expect(seen(1.2)).toEqual([0.1, 0.2]); // 1 and 1.4 within 0.5 of 1.2
    expect(seen(0.6)).toEqual([0.1]); // only 1
    expect(seen(10.1)).toEqual([0.3, 0.4]);
    expect(seen(5)).toEqual([0.2]); // none within: the nearest (1.4 is 3.6 away, 10 is 5)
    expect(seen(7)).toEqual([0.3]);
    expect(seen(30)).toEqual([0.4]);
    expect(s.mean).toBeCloseTo(0.25, 12);
  });

  it("needs a clock", () => {
    expect(() => new Sampler({ dist: "empirical", samples: [0.1], at: [0], window: 1 })).toThrow(/clock/);
  });

  it("a simulation draws at its own time: a slow spell in the trace slows the requests then only", () => {
    // a station's service 10 ms in the first 10 s, 50 ms after (the trace's times), at 5/s
    const at = Array.from({ length: 40 }, (_, i) => i * 0.5);
    const samples = at.map((t) => (t < 10 ? "10ms" : "50ms"));
    const r = parseScenario(`version: 1
name: timed
seed: 2
simulation: { duration: 20s, warmup: 0s, interval: 5s, replications: 1 }
load: { model: open, rate: 5/s, classes: { a: { flow: [api] } } }
components:
  api: { kind: station, servers: 100, service: { dist: empirical, samples: [${samples.join(", ")}], at: [${at.map((t) => `${t}s`).join(", ")}], window: 1s } }
`, "timed.yaml");
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const s = simulate(r.scenario, { seed: 2, replications: 1 }).series!;
    const p50 = s.classes.a!.p50Ms;
    // the intervals ending at 5 and 10 s: all 10 ms; at 15 and 20 s: all 50 ms (the draws at 9.5-10 s
    // take both kinds: the interval to 10 s may hold one 50 ms, its median stays 10)
    expect(p50[0]).toBeCloseTo(10, 0);
    expect(p50[1]).toBeCloseTo(10, 0);
    expect(p50[2]).toBeCloseTo(50, 0);
    expect(p50[3]).toBeCloseTo(50, 0);
  });

  it("bad input: `at` without `window`, `window` without `at`, a time per sample", () => {
    const base = (d: string) => `version: 1
name: bad
load: { model: open, rate: 5/s, classes: { a: { flow: [api] } } }
components:
  api: { kind: station, service: ${d} }
`;
    const errs = (d: string) => {
      const r = parseScenario(base(d), "bad.yaml");
      return r.ok ? [] : r.errors.map((e) => `${e.path} ${e.line}:${e.column} ${e.message}`);
    };
    expect(errs("{ dist: empirical, samples: [1ms, 2ms], at: [0s, 1s] }").join("\n")).toMatch(/components\.api\.service\.at 5:\d+ .*needs a `window`/);
    expect(errs("{ dist: empirical, samples: [1ms, 2ms], window: 1s }").join("\n")).toMatch(/components\.api\.service\.window 5:\d+ .*belongs to `at`/);
    expect(errs("{ dist: empirical, samples: [1ms, 2ms], at: [0s], window: 1s }").join("\n")).toMatch(/components\.api\.service\.at 5:\d+ .*1 times for 2 samples/);
    expect(errs("{ dist: empirical, samples: [1ms, 2ms], at: [0s, 1s], window: 1s }")).toEqual([]);
  });
});
