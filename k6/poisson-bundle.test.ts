// The exported script's Poisson arrivals, as the engines read them: the bundle's VU 0 init context
// writes the realization into options.scenarios[...].stages, and the built-in runner's schedule of
// those stages (k6's arithmetic) starts exactly the plan's realization: its count, its times, and a
// Poisson law for a ramp (time-rescaled gaps Exp(1) by a KS test, counts in the ramp's halves by its
// integral). No request is sent: this checks the wiring of seed, rate profile and end into the script.
import { describe, expect, it } from "vitest";
import { scenarioOf } from "../simulator/testing.ts";
import { bundleScenario } from "./harness.ts";
import { Engine } from "./runner/engine.ts";
import { arrivalOffsets } from "./runner/executors.ts";
import { poissonArrivals } from "./scripts/lib/poisson.ts";
import { cumulative } from "./scripts/lib/profile.ts";
import { ksExp1 } from "./testing/ks.ts";

const YAML = `version: 1
name: ramp
seed: 5
load:
  model: open
  start_rate: 0/s
  stages:
    - { duration: 40s, target: 300/s }
    - { duration: 20s, target: 300/s }
  classes:
    a: { weight: 1, http: { method: GET, path: /x }, flow: [api] }
components:
  api: { kind: station, service: 1ms }
`;


describe("the bundled script's Poisson arrivals", () => {
  it("VU 0's options start the plan's realization: 0 -> 300/s over 40 s then 20 s at 300/s", async () => {
    const scenario = scenarioOf(YAML, "ramp.yaml");
    const { code, plan } = await bundleScenario(scenario, "ramp.yaml");
    expect(plan.mode).toBe("poisson");
    const engine = new Engine({ script: "ramp.k6.js", bundled: code });
    await engine.init();
    const sc = engine.options!.scenarios[0];
    expect(sc.executor).toBe("ramping-arrival-rate");
    const starts = [...arrivalOffsets(sc.startRate, sc.stages, sc.timeUnitMs, 1)];
    // the plan's count, and the realization drawn from the plan's seed, each arrival j within the
    // documented resolution: 1 ns of rounding plus (j x 1e-9 + t / 1e6 s) of its gap, early
    expect(starts.length).toBe(plan.poisson!.arrivals);
    const want = poissonArrivals(plan.knots!, plan.poisson!.seed).map((t) => t * 1000);
    const outside = starts.filter((t, j) => {
      const gap = want[j] - (j ? want[j - 1] : 0);
      return Math.abs(t - want[j]) > 1e-6 + ((j + 1) * 1e-9 + 61 / 1e6) * gap;
    });
    expect(outside).toEqual([]);
    // the stages last the test plus the 1 s tail
    expect(sc.stages.reduce((a, s) => a + s.durationMs, 0)).toBeCloseTo(61_000, 3);
    // Poisson of the ramp: 6000 + 6000 expected in [0, 40) and [40, 60), +/- 4 sd
    const knots = plan.knots!;
    for (const [a, b] of [[0, 40], [40, 60]]) {
      const n = starts.filter((t) => t >= a * 1000 && t < b * 1000).length;
      const mean = cumulative(knots, b) - cumulative(knots, a);
      expect(Math.abs(n - mean)).toBeLessThan(4 * Math.sqrt(mean));
    }
    // time-rescaled gaps are Exp(1): KS below the alpha = 0.001 critical value (1.95 / sqrt(n) = 0.018)
    const lam = starts.map((t) => cumulative(knots, t / 1000));
    const gaps = lam.slice(1).map((x, i) => x - lam[i]);
    expect(ksExp1(gaps)).toBeLessThan(1.95 / Math.sqrt(gaps.length));
  });
});
