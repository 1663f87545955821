// The reference app draws service times with the simulator's samplers: per-process streams that
// repeat for the same seed and differ across processes, and means that match the YAML (20k draws;
// the samplers' own moments are tested in simulator/tests).
import { describe, expect, it } from "vitest";
import { sample, streamFor, meanOf, type Dist } from "./sampler.ts";

const N = 20_000;
function mean(d: Dist, process = "api-1"): number {
  const rng = streamFor(1, process);
  let s = 0;
  for (let i = 0; i < N; i++) s += sample(d, rng);
  return s / N;
}

describe("reference-app sampling", () => {
  it.each([
    // [distribution, relative tolerance of the mean over 20k draws]
    [{ dist: "constant", value: 0.003 } as Dist, 0],
    [{ dist: "exponential", mean: 0.02 } as Dist, 0.03],
    [{ dist: "lognormal", mean: 0.002, cv: 0.5 } as Dist, 0.02],
  ])("draws %j with the YAML's mean", (d, tol) => {
    expect(Math.abs(mean(d) - meanOf(d))).toBeLessThanOrEqual(meanOf(d) * tol + 1e-12);
  });

  it("repeats for the same (seed, process) and differs across processes", () => {
    const d: Dist = { dist: "exponential", mean: 0.01 };
    const draw = (seed: number, p: string) => {
      const rng = streamFor(seed, p);
      return Array.from({ length: 5 }, () => sample(d, rng));
    };
    expect(draw(42, "api-1")).toEqual(draw(42, "api-1"));
    expect(draw(42, "api-2")).not.toEqual(draw(42, "api-1"));
    expect(draw(43, "api-1")).not.toEqual(draw(42, "api-1"));
  });
});
