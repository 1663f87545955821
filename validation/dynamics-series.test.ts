// The time-series comparison of validation/dynamics.ts (its pure half, dynamics-series.ts): instance steps from the scaler's events and
// from the simulator's series, their time-weighted mean, the moments they rise and fall, and the
// rows' pass/miss against docs/validation.md's targets.
import { describe, expect, it } from "vitest";
import { instanceSteps, moments, rateRows, scalingRows, seriesSteps, timeWeightedMean } from "./dynamics-series.ts";

describe("instance series", () => {
  it("counts booting, serving and draining places from the scaler's events, from the load start", () => {
    const t0 = 1_000_000;
    const steps = instanceSteps(1, [
      { t: t0 + 35_000, place: 2, state: "booting" },
      { t: t0 + 42_000, place: 2, state: "serving" },
      { t: t0 + 90_000, place: 2, state: "draining" },
      { t: t0 + 91_500, place: 2, state: "off" },
    ], t0);
    expect(steps).toEqual([[0, 1], [35, 2], [91.5, 1]]);
    // 1 x 35 + 2 x 56.5 + 1 x 28.5 over 120 s
    expect(timeWeightedMean(steps, 0, 120)).toBeCloseTo((35 + 113 + 28.5) / 120, 12);
    expect(moments(steps, 1)).toEqual([35]);
    expect(moments(steps, -1)).toEqual([91.5]);
  });

  it("reads the simulator's samples (stamped at the end of each interval) as steps", () => {
    expect(seriesSteps([1, 2, 3, 4, 5], [1, 1, 3, 3, 2], 1)).toEqual([[0, 1], [3, 3], [5, 2]]);
    expect(moments([[0, 1], [3, 3], [5, 2]], 1)).toEqual([3, 3]);
  });
});

describe("rows against the targets", () => {
  it("passes a scale-out within one interval and misses one beyond it; the mean within 10%", () => {
    const rows = scalingRows({ predictedMean: 2, measuredMean: 2.19, predicted: [[35, 45], [96]], measured: [[35.02, 50.05], [100]], interval: 5, predictedMax: 3, measuredMax: 3 });
    const by = Object.fromEntries(rows.map((r) => [r.name, r.pass]));
    expect(by).toMatchObject({ "instances, time-weighted mean": true, "scale-outs": true, "scale-out 1 at (s)": true, "scale-out 2 at (s)": false, "largest instance count": true, "scale-ins": null });
    expect(scalingRows({ predictedMean: 2, measuredMean: 2.21, predicted: [[], []], measured: [[1], []], interval: 5, predictedMax: 1, measuredMax: 2 }).filter((r) => r.pass === false).map((r) => r.name))
      .toEqual(["instances, time-weighted mean", "scale-outs", "largest instance count"]);
  });

  it("holds accepted and refused rates to 3%", () => {
    expect(rateRows({ acceptedPredicted: 50, acceptedMeasured: 48.6, rejectedPredicted: 50, rejectedMeasured: 51.4 }).map((r) => r.pass)).toEqual([true, true]);
    expect(rateRows({ acceptedPredicted: 50, acceptedMeasured: 48.4, rejectedPredicted: 49.1, rejectedMeasured: 51.05 }).map((r) => r.pass)).toEqual([false, false]);
  });
});
