// The failover report's series: failed requests per second, the model's mean over its runs per
// interval, the driver's failures placed by when they ended in the same intervals.
import { describe, expect, it } from "vitest";
import { errorSeries } from "./db-failover-validate.ts";

type Sim = Parameters<typeof errorSeries>[0][number];
const sim = (errors: number[][]) => ({ series: { intervalS: 2, t: [2, 4, 6], classes: Object.fromEntries(errors.map((e, i) => [`c${i}`, { errors: e }])) } }) as unknown as Sim;

describe("errorSeries", () => {
  it("the model's classes added, runs averaged; the measured failures per interval per second", () => {
    const s = errorSeries([sim([[0, 3, 0], [0, 1, 1]]), sim([[0, 5, 0], [0, 1, 0]])], [
      { done: 0.5, status: 201 }, { done: 2.1, status: 503 }, { done: 3.9, status: 0 }, { done: 4.0, status: 500 }, { done: 7, status: 503 },
    ]);
    expect(s.predicted).toEqual([[2, 0], [4, 5], [6, 0.5]]);
    expect(s.measured).toEqual([[2, 0], [4, 1], [6, 0.5]]);
  });
  it("no series kept: nothing to draw", () => {
    expect(errorSeries([{ series: undefined } as unknown as Sim], [])).toEqual({ predicted: [], measured: [] });
  });
});
