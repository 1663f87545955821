// The executors' schedules: arrival offsets follow the integral of the rate; ramping-vus steps.
import { describe, expect, it } from "vitest";
import { arrivalOffsets, vuSteps } from "./executors.ts";

describe("arrival schedule", () => {
  it("a constant rate of R per timeUnit starts exactly R x duration iterations, evenly spaced", () => {
    const offs = [...arrivalOffsets(50, [{ durationMs: 2000, target: 50 }], 1000)];
    expect(offs.length).toBe(100);
    expect(offs[0]).toBe(0);
    expect(offs[1]).toBeCloseTo(20, 9);
    expect(offs[99]).toBeCloseTo(1980, 9);
  });

  it("a linear ramp starts the integral of the rate: 0 -> 100/s over 10 s is 500 iterations, a quarter in the first half", () => {
    const offs = [...arrivalOffsets(0, [{ durationMs: 10_000, target: 100 }], 1000)];
    expect(offs.length).toBe(500);
    expect(offs.filter((t) => t < 5000).length).toBe(125);
    // iteration k starts at t = sqrt(2k / slope): k = 200 at sqrt(400/0.00001) ms = 6324.6 ms
    expect(offs[200]).toBeCloseTo(Math.sqrt((2 * 200) / (100 / 1000 / 10_000)), 6);
  });

  it("ramping-arrival-rate counts from 1 as k6's cal does: the first start where the integral reaches 1, the last at the end", () => {
    // 0 -> 100/s over 10 s: the rate is 10 t per s, the integral 5 t^2, so start k is at sqrt(k / 5) s
    const offs = [...arrivalOffsets(0, [{ durationMs: 10_000, target: 100 }], 1000, 1)];
    expect(offs.length).toBe(500);
    expect(offs[0]).toBeCloseTo(Math.sqrt(1 / 5) * 1000, 6);
    expect(offs[499]).toBeCloseTo(10_000, 6);
  });

  it("chains stages: ramp up, hold, ramp down, with timeUnit", () => {
    const offs = [
      ...arrivalOffsets(
        0,
        [
          { durationMs: 1000, target: 20 },
          { durationMs: 2000, target: 20 },
          { durationMs: 1000, target: 0 },
        ],
        500,
      ),
    ];
    // 20 per 500 ms = 40/s: 20 (ramp) + 80 (hold) + 20 (ramp down)
    expect(offs.length).toBe(120);
    expect(offs.filter((t) => t >= 1000 && t < 3000).length).toBe(80);
    for (let i = 1; i < offs.length; i++) expect(offs[i]).toBeGreaterThan(offs[i - 1]);
  });
});

describe("ramping-vus steps", () => {
  it("moves one VU at a time along each stage", () => {
    expect(vuSteps(0, [{ durationMs: 1000, target: 4 }, { durationMs: 1000, target: 2 }])).toEqual([
      { atMs: 0, vus: 0 },
      { atMs: 250, vus: 1 },
      { atMs: 500, vus: 2 },
      { atMs: 750, vus: 3 },
      { atMs: 1000, vus: 4 },
      { atMs: 1500, vus: 3 },
      { atMs: 2000, vus: 2 },
    ]);
  });
});
